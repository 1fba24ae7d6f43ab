/**
 * Collects jobs parked earlier (stalled past their deadline, polling stopped): the
 * provider may still deliver and bill them. Each is asked through the same attempt code
 * as a live job; a late clip is used when its shot has nothing yet and kept as an
 * alternate take otherwise; a job past its provider's retention has its money released.
 *
 * During a run a watcher asks every parked job again at its engine's poll interval, so a
 * late result is used as soon as it exists (and the shot stops trying other engines);
 * the run ends with one last pass.
 */
import { isAbortError } from '../../shared/errors';
import type { Micros } from '../../shared/money';
import type { AttemptRecord } from '../store/attempts';
import type { EpisodeRecord } from '../store/episodes';
import { sleep } from './abortable';
import { runAttempt } from './attempt/run-attempt';
import { attemptDepsOf, type EpisodeRunnerDeps } from './episode-runner';

export async function collectLateResults(episode: EpisodeRecord, deps: EpisodeRunnerDeps, budgetMicros: Micros | null, signal: AbortSignal): Promise<void> {
  for (const attempt of deps.attempts.forEpisode(episode.id, ['timed_out'])) await collectOne(attempt, deps, budgetMicros, signal);
}

export interface LateResultWatcher {
  /** Stops watching; resolves once a collection in progress has finished (nothing is left half done). */
  stop(): Promise<void>;
}

/**
 * Parked jobs are asked again at their engine's poll interval, kept within these bounds;
 * with none parked, the watcher looks for newly parked ones every `idle` ms (one indexed query).
 */
const WATCH_INTERVAL_MS = { min: 250, max: 30_000, idle: 1_000 };

export function watchLateResults(episode: EpisodeRecord, deps: EpisodeRunnerDeps, budgetMicros: Micros | null, signal: AbortSignal): LateResultWatcher {
  const stopping = new AbortController();
  const watchSignal = AbortSignal.any([signal, stopping.signal]);
  const lastAsked = new Map<string, number>();
  const loop = (async () => {
    while (!watchSignal.aborted) {
      let nextWake = WATCH_INTERVAL_MS.idle;
      for (const attempt of deps.attempts.forEpisode(episode.id, ['timed_out'])) {
        const interval = clampInterval(deps.spec(attempt.engineId).pollIntervalMs);
        const due = (lastAsked.get(attempt.id) ?? 0) + interval;
        const now = deps.clock();
        if (due > now) {
          nextWake = Math.min(nextWake, due - now);
          continue;
        }
        lastAsked.set(attempt.id, now);
        nextWake = Math.min(nextWake, interval);
        // The run's own signal, not the watcher's: stopping waits for this collection instead of abandoning it mid-download.
        await collectOne(attempt, deps, budgetMicros, signal);
        if (watchSignal.aborted) return;
      }
      await sleep(Math.max(WATCH_INTERVAL_MS.min, nextWake), watchSignal).catch(() => undefined);
    }
  })();
  return {
    stop: async () => {
      stopping.abort();
      await loop.catch((error: unknown) => {
        if (!isAbortError(error)) throw error;
      });
    },
  };
}

function clampInterval(pollIntervalMs: number): number {
  return Math.min(WATCH_INTERVAL_MS.max, Math.max(WATCH_INTERVAL_MS.min, pollIntervalMs));
}

async function collectOne(attempt: AttemptRecord, deps: EpisodeRunnerDeps, budgetMicros: Micros | null, signal: AbortSignal): Promise<void> {
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
    // A provider that cannot answer now may answer on the next pass or `resume`; the job stays parked.
    deps.emit({ episodeId: attempt.episodeId, shotId: attempt.shotId, type: 'log', message: `late result of ${attempt.engineId} not collected yet: ${(error as Error).message}` });
  }
}
