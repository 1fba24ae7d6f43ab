/**
 * Retry-After as providers and their SDKs really send it. Stainless SDKs (openai, runway,
 * luma) honour a non-standard `retry-after-ms` first, so providers behind them may send
 * only that; plain HTTP sends `retry-after` as delta-seconds or an HTTP-date.
 */

/**
 * The header shapes engine code meets: a WHATWG `Headers` (fetch, openai 6, runway 4),
 * a plain object (lumaai's record, node:http's IncomingHttpHeaders), or nothing (Google's
 * ApiError carries no headers at all).
 */
export type HeaderSource =
  | { get(name: string): string | null }
  | Readonly<Record<string, string | readonly string[] | number | null | undefined>>
  | null
  | undefined;

/** A server asking for more than a day is either broken or means "not today": a day is as long as we plan ahead. */
export const MAX_RETRY_AFTER_MS = 24 * 60 * 60 * 1000;

/** One header's value, whatever the container; plain-object keys are matched without regard to case. */
export function readHeader(headers: HeaderSource, name: string): string | undefined {
  if (headers === null || headers === undefined || typeof headers !== 'object') return undefined;
  if (typeof (headers as { get?: unknown }).get === 'function') {
    try {
      const value = (headers as { get(name: string): string | null }).get(name);
      return typeof value === 'string' ? value : undefined;
    } catch {
      return undefined;
    }
  }
  const wanted = name.toLowerCase();
  for (const [key, raw] of Object.entries(headers as Record<string, unknown>)) {
    if (key.toLowerCase() !== wanted) continue;
    const first = Array.isArray(raw) ? raw[0] : raw;
    if (typeof first === 'string') return first;
    if (typeof first === 'number' && Number.isFinite(first)) return String(first);
    return undefined;
  }
  return undefined;
}

// Strict on purpose: parseFloat('5 apples') is 5, and Date.parse('1') is a date in 2001.
const DECIMAL = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*$/;
// An HTTP-date always has a month name and a clock time (IMF-fixdate, RFC 850 and asctime alike).
const LOOKS_LIKE_HTTP_DATE = /[A-Za-z]{3}.*\d{1,2}:\d{2}:\d{2}/;

function clamp(ms: number): number | undefined {
  if (!Number.isFinite(ms)) return undefined;
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, Math.ceil(ms)));
}

function parseMilliseconds(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const match = DECIMAL.exec(value);
  return match ? clamp(Number(match[1])) : undefined;
}

function parseRetryAfterValue(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const seconds = DECIMAL.exec(value);
  if (seconds) return clamp(Number(seconds[1]) * 1000);
  if (!LOOKS_LIKE_HTTP_DATE.test(value)) return undefined;
  const at = Date.parse(value);
  if (Number.isNaN(at)) return undefined;
  return clamp(at - now);
}

/**
 * Milliseconds the server asks us to wait, or undefined when it does not say (or says
 * nonsense). `retry-after-ms` wins over `retry-after`, as in the Stainless SDKs. A date in
 * the past means "now" (0); anything beyond a day is capped at a day.
 */
export function parseRetryAfter(headers: HeaderSource, now: number = Date.now()): number | undefined {
  return (
    parseMilliseconds(readHeader(headers, 'retry-after-ms')) ??
    parseRetryAfterValue(readHeader(headers, 'retry-after'), now)
  );
}
