/**
 * A /v1/videos video object, as a poll answer. The protocol reports no cost, so no
 * billed amount is ever given: the pipeline charges the list price of a finished job.
 * The finished clip is fetched by the video's id (GET /v1/videos/{id}/content), so the
 * id is the output's location. Pure.
 */
import { EngineError } from '../../../shared/errors';
import type { PollResult } from '../engine';
import { engineErrorFromJobFailure } from '../errors';

/** The fields of a video object a poll reads; anything may be missing from a compatible server. */
export interface PolledVideo {
  id: string;
  status: string;
  progress?: number | null;
  seconds?: string | number | null;
  expires_at?: number | null;
  error?: { code?: string | null; message?: string | null } | null;
}

export function pollResultFromVideo(video: PolledVideo, log?: (line: string) => void): PollResult {
  switch (video.status) {
    case 'queued':
      return { state: 'queued' };
    case 'in_progress': {
      const percent = typeof video.progress === 'number' && Number.isFinite(video.progress) ? video.progress : undefined;
      return percent === undefined ? { state: 'running' } : { state: 'running', progress: percent / 100 };
    }
    case 'completed':
      return { state: 'succeeded', output: outputOf(video) };
    case 'failed':
      return { state: 'failed', error: failureOf(video) };
    case 'expired':
      // Seen on old jobs, though not in the SDK's types: the job ran (and was billed), its file is gone.
      return { state: 'failed', error: new EngineError('expired_output', `openai video ${video.id} has expired: its file is no longer kept`) };
    default:
      // A status this build does not know may be a new intermediate one: keep polling, and the stall deadline bounds it.
      log?.(`video ${video.id} has an unknown status ${JSON.stringify(video.status)}; polling on`);
      return { state: 'running' };
  }
}

function outputOf(video: PolledVideo): { location: string; durationSeconds?: number; expiresAt?: number } {
  const seconds = Number(video.seconds);
  return {
    location: video.id,
    ...(Number.isFinite(seconds) && seconds > 0 ? { durationSeconds: seconds } : {}),
    // expires_at is Unix seconds.
    ...(typeof video.expires_at === 'number' && Number.isFinite(video.expires_at) ? { expiresAt: video.expires_at * 1000 } : {}),
  };
}

/** moderation_blocked and the like, or a sentence about moderation, read as content_policy (errors/job-failure.ts). */
function failureOf(video: PolledVideo): EngineError {
  const code = video.error?.code ?? undefined;
  const message = video.error?.message ?? undefined;
  return engineErrorFromJobFailure({ ...(code ? { code } : {}), ...(message ? { message } : {}) }, { provider: 'openai', operation: 'poll' });
}
