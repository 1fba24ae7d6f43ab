/**
 * Google APIs speak google.rpc.Status: HTTP errors carry `error.status` as a name
 * (RESOURCE_EXHAUSTED), failed long-running operations carry `error.code` as the numeric
 * gRPC code. Both map here so that a Veo submit error and a failed Veo operation agree.
 */
import type { ErrorKind } from '../../../shared/errors';

const RPC_STATUS_KINDS: Readonly<Record<string, ErrorKind>> = {
  CANCELLED: 'unavailable', // cancelled at Google, not by our user
  UNKNOWN: 'unavailable',
  INVALID_ARGUMENT: 'invalid_request',
  DEADLINE_EXCEEDED: 'timeout',
  NOT_FOUND: 'invalid_request',
  ALREADY_EXISTS: 'invalid_request',
  PERMISSION_DENIED: 'auth',
  // Per-minute and per-day quotas alike, even on paid tiers (js-genai#1840): a rate, not an empty account.
  RESOURCE_EXHAUSTED: 'rate_limited',
  FAILED_PRECONDITION: 'invalid_request',
  ABORTED: 'unavailable',
  OUT_OF_RANGE: 'invalid_request',
  UNIMPLEMENTED: 'invalid_request',
  INTERNAL: 'unavailable',
  UNAVAILABLE: 'unavailable',
  DATA_LOSS: 'unavailable',
  UNAUTHENTICATED: 'auth',
};

const RPC_CODE_NAMES = [
  'OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS',
  'PERMISSION_DENIED', 'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE',
  'UNIMPLEMENTED', 'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS', 'UNAUTHENTICATED',
] as const;

/** Kind for an RPC status name ("RESOURCE_EXHAUSTED") or numeric gRPC code (8); undefined for OK and unknown values. */
export function kindForGoogleRpcStatus(status: string | number | undefined): ErrorKind | undefined {
  if (status === undefined) return undefined;
  const name = typeof status === 'number' ? RPC_CODE_NAMES[status] : status.toUpperCase();
  return name === undefined ? undefined : RPC_STATUS_KINDS[name];
}

/**
 * Google answers a bad API key with 400 INVALID_ARGUMENT (reason API_KEY_INVALID), not 401:
 * read literally it would be "fix the request", when it is "fix the key".
 */
export function isGoogleInvalidKey(reasons: readonly string[], message: string | undefined): boolean {
  return reasons.includes('API_KEY_INVALID') || /API key not valid|API_KEY_INVALID/i.test(message ?? '');
}
