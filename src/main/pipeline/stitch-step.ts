/** Adapts the accepted shots of an episode to the media stitcher's input. */
import { frameSize } from '../../shared/domain';
import { transitionOf } from '../../shared/storyboard';
import type { StitchClip as MediaClip, StitchOutput } from '../media/stitch/index';
import type { EpisodeRecord } from '../store/episodes';
import type { StitchClip } from './episode-runner';

/**
 * Each clip is trimmed to its shot's duration. A transition is kept only between shots
 * that are still neighbours: when a failed shot is left out, the join becomes a cut.
 */
export function stitchInput(episode: EpisodeRecord, clips: StitchClip[]): { clips: MediaClip[]; output: StitchOutput } {
  const order = new Map(episode.storyboard.shots.map((shot, i) => [shot.id, i]));
  const media = clips.map((clip, i): MediaClip => {
    const next = clips[i + 1];
    const neighbours = next !== undefined && order.get(next.shot.id) === order.get(clip.shot.id)! + 1;
    const transition = neighbours ? transitionOf(clip.shot) : { type: 'cut' as const, duration: 0 };
    return { path: clip.attempt.clipPath!, durationSeconds: clip.shot.duration, hasAudio: clip.attempt.request.audio, transitionToNext: transition };
  });
  const { output } = episode.storyboard;
  return { clips: media, output: { ...frameSize(output.resolution, output.aspect), fps: output.fps, loudness: output.loudness, codec: output.codec } };
}
