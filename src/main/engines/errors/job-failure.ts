/**
 * A job the provider ran and reported as failed (a poll answer, not an HTTP error):
 * Runway `failureCode`/`failure`, Kling `task_status_msg`, Luma `failure_reason`, a Veo
 * operation's gRPC `error.code`, OpenAI's `video.error`, ComfyUI's status messages.
 * Adapters hand over what they got; the kind is decided here with the same tables as
 * for HTTP errors.
 */
import { EngineError, type ErrorKind } from '../../../shared/errors';
import type { EngineCallContext } from './context';
import { kindForGoogleRpcStatus } from './google-codes';
import { kindForKlingCode } from './kling-codes';
import { kindForOpenAICode } from './openai-codes';
import { looksLikeContentPolicy, looksLikeQuotaExhausted } from './provider-hints';
import { safeMessage } from './redact';
import { kindForRunwayFailureCode } from './runway-codes';

export interface JobFailure {
  /** The provider's failure code as it came: "SAFETY.INPUT.TEXT", 1301, "moderation_blocked", 3 (gRPC). */
  code?: string | number;
  message?: string;
  /** Set when the adapter knows better than any code (Veo's raiMediaFilteredCount > 0 is content_policy). */
  kind?: ErrorKind;
}

const HIGHEST_GRPC_CODE = 16;

function kindForFailureCode(code: string | number | undefined): ErrorKind | undefined {
  if (code === undefined) return undefined;
  if (typeof code === 'number') {
    return code >= 0 && code <= HIGHEST_GRPC_CODE ? kindForGoogleRpcStatus(code) : kindForKlingCode(code);
  }
  return (
    kindForRunwayFailureCode(code) ??
    kindForOpenAICode(code) ??
    kindForGoogleRpcStatus(code) ??
    (/^\d{4}$/.test(code) ? kindForKlingCode(code) : undefined)
  );
}

/**
 * A failed job's kind. Without a known code, the provider's words decide between a
 * refused prompt, an empty account and (by default) a failure on the provider's side.
 */
export function kindForJobFailure(failure: JobFailure): ErrorKind {
  if (failure.kind) return failure.kind;
  const byCode = kindForFailureCode(failure.code);
  if (byCode) return byCode;
  const words = `${failure.message ?? ''} ${typeof failure.code === 'string' ? failure.code : ''}`;
  if (looksLikeContentPolicy(words)) return 'content_policy';
  if (looksLikeQuotaExhausted(words)) return 'quota_exhausted';
  return 'unavailable';
}

export function engineErrorFromJobFailure(failure: JobFailure, context: EngineCallContext): EngineError {
  const kind = kindForJobFailure(failure);
  const code = failure.code === undefined ? '' : ` (${failure.code})`;
  const message = `${context.provider} job failed${code}: ${failure.message?.trim() || 'no reason given'}`;
  const details = failure.code === undefined ? {} : { providerCode: safeMessage(String(failure.code), context.secrets).slice(0, 100) };
  return new EngineError(kind, safeMessage(message, context.secrets), details);
}
