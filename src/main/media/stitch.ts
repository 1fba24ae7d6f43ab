/**
 * Stitches an episode in one ffmpeg run: clips normalised to the output format, joined
 * with cuts or transitions, loudness normalised, encoded to H.264/AAC MP4. The result is
 * written to a temp file beside the output and renamed only once it has been verified,
 * so an existing episode is never half overwritten.
 */
import { mkdir, rename } from 'node:fs/promises';
import path from 'node:path';
import { ShotlineError, UserError } from '../../shared/errors';
import { removeQuietly, tempPathBeside } from './atomic-file';
import { runFfmpeg } from './ffmpeg';
import { NotPlayableError, probeMedia } from './probe';
import { buildStitchGraph, stitchProblems, type StitchClip, type StitchOutput } from './stitch-graph';

export { expectedEpisodeSeconds, type StitchClip, type StitchOutput, type StitchTransition } from './stitch-graph';

/** The stitched file's length must match the plan this closely, in seconds. */
const DURATION_TOLERANCE = 0.1;

export interface StitchOptions {
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
  log?: (line: string) => void;
}

export async function stitchEpisode(
  bins: { ffmpeg: string; ffprobe: string },
  input: { clips: StitchClip[]; output: StitchOutput },
  outputPath: string,
  options: StitchOptions = {},
): Promise<{ durationSeconds: number; path: string }> {
  const problems = stitchProblems(input.clips, input.output);
  if (problems.length) throw new UserError('The episode cannot be stitched:', problems);
  const target = path.resolve(outputPath);
  const { signal, log } = options;

  // Which clips really carry audio: a clip said to have audio but without an audio
  // stream gets silence instead of failing the whole graph.
  const clips = await Promise.all(
    input.clips.map(async (clip, i) => {
      const file = path.resolve(clip.path);
      try {
        const probe = await probeMedia(bins.ffprobe, file, { signal, log });
        return { ...clip, path: file, hasAudio: clip.hasAudio && probe.hasAudio };
      } catch (error) {
        if (error instanceof NotPlayableError) throw new UserError(`clip ${i + 1} cannot be stitched: ${error.message}`);
        throw error;
      }
    }),
  );
  const graph = buildStitchGraph(clips, input.output);

  await mkdir(path.dirname(target), { recursive: true });
  const temp = tempPathBeside(target);
  try {
    const args = [
      '-y',
      ...clips.flatMap((clip) => ['-i', clip.path]),
      '-filter_complex',
      graph.filterComplex,
      '-map',
      `[${graph.videoLabel}]`,
      '-map',
      `[${graph.audioLabel}]`,
      ...['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20', '-pix_fmt', 'yuv420p', '-r', String(input.output.fps)],
      ...['-c:a', 'aac', '-b:a', '160k', '-ar', '48000', '-ac', '2'],
      ...['-movflags', '+faststart', '-f', 'mp4', temp],
    ];
    await runFfmpeg(bins.ffmpeg, args, {
      signal,
      log,
      expectedDurationSeconds: graph.expectedSeconds,
      onProgress: (p) => options.onProgress?.(p.fraction ?? 0),
    });

    const probe = await probeMedia(bins.ffprobe, temp, { signal, log });
    if (Math.abs(probe.durationSeconds - graph.expectedSeconds) > DURATION_TOLERANCE) {
      throw new ShotlineError(
        `the stitched episode is ${probe.durationSeconds.toFixed(3)} s long, expected ${graph.expectedSeconds.toFixed(3)} s ` +
          `(sum of clip durations minus transition overlaps); ${target} was left unchanged`,
      );
    }
    await rename(temp, target);
    return { durationSeconds: probe.durationSeconds, path: target };
  } finally {
    await removeQuietly(temp);
  }
}
