/**
 * What each kind of engine failure means, in one table. The pipeline asks this table
 * (through `decide` and `policyFor`) and does what it says; no other module interprets
 * error kinds.
 */
import type { ErrorKind } from '../../shared/errors';
import { backoffDelayMs, type BackoffOptions } from './backoff';

export interface KindPolicy {
  /** How many more times the same engine may be tried for the same shot after this failure. */
  sameEngineRetries: number;
  /** How long to wait before that retry. */
  delay: 'retry_after' | 'backoff' | 'none';
  /** What happens beyond this shot: cool the engine down, or switch its whole provider account off for the run. */
  engineEffect: 'none' | 'cool_down' | 'disable_provider_for_run';
  /** The engine itself misbehaved. Refused prompts, bad requests, account problems and the user's cancel say nothing about its health. */
  countsAgainstHealth: boolean;
  /** Several of these in a row, across shots, switch the engine off for the run (circuit-breaker.ts): it is down, not unlucky. */
  tripsCircuitBreaker: boolean;
  /** The engine will refuse this shot the same way on a later run, so a resume does not try it there again. */
  permanentForShot: boolean;
  /**
   * When a *poll* fails this way the job itself is untouched: 'poll_again' keeps polling
   * (with backoff, until the stall deadline); 'keep_job' stops polling now but keeps the
   * job and its reservation, to be collected later. Neither ever abandons a paid job.
   */
  onPoll: 'poll_again' | 'keep_job';
  /**
   * When a *download* of a finished job fails this way: 'renew_output' asks the same job
   * for a fresh location (signed links expire; the job and its output are still there);
   * 'retry' tries the same link again with backoff, then leaves the paid job for resume.
   */
  onDownload: 'renew_output' | 'retry';
  /**
   * A job that ends this way had run to completion, so the provider billed it even when
   * it sends no figure (an output that aged out was made first): charged at list price.
   */
  jobWasBilled: boolean;
  /** Stop the shot altogether (the user cancelled). */
  stopsShot: boolean;
  why: string;
}

export const ERROR_POLICY: Readonly<Record<ErrorKind, KindPolicy>> = {
  rate_limited: {
    sameEngineRetries: 3,
    delay: 'retry_after',
    engineEffect: 'cool_down',
    countsAgainstHealth: false,
    tripsCircuitBreaker: false,
    permanentForShot: false,
    onPoll: 'poll_again',
    onDownload: 'retry',
    jobWasBilled: false,
    stopsShot: false,
    why: 'the provider asked us to slow down: cool the engine down for Retry-After; other shots route around it meanwhile and come back after',
  },
  unavailable: {
    sameEngineRetries: 2,
    delay: 'backoff',
    engineEffect: 'none',
    countsAgainstHealth: true,
    tripsCircuitBreaker: true,
    permanentForShot: false,
    onPoll: 'poll_again',
    onDownload: 'retry',
    jobWasBilled: false,
    stopsShot: false,
    why: 'a transient outage or network failure: retry with capped exponential backoff and jitter, then move on',
  },
  timeout: {
    sameEngineRetries: 0,
    delay: 'none',
    engineEffect: 'none',
    countsAgainstHealth: true,
    tripsCircuitBreaker: false,
    permanentForShot: false,
    onPoll: 'poll_again',
    onDownload: 'retry',
    jobWasBilled: false,
    stopsShot: false,
    why: 'the job stalled: keep its id (and its reservation) so a late result is collected and paid once; move on',
  },
  content_policy: {
    sameEngineRetries: 0,
    delay: 'none',
    engineEffect: 'none',
    countsAgainstHealth: false,
    tripsCircuitBreaker: false,
    permanentForShot: true,
    onPoll: 'keep_job',
    onDownload: 'retry',
    jobWasBilled: false,
    stopsShot: false,
    why: 'this engine refuses the content: try the next engine, not this one again',
  },
  invalid_request: {
    sameEngineRetries: 0,
    delay: 'none',
    engineEffect: 'none',
    countsAgainstHealth: false,
    tripsCircuitBreaker: false,
    permanentForShot: true,
    onPoll: 'keep_job',
    onDownload: 'retry',
    jobWasBilled: false,
    stopsShot: false,
    why: 'this engine cannot take the request as made: try the next engine',
  },
  auth: {
    sameEngineRetries: 0,
    delay: 'none',
    engineEffect: 'disable_provider_for_run',
    countsAgainstHealth: false,
    tripsCircuitBreaker: false,
    permanentForShot: false,
    onPoll: 'keep_job',
    onDownload: 'retry',
    jobWasBilled: false,
    stopsShot: false,
    why: 'the key was refused: every model of this provider account is off for the rest of the run',
  },
  quota_exhausted: {
    sameEngineRetries: 0,
    delay: 'none',
    engineEffect: 'disable_provider_for_run',
    countsAgainstHealth: false,
    tripsCircuitBreaker: false,
    permanentForShot: false,
    onPoll: 'keep_job',
    onDownload: 'retry',
    jobWasBilled: false,
    stopsShot: false,
    why: "the account's billing cap is reached: never retried, every model of the provider off for the run",
  },
  expired_output: {
    sameEngineRetries: 1,
    delay: 'none',
    engineEffect: 'none',
    countsAgainstHealth: false,
    tripsCircuitBreaker: false,
    permanentForShot: false,
    onPoll: 'keep_job',
    onDownload: 'renew_output',
    jobWasBilled: true,
    stopsShot: false,
    why: 'the provider no longer has the output (fetched again from the same job first): one fresh generation on the same engine, then move on',
  },
  quality_rejected: {
    sameEngineRetries: 1,
    delay: 'none',
    engineEffect: 'none',
    countsAgainstHealth: true,
    tripsCircuitBreaker: false,
    permanentForShot: false,
    onPoll: 'keep_job',
    onDownload: 'retry',
    jobWasBilled: false,
    stopsShot: false,
    why: 'the clip failed the quality gate: one more take on the same engine, then move on',
  },
  cancelled: {
    sameEngineRetries: 0,
    delay: 'none',
    engineEffect: 'none',
    countsAgainstHealth: false,
    tripsCircuitBreaker: false,
    permanentForShot: false,
    onPoll: 'keep_job',
    onDownload: 'retry',
    jobWasBilled: false,
    stopsShot: true,
    why: 'the user cancelled',
  },
};

export function policyFor(kind: ErrorKind): KindPolicy {
  return ERROR_POLICY[kind];
}

export type Decision =
  | { action: 'retry_same'; delayMs: number; engineEffect: KindPolicy['engineEffect'] }
  | { action: 'next_engine'; engineEffect: KindPolicy['engineEffect'] }
  | { action: 'stop_shot' };

export interface DecisionInput {
  kind: ErrorKind;
  /** Failures of this kind already seen on this engine for this shot, including this one. */
  failuresOfKind: number;
  retryAfterMs?: number;
  backoff: BackoffOptions;
  random: () => number;
}

export function decide(input: DecisionInput): Decision {
  const policy = ERROR_POLICY[input.kind];
  if (policy.stopsShot) return { action: 'stop_shot' };
  if (input.failuresOfKind > policy.sameEngineRetries) return { action: 'next_engine', engineEffect: policy.engineEffect };
  return { action: 'retry_same', delayMs: retryDelayMs(input), engineEffect: policy.engineEffect };
}

/** How long to wait before trying again after a failure of this kind (also used between polls). */
export function retryDelayMs(input: Omit<DecisionInput, 'kind'> & { kind: ErrorKind }): number {
  const policy = ERROR_POLICY[input.kind];
  if (policy.delay === 'retry_after') return Math.max(0, input.retryAfterMs ?? backoffDelayMs(input.failuresOfKind, input.backoff, input.random));
  if (policy.delay === 'backoff') return Math.max(input.retryAfterMs ?? 0, backoffDelayMs(input.failuresOfKind, input.backoff, input.random));
  return 0;
}
