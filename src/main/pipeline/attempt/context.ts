/**
 * What every step of an attempt works with, and the outcomes an attempt can end in.
 * The steps (submit, poll, fetch, gate) each take an attempt in one persisted state and
 * return it in the next one, or an outcome; run-attempt.ts drives them.
 */
import type { ProgressEvent } from '../../../shared/api';
import { CancelledError, EngineError, isAbortError } from '../../../shared/errors';
import type { Micros } from '../../../shared/money';
import type { GuardedEngine } from '../../engines/boundary';
import type { AttemptRecord, AttemptStore } from '../../store/attempts';

/** Steps at which state is persisted; tests inject crashes between them. */
export type PipelineStep =
  | 'reserved'
  | 'submitting'
  | 'submit-returned'
  | 'submitted'
  | 'polled'
  | 'succeeded'
  | 'downloaded-file'
  | 'downloaded'
  | 'gated'
  | 'accepted';

import type { GateVerdict } from '../../../shared/quality';

export type ClipGate = (clip: { path: string; sha256: string }, attempt: AttemptRecord, signal: AbortSignal) => Promise<GateVerdict>;

export interface AttemptRunnerDeps {
  attempts: AttemptStore;
  gate: ClipGate;
  /** Stores the gate's checks with the attempt and feeds the engine's observed quality (store/gate-results.ts). */
  recordGate: (attemptId: string, verdict: GateVerdict) => void;
  mediaDir: string;
  clock: () => number;
  random: () => number;
  emit: (event: ProgressEvent) => void;
  /** How long the provider keeps a finished job's output: money held for a job we lost sight of is released after it. */
  retentionMs: (engineId: string) => number;
  /** Called after each persisted step; a test hook for crash injection. */
  onStep?: (step: PipelineStep, attempt: AttemptRecord) => void | Promise<void>;
}

export interface AttemptLimits {
  pollIntervalMs: number;
  /** A job still running this long after polling began is treated as stalled. */
  stallTimeoutMs: number;
}

/** What the user decided about money in doubt, and the budget the attempt runs under. */
export interface AttemptPolicy {
  budgetMicros: Micros | null;
  resubmitUnknown: boolean;
  /** 'live' polls until the job ends or stalls; 'collect' asks once about a job parked earlier. */
  mode: 'live' | 'collect';
}

export type AttemptOutcome =
  | { status: 'accepted'; attempt: AttemptRecord }
  /** A late clip for a shot that already had one: paid once, kept as an alternate take. */
  | { status: 'collected'; attempt: AttemptRecord }
  | { status: 'failed'; attempt: AttemptRecord; error: EngineError }
  /** The job is parked (stalled, or polling stopped) with its money held, to be collected later. */
  | { status: 'timed_out'; attempt: AttemptRecord; error: EngineError }
  /** Collect mode: asked once, the job is still going. */
  | { status: 'still_running'; attempt: AttemptRecord }
  /** The provider's estimate at create did not fit the budget; the job was cancelled. */
  | { status: 'over_budget'; attempt: AttemptRecord; message: string }
  /** The submit may have created a job and there is no way to look it up: the shot waits for the user. */
  | { status: 'unknown'; attempt: AttemptRecord; message: string }
  /** Cannot go on now without risking a second payment (a lookup or a paid download failed): `resume` continues. */
  | { status: 'deferred'; attempt: AttemptRecord; message: string };

export interface AttemptContext {
  engine: GuardedEngine;
  limits: AttemptLimits;
  deps: AttemptRunnerDeps;
  policy: AttemptPolicy;
  signal: AbortSignal;
  step(name: PipelineStep, attemptId: string): Promise<void>;
}

/** A step returns the attempt in its next state, or how the attempt ended. */
export type StepResult = AttemptRecord | AttemptOutcome;

export function isOutcome(result: StepResult): result is AttemptOutcome {
  return !('clientReference' in result);
}

/** Until when money may stay held for a job we may lose sight of: its expected run, then the provider's retention. */
export function holdUntil(context: AttemptContext, engineId: string): number {
  return context.deps.clock() + context.limits.stallTimeoutMs + context.deps.retentionMs(engineId);
}

export function emitShot(context: AttemptContext, attempt: AttemptRecord, state: ProgressEvent['state'], extra: Partial<ProgressEvent> = {}): void {
  context.deps.emit({ episodeId: attempt.episodeId, shotId: attempt.shotId, type: 'shot', state, engineId: attempt.engineId, ...extra });
}

/**
 * What a step can act on when an engine call throws: the EngineError. The user's Cancel
 * becomes a CancelledError for run-attempt to handle; anything else (a bug) is rethrown.
 */
export function engineFailure(error: unknown, signal: AbortSignal): EngineError {
  if (isAbortError(error) || signal.aborted || (error instanceof EngineError && error.kind === 'cancelled')) throw new CancelledError();
  if (!(error instanceof EngineError)) throw error;
  return error;
}
