/**
 * Builds ffmpeg filter descriptions with correct escaping, so values that come from
 * users (paths, text) can never break out of their option. ffmpeg unescapes a filter
 * twice: first the filtergraph parser splits filters on `[],;`, then the filter splits
 * its options on `:`. Each level honours backslash escapes and trims unescaped
 * whitespace at the ends, so each level escapes its specials and all whitespace.
 */

export type FilterOptionValue = string | number;

/** Level 1: one option value inside a filter's `key=value:key=value` list. */
export function escapeOptionValue(value: string): string {
  return value.replace(/[\\':\s]/g, (c) => `\\${c}`);
}

/** Level 2: a filter's whole argument string inside the filtergraph. */
export function escapeFilterArgs(args: string): string {
  return args.replace(/[\\'[\],;\s]/g, (c) => `\\${c}`);
}

/** `name=key=value:key=value`, every value escaped for both levels. Undefined options are left out. */
export function filter(name: string, options: Record<string, FilterOptionValue | undefined> = {}): string {
  const pairs = Object.entries(options)
    .filter((entry): entry is [string, FilterOptionValue] => entry[1] !== undefined)
    .map(([key, value]) => `${key}=${escapeOptionValue(formatValue(value))}`);
  return pairs.length ? `${name}=${escapeFilterArgs(pairs.join(':'))}` : name;
}

/** A chain of filters between optional input and output pads: `[in]a,b[out]`. */
export function chain(inputs: string[], filters: string[], outputs: string[]): string {
  const pads = (labels: string[]) => labels.map((label) => `[${label}]`).join('');
  return `${pads(inputs)}${filters.join(',')}${pads(outputs)}`;
}

function formatValue(value: FilterOptionValue): string {
  if (typeof value === 'string') return value;
  if (!Number.isFinite(value)) throw new RangeError(`filter option is not a finite number: ${value}`);
  // Fixed notation: ffmpeg's parsers do not all accept exponents such as 1e-7.
  return Number.isInteger(value) ? String(value) : value.toFixed(6).replace(/0+$/, '').replace(/\.$/, '');
}
