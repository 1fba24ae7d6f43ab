/**
 * What each kind of engine failure means, in one table. The shot runner asks
 * `decide()` and does what it says; no other module interprets error kinds.
 */
import type { ErrorKind } from '../../shared/errors';
import { backoffDelayMs, type BackoffOptions } from './backoff';

export interface KindPolicy {
  /** How many more times the same engine may be tried for the same shot after this failure. */
  sameEngineRetries: number;
  /** How long to wait before that retry. */
  delay: 'retry_after' | 'backoff' | 'none';
  /** What happens to the engine for every shot of the run. */
  engineEffect: 'none' | 'cool_down' | 'disable_for_run';
  /** The provider job may still deliver: keep its id (and its reservation) to collect a late result. */
  keepsJob: boolean;
  /** Stop the shot altogether (the user cancelled). */
  stopsShot: boolean;
  why: string;
}

export const ERROR_POLICY: Readonly<Record<ErrorKind, KindPolicy>> = {
  rate_limited: {
    sameEngineRetries: 3,
    delay: 'retry_after',
    engineEffect: 'cool_down',
    keepsJob: false,
    stopsShot: false,
    why: 'the provider asked us to slow down: cool the engine down for Retry-After so other shots route around it',
  },
  unavailable: {
    sameEngineRetries: 2,
    delay: 'backoff',
    engineEffect: 'none',
    keepsJob: false,
    stopsShot: false,
    why: 'a transient outage: retry with capped exponential backoff and jitter, then move on',
  },
  timeout: {
    sameEngineRetries: 0,
    delay: 'none',
    engineEffect: 'none',
    keepsJob: true,
    stopsShot: false,
    why: 'the job stalled: keep its id so a late result is collected and never paid twice; move on',
  },
  content_policy: {
    sameEngineRetries: 0,
    delay: 'none',
    engineEffect: 'none',
    keepsJob: false,
    stopsShot: false,
    why: 'this engine refuses the content: try the next engine, not this one again',
  },
  invalid_request: {
    sameEngineRetries: 0,
    delay: 'none',
    engineEffect: 'none',
    keepsJob: false,
    stopsShot: false,
    why: 'this engine cannot take the request as made: try the next engine',
  },
  auth: {
    sameEngineRetries: 0,
    delay: 'none',
    engineEffect: 'disable_for_run',
    keepsJob: false,
    stopsShot: false,
    why: 'the key was refused: disable the engine for the rest of the run',
  },
  quota_exhausted: {
    sameEngineRetries: 0,
    delay: 'none',
    engineEffect: 'disable_for_run',
    keepsJob: false,
    stopsShot: false,
    why: 'the billing cap is reached: never retried, engine disabled for the run',
  },
  expired_output: {
    sameEngineRetries: 1,
    delay: 'none',
    engineEffect: 'none',
    keepsJob: false,
    stopsShot: false,
    why: 'the output expired before download: one fresh try on the same engine, then move on',
  },
  quality_rejected: {
    sameEngineRetries: 1,
    delay: 'none',
    engineEffect: 'none',
    keepsJob: false,
    stopsShot: false,
    why: 'the clip failed the quality gate: one more take on the same engine, then move on',
  },
  cancelled: {
    sameEngineRetries: 0,
    delay: 'none',
    engineEffect: 'none',
    keepsJob: false,
    stopsShot: true,
    why: 'the user cancelled',
  },
};

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
  const delayMs =
    policy.delay === 'retry_after'
      ? Math.max(0, input.retryAfterMs ?? backoffDelayMs(input.failuresOfKind, input.backoff, input.random))
      : policy.delay === 'backoff'
        ? backoffDelayMs(input.failuresOfKind, input.backoff, input.random)
        : 0;
  return { action: 'retry_same', delayMs, engineEffect: policy.engineEffect };
}
