/**
 * Collects the late results of jobs that stalled past their deadline and could not be
 * cancelled. The provider may still deliver and bill them; we pay for each job once,
 * and a late clip is used when its shot has nothing better.
 */
import { EngineError, isAbortError } from '../../shared/errors';
import type { AttemptRecord } from '../store/attempts';
import type { EpisodeRecord } from '../store/episodes';
import type { EpisodeRunnerDeps } from './episode-runner';
import { actualCost, clipPathFor } from './attempt-runner';

export async function collectLateResults(episode: EpisodeRecord, deps: EpisodeRunnerDeps, signal: AbortSignal): Promise<void> {
  for (const attempt of deps.attempts.timedOut(episode.id)) {
    try {
      await collectOne(attempt, deps, signal);
    } catch (error) {
      if (isAbortError(error)) throw error;
      // A provider that cannot answer now may answer on the next `resume`; the job stays kept.
      deps.emit({ episodeId: episode.id, shotId: attempt.shotId, type: 'log', message: `late result of ${attempt.engineId} not collected yet: ${(error as Error).message}` });
    }
  }
}

async function collectOne(attempt: AttemptRecord, deps: EpisodeRunnerDeps, signal: AbortSignal): Promise<void> {
  const engine = deps.engine(attempt.engineId);
  const result = await engine.poll(attempt.providerJobId!, { signal });
  if (result.state === 'queued' || result.state === 'running') return;
  if (result.state === 'failed') {
    deps.attempts.markFailed(attempt.id, { kind: result.error.kind, message: `late: ${result.error.message}` }, result.actualCostMicros ?? 0);
    return;
  }
  const clip = await engine.download(attempt.providerJobId!, result.output, clipPathFor(deps.mediaDir, attempt), { signal });
  deps.attempts.markDownloaded(attempt.id, clip, result.actualCostMicros ?? actualCost(attempt, result.output));
  const shot = deps.episodes.shots(attempt.episodeId).find((s) => s.shotId === attempt.shotId);
  if (!shot || shot.status === 'accepted') return; // paid once, kept as an alternate take
  const verdict = await deps.gate(clip, deps.attempts.get(attempt.id), signal);
  if (verdict.ok) {
    deps.attempts.markAccepted(attempt.id);
    deps.emit({ episodeId: attempt.episodeId, shotId: attempt.shotId, type: 'shot', state: 'accepted', engineId: attempt.engineId, message: 'late result collected' });
  } else {
    deps.attempts.markRejected(attempt.id, new EngineError('quality_rejected', `quality gate: ${verdict.problems.join('; ')}`).message);
  }
}
