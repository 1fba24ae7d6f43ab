/**
 * Cancelling a job at the provider, and then finding out what it really cost: a job can
 * finish just as the cancel arrives (providers answer a cancel of a finished job with a
 * plain success), and then it is billed like any other. One more poll settles it; when
 * that poll cannot be read, nothing is assumed: the job stays open with its money held.
 */
import { EngineError } from '../../../shared/errors';
import type { AttemptRecord, CancelReason } from '../../store/attempts';
import type { AttemptContext } from './context';
import { settleFailedJob, settleFinishedJob } from './settlement';

const CANCEL_TIMEOUT_MS = 30_000;

export type CancelResult =
  /** Cancelled, and the provider confirmed it: settled (charged what it billed, usually nothing). */
  | { outcome: 'cancelled'; attempt: AttemptRecord }
  /** It had finished: settled as a success, to be downloaded like any other. */
  | { outcome: 'finished'; attempt: AttemptRecord }
  /** The provider could not cancel it (or could not be reached): it goes on. */
  | { outcome: 'refused'; error: EngineError }
  /** The cancel was sent but the job's final state could not be read: keep it and ask again later. */
  | { outcome: 'unconfirmed'; error: EngineError };

export async function cancelJob(context: AttemptContext, attempt: AttemptRecord, message: string, reason: CancelReason): Promise<CancelResult> {
  const { deps, engine } = context;
  const jobId = attempt.providerJobId!;
  const kind = reason === 'stalled' ? 'timeout' : 'cancelled';
  if (!engine.canCancel) return { outcome: 'refused', error: new EngineError('invalid_request', `${engine.spec.id} cannot cancel jobs`) };
  deps.attempts.noteCancelRequested(attempt.id, reason);
  try {
    await engine.cancel(jobId, AbortSignal.timeout(CANCEL_TIMEOUT_MS));
  } catch (error) {
    return { outcome: 'refused', error: error instanceof EngineError ? error : new EngineError('unavailable', String(error)) };
  }
  let after;
  try {
    after = await engine.poll(jobId, AbortSignal.timeout(CANCEL_TIMEOUT_MS));
  } catch (error) {
    return { outcome: 'unconfirmed', error: error instanceof EngineError ? error : new EngineError('unavailable', String(error)) };
  }
  if (after.state === 'succeeded') {
    deps.emit({ episodeId: attempt.episodeId, shotId: attempt.shotId, type: 'log', message: `${engine.spec.id} job ${jobId} had finished before it could be cancelled; it is billed and kept` });
    return { outcome: 'finished', attempt: deps.attempts.markSucceeded(attempt.id, after.output, settleFinishedJob(attempt, after.billed, deps.attempts.ledger.totalReserved(attempt.id))) };
  }
  if (after.state !== 'failed') return { outcome: 'unconfirmed', error: new EngineError('unavailable', `${engine.spec.id} job ${jobId} still reads ${after.state} after the cancel`) };
  const settlement = settleFailedJob(attempt, after.billed, after.error.kind);
  return { outcome: 'cancelled', attempt: deps.attempts.markFailed(attempt.id, { kind, message: `${message}; cancelled at the provider` }, settlement, 'cancelled') };
}
