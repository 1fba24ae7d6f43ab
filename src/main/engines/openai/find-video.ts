/**
 * Finding the video a submit made when its answer was lost. The /v1/videos protocol
 * keeps no client reference and no idempotency key, so the only way is by content: the
 * list (newest first) is searched for videos created since the submit with the same
 * model, prompt, seconds and size. Exactly one match is the job. None means the submit
 * never arrived. Several (two shots with the same prompt, or an earlier attempt) cannot
 * be told apart: that is an error, so the money stays held and nothing is sent again.
 * Videos an attempt already holds (their create answer came back, or an earlier lookup
 * gave them to one) are left out.
 */
import { EngineError } from '../../../shared/errors';
import type { VideoCreateFields } from './create-fields';

/** What the search reads of each listed video. */
export interface ListedVideo {
  id: string;
  created_at: number;
  model?: string | null;
  prompt?: string | null;
  seconds?: string | number | null;
  size?: string | null;
}

/** A listing newer than this many videos since the submit is not searched to the end: too many to be sure. */
export const MAX_VIDEOS_SEARCHED = 1000;

export function sameCreate(video: ListedVideo, fields: VideoCreateFields): boolean {
  return video.model === fields.model && video.prompt === fields.prompt && String(video.seconds) === fields.seconds && video.size === fields.size;
}

/**
 * The one video in `newestFirst` that this submit made, or null. `submittedAfter` is
 * epoch ms; `created_at` is whole Unix seconds, so the second it falls in counts.
 */
export async function findCreatedVideo(
  newestFirst: AsyncIterable<ListedVideo>,
  lookup: { fields: VideoCreateFields; submittedAfter: number; claimed: { has(id: string): boolean }; engineId: string },
): Promise<{ jobId: string } | null> {
  const since = Math.floor(lookup.submittedAfter / 1000);
  const matches: string[] = [];
  let searched = 0;
  let reachedOlder = false;
  for await (const video of newestFirst) {
    if (video.created_at < since) {
      reachedOlder = true;
      break;
    }
    if (sameCreate(video, lookup.fields) && !lookup.claimed.has(video.id)) matches.push(video.id);
    if (++searched >= MAX_VIDEOS_SEARCHED) break;
  }
  if (searched >= MAX_VIDEOS_SEARCHED && !reachedOlder) {
    throw new EngineError('unavailable', `${lookup.engineId}: more than ${MAX_VIDEOS_SEARCHED} videos were made since the submit; the lost one cannot be found for sure`);
  }
  if (matches.length > 1) {
    throw new EngineError(
      'unavailable',
      `${lookup.engineId}: ${matches.length} videos (${matches.join(', ')}) match the lost submit (same model, prompt, seconds and size since it was sent); which one it made cannot be told, so none is taken`,
    );
  }
  return matches.length === 1 ? { jobId: matches[0]! } : null;
}
