/**
 * An HTTP answer that is not a success, to an EngineError. Used by the classifier for SDK
 * errors and by adapters that read a `fetch` Response themselves (Kling, ComfyUI, CDN
 * downloads), so both paths decide alike.
 */
import { EngineError, type EngineErrorDetails, type ErrorKind } from '../../../shared/errors';
import type { EngineCallContext } from './context';
import { parseBodyText, readProviderError, type ProviderErrorInfo } from './provider-body';
import { hintsFromProviderError, type KindHints } from './provider-hints';
import { safeMessage } from './redact';
import { parseRetryAfter, type HeaderSource } from './retry-after';

export interface HttpFailure {
  status: number;
  statusText?: string;
  headers?: HeaderSource;
  /** Parsed JSON, raw text, or absent. */
  body?: unknown;
}

/** Cloudflare's "origin accepted the connection but did not answer in time": a gateway timeout by another number. */
const CLOUDFLARE_ORIGIN_TIMEOUT = 524;

function kindForStatusAlone(status: number): ErrorKind {
  switch (status) {
    case 401:
    case 403:
      return 'auth';
    case 402:
      return 'quota_exhausted';
    case 408:
      return 'timeout';
    case 410:
      return 'expired_output'; // "gone": the provider says the job or file no longer exists
    case 429:
      return 'rate_limited';
    case 504:
    case CLOUDFLARE_ORIGIN_TIMEOUT:
      return 'timeout';
  }
  if (status >= 500) return 'unavailable';
  // 400, 404, 405, 409, 413, 415, 422 and the rest of 4xx: the request itself is wrong.
  if (status >= 400) return 'invalid_request';
  // A non-error status that still failed (a 200 carrying an error envelope, a 3xx we did not follow).
  return 'unavailable';
}

/** The kind an HTTP status means, refined by what the body said (see provider-hints.ts). */
export function kindForHttpStatus(status: number, hints: KindHints = {}): ErrorKind {
  if (hints.providerKind) return hints.providerKind;
  const base = kindForStatusAlone(status);
  const clientFault = base === 'invalid_request' || base === 'auth' || base === 'quota_exhausted';
  if (hints.quotaExhausted && (status === 429 || clientFault)) return 'quota_exhausted';
  if (hints.contentPolicy && base === 'invalid_request') return 'content_policy';
  if (hints.invalidCredentials && status === 400) return 'auth';
  return base;
}

/**
 * For a failed submit: could the provider have created (and be billing) a job although it
 * answered with an error? Only when the answer came from a gateway that may already have
 * passed the request on and then gave up waiting; any other error status is the
 * provider's own refusal, so no job exists.
 */
export function submitMayHaveCreatedJob(status: number): boolean {
  return status === 408 || status === 502 || status === 504 || status === CLOUDFLARE_ORIGIN_TIMEOUT;
}

/**
 * A download from a signed URL that answers 403/404 almost always means the URL expired
 * (S3 and GCS answer "Request has expired" with 403): the fix is a fresh URL from the same
 * job, not new credentials and not a new generation.
 */
function downloadLinkExpired(status: number, context: EngineCallContext): boolean {
  return context.operation === 'download' && (status === 403 || status === 404 || status === 410);
}

function providerCodeOf(info: ProviderErrorInfo): string | undefined {
  if (info.envelopeCode !== undefined) return String(info.envelopeCode);
  return info.failureCode ?? info.code ?? info.rpcStatus ?? info.type;
}

function describe(status: number, statusText: string | undefined, info: ProviderErrorInfo, providerCode: string | undefined): string {
  const code = providerCode ? ` (${providerCode})` : '';
  const words = info.message ?? (statusText?.trim() || 'no message');
  return `HTTP ${status}${code}: ${words}`;
}

export function engineErrorFromHttp(failure: HttpFailure, context: EngineCallContext, now: number = Date.now()): EngineError {
  const info = readProviderError(failure.body);
  const hints = hintsFromProviderError(info);
  const kind = !hints.providerKind && downloadLinkExpired(failure.status, context) ? 'expired_output' : kindForHttpStatus(failure.status, hints);
  const providerCode = providerCodeOf(info);

  const details: EngineErrorDetails = { httpStatus: failure.status };
  const retryAfterMs = parseRetryAfter(failure.headers, now);
  if (retryAfterMs !== undefined) details.retryAfterMs = retryAfterMs;
  if (providerCode !== undefined) details.providerCode = safeMessage(providerCode, context.secrets).slice(0, 100);
  if (context.operation === 'submit') details.jobMayExist = submitMayHaveCreatedJob(failure.status);

  const message = `${context.provider} ${context.operation} failed: ${describe(failure.status, failure.statusText, info, providerCode)}`;
  return new EngineError(kind, safeMessage(message, context.secrets), details);
}

/** Bodies of error answers are small; a gateway that streams megabytes of HTML gets cut off. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;

/**
 * Reads a failed `fetch` Response (at most 64 KiB of body) into an HttpFailure. Never
 * throws: a body that cannot be read leaves only the status to decide.
 */
export async function httpFailureFromResponse(response: Response): Promise<HttpFailure> {
  const failure: HttpFailure = { status: response.status, statusText: response.statusText, headers: response.headers };
  try {
    const reader = response.body?.getReader();
    if (!reader) return failure;
    const chunks: Uint8Array[] = [];
    let size = 0;
    while (size < MAX_ERROR_BODY_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
    await reader.cancel().catch(() => undefined);
    const text = new TextDecoder().decode(Buffer.concat(chunks).subarray(0, MAX_ERROR_BODY_BYTES));
    if (text.trim()) failure.body = parseBodyText(text);
  } catch {
    // The connection died while we read the error body: the status alone still tells the story.
  }
  return failure;
}

/** Convenience for adapters on raw fetch: `if (!response.ok) throw await engineErrorFromResponse(response, context)`. */
export async function engineErrorFromResponse(response: Response, context: EngineCallContext): Promise<EngineError> {
  return engineErrorFromHttp(await httpFailureFromResponse(response), context);
}
