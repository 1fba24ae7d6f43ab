/**
 * Runs one attempt through its states (reserved -> submitting -> submitted -> succeeded
 * -> downloaded -> accepted), persisting every step, from whatever state it is found in:
 * a resumed run continues exactly where the previous process died, and a job parked
 * earlier (timed out) is collected by the same code, in collect mode.
 *
 * Engine failures arrive as EngineErrors (the boundary classified them) and end the
 * attempt as an outcome for the shot runner. Anything else (a bug, a full disk) propagates:
 * the attempt stays in its persisted state and `resume` picks it up.
 */
import { CancelledError, EngineError, isAbortError } from '../../../shared/errors';
import type { GuardedEngine } from '../../engines/boundary';
import type { AttemptRecord } from '../../store/attempts';
import { isOutcome, type AttemptContext, type AttemptLimits, type AttemptOutcome, type AttemptPolicy, type AttemptRunnerDeps, type StepResult } from './context';
import { cancelJob } from './cancel-job';
import { fetchStep } from './fetch-step';
import { pollStep } from './poll-step';
import { recoverLostSubmit, submitStep } from './submit-step';

export * from './context';
export { clipStat, sha256Of } from './fetch-step';

export async function runAttempt(
  attempt: AttemptRecord,
  engine: GuardedEngine,
  limits: AttemptLimits,
  deps: AttemptRunnerDeps,
  policy: AttemptPolicy,
  signal: AbortSignal,
): Promise<AttemptOutcome> {
  const context: AttemptContext = {
    engine,
    limits,
    deps,
    policy,
    signal,
    step: async (name, attemptId) => deps.onStep?.(name, deps.attempts.get(attemptId)),
  };
  try {
    let current: StepResult = attempt;
    if (current.status === 'reserved') await context.step('reserved', current.id);
    for (;;) {
      if (isOutcome(current)) return current;
      current = await advance(context, current);
    }
  } catch (error) {
    if (isAbortError(error) || signal.aborted || (error instanceof EngineError && error.kind === 'cancelled')) return cancel(context, attempt.id);
    throw error;
  }
}

async function advance(context: AttemptContext, attempt: AttemptRecord): Promise<StepResult> {
  switch (attempt.status) {
    case 'reserved':
      return submitStep(context, attempt);
    case 'submitting':
      // Found this way on resume: the request may or may not have reached the provider.
      return recoverLostSubmit(context, attempt, 'the previous run stopped while submitting');
    case 'submitted':
    case 'timed_out':
      return pollStep(context, attempt);
    case 'succeeded':
      return fetchStep(context, attempt);
    case 'downloaded':
      return gateStep(context, attempt);
    case 'unknown':
      return recoverLostSubmit(context, attempt);
    default:
      throw new Error(`attempt ${attempt.id} cannot run from status ${attempt.status}`);
  }
}

async function gateStep(context: AttemptContext, attempt: AttemptRecord): Promise<StepResult> {
  const { deps, signal } = context;
  // First clip in wins: a late result that arrived while this one was generating (or the other way round) stays an alternate take.
  if (shotAlreadyHasClip(context, attempt)) return { status: 'collected', attempt: deps.attempts.markCollected(attempt.id) };
  context.deps.emit({ episodeId: attempt.episodeId, shotId: attempt.shotId, type: 'shot', state: 'gating', engineId: attempt.engineId });
  const verdict = await deps.gate({ path: attempt.clipPath!, sha256: attempt.clipSha256! }, attempt, signal);
  // Recorded before the outcome, so a crash in between re-gates without counting the clip twice.
  deps.recordGate(attempt.id, verdict);
  await context.step('gated', attempt.id);
  if (verdict.decision !== 'pass') {
    const error = new EngineError('quality_rejected', `quality gate: ${verdict.problems.join('; ')}`, { escalate: verdict.decision === 'escalate' });
    return { status: 'failed', attempt: deps.attempts.markRejected(attempt.id, error.message), error };
  }
  const accepted = deps.attempts.markAccepted(attempt.id);
  await context.step('accepted', attempt.id);
  return { status: 'accepted', attempt: accepted };
}

/** Its own run already has a take of the shot (a parked job that delivered late, or the other way round). */
function shotAlreadyHasClip(context: AttemptContext, attempt: AttemptRecord): boolean {
  const accepted = context.deps.attempts.acceptedInRun(attempt.episodeId, attempt.shotId, attempt.runId);
  return accepted !== undefined && accepted.id !== attempt.id;
}

/**
 * The user cancelled. Nothing sent: the reservation is released. A live job: cancelled
 * at the provider where it can be, else left for `resume` to collect instead of paying
 * for it again. A submit in flight: left as `submitting`, for `resume` to look up.
 */
async function cancel(context: AttemptContext, attemptId: string): Promise<never> {
  const { deps } = context;
  const current = deps.attempts.get(attemptId);
  const message = 'cancelled by the user';
  if (current.status === 'reserved') deps.attempts.markFailed(current.id, { kind: 'cancelled', message }, undefined, 'cancelled');
  // Finished just before the cancel: settled as a success, and resume downloads it.
  if (current.status === 'submitted') await cancelJob(context, current, message, 'user');
  throw new CancelledError(message);
}
