/**
 * Money is integer micro-dollars everywhere (1 USD = 1_000_000). Floats appear only at
 * the edges: parsing user input and formatting for display.
 */

export type Micros = number;

export const MICROS_PER_USD = 1_000_000;

export function usdToMicros(usd: number): Micros {
  if (!Number.isFinite(usd)) throw new RangeError(`not a finite amount: ${usd}`);
  return Math.round(usd * MICROS_PER_USD);
}

export function formatUsd(micros: Micros, decimals = 2): string {
  const sign = micros < 0 ? '-' : '';
  return `${sign}$${(Math.abs(micros) / MICROS_PER_USD).toFixed(decimals)}`;
}

/** Cost of `seconds` of video at `microsPerSecond`, rounded up to a whole micro-dollar. */
export function costForSeconds(microsPerSecond: Micros, seconds: number): Micros {
  // max(0, …) also turns the -0 of a free engine into 0.
  return Math.max(0, Math.ceil(microsPerSecond * seconds - 1e-6));
}
