/**
 * Runs one attempt through submit -> persist job id -> poll -> download -> gate,
 * persisting after every step. It can start from any persisted state, which is how
 * a resumed run continues exactly where the previous process died.
 *
 * Only EngineError and cancellation are handled here. Anything else (a bug, a full
 * disk) propagates: the attempt stays open in the store and `resume` picks it up.
 */
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { CancelledError, EngineError, isAbortError } from '../../shared/errors';
import type { Engine, JobOutput, PollResult } from '../engines/engine';
import type { AttemptRecord, AttemptStore } from '../store/attempts';
import type { ProgressEvent } from '../../shared/api';
import { sleep, throwIfAborted } from './abortable';
import { backoffDelayMs } from './backoff';

/** Steps at which state is persisted; tests inject crashes between them. */
export type PipelineStep =
  | 'reserved'
  | 'submit-returned'
  | 'submitted'
  | 'polled'
  | 'poll-succeeded'
  | 'downloaded-file'
  | 'downloaded'
  | 'gated'
  | 'accepted';

export interface GateVerdict {
  ok: boolean;
  problems: string[];
}

export type ClipGate = (clip: { path: string; sha256: string }, attempt: AttemptRecord, signal: AbortSignal) => Promise<GateVerdict>;

export interface AttemptRunnerDeps {
  attempts: AttemptStore;
  gate: ClipGate;
  mediaDir: string;
  clock: () => number;
  random: () => number;
  emit: (event: ProgressEvent) => void;
  /** Called after each persisted step; a test hook for crash injection. */
  onStep?: (step: PipelineStep, attempt: AttemptRecord) => void | Promise<void>;
}

export interface AttemptLimits {
  pollIntervalMs: number;
  /** A job still running this long after polling began is treated as stalled. */
  stallTimeoutMs: number;
}

export type AttemptOutcome =
  | { status: 'accepted'; attempt: AttemptRecord }
  | { status: 'failed'; attempt: AttemptRecord; error: EngineError }
  | { status: 'timed_out'; attempt: AttemptRecord; error: EngineError };

const MAX_TRANSIENT_POLL_ERRORS = 5;

export async function runAttempt(
  attempt: AttemptRecord,
  engine: Engine,
  limits: AttemptLimits,
  deps: AttemptRunnerDeps,
  signal: AbortSignal,
): Promise<AttemptOutcome> {
  const step = async (name: PipelineStep) => {
    await deps.onStep?.(name, deps.attempts.get(attempt.id));
  };
  const startedAt = deps.clock();
  try {
    let current = attempt;
    if (current.status === 'reserved') {
      throwIfAborted(signal);
      await step('reserved');
      emit(deps, current, 'submitted');
      const submitted = await engine.submit(current.request, { signal, idempotencyKey: current.idempotencyKey });
      await step('submit-returned');
      deps.attempts.markSubmitted(current.id, submitted.jobId);
      current = deps.attempts.get(current.id);
      await step('submitted');
    }
    if (current.status === 'submitted' || current.status === 'timed_out') {
      const jobId = current.providerJobId!;
      const finished = await pollUntilFinished(engine, jobId, limits, deps, current, signal, step);
      if (finished.state === 'failed') {
        deps.attempts.markFailed(current.id, { kind: finished.error.kind, message: finished.error.message }, finished.actualCostMicros ?? 0);
        return { status: 'failed', attempt: deps.attempts.get(current.id), error: finished.error };
      }
      await step('poll-succeeded');
      current = await download(engine, jobId, finished.output, finished.actualCostMicros, current, deps, signal, step);
    }
    if (current.status === 'downloaded') {
      emit(deps, current, 'gating');
      const verdict = await deps.gate({ path: current.clipPath!, sha256: current.clipSha256! }, current, signal);
      await step('gated');
      if (!verdict.ok) {
        const error = new EngineError('quality_rejected', `quality gate: ${verdict.problems.join('; ')}`);
        deps.attempts.markRejected(current.id, error.message);
        return { status: 'failed', attempt: deps.attempts.get(current.id), error };
      }
      deps.attempts.markAccepted(current.id);
      await step('accepted');
      return { status: 'accepted', attempt: deps.attempts.get(current.id) };
    }
    throw new Error(`attempt ${current.id} cannot run from status ${current.status}`);
  } catch (error) {
    if (error instanceof StalledJob) return timeOut(attempt, engine, deps, startedAt, error.message);
    if (isAbortError(error) || signal.aborted) return cancel(attempt, engine, deps);
    if (error instanceof EngineError) {
      const current = deps.attempts.get(attempt.id);
      deps.attempts.markFailed(current.id, { kind: error.kind, message: error.message });
      return { status: 'failed', attempt: deps.attempts.get(current.id), error };
    }
    throw error;
  }
}

class StalledJob extends Error {}

type Finished = Extract<PollResult, { state: 'succeeded' | 'failed' }>;

async function pollUntilFinished(
  engine: Engine,
  jobId: string,
  limits: AttemptLimits,
  deps: AttemptRunnerDeps,
  attempt: AttemptRecord,
  signal: AbortSignal,
  step: (name: PipelineStep) => Promise<void>,
): Promise<Finished> {
  const deadline = deps.clock() + limits.stallTimeoutMs;
  let wait = limits.pollIntervalMs;
  let transientErrors = 0;
  for (;;) {
    await sleep(Math.min(wait, Math.max(0, deadline - deps.clock())), signal);
    let result: PollResult;
    try {
      result = await engine.poll(jobId, { signal });
      transientErrors = 0;
    } catch (error) {
      // A failed *poll* says nothing about the job itself: keep the job and poll again.
      if (!(error instanceof EngineError) || !['unavailable', 'rate_limited', 'timeout'].includes(error.kind)) throw error;
      if (++transientErrors > MAX_TRANSIENT_POLL_ERRORS) throw error;
      wait = Math.max(error.details.retryAfterMs ?? 0, backoffDelayMs(transientErrors, { baseMs: limits.pollIntervalMs, capMs: limits.pollIntervalMs * 8 }, deps.random));
      continue;
    }
    await step('polled');
    if (result.state === 'succeeded' || result.state === 'failed') return result;
    deps.emit({ episodeId: attempt.episodeId, shotId: attempt.shotId, type: 'shot', state: 'polling', engineId: attempt.engineId, progress: result.state === 'running' ? result.progress : 0 });
    if (deps.clock() >= deadline) throw new StalledJob(`job ${jobId} still ${result.state} after ${Math.round(limits.stallTimeoutMs / 1000)} s`);
    wait = result.nextPollMs ?? limits.pollIntervalMs;
  }
}

async function download(
  engine: Engine,
  jobId: string,
  output: JobOutput,
  reportedCost: number | undefined,
  attempt: AttemptRecord,
  deps: AttemptRunnerDeps,
  signal: AbortSignal,
  step: (name: PipelineStep) => Promise<void>,
): Promise<AttemptRecord> {
  emit(deps, attempt, 'downloading');
  const clip = await engine.download(jobId, output, clipPathFor(deps.mediaDir, attempt), { signal });
  await step('downloaded-file');
  deps.attempts.markDownloaded(attempt.id, { path: clip.path, sha256: clip.sha256 }, reportedCost ?? actualCost(attempt, output));
  await step('downloaded');
  return deps.attempts.get(attempt.id);
}

/** Where an attempt's clip lives: media/<episode>/<shot>/a<n>-<engine>.mp4 (folder created). */
export function clipPathFor(mediaDir: string, attempt: AttemptRecord): string {
  const folder = join(mediaDir, attempt.episodeId, attempt.shotId);
  mkdirSync(folder, { recursive: true });
  return join(folder, `a${attempt.attemptNo}-${attempt.engineId.replace(/[^A-Za-z0-9._-]/g, '_')}.mp4`);
}

/** Price x actual duration, when the provider does not report what it billed. */
export function actualCost(attempt: AttemptRecord, output: JobOutput): number {
  const requested = attempt.request.durationSeconds;
  const delivered = output.durationSeconds ?? requested;
  return Math.round((attempt.estimatedMicros * delivered) / requested);
}

async function timeOut(attempt: AttemptRecord, engine: Engine, deps: AttemptRunnerDeps, startedAt: number, message: string): Promise<AttemptOutcome> {
  const current = deps.attempts.get(attempt.id);
  const error = new EngineError('timeout', message);
  if (engine.cancel && current.providerJobId && (await tryCancel(engine, current.providerJobId))) {
    deps.attempts.markFailed(current.id, { kind: 'timeout', message: `${message}; cancelled at the provider` }, 0, 'cancelled');
    return { status: 'failed', attempt: deps.attempts.get(current.id), error };
  }
  deps.attempts.markTimedOut(current.id, `${message}; job kept for a late result (${Math.round((deps.clock() - startedAt) / 1000)} s)`);
  return { status: 'timed_out', attempt: deps.attempts.get(current.id), error };
}

/**
 * The user cancelled. A job that never reached the provider is closed; a live job is
 * cancelled at the provider when it can be, and otherwise left open so that `resume`
 * collects it instead of paying for it again.
 */
async function cancel(attempt: AttemptRecord, engine: Engine, deps: AttemptRunnerDeps): Promise<never> {
  const current = deps.attempts.get(attempt.id);
  const message = 'cancelled by the user';
  if (current.status === 'submitted' && current.providerJobId && engine.cancel && (await tryCancel(engine, current.providerJobId))) {
    deps.attempts.markFailed(current.id, { kind: 'cancelled', message }, 0, 'cancelled');
  }
  throw new CancelledError(message);
}

async function tryCancel(engine: Engine, jobId: string): Promise<boolean> {
  try {
    await engine.cancel!(jobId, { signal: AbortSignal.timeout(15_000) });
    return true;
  } catch {
    return false;
  }
}

function emit(deps: AttemptRunnerDeps, attempt: AttemptRecord, state: ProgressEvent['state']): void {
  deps.emit({ episodeId: attempt.episodeId, shotId: attempt.shotId, type: 'shot', state, engineId: attempt.engineId });
}
