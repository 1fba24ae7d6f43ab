/**
 * The last look before a stitched file replaces anything: it must open (an encoder on a
 * full disk can exit 0 and leave a file without its moov atom), carry video and sound,
 * and last what the timeline planned, within one frame.
 */
import { ShotlineError } from '../../../shared/errors';
import { NotPlayableError } from '../backend/errors';
import type { MediaOps } from '../backend/types';
import type { Timeline } from './timeline';

export async function verifyStitched(media: MediaOps, file: string, timeline: Timeline, options: { signal?: AbortSignal; log?: (line: string) => void }): Promise<number> {
  let probe;
  try {
    probe = await media.probe(file, options);
  } catch (error) {
    if (error instanceof NotPlayableError) throw new ShotlineError(`the stitched file is damaged (${error.reason}); the output was left unchanged. Is the disk full?`);
    throw error;
  }
  const frame = 1 / timeline.fps;
  const videoSeconds = probe.videoDurationSeconds ?? probe.durationSeconds;
  if (Math.abs(videoSeconds - timeline.seconds) > frame + 1e-3) {
    throw new ShotlineError(`the stitched video is ${videoSeconds.toFixed(3)} s long, the timeline ${timeline.seconds.toFixed(3)} s; the output was left unchanged`);
  }
  if (!probe.hasAudio) throw new ShotlineError('the stitched file has no sound track; the output was left unchanged');
  return probe.durationSeconds;
}
