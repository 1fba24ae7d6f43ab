/**
 * Pure builders of the stitcher's jobs: a video segment per clip (its body and the
 * transition out of it), sound per piece (a body, a transition), each normalising its
 * clips to the episode's format (rotation, size with padding and no distortion, square
 * pixels, BT.709 in TV range, constant frame rate, yuv420p; 48 kHz stereo, silence where
 * a clip has no sound), and the two loudness passes. Every filter string is
 * built with filtergraph.ts, which escapes values.
 */
import { chain, filter } from '../filtergraph';
import type { AudioEncoding, GraphJob, HardwareDevice, MediaInput, MediaProbe, VideoEncoding } from '../backend/types';
import { libplaceboScale } from '../encoders';
import { clipSamples, SAMPLE_RATE, type BodyPiece, type Timeline, type TransitionPiece, type VideoSegment } from './timeline';
import type { Scaling } from './video-settings';

export interface PieceClip {
  path: string;
  probe: MediaProbe;
  /** False when the shot asked for no sound or the file has none: silence is generated. */
  useAudio: boolean;
}

export interface PieceOutput {
  width: number;
  height: number;
  fps: number;
  encoding: VideoEncoding;
  /** Filters a hardware encoder needs at the end of the graph (format=nv12,hwupload); empty for CPU encoders. */
  encoderTail: string[];
  /** The device the job opens (the encoder's, or Vulkan for libplacebo). */
  hardware?: HardwareDevice;
  scaling: Scaling;
}

const PCM: AudioEncoding = { encoder: 'pcm_s16le', sampleRate: SAMPLE_RATE, channels: 2 };
const FLOAT_STEREO = filter('aformat', { sample_fmts: 'fltp', sample_rates: SAMPLE_RATE, channel_layouts: 'stereo' });
const S16_STEREO = filter('aformat', { sample_fmts: 's16', sample_rates: SAMPLE_RATE, channel_layouts: 'stereo' });

/** Seconds of picture kept before the first frame a piece needs: enough for the rate conversion to pick the same source frame. */
const LEAD_SECONDS = 0.5;

/**
 * Turns, scales and pads one input to the output frame at the output rate, holding the
 * last frame as long as needed. Frames well before the piece are dropped before the
 * scaler (the expensive part); the rate conversion still counts output frames from the
 * clip's start (start_time=0), so frame numbers, and so the cut, are the same as if
 * every frame had been converted.
 */
function normalisedVideo(input: number, probe: MediaProbe, output: PieceOutput, fromFrame: number, toFrame: number): string[] {
  const { width, height, fps } = output;
  const skip = fromFrame / fps - LEAD_SECONDS;
  return [
    filter('setpts', { expr: 'PTS-STARTPTS' }),
    ...(skip > 0 ? [filter('trim', { start: skip })] : []),
    ...rotation(probe.rotation),
    ...(output.scaling === 'libplacebo'
      ? libplaceboScale({ ...fittedSize(probe, output), colour: true })
      : [
          // Non-square pixels first become square, so "fit inside" keeps the real shape.
          ...(probe.sampleAspectRatio === '1:1' ? [] : [filter('scale', { w: 'trunc(iw*sar/2)*2', h: 'ih' })]),
          filter('scale', { w: width, h: height, force_original_aspect_ratio: 'decrease', force_divisible_by: 2, ...toBt709(probe) }),
          ...(isHdr(probe) ? HDR_TO_SDR : []),
        ]),
    filter('pad', { w: width, h: height, x: '(ow-iw)/2', y: '(oh-ih)/2', color: 'black' }),
    // Every piece says the same: the join keeps the first piece's header for the whole episode.
    filter('setparams', { colorspace: 'bt709', color_primaries: 'bt709', color_trc: 'bt709', range: 'tv' }),
    filter('setsar', { sar: 1 }),
    filter('fps', { fps, start_time: 0 }),
    filter('tpad', { stop_mode: 'clone', stop: toFrame + 1 }),
    filter('trim', { start_frame: fromFrame, end_frame: toFrame }),
    filter('setpts', { expr: 'PTS-STARTPTS' }),
  ];
}

/**
 * The clip's picture fitted inside the output frame without distortion, in even sizes:
 * its display shape is the coded size, widened by the sample aspect ratio, then turned.
 */
export function fittedSize(probe: Pick<MediaProbe, 'codedWidth' | 'codedHeight' | 'rotation' | 'sampleAspectRatio'>, frame: { width: number; height: number }): { width: number; height: number } {
  const [num, den] = probe.sampleAspectRatio.split(':').map(Number);
  const sar = num && den ? num / den : 1;
  const turned = probe.rotation === 90 || probe.rotation === 270;
  const aspect = turned ? probe.codedHeight / (probe.codedWidth * sar) : (probe.codedWidth * sar) / probe.codedHeight;
  const even = (value: number, limit: number) => Math.min(limit, Math.max(2, 2 * Math.round(value / 2)));
  return aspect >= frame.width / frame.height
    ? { width: frame.width, height: even(frame.width / aspect, frame.height) }
    : { width: even(frame.height * aspect, frame.width), height: frame.height };
}

/** PQ (HDR10) and HLG: SDR players show them dim and flat unless they are tone-mapped. */
export function isHdr(probe: Pick<MediaProbe, 'colourTransfer'>): boolean {
  return probe.colourTransfer === 'smpte2084' || probe.colourTransfer === 'arib-std-b67';
}

/**
 * HDR to BT.709 SDR on the CPU, with zimg: to linear light (100 nits as SDR white), to
 * BT.709 primaries, tone-mapped with Mobius (values inside SDR's range stay nearly as
 * they are, highlights are compressed), then BT.709's transfer and matrix in TV range.
 * libplacebo does the same on a GPU.
 */
const HDR_TO_SDR = [
  filter('zscale', { transfer: 'linear', npl: 100 }),
  filter('format', { pix_fmts: 'gbrpf32le' }),
  filter('zscale', { primaries: 'bt709' }),
  filter('tonemap', { tonemap: 'mobius', desat: 0 }),
  filter('zscale', { transfer: 'bt709', matrix: 'bt709', range: 'tv' }),
  filter('format', { pix_fmts: 'yuv420p' }),
];

const SWSCALE_MATRICES: Readonly<Record<string, string>> = { bt709: 'bt709', smpte170m: 'smpte170m', bt470bg: 'bt470', fcc: 'fcc', smpte240m: 'smpte240m', bt2020nc: 'bt2020', bt2020c: 'bt2020' };

/**
 * The clip's YUV matrix in swscale's words, so the scaler converts it to BT.709; an
 * untagged clip is read as players read it: BT.601 below 720 lines, BT.709 from there.
 */
export function swscaleMatrix(probe: Pick<MediaProbe, 'colourMatrix' | 'codedHeight'>): string {
  return (probe.colourMatrix && SWSCALE_MATRICES[probe.colourMatrix]) || (probe.codedHeight < 720 ? 'bt601' : 'bt709');
}

/**
 * swscale's options that bring the clip to BT.709 in TV range; none for a clip already
 * there, so the scaler passes a frame of the right size through untouched (any colour
 * option makes it convert every frame).
 */
function toBt709(probe: Pick<MediaProbe, 'colourMatrix' | 'colourRange' | 'colourTransfer' | 'codedHeight'>): Record<string, string> {
  // An HDR clip is scaled as it is and converted after (HDR_TO_SDR), at the output's size.
  if (isHdr(probe)) return {};
  const matrix = swscaleMatrix(probe);
  if (matrix === 'bt709' && probe.colourRange !== 'pc') return {};
  return { in_color_matrix: matrix, out_color_matrix: 'bt709', out_range: 'tv' };
}

function rotation(degrees: number): string[] {
  if (degrees === 90) return [filter('transpose', { dir: 'clock' })];
  if (degrees === 180) return ['hflip', 'vflip'];
  if (degrees === 270) return [filter('transpose', { dir: 'cclock' })];
  return [];
}

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
  const clipVideo = normalisedVideo(0, clip.probe, output, segment.fromFrame, segment.toFrame);
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
    chain(['1:v'], normalisedVideo(1, next.probe, output, 0, blend), ['in']),
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
