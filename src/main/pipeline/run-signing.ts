/**
 * Signing for one run, as the episode runner takes it: each accepted take once it is
 * accepted, and the stitched episode with the edits that made it (transitions, loudness,
 * the encode). Off with --no-sign.
 */
import { softwareVideo, type StitchOutput } from '../media/stitch/index';
import type { ExportEdits } from '../provenance/manifests';
import type { StitchClip as MediaClip } from '../media/stitch/index';
import type { StudioServices } from '../studio';
import type { RunSigning, StitchClip } from './episode-runner';
import { signExport, signTake, type SigningDeps } from './sign-step';
import { stitchInput } from './stitch-step';

export interface SigningChoices {
  /** false: --no-sign. */
  sign?: boolean;
  /** Sign an export even with takes whose credentials do not validate, recording why. */
  allowUnverified?: boolean;
}

export function runSigning(services: StudioServices, choices: SigningChoices): RunSigning | undefined {
  if (choices.sign === false) return undefined;
  const deps: SigningDeps = services.signingDeps();
  return {
    signTake: (attempt, episode, signal) => signTake(attempt, episode, deps, signal),
    signExport: async (episode, clips: StitchClip[], signal) => {
      const input = await services.withStitchVideo(stitchInput(episode, clips));
      return signExport(episode, clips, exportEdits(input, clips), deps, { allowUnverified: choices.allowUnverified ?? false }, signal);
    },
  };
}

/** What the stitch did to the takes, as the export's credentials state it. */
export function exportEdits(input: { clips: MediaClip[]; output: StitchOutput }, clips: StitchClip[]): ExportEdits {
  const video = input.output.video ?? softwareVideo(input.output.codec ?? 'h264');
  return {
    transitions: input.clips.flatMap((clip, i) =>
      clip.transitionToNext.type === 'cut' ? [] : [{ afterShot: clips[i]!.shot.id, type: clip.transitionToNext.type, seconds: clip.transitionToNext.duration }],
    ),
    loudnessLufs: input.output.loudness,
    video: { codec: video.codec, encoder: video.encoding.encoder, width: input.output.width, height: input.output.height, fps: input.output.fps },
    durationSeconds: input.clips.reduce((sum, c) => sum + c.durationSeconds, 0) - input.clips.reduce((sum, c) => sum + (c.transitionToNext.type === 'cut' ? 0 : c.transitionToNext.duration), 0),
  };
}
