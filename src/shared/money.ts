/**
 * Money is integer micro-dollars everywhere (1 USD = 1_000_000). `Micros` is a branded
 * type: the only way to make one is `toMicros`, which rounds up (a reservation must
 * never hold less than the price) and refuses anything that is not a finite,
 * non-negative amount. Floats appear only at the edges: parsing user input, reading a
 * provider's figures, and formatting for display.
 */

declare const microsBrand: unique symbol;
export type Micros = number & { readonly [microsBrand]: 'micro-dollars' };

export const MICROS_PER_USD = 1_000_000;
/** The largest amount the ledger takes: $9 billion, far inside the exact range of a double. */
export const MAX_MICROS = 9_000_000_000_000_000;

/**
 * Float noise tolerated before rounding up: `0.1 * 3 * 1e6` is 300000.00000000006, which
 * must be 300000, not 300001. Anything a whole part in a million above an integer is real.
 */
const FLOAT_NOISE = 1e-6;

/**
 * The one way to make Micros: an amount in micro-dollars, possibly fractional, rounded
 * up to a whole micro-dollar. Throws RangeError for NaN, infinities, negatives and
 * amounts beyond MAX_MICROS, naming `what`.
 */
export function toMicros(amount: number, what = 'amount'): Micros {
  if (typeof amount !== 'number' || !Number.isFinite(amount)) throw new RangeError(`${what} must be a finite number of micro-dollars, got ${String(amount)}`);
  if (amount < 0) throw new RangeError(`${what} must not be negative, got ${amount}`);
  const rounded = Math.max(0, Math.ceil(amount - FLOAT_NOISE));
  if (rounded > MAX_MICROS) throw new RangeError(`${what} is beyond what the ledger holds: ${amount}`);
  return rounded as Micros;
}

export const ZERO_MICROS: Micros = toMicros(0);

/** Reads a value a provider (or a hand-edited file) reported: Micros, or why it is unusable. */
export function parseMicros(value: unknown, what = 'amount'): { ok: true; micros: Micros } | { ok: false; problem: string } {
  try {
    return { ok: true, micros: toMicros(value as number, what) };
  } catch (error) {
    return { ok: false, problem: (error as Error).message };
  }
}

export function usdToMicros(usd: number): Micros {
  if (typeof usd !== 'number' || !Number.isFinite(usd)) throw new RangeError(`not a finite amount: ${String(usd)}`);
  return toMicros(usd * MICROS_PER_USD, `$${usd}`);
}

export function addMicros(...amounts: Micros[]): Micros {
  let total = 0;
  for (const amount of amounts) total += amount;
  return toMicros(total);
}

/** a - b, never below zero: what is left of a budget once b is committed. */
export function microsLeft(a: Micros, b: Micros): Micros {
  return toMicros(Math.max(0, a - b));
}

/** An amount scaled by a factor (a billing correction, a share of a clip), rounded up. */
export function scaleMicros(amount: Micros, factor: number): Micros {
  if (!Number.isFinite(factor) || factor < 0) throw new RangeError(`scale factor must be a finite number >= 0, got ${factor}`);
  return toMicros(amount * factor);
}

/** Cost of `seconds` of video at `microsPerSecond`, rounded up to a whole micro-dollar. */
export function costForSeconds(microsPerSecond: Micros, seconds: number): Micros {
  return toMicros(microsPerSecond * seconds);
}

export function formatUsd(micros: number, decimals = 2): string {
  const sign = micros < 0 ? '-' : '';
  return `${sign}$${(Math.abs(micros) / MICROS_PER_USD).toFixed(decimals)}`;
}
