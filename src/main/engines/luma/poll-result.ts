/**
 * A Luma generation, as GET /generations/{id} returns it, to the pipeline's poll answer.
 * Pure. Luma reports no cost on a generation, so no billed amount is given and the
 * ledger charges the list price for the seconds delivered.
 *
 *   queued    -> queued
 *   dreaming  -> running (Luma gives no progress figure)
 *   completed -> succeeded, the clip at assets.video
 *   failed    -> failed, kind from failure_reason ("Advanced moderation failed" is content_policy)
 */
import type LumaAI from 'lumaai';
import { EngineError } from '../../../shared/errors';
import type { PollResult } from '../engine';
import { engineErrorFromJobFailure } from '../errors';

export type LumaGeneration = LumaAI.Generation;

export function pollResultOf(generation: LumaGeneration, jobId: string, log: (line: string) => void = () => undefined): PollResult {
  const state: unknown = generation?.state;
  switch (state) {
    case 'queued':
      return { state: 'queued' };
    case 'dreaming':
      return { state: 'running' };
    case 'completed': {
      const video = generation.assets?.video;
      // Seen as "completed" a moment before the asset is written, polling again is the cure, not a failure.
      if (typeof video !== 'string' || video.length === 0) {
        throw new EngineError('unavailable', `luma generation ${jobId} is completed but names no assets.video yet`);
      }
      const durationSeconds = secondsOf(generation.request);
      return { state: 'succeeded', output: { location: video, ...(durationSeconds !== undefined ? { durationSeconds } : {}) } };
    }
    case 'failed':
      return { state: 'failed', error: failureOf(generation) };
    default:
      // A state this adapter does not know yet: keep polling; the pipeline's stall deadline ends a job that never settles.
      log(`[luma] generation ${jobId} is in unknown state ${JSON.stringify(state ?? null)}; polling on`);
      return { state: 'running' };
  }
}

/** Luma sends only words; the shared job-failure table reads moderation, credits and the rest from them. */
export function failureOf(generation: LumaGeneration): EngineError {
  const reason = typeof generation.failure_reason === 'string' ? generation.failure_reason : undefined;
  return engineErrorFromJobFailure({ message: reason }, { provider: 'luma', operation: 'poll' });
}

/** The seconds the generation was asked for ("5s"), which is what Luma delivers. */
function secondsOf(request: LumaGeneration['request']): number | undefined {
  const duration = (request as { duration?: unknown } | undefined)?.duration;
  const match = typeof duration === 'string' ? /^(\d+)s$/.exec(duration) : null;
  return match ? Number(match[1]) : undefined;
}
