/**
 * @google/genai's ApiError carries a status and the error body (as JSON in its message)
 * but no headers, so a Retry-After never reaches us. Google also says how long to wait in
 * the body, as a google.rpc.RetryInfo detail (`"retryDelay": "37s"`); that is read here,
 * and the rest is classified by the shared HTTP tables, exactly as the boundary would.
 */
import type { EngineError } from '../../../shared/errors';
import { engineErrorFromHttp, MAX_RETRY_AFTER_MS, parseBodyText, type EngineOperation } from '../errors';

const RETRY_INFO_TYPE = 'type.googleapis.com/google.rpc.RetryInfo';

interface SdkApiError {
  name: 'ApiError';
  status: number;
  message: string;
}

export function isSdkApiError(error: unknown): error is SdkApiError {
  const loose = error as Partial<SdkApiError> | null;
  return typeof loose === 'object' && loose !== null && loose.name === 'ApiError' && typeof loose.status === 'number' && Number.isInteger(loose.status);
}

/** A protobuf Duration in JSON ("37s", "1.5s") in milliseconds; undefined for anything else. */
export function durationMs(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^\s*(\d+(?:\.\d+)?)s\s*$/.exec(value);
  if (!match) return undefined;
  return Math.min(MAX_RETRY_AFTER_MS, Math.ceil(Number(match[1]) * 1000));
}

/** The RetryInfo delay of a google.rpc.Status body, if it has one. */
export function retryDelayMsOf(body: unknown): number | undefined {
  const details = (body as { error?: { details?: unknown } } | null)?.error?.details;
  if (!Array.isArray(details)) return undefined;
  for (const detail of details) {
    const entry = detail as { '@type'?: unknown; retryDelay?: unknown } | null;
    if (entry?.['@type'] === RETRY_INFO_TYPE) return durationMs(entry.retryDelay);
  }
  return undefined;
}

export function engineErrorFromSdkApiError(error: Pick<SdkApiError, 'status' | 'message'>, operation: EngineOperation, secrets: readonly string[]): EngineError {
  const body = parseBodyText(error.message);
  const retryMs = retryDelayMsOf(body);
  return engineErrorFromHttp(
    { status: error.status, body, ...(retryMs !== undefined ? { headers: { 'retry-after-ms': String(retryMs) } } : {}) },
    { provider: 'gemini', operation, secrets },
  );
}
