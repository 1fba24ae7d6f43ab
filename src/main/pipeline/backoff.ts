/** Capped exponential backoff with "equal jitter": never zero, never above the cap. */

export interface BackoffOptions {
  baseMs: number;
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 1_000, capMs: 30_000 };

/** Delay before retry number `retry` (1 = first retry). */
export function backoffDelayMs(retry: number, options: BackoffOptions, random: () => number = Math.random): number {
  const exponential = Math.min(options.capMs, options.baseMs * 2 ** Math.max(0, retry - 1));
  const half = exponential / 2;
  return Math.round(half + random() * half);
}
