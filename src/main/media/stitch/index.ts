/**
 * Stitches an episode from clips of any source, in pieces: every clip's body and every
 * transition is made on its own (in parallel, through the media workers), then the
 * pieces are joined packet for packet. Memory stays flat and the work grows linearly
 * with the number of shots; nothing goes through a command line, whatever the episode's
 * size. Sound is built from the same timeline in exact sample counts, measured and
 * normalised in two passes (EBU R128), and muxed once. The result is written to a hidden
 * temp name beside the output, checked (playable, complete, the planned length) and only
 * then renamed over the target.
 */
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { OutputCodec } from '../../../shared/domain';
import { CancelledError, UserError } from '../../../shared/errors';
import { tempPathBeside } from '../atomic-file';
import { NotPlayableError } from '../backend/errors';
import type { MediaOps, MediaProbe } from '../backend/types';
import { whyNotStreamCopy } from './copy-path';
import { bodyAudioJob, loudnessApplyJob, loudnessMeasureJob, parseIntegratedLoudness, segmentVideoJob, transitionAudioJob, type PieceClip, type PieceOutput } from './piece-graphs';
import { StitchProgress } from './progress';
import { removeStalePartials } from './stale-partials';
import { planTimeline, stitchProblems, videoSegments, type StitchTransition, type Timeline, type VideoSegment } from './timeline';
import { verifyStitched } from './verify';
import { softwareVideo, type Scaling, type StitchVideoSettings } from './video-settings';

export { expectedEpisodeSeconds, stitchProblems, type StitchTransition } from './timeline';
export { chooseStitchVideo, DEFAULT_VIDEO, softwareVideo, stitchVideoFrom, type StitchVideoSettings } from './video-settings';

export interface StitchClip {
  path: string;
  durationSeconds: number;
  /** Whether the shot asked for sound; a clip without an audio stream gets silence either way. */
  hasAudio: boolean;
  transitionToNext: StitchTransition;
}

export interface StitchOutput {
  width: number;
  height: number;
  fps: number;
  /** Integrated loudness target in LUFS; null leaves the sound as it is. */
  loudness: number | null;
  /** Default h264; ignored when `video` names the encoder. */
  codec?: OutputCodec;
  /** The encoder and scaling (chooseStitchVideo); default the codec's software encoder and the CPU scaler. */
  video?: StitchVideoSettings;
}

export interface StitchOptions {
  signal?: AbortSignal;
  onProgress?: (fraction: number, etaSeconds: number | null) => void;
  log?: (line: string) => void;
}

/** How the episode's file was made, as render reports repeat it. */
export type StitchSummary = Pick<StitchReport, 'method' | 'notCopiedBecause' | 'encoder' | 'encoderReason' | 'scaling' | 'scalingReason' | 'loudness'>;

export function stitchSummary(report: StitchReport): StitchSummary {
  const { method, notCopiedBecause, encoder, encoderReason, scaling, scalingReason, loudness } = report;
  return { method, notCopiedBecause, encoder, encoderReason, scaling, scalingReason, loudness };
}

export interface StitchReport {
  path: string;
  durationSeconds: number;
  method: 'stream-copy' | 'pieces';
  /** True when the sound was joined packet for packet too (only cuts, loudness off, every clip's sound alike). */
  soundCopied: boolean;
  /** Why the lossless path was not taken, when it was not. */
  notCopiedBecause: string | null;
  encoder: string;
  encoderReason: string;
  /** Where the clips were scaled (nothing is scaled when the video was copied). */
  scaling: Scaling | null;
  scalingReason: string | null;
  pieces: number;
  loudness: { target: number; measured: number | null; gainDb: number | null } | null;
}

export async function stitchEpisode(media: MediaOps, input: { clips: StitchClip[]; output: StitchOutput }, outputPath: string, options: StitchOptions = {}): Promise<StitchReport> {
  const { output } = input;
  const problems = stitchProblems(input.clips, output);
  if (problems.length) throw new UserError('The episode cannot be stitched:', problems);
  const target = path.resolve(outputPath);
  const { signal, log } = options;
  await mkdir(path.dirname(target), { recursive: true });
  await removeStalePartials(path.dirname(target));

  const probes = await Promise.all(input.clips.map((clip, i) => probeClip(media, clip.path, i, signal)));
  const clips: PieceClip[] = input.clips.map((clip, i) => ({ path: path.resolve(clip.path), probe: probes[i]!, useAudio: clip.hasAudio && probes[i]!.hasAudio }));
  const timeline = planTimeline(input.clips, output.fps);
  const segments = videoSegments(timeline);
  const video = output.video ?? softwareVideo(output.codec ?? 'h264');
  const notCopiedBecause = whyNotStreamCopy(timeline, probes, { ...output, codec: video.codec });
  const copyVideo = notCopiedBecause === null;
  const copyAll = copyVideo && output.loudness === null && soundCopyable(clips);

  const temp = tempPathBeside(target);
  // Its own hidden partial name (shortened like the temp file's), so it also fits in 255 bytes.
  const work = tempPathBeside(path.join(path.dirname(target), `${path.parse(target).name}.pieces`));
  const progress = new StitchProgress(copyVideo ? [] : segments, timeline.totalFrames, options.onProgress);
  // The first failure stops every other piece at once.
  const stop = new AbortController();
  const stopOnCancel = () => stop.abort(cancelledBy(signal));
  signal?.addEventListener('abort', stopOnCancel, { once: true });
  const job = { media, timeline, segments, clips, work, progress, stop, log };
  try {
    let sound: SoundMeasures = { measured: null, gainDb: null };
    if (copyAll) {
      // Nothing to change in picture or sound: one packet-for-packet join straight into place.
      await media.concatCopy(
        { parts: clips.map((clip) => clip.path), partSeconds: clipSeconds(timeline), output: { path: temp, container: 'mp4', faststart: true }, expectedSeconds: timeline.seconds },
        { signal: stop.signal, log },
      );
    } else {
      sound = await pictureAndSound(job, copyVideo ? null : pieceOutput(output, video), output.loudness, temp);
    }
    const durationSeconds = await verifyStitched(media, temp, timeline, { signal: stop.signal, log });
    await rename(temp, target);
    progress.done();
    return {
      path: target,
      durationSeconds,
      method: copyVideo ? 'stream-copy' : 'pieces',
      soundCopied: copyAll,
      notCopiedBecause,
      encoder: copyVideo ? `${probes[0]!.videoCodec} (copied)` : video.encoding.encoder,
      encoderReason: copyVideo ? 'every clip already matches the output: no video was re-encoded' : video.reason,
      scaling: copyVideo ? null : video.scaling,
      scalingReason: copyVideo ? null : video.scalingReason,
      pieces: copyVideo ? clips.length : segments.length,
      loudness: output.loudness === null ? null : { target: output.loudness, ...sound },
    };
  } catch (error) {
    stop.abort(error);
    // Pieces fail in many ways once a cancel stops them; the user asked for the cancel.
    throw signal?.aborted ? cancelledBy(signal) : error;
  } finally {
    signal?.removeEventListener('abort', stopOnCancel);
    await rm(work, { recursive: true, force: true }).catch(() => undefined);
    await rm(temp, { force: true }).catch(() => undefined);
  }
}

interface StitchJob {
  media: MediaOps;
  timeline: Timeline;
  segments: VideoSegment[];
  clips: PieceClip[];
  work: string;
  progress: StitchProgress;
  stop: AbortController;
  log?: (line: string) => void;
}

interface SoundMeasures {
  measured: number | null;
  gainDb: number | null;
}

/**
 * The pictures (the clips copied when `pieces` is null, else made piece by piece) and the
 * sound, made at the same time: the sound's short jobs go ahead of the pictures' in the
 * workers' queue. Then one join of the pictures and one mux into `temp`.
 */
async function pictureAndSound(job: StitchJob, pieces: PieceOutput | null, loudness: number | null, temp: string): Promise<SoundMeasures> {
  const { media, timeline, clips, work, stop, log } = job;
  await mkdir(work, { recursive: true });
  const [parts, sound] = await Promise.all([
    pieces === null ? clips.map((clip) => clip.path) : makeVideoPieces(media, job.segments, clips, pieces, work, job.progress, stop, log),
    makeSound(media, timeline, clips, loudness, work, job.progress, stop, log),
  ]);
  // The clips' own sound may differ (some have none): only their pictures are joined; the sound is made from the timeline.
  const videoFile = path.join(work, 'video.mp4');
  const partSeconds = pieces === null ? clipSeconds(timeline) : undefined;
  await media.concatCopy({ parts, videoOnly: true, partSeconds, output: { path: videoFile, container: 'mp4' }, expectedSeconds: timeline.seconds }, { signal: stop.signal, log });
  job.progress.videoJoined();
  await media.mux({ video: videoFile, audio: sound.file, output: { path: temp, faststart: true }, expectedSeconds: timeline.seconds }, { signal: stop.signal, log });
  return { measured: sound.measured, gainDb: sound.gainDb };
}

function cancelledBy(signal: AbortSignal | undefined): CancelledError {
  const reason: unknown = signal?.reason;
  return reason instanceof CancelledError ? reason : new CancelledError('stitch cancelled');
}

/** Each clip's length on the timeline, in seconds of whole frames. */
function clipSeconds(timeline: Timeline): number[] {
  return timeline.clipFrames.map((frames) => frames / timeline.fps);
}

function pieceOutput(output: StitchOutput, video: StitchVideoSettings): PieceOutput {
  return {
    width: output.width,
    height: output.height,
    fps: output.fps,
    encoding: { ...video.encoding, fps: output.fps },
    encoderTail: video.encoderTail,
    ...(video.hardware ? { hardware: video.hardware } : {}),
    scaling: video.scaling,
  };
}

/** Sound can be joined without decoding when every clip has the same AAC 48 kHz stereo track. */
function soundCopyable(clips: readonly PieceClip[]): boolean {
  return clips.every((clip) => clip.useAudio && clip.probe.audioCodec === 'aac' && clip.probe.audioSampleRate === 48_000 && clip.probe.audioChannels === 2);
}

async function probeClip(media: MediaOps, file: string, index: number, signal: AbortSignal | undefined): Promise<MediaProbe> {
  try {
    return await media.probe(path.resolve(file), { signal });
  } catch (error) {
    if (error instanceof NotPlayableError) throw new UserError(`clip ${index + 1} cannot be stitched: ${error.message}`);
    throw error;
  }
}

function pieceName(kind: 'v' | 'a', index: number, ext: string): string {
  return `${kind}${String(index).padStart(5, '0')}.${ext}`;
}

async function makeVideoPieces(media: MediaOps, segments: VideoSegment[], clips: PieceClip[], output: PieceOutput, work: string, progress: StitchProgress, stop: AbortController, log?: (line: string) => void): Promise<string[]> {
  return Promise.all(
    segments.map(async (segment, i) => {
      const file = path.join(work, pieceName('v', i, 'mp4'));
      const job = segmentVideoJob(segment, clips[segment.clip]!, clips[segment.clip + 1], output, file);
      await guarded(stop, () => media.runGraph(job, { signal: stop.signal, log, onProgress: (p) => progress.piece(i, p.fraction) }));
      progress.piece(i, 1);
      return file;
    }),
  );
}

async function makeSound(
  media: MediaOps,
  timeline: Timeline,
  clips: PieceClip[],
  loudness: number | null,
  work: string,
  progress: StitchProgress,
  stop: AbortController,
  log?: (line: string) => void,
): Promise<{ file: string; measured: number | null; gainDb: number | null }> {
  const parts = await Promise.all(
    timeline.pieces.map(async (piece, i) => {
      const file = path.join(work, pieceName('a', i, 'wav'));
      const job = piece.kind === 'body' ? bodyAudioJob(timeline, piece, clips[piece.clip]!, file) : transitionAudioJob(timeline, piece, clips[piece.clip]!, clips[piece.clip + 1]!, file);
      await guarded(stop, () => media.runGraph(job, { signal: stop.signal, log, urgent: true }));
      return file;
    }),
  );
  const joined = path.join(work, 'sound.wav');
  await guarded(stop, () => media.concatCopy({ parts, output: { path: joined, container: 'wav' }, expectedSeconds: timeline.seconds }, { signal: stop.signal, log, urgent: true }));

  let measured: number | null = null;
  let gainDb: number | null = null;
  if (loudness !== null) {
    const measureFile = path.join(work, 'loudness.txt');
    await guarded(stop, () => media.runGraph(loudnessMeasureJob(joined, measureFile, timeline.seconds), { signal: stop.signal, log, urgent: true }));
    measured = parseIntegratedLoudness(await readFile(measureFile, 'utf8').catch(() => ''));
    // Silence stays silence: no gain can bring it to a target.
    gainDb = measured === null ? null : loudness - measured;
  }
  progress.soundMeasured();
  const file = path.join(work, 'sound.m4a');
  await guarded(stop, () => media.runGraph(loudnessApplyJob(joined, gainDb, file, timeline.seconds), { signal: stop.signal, log, urgent: true }));
  progress.soundEncoded();
  return { file, measured, gainDb };
}

/** Runs one piece; the first failure aborts the others so the stitch fails fast. */
async function guarded<T>(stop: AbortController, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (!stop.signal.aborted) stop.abort(error);
    throw stop.signal.reason instanceof Error && stop.signal.reason !== error ? stop.signal.reason : error;
  }
}
