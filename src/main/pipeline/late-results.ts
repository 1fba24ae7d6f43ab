/**
 * Collects jobs parked earlier (stalled past their deadline, polling stopped): the
 * provider may still deliver and bill them. Each is asked once, through the same attempt
 * code as a live job; a late clip is used when its shot has nothing better and kept as
 * an alternate take otherwise; a job past its provider's retention has its money released.
 */
import { isAbortError } from '../../shared/errors';
import type { Micros } from '../../shared/money';
import type { EpisodeRecord } from '../store/episodes';
import { runAttempt } from './attempt/run-attempt';
import { attemptDepsOf, type EpisodeRunnerDeps } from './episode-runner';

export async function collectLateResults(episode: EpisodeRecord, deps: EpisodeRunnerDeps, budgetMicros: Micros | null, signal: AbortSignal): Promise<void> {
  for (const attempt of deps.attempts.forEpisode(episode.id, ['timed_out'])) {
    try {
      const engine = deps.engine(attempt.engineId);
      const limits = { pollIntervalMs: engine.spec.pollIntervalMs, stallTimeoutMs: 0 };
      const outcome = await runAttempt(attempt, engine, limits, attemptDepsOf(deps), { budgetMicros, resubmitUnknown: false, mode: 'collect' }, signal);
      if (outcome.status === 'accepted') {
        deps.emit({ episodeId: attempt.episodeId, shotId: attempt.shotId, type: 'shot', state: 'accepted', engineId: attempt.engineId, message: 'late result collected' });
      } else if (outcome.status === 'collected') {
        deps.emit({ episodeId: attempt.episodeId, shotId: attempt.shotId, type: 'log', message: `late result of ${attempt.engineId} collected as an alternate take` });
      } else if (outcome.status === 'failed' || outcome.status === 'timed_out') {
        deps.emit({ episodeId: attempt.episodeId, shotId: attempt.shotId, type: 'log', message: `late result of ${attempt.engineId}: ${outcome.error.message}` });
      } else if (outcome.status !== 'still_running') {
        deps.emit({ episodeId: attempt.episodeId, shotId: attempt.shotId, type: 'log', message: `late result of ${attempt.engineId}: ${outcome.message}` });
      }
    } catch (error) {
      if (isAbortError(error)) throw error;
      // A provider that cannot answer now may answer on the next `resume`; the job stays parked.
      deps.emit({ episodeId: episode.id, shotId: attempt.shotId, type: 'log', message: `late result of ${attempt.engineId} not collected yet: ${(error as Error).message}` });
    }
  }
}
