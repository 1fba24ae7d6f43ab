/**
 * Pure builders of the stitcher's jobs: a video segment per clip (its body and the
 * transition out of it; each clip's picture made as picture.ts says), sound per piece (a
 * body, a transition: 48 kHz stereo, silence where a clip has no sound), and the two
 * loudness passes. Every filter string is built with filtergraph.ts, which escapes values.
 */
import { chain, filter } from '../filtergraph';
import type { AudioEncoding, GraphJob, HardwareDevice, MediaInput, MediaProbe, VideoEncoding } from '../backend/types';
import { LEAD_SECONDS, normalisedVideo, type EpisodeFrame } from './picture';
import { clipSamples, SAMPLE_RATE, type BodyPiece, type Timeline, type TransitionPiece, type VideoSegment } from './timeline';

export interface PieceClip {
  path: string;
  probe: MediaProbe;
  /** False when the shot asked for no sound or the file has none: silence is generated. */
  useAudio: boolean;
}

export interface PieceOutput extends EpisodeFrame {
  encoding: VideoEncoding;
  /** Filters a hardware encoder needs at the end of the graph (format=nv12,hwupload); empty for CPU encoders. */
  encoderTail: string[];
  /** The device the job opens (the encoder's, or Vulkan for libplacebo). */
  hardware?: HardwareDevice;
}

const PCM: AudioEncoding = { encoder: 'pcm_s16le', sampleRate: SAMPLE_RATE, channels: 2 };
const FLOAT_STEREO = filter('aformat', { sample_fmts: 'fltp', sample_rates: SAMPLE_RATE, channel_layouts: 'stereo' });
const S16_STEREO = filter('aformat', { sample_fmts: 's16', sample_rates: SAMPLE_RATE, channel_layouts: 'stereo' });

function encoderReady(output: PieceOutput): string[] {
  return output.encoderTail.length ? output.encoderTail : [filter('format', { pix_fmts: 'yuv420p' })];
}

/** Clip audio (or silence) as exactly `to - from` samples of 48 kHz stereo, starting at clip sample `from`. */
function clipAudio(input: number, clip: PieceClip, from: number, to: number, label: string): string {
  if (!clip.useAudio) {
    return chain([], [filter('anullsrc', { sample_rate: SAMPLE_RATE, channel_layout: 'stereo' }), FLOAT_STEREO, filter('atrim', { end_sample: to - from })], [label]);
  }
  return chain(
    [`${input}:a`],
    [
      // first_pts=0 keeps a late-starting track in place, filling the gap with silence.
      filter('aresample', { osr: SAMPLE_RATE, async: 1, first_pts: 0 }),
      FLOAT_STEREO,
      'apad',
      filter('atrim', { start_sample: from, end_sample: to }),
      filter('asetpts', { expr: 'PTS-STARTPTS' }),
    ],
    [label],
  );
}

/**
 * A clip from `fromFrame` to `toFrame`; with a blend, its last frames crossfade (xfade)
 * into the next clip's first, which are read and decoded only that far. Only the
 * blended frames go through xfade (it copies every frame it passes on: 0.1 s for a 4 s
 * segment, measured); the frames before it are joined to the blend by concat.
 */
export function segmentVideoJob(segment: VideoSegment, clip: PieceClip, next: PieceClip | undefined, output: PieceOutput, outPath: string): GraphJob {
  const frames = segment.toFrame - segment.fromFrame;
  const seconds = frames / output.fps;
  const own = readUpTo(clip.path, segment.toFrame / output.fps);
  const clipVideo = normalisedVideo(clip.probe, output, segment.fromFrame, segment.toFrame);
  if (!segment.blend || !next) {
    return videoJob([own], chain(['0:v'], [...clipVideo, ...encoderReady(output)], ['v']), output, outPath, seconds);
  }
  const blend = segment.blend.frames;
  const unblended = frames - blend;
  const ending =
    unblended > 0
      ? [
          chain(['0:v'], [...clipVideo, 'split'], ['whole', 'ending']),
          chain(['whole'], [filter('trim', { end_frame: unblended })], ['before']),
          chain(['ending'], [filter('trim', { start_frame: unblended }), filter('setpts', { expr: 'PTS-STARTPTS' })], ['out']),
        ]
      : [chain(['0:v'], clipVideo, ['out'])];
  const graph = [
    ...ending,
    chain(['1:v'], normalisedVideo(next.probe, output, 0, blend), ['in']),
    chain(
      ['out', 'in'],
      [
        filter('xfade', { transition: segment.blend.type, duration: blend / output.fps, offset: 0 }),
        // xfade may end a frame early or late at odd rates: the blend is exactly `blend` frames long.
        filter('tpad', { stop_mode: 'clone', stop: 2 }),
        filter('trim', { end_frame: blend }),
      ],
      ['blended'],
    ),
    unblended > 0 ? chain(['before', 'blended'], [filter('concat', { n: 2, v: 1, a: 0 }), ...encoderReady(output)], ['v']) : chain(['blended'], encoderReady(output), ['v']),
  ].join(';');
  return videoJob([own, readUpTo(next.path, blend / output.fps)], graph, output, outPath, seconds);
}

/** An input read only as far as a piece needs (plus a margin): the rest of a long clip is never decoded. */
function readUpTo(path: string, seconds: number): MediaInput {
  return { path, durationSeconds: seconds + LEAD_SECONDS * 2 };
}

function videoJob(inputs: MediaInput[], graph: string, output: PieceOutput, outPath: string, seconds: number): GraphJob {
  return {
    inputs,
    graph,
    video: { label: 'v', encoding: output.encoding },
    output: { path: outPath, container: 'mp4' },
    ...(output.hardware ? { hardware: output.hardware } : {}),
    expectedSeconds: seconds,
  };
}

export function bodyAudioJob(timeline: Timeline, piece: BodyPiece, clip: PieceClip, outPath: string): GraphJob {
  const { from, to } = clipSamples(timeline, piece.clip, piece.start, piece.end);
  const graph = [clipAudio(0, clip, from, to, 'clip'), chain(['clip'], [S16_STEREO], ['a'])].join(';');
  return audioJob(clip.useAudio ? [clip.path] : [], graph, outPath, (to - from) / SAMPLE_RATE);
}

/** The two clips' sound over the overlap, crossfaded sample for sample (equal-power curves keep the level steady). */
export function transitionAudioJob(timeline: Timeline, piece: TransitionPiece, outgoing: PieceClip, incoming: PieceClip, outPath: string): GraphJob {
  const out = clipSamples(timeline, piece.clip, piece.start, piece.end);
  const inc = clipSamples(timeline, piece.clip + 1, piece.start, piece.end);
  const samples = out.to - out.from;
  const paths = [outgoing, incoming].filter((clip) => clip.useAudio).map((clip) => clip.path);
  // Inputs are numbered among the clips that are read; a silent clip has no input.
  const outIndex = 0;
  const incIndex = outgoing.useAudio ? 1 : 0;
  const graph = [
    clipAudio(outIndex, outgoing, out.from, out.to, 'aout'),
    clipAudio(incIndex, incoming, inc.from, inc.to, 'ain'),
    chain(['aout', 'ain'], [filter('acrossfade', { ns: samples, c1: 'qsin', c2: 'qsin' }), filter('atrim', { end_sample: samples }), S16_STEREO], ['a']),
  ].join(';');
  return audioJob(paths, graph, outPath, samples / SAMPLE_RATE);
}

function audioJob(paths: string[], graph: string, outPath: string, seconds: number): GraphJob {
  return {
    inputs: paths.map((path) => ({ path })),
    graph,
    audio: { label: 'a', encoding: PCM },
    output: { path: outPath, container: 'wav' },
    expectedSeconds: seconds,
  };
}

/** Pass one of the loudness normalisation: EBU R128 integrated loudness of the whole episode, written to `measureFile`. */
export function loudnessMeasureJob(audioPath: string, measureFile: string, seconds: number): GraphJob {
  return {
    inputs: [{ path: audioPath }],
    graph: chain(['0:a'], [filter('ebur128', { metadata: 1 }), filter('ametadata', { mode: 'print', key: 'lavfi.r128.I', file: measureFile })], ['m']),
    discard: ['m'],
    output: { path: '-', container: 'null' },
    expectedSeconds: seconds,
  };
}

/** The integrated loudness from pass one's file: the last value ebur128 printed, or null for silence. */
export function parseIntegratedLoudness(printed: string): number | null {
  const values = [...printed.matchAll(/lavfi\.r128\.I=(-?[\d.]+|-?inf|nan)/g)].map((m) => Number.parseFloat(m[1]!));
  const last = values.at(-1);
  return last !== undefined && Number.isFinite(last) && last > -70 ? last : null;
}

/** Peak ceiling after the gain: -1 dBFS, the usual delivery limit. */
export const PEAK_CEILING_DB = -1;

/**
 * Pass two: one linear gain to the target (dynamics untouched, unlike a single-pass
 * loudnorm), a limiter that only catches peaks the gain pushed over the ceiling, then
 * the delivery encode.
 */
export function loudnessApplyJob(audioPath: string, gainDb: number | null, outPath: string, seconds: number): GraphJob {
  const shaping = gainDb === null ? [] : [filter('volume', { volume: `${gainDb.toFixed(3)}dB` }), filter('alimiter', { limit: 10 ** (PEAK_CEILING_DB / 20), level: 0, attack: 5, release: 50 })];
  return {
    inputs: [{ path: audioPath }],
    graph: chain(['0:a'], [...shaping, FLOAT_STEREO], ['a']),
    audio: { label: 'a', encoding: { encoder: 'aac', sampleRate: SAMPLE_RATE, channels: 2, bitrate: 192_000 } },
    output: { path: outPath, container: 'mp4' },
    expectedSeconds: seconds,
  };
}
