/**
 * The small typed error hierarchy every part of Shotline maps into.
 * Engine adapters translate provider failures into EngineError kinds; the retry
 * policy (src/main/pipeline/policy.ts) decides what each kind means.
 */

export const ERROR_KINDS = [
  'rate_limited',
  'timeout',
  'unavailable',
  'content_policy',
  'auth',
  'quota_exhausted',
  'invalid_request',
  'expired_output',
  'quality_rejected',
  'cancelled',
] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

export class ShotlineError extends Error {
  override name = 'ShotlineError';
}

export interface EngineErrorDetails {
  retryAfterMs?: number;
  providerCode?: string;
  httpStatus?: number;
  /**
   * Set on a failed submit: true when the request may have reached the provider and
   * created (and be billing) a job although no answer came back (a dropped connection,
   * a gateway timeout, a cancel mid-request); false when the provider certainly made
   * nothing (it answered with an error, or the connection was never made).
   */
  jobMayExist?: boolean;
  /**
   * The provider's host could not be reached at all (no route, no DNS, connection refused):
   * the network or the provider is down, so the pipeline asks whether any provider can be
   * reached before it spends a fallback (offline-first: queued generations wait).
   */
  unreachable?: boolean;
  /** quality_rejected only: the gate judged this engine unable to make the shot (size, length, off prompt): go to the next engine at once. */
  escalate?: boolean;
}

/** A failure of one engine call, already classified. Messages never carry secrets. */
export class EngineError extends ShotlineError {
  override name = 'EngineError';
  constructor(
    readonly kind: ErrorKind,
    message: string,
    readonly details: EngineErrorDetails = {},
  ) {
    super(message);
  }
}

/** A problem the user can fix (bad storyboard, bad flag, missing file): no stack trace, exit code 2. */
export class UserError extends ShotlineError {
  override name = 'UserError';
  constructor(
    message: string,
    /** One line per problem, each naming the field or file. */
    readonly problems: string[] = [],
  ) {
    super(problems.length ? `${message}\n${problems.map((p) => `  - ${p}`).join('\n')}` : message);
  }
}

/** Thrown when a run is cancelled by the user's AbortSignal. */
export class CancelledError extends ShotlineError {
  override name = 'CancelledError';
  constructor(message = 'cancelled') {
    super(message);
  }
}

export function isAbortError(error: unknown): boolean {
  return (
    error instanceof CancelledError ||
    (error instanceof Error && (error.name === 'AbortError' || (error as { code?: string }).code === 'ABORT_ERR'))
  );
}
