/**
 * Cancelling a job at the provider, and then finding out what it really cost: a job can
 * finish just as the cancel arrives (providers answer a cancel of a finished job with a
 * plain success), and then it is billed like any other. One more poll settles it.
 */
import { EngineError } from '../../../shared/errors';
import type { AttemptRecord } from '../../store/attempts';
import type { AttemptContext } from './context';
import { settleFailedJob, settleFinishedJob } from './settlement';

const CANCEL_TIMEOUT_MS = 30_000;

export type CancelResult =
  /** Cancelled and settled (charged what the provider billed, usually nothing). */
  | { cancelled: true; attempt: AttemptRecord }
  /** It had finished: settled as a success, to be downloaded like any other. */
  | { cancelled: false; finished: true; attempt: AttemptRecord }
  /** The provider could not cancel it (or we could not reach it): it goes on. */
  | { cancelled: false; finished: false; error: EngineError };

export async function cancelJob(context: AttemptContext, attempt: AttemptRecord, message: string, kind: 'cancelled' | 'timeout' = 'cancelled'): Promise<CancelResult> {
  const { deps, engine } = context;
  const jobId = attempt.providerJobId!;
  if (!engine.canCancel) return { cancelled: false, finished: false, error: new EngineError('invalid_request', `${engine.spec.id} cannot cancel jobs`) };
  try {
    await engine.cancel(jobId, AbortSignal.timeout(CANCEL_TIMEOUT_MS));
  } catch (error) {
    return { cancelled: false, finished: false, error: error instanceof EngineError ? error : new EngineError('unavailable', String(error)) };
  }
  const after = await engine.poll(jobId, AbortSignal.timeout(CANCEL_TIMEOUT_MS)).catch(() => null);
  if (after?.state === 'succeeded') {
    deps.emit({ episodeId: attempt.episodeId, shotId: attempt.shotId, type: 'log', message: `${engine.spec.id} job ${jobId} had finished before it could be cancelled; it is billed and kept` });
    return { cancelled: false, finished: true, attempt: deps.attempts.markSucceeded(attempt.id, after.output, settleFinishedJob(attempt, after.billed)) };
  }
  const settlement = after?.state === 'failed' ? settleFailedJob(attempt, after.billed, after.error.kind) : undefined;
  return { cancelled: true, attempt: deps.attempts.markFailed(attempt.id, { kind, message: `${message}; cancelled at the provider` }, settlement, 'cancelled') };
}
