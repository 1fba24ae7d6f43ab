/**
 * Turns zod issues into the one-line problems a filmmaker can act on:
 * `shots[2].duration: must be between 1 and 20 seconds (got 3600)`.
 * Pure (no Node imports): the renderer uses it to show problems while the user types.
 */
import { z } from 'zod';
import { storyboardSchema, type Storyboard } from './storyboard';

export type StoryboardValidation = { ok: true; storyboard: Storyboard } | { ok: false; problems: string[] };

/** Validates a parsed storyboard document; on failure, every problem as one readable line. */
export function validateStoryboard(data: unknown): StoryboardValidation {
  const result = storyboardSchema.safeParse(data, { reportInput: true, error: readableMessage });
  if (result.success) return { ok: true, storyboard: result.data };
  return { ok: false, problems: formatIssues(result.error.issues, storyboardSchema) };
}

/**
 * One line per problem, in the order the fields appear in the schema (zod reports
 * cross-field checks last). `schema` is the root the issue paths start from.
 */
export function formatIssues(issues: readonly z.core.$ZodIssue[], schema: z.ZodType): string[] {
  const misspelt = misspeltRequiredKeys(issues, schema);
  return issues
    .map((issue) => ({ issue, order: schemaOrder(schema, issue.path) }))
    .sort((a, b) => compareOrder(a.order, b.order))
    .filter(({ issue }) => !(isMissing(issue) && misspelt.has(issuePath(issue.path))))
    .flatMap(({ issue }) => formatIssue(issue, schema));
}

function formatIssue(issue: z.core.$ZodIssue, schema: z.ZodType): string[] {
  const where = issuePath(issue.path);
  if (issue.code === 'unrecognized_keys') {
    const allowed = objectKeysAt(schema, issue.path);
    return issue.keys.map((key) => `${where}: unknown key ${JSON.stringify(key)}${keyHint(key, allowed)}`);
  }
  return [`${where}: ${issue.message}${gotSuffix(issue)}`];
}

function isMissing(issue: z.core.$ZodIssue): boolean {
  return issue.code === 'invalid_type' && issue.input === undefined;
}

/** Paths of required keys a typo stands in for: "did you mean" already says it, "required" is noise. */
function misspeltRequiredKeys(issues: readonly z.core.$ZodIssue[], schema: z.ZodType): Set<string> {
  const paths = new Set<string>();
  for (const issue of issues) {
    if (issue.code !== 'unrecognized_keys') continue;
    const allowed = objectKeysAt(schema, issue.path);
    for (const key of issue.keys) {
      const meant = suggestKey(key, allowed);
      if (meant) paths.add(issuePath([...issue.path, meant]));
    }
  }
  return paths;
}

/** Sort key of a path: list indexes as they are, object keys by their place in the schema. */
function schemaOrder(schema: z.ZodType, path: readonly PropertyKey[]): number[] {
  return path.map((key, i) => {
    if (typeof key === 'number') return key;
    const place = objectKeysAt(schema, path.slice(0, i)).indexOf(String(key));
    return place < 0 ? Number.MAX_SAFE_INTEGER : place;
  });
}

function compareOrder(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/** `['shots', 2, 'duration']` -> `shots[2].duration`; the document itself is `storyboard`. */
export function issuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) out += out ? `.${key}` : key;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out || 'storyboard';
}

/**
 * Per-parse error map: zod prefers the messages written into the schema, so this only
 * words the issues the schema leaves to the default ("Invalid input: expected number...").
 */
const readableMessage: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? 'required' : `expected ${expectedName(issue.expected)}, got ${typeName(issue.input)}`;
    case 'invalid_value': {
      const options = issue.values.map(String);
      const wanted = options.length === 1 ? `must be ${options[0]}` : `must be one of ${options.join(', ')}`;
      return `${wanted} (got ${describeValue(issue.input)})`;
    }
    case 'too_small':
      return `must be ${issue.inclusive === false ? 'more than' : 'at least'} ${String(issue.minimum)}${unitOf(issue.origin)}`;
    case 'too_big':
      return `must be ${issue.inclusive === false ? 'less than' : 'at most'} ${String(issue.maximum)}${unitOf(issue.origin)}`;
    case 'invalid_format':
      return 'has the wrong format';
    default:
      return undefined;
  }
};

function unitOf(origin: string): string {
  if (origin === 'string') return ' characters';
  if (origin === 'array' || origin === 'set') return ' items';
  return '';
}

/** The offending value, where the message does not already say it. */
function gotSuffix(issue: z.core.$ZodIssue): string {
  const input: unknown = issue.input;
  switch (issue.code) {
    case 'too_big':
      if (typeof input === 'string') return ` (got ${input.length} characters)`;
      if (Array.isArray(input)) return ` (got ${input.length})`;
      return typeof input === 'number' ? ` (got ${input})` : '';
    case 'too_small':
    case 'not_multiple_of':
      return typeof input === 'number' ? ` (got ${input})` : '';
    case 'invalid_format':
      return typeof input === 'string' ? ` (got ${describeValue(input)})` : '';
    case 'invalid_type':
      // Only the schema's own wording ("must be a whole number") lacks the value.
      return issue.expected === 'int' && typeof input === 'number' ? ` (got ${input})` : '';
    default:
      return '';
  }
}

function expectedName(expected: string): string {
  switch (expected) {
    case 'number':
      return 'a number';
    case 'int':
      return 'a whole number';
    case 'string':
      return 'a string';
    case 'boolean':
      return 'true or false';
    case 'object':
      return 'a mapping (key: value pairs)';
    case 'array':
      return 'a list';
    default:
      return expected;
  }
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (typeof value === 'object') return 'a mapping';
  return typeof value;
}

/** A short, quoted rendering of a user's value: prompts may be megabytes long. */
function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return typeName(value);
}

function keyHint(key: string, allowed: readonly string[]): string {
  if (!allowed.length) return '';
  const suggestion = suggestKey(key, allowed);
  return suggestion ? ` (did you mean ${JSON.stringify(suggestion)}?)` : ` (allowed keys: ${allowed.join(', ')})`;
}

/** The allowed key closest to a misspelt one, or undefined when none is plausibly meant. */
export function suggestKey(key: string, allowed: readonly string[]): string | undefined {
  const typed = key.toLowerCase();
  let best: { key: string; distance: number } | undefined;
  for (const candidate of allowed) {
    const distance = editDistance(typed, candidate.toLowerCase());
    if (!best || distance < best.distance) best = { key: candidate, distance };
  }
  if (best && best.distance <= Math.max(1, Math.floor(best.key.length / 3))) return best.key;
  // Abbreviations ("ref", "desc") are too far by edits but obvious by prefix.
  return typed.length >= 3 ? allowed.find((candidate) => candidate.toLowerCase().startsWith(typed)) : undefined;
}

/** Optimal-string-alignment distance: insertions, deletions, substitutions and adjacent swaps. */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  const at = (i: number, j: number): number => rows[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let j = 1; j <= b.length; j++) (rows[0] as number[])[j] = j;
  for (let i = 1; i <= a.length; i++) {
    const row = rows[i] as number[];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      row[j] = best;
    }
  }
  return at(a.length, b.length);
}

interface SchemaDef {
  type: string;
  shape?: Record<string, unknown>;
  element?: unknown;
  innerType?: unknown;
  in?: unknown;
}

const WRAPPERS = new Set(['default', 'prefault', 'optional', 'nullable', 'readonly', 'catch', 'nonoptional', 'pipe']);

function defOf(schema: unknown): SchemaDef | undefined {
  return (schema as { _zod?: { def?: SchemaDef } } | undefined)?._zod?.def;
}

function unwrap(schema: unknown): unknown {
  let node = schema;
  for (let def = defOf(node); def && WRAPPERS.has(def.type); def = defOf(node)) node = def.type === 'pipe' ? def.in : def.innerType;
  return node;
}

/** The keys the object schema at `path` accepts (empty when the path leads elsewhere). */
function objectKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let node = unwrap(schema);
  for (const key of path) {
    const def = defOf(node);
    if (def?.type === 'object' && typeof key === 'string') node = unwrap(def.shape?.[key]);
    else if (def?.type === 'array' && typeof key === 'number') node = unwrap(def.element);
    else return [];
  }
  const def = defOf(node);
  return def?.type === 'object' && def.shape ? Object.keys(def.shape) : [];
}
