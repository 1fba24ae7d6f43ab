/**
 * Polling a submitted job until it ends, stalls, or (collect mode) once. A failed poll
 * says nothing about the job itself: the policy table says whether to poll again or to
 * park the job with its money held; a paid job is never abandoned because a poll failed.
 */
import { EngineError } from '../../../shared/errors';
import type { CheckedAmount } from '../../engines/boundary';
import type { AttemptRecord } from '../../store/attempts';
import { sleep } from '../abortable';
import { policyFor, retryDelayMs } from '../policy';
import { cancelJob } from './cancel-job';
import { emitShot, engineFailure, holdUntil, type AttemptContext, type StepResult } from './context';
import { settleFailedJob, settleFinishedJob } from './settlement';

/** Backoff between failed polls: from the poll interval up to 8 of them. */
const pollBackoff = (intervalMs: number) => ({ baseMs: intervalMs, capMs: intervalMs * 8 });

export async function pollStep(context: AttemptContext, attempt: AttemptRecord): Promise<StepResult> {
  return context.policy.mode === 'collect' ? pollOnce(context, attempt) : pollUntilDone(context, attempt);
}

async function pollUntilDone(context: AttemptContext, attempt: AttemptRecord): Promise<StepResult> {
  const { deps, engine, limits, signal } = context;
  const jobId = attempt.providerJobId!;
  const deadline = deps.clock() + limits.stallTimeoutMs;
  let wait = limits.pollIntervalMs;
  let pollFailures = 0;
  for (;;) {
    await sleep(Math.min(wait, Math.max(0, deadline - deps.clock())), signal);
    let result;
    try {
      result = await engine.poll(jobId, signal);
      pollFailures = 0;
    } catch (thrown) {
      const error = engineFailure(thrown, signal);
      if (policyFor(error.kind).onPoll === 'keep_job') return park(context, attempt, error, `polling ${engine.spec.id} stopped (${error.kind}: ${error.message})`);
      if (deps.clock() >= deadline) return stalled(context, attempt, `job ${jobId} could not be polled for ${seconds(limits.stallTimeoutMs)} s (last: ${error.message})`);
      wait = retryDelayMs({ kind: error.kind, failuresOfKind: ++pollFailures, retryAfterMs: error.details.retryAfterMs, backoff: pollBackoff(limits.pollIntervalMs), random: deps.random });
      continue;
    }
    await context.step('polled', attempt.id);
    if (result.state === 'succeeded' || result.state === 'failed') return finish(context, attempt, result);
    emitShot(context, attempt, 'polling', { progress: result.state === 'running' ? result.progress : 0 });
    if (deps.clock() >= deadline) return stalled(context, attempt, `job ${jobId} still ${result.state} after ${seconds(limits.stallTimeoutMs)} s`);
    wait = result.nextPollMs ?? limits.pollIntervalMs;
  }
}

/** A job parked earlier: ask once. Past its hold time with no result, its money is released. */
async function pollOnce(context: AttemptContext, attempt: AttemptRecord): Promise<StepResult> {
  const { deps, engine, signal } = context;
  const overdue = attempt.holdUntil !== null && deps.clock() > attempt.holdUntil;
  let result;
  try {
    result = await engine.poll(attempt.providerJobId!, signal);
  } catch (thrown) {
    const error = engineFailure(thrown, signal);
    if (overdue) return expire(context, attempt, `no answer from ${engine.spec.id} (${error.message})`);
    return { status: 'still_running', attempt };
  }
  if (result.state === 'succeeded' || result.state === 'failed') return finish(context, attempt, result);
  if (overdue) return expire(context, attempt, `job ${attempt.providerJobId} still ${result.state}`);
  return { status: 'still_running', attempt };
}

async function finish(context: AttemptContext, attempt: AttemptRecord, result: Extract<Awaited<ReturnType<AttemptContext['engine']['poll']>>, { state: 'succeeded' | 'failed' }>): Promise<StepResult> {
  const { deps } = context;
  if (result.state === 'failed') {
    if (result.error.kind === 'cancelled') return cancelledAtProvider(context, attempt, result.billed);
    const failed = deps.attempts.markFailed(attempt.id, { kind: result.error.kind, message: result.error.message }, settleFailedJob(attempt, result.billed, result.error.kind));
    return { status: 'failed', attempt: failed, error: result.error };
  }
  const succeeded = deps.attempts.markSucceeded(attempt.id, result.output, settleFinishedJob(attempt, result.billed, deps.attempts.ledger.totalReserved(attempt.id)));
  await context.step('succeeded', attempt.id);
  return succeeded;
}

/**
 * The provider says the job was cancelled. The user's Cancel of this run is handled
 * elsewhere; here it is a cancel Shotline sent earlier (its reason was written down
 * first) or one from outside (the provider's console): neither stops the shot.
 */
function cancelledAtProvider(context: AttemptContext, attempt: AttemptRecord, billed: CheckedAmount): StepResult {
  const reason = context.deps.attempts.get(attempt.id).cancelReason;
  const message = {
    over_budget: 'over budget: cancelled at the provider',
    stalled: 'stalled: cancelled at the provider',
    user: 'cancelled at the provider when the user cancelled an earlier run',
    outside: 'the job was cancelled at the provider, not by Shotline',
  }[reason ?? 'outside'];
  // A job that will not deliver; only the stall says something about the engine.
  const kind = reason === 'stalled' ? 'timeout' : reason === 'over_budget' ? 'cancelled' : 'unavailable';
  const failed = context.deps.attempts.markFailed(attempt.id, { kind, message }, settleFailedJob(attempt, billed, 'cancelled'), 'cancelled');
  if (reason === 'over_budget') return { status: 'over_budget', attempt: failed, message };
  return { status: 'failed', attempt: failed, error: new EngineError(kind, message) };
}

/**
 * The job ran past its deadline. Cancelled at the provider where it can be (and if it
 * finished in the meantime, used); otherwise parked with its money held.
 */
async function stalled(context: AttemptContext, attempt: AttemptRecord, message: string): Promise<StepResult> {
  const error = new EngineError('timeout', message);
  const cancel = await cancelJob(context, attempt, message, 'stalled');
  if (cancel.outcome === 'cancelled') return { status: 'failed', attempt: cancel.attempt, error };
  if (cancel.outcome === 'finished') return cancel.attempt;
  const why = cancel.outcome === 'unconfirmed' ? `cancel sent but not confirmed (${cancel.error.message})` : 'job kept for a late result';
  return park(context, attempt, error, `${message}; ${why}`);
}

function park(context: AttemptContext, attempt: AttemptRecord, error: EngineError, message: string): StepResult {
  const parked = context.deps.attempts.markTimedOut(attempt.id, message, holdUntil(context, attempt.engineId));
  return { status: 'timed_out', attempt: parked, error };
}

function expire(context: AttemptContext, attempt: AttemptRecord, why: string): StepResult {
  const message = `${why}; held until ${new Date(attempt.holdUntil!).toISOString()}, when ${context.engine.spec.provider} no longer keeps the job: reservation released`;
  const expired = context.deps.attempts.markExpired(attempt.id, message);
  return { status: 'failed', attempt: expired, error: new EngineError('expired_output', message) };
}

function seconds(ms: number): number {
  return Math.round(ms / 1000);
}
