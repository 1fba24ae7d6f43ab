/**
 * Sending a submit, and finding out what happened to one whose answer was lost.
 *
 * The attempt is written as `submitting` before the request leaves. From then on, if no
 * job id comes back (a dropped connection, a cancel mid-request, a crash), the provider
 * may have made a job and be billing it: we never simply send the request again. Where
 * the adapter can look jobs up by the attempt's client reference we ask; where it cannot,
 * the shot waits for the user (--resubmit-unknown).
 */
import { CancelledError, EngineError } from '../../../shared/errors';
import { formatUsd } from '../../../shared/money';
import type { CheckedAmount } from '../../engines/boundary';
import type { AttemptRecord } from '../../store/attempts';
import { backoffDelayMs } from '../backoff';
import { sleep } from '../abortable';
import { cancelJob } from './cancel-job';
import { emitShot, engineFailure, holdUntil, type AttemptContext, type StepResult } from './context';

const LOOKUP_TRIES = 3;

export async function submitStep(context: AttemptContext, reserved: AttemptRecord): Promise<StepResult> {
  const { deps, engine, signal } = context;
  if (signal.aborted) throw new CancelledError();
  const attempt = deps.attempts.markSubmitting(reserved.id, holdUntil(context, reserved.engineId));
  await context.step('submitting', attempt.id);
  emitShot(context, attempt, 'submitted');
  let submitted;
  try {
    submitted = await engine.submit(attempt.request, attempt.clientReference, signal);
  } catch (error) {
    if (!(error instanceof EngineError)) throw error;
    if (error.kind === 'cancelled' || signal.aborted) {
      // Not sent: nothing to find later. In flight: resume asks the provider what became of it.
      if (error.details.jobMayExist === false) deps.attempts.markFailed(attempt.id, { kind: 'cancelled', message: 'cancelled by the user before the submit was sent' }, undefined, 'cancelled');
      throw new CancelledError();
    }
    if (error.details.jobMayExist) return recoverLostSubmit(context, deps.attempts.get(attempt.id), error.message);
    return { status: 'failed', attempt: deps.attempts.markFailed(attempt.id, { kind: error.kind, message: error.message }), error };
  }
  await context.step('submit-returned', attempt.id);
  return recordJob(context, attempt, submitted.jobId, submitted.providerEstimate);
}

async function recordJob(
  context: AttemptContext,
  attempt: AttemptRecord,
  jobId: string,
  providerEstimate: CheckedAmount,
): Promise<StepResult> {
  const { deps, engine, policy } = context;
  const topUp = deps.attempts.markSubmitted(attempt.id, jobId, providerEstimate.micros, policy.budgetMicros, holdUntil(context, attempt.engineId));
  await context.step('submitted', attempt.id);
  if (topUp.ok) return deps.attempts.get(attempt.id);

  const why =
    `${engine.spec.id} estimated ${formatUsd(providerEstimate.micros!, 6)} for this job at create, ` +
    `${formatUsd(topUp.neededMicros, 6)} more than was held, and the budget has ${formatUsd(topUp.leftMicros, 6)} left`;
  const cancel = await cancelJob(context, deps.attempts.get(attempt.id), `over budget: ${why}`, 'over_budget');
  if (cancel.outcome === 'cancelled') return { status: 'over_budget', attempt: cancel.attempt, message: `over budget: ${why}; the job was cancelled` };
  if (cancel.outcome === 'finished') return cancel.attempt;
  if (engine.canCancel) deps.emit({ episodeId: attempt.episodeId, shotId: attempt.shotId, type: 'log', message: `could not cancel over-budget job ${jobId} for sure: ${cancel.error.message}` });
  // It will be billed whatever we do: hold what the provider said, so nothing else spends that money.
  deps.attempts.forceTopUp(attempt.id, topUp.neededMicros, `over budget: ${why}; the job could not be cancelled`);
  deps.emit({ episodeId: attempt.episodeId, shotId: attempt.shotId, type: 'log', message: `over budget: ${why}; the job could not be cancelled and goes on` });
  return deps.attempts.get(attempt.id);
}

/**
 * A submit whose answer never came: look the job up by client reference where the
 * provider allows; otherwise report the outcome as unknown (or, when the user said so,
 * release it and let the shot generate again).
 */
export async function recoverLostSubmit(context: AttemptContext, attempt: AttemptRecord, cause?: string): Promise<StepResult> {
  const { deps, engine, signal, policy } = context;
  const held = deps.attempts.ledger.openReservation(attempt.id);
  const causeText = cause ? ` (${cause})` : '';
  if (!engine.canFindJob) {
    const message =
      attempt.status === 'unknown' && attempt.errorMessage
        ? attempt.errorMessage
        : `submission outcome unknown${causeText}: ${engine.spec.id} may have made and billed a job (up to ${formatUsd(held)}) ` +
          `that cannot be looked up; re-run with --resubmit-unknown to generate this shot again`;
    const unknown = attempt.status === 'unknown' ? attempt : deps.attempts.markUnknown(attempt.id, message, holdUntil(context, attempt.engineId));
    if (!policy.resubmitUnknown) return { status: 'unknown', attempt: unknown, message };
    const abandoned = deps.attempts.markAbandoned(attempt.id, `${message}; resubmitted at the user's request`);
    return { status: 'failed', attempt: abandoned, error: new EngineError('unavailable', `submission outcome unknown; generating again as asked (the provider may have billed up to ${formatUsd(held)})`) };
  }

  let lastError: EngineError | undefined;
  for (let tries = 1; tries <= LOOKUP_TRIES; tries++) {
    try {
      const found = await engine.findJob({ clientReference: attempt.clientReference, request: attempt.request, submittedAfter: (attempt.submittingAt ?? attempt.createdAt) - 60_000 }, signal);
      if (found) {
        deps.emit({ episodeId: attempt.episodeId, shotId: attempt.shotId, type: 'log', message: `recovered ${engine.spec.id} job ${found.jobId} whose submit answer was lost` });
        const recovered = deps.attempts.markRecovered(attempt.id, found.jobId, holdUntil(context, attempt.engineId));
        await context.step('submitted', attempt.id);
        return recovered;
      }
      const error = new EngineError('unavailable', `the submit never reached ${engine.spec.id}${causeText}: it has no job for this attempt`);
      return { status: 'failed', attempt: deps.attempts.markFailed(attempt.id, { kind: error.kind, message: error.message }), error };
    } catch (thrown) {
      lastError = engineFailure(thrown, signal);
      if (tries < LOOKUP_TRIES) await sleep(backoffDelayMs(tries, { baseMs: 1_000, capMs: 8_000 }, deps.random), signal);
    }
  }
  const message = `could not ask ${engine.spec.id} whether its submit made a job (${lastError?.message ?? 'no answer'}); nothing was sent again. \`shotline resume\` asks again`;
  return { status: 'deferred', attempt: deps.attempts.get(attempt.id), message };
}
