/**
 * Pure builder of the stitcher's filter_complex: every clip normalised to the output
 * format, joined by cuts (concat) or transitions (xfade + acrossfade), then loudness
 * normalised. Input i of the graph is the i-th clip (`-i` argument i).
 */
import { TRANSITION_TYPES, type TransitionType } from '../../shared/domain';
import { crowdedClips, formatSeconds, junctionOverlaps as overlapsOfJunctions, type JunctionClip } from '../../shared/junctions';
import { chain, filter } from './filtergraph';

export interface StitchTransition {
  type: TransitionType;
  duration: number;
}

export interface StitchClip {
  path: string;
  /** Seconds of this clip to use; the clip is trimmed (or its last frame held) to this. */
  durationSeconds: number;
  hasAudio: boolean;
  /** Into the next clip; ignored on the last clip. */
  transitionToNext: StitchTransition;
}

export interface StitchOutput {
  width: number;
  height: number;
  fps: number;
  /** Integrated loudness target in LUFS. */
  loudness: number;
}

export interface StitchGraph {
  filterComplex: string;
  videoLabel: string;
  audioLabel: string;
  expectedSeconds: number;
  /** Per junction i (between clip i and i+1): xfade offset in seconds, or null for a cut. */
  offsets: (number | null)[];
}

type Timed = Pick<StitchClip, 'durationSeconds' | 'transitionToNext'>;

const SAMPLE_RATE = 48_000;
const AUDIO_FORMAT = filter('aformat', { sample_fmts: 'fltp', sample_rates: SAMPLE_RATE, channel_layouts: 'stereo' });

/** Seconds two neighbours overlap at each junction: 0 for a cut (whatever its duration). */
export function junctionOverlaps(clips: readonly Timed[]): number[] {
  return overlapsOfJunctions(clips.map(asJunctionClip));
}

function asJunctionClip(clip: Timed): JunctionClip {
  return { duration: clip.durationSeconds, transitionToNext: clip.transitionToNext };
}

/** Length of the stitched episode: all durations minus all transition overlaps. */
export function expectedEpisodeSeconds(clips: readonly Timed[]): number {
  const total = clips.reduce((sum, clip) => sum + clip.durationSeconds, 0);
  return round6(total - junctionOverlaps(clips).reduce((sum, overlap) => sum + overlap, 0));
}

/** Every reason the input cannot be stitched, one line each naming the clip; empty when fine. */
export function stitchProblems(clips: readonly Timed[], output: StitchOutput): string[] {
  const problems: string[] = [];
  if (clips.length === 0) problems.push('clips: at least one clip is needed');
  const evenSize = (n: number) => Number.isInteger(n) && n >= 16 && n % 2 === 0;
  if (!evenSize(output.width) || !evenSize(output.height)) {
    problems.push(`output: frame size ${output.width}x${output.height} must be even whole numbers of at least 16`);
  }
  if (!(output.fps > 0 && output.fps <= 240)) problems.push(`output.fps: ${output.fps} must be between 0 and 240`);
  if (!(output.loudness >= -70 && output.loudness <= -5)) problems.push(`output.loudness: ${output.loudness} must be between -70 and -5 LUFS`);

  // The storyboard validator asks the same rule, so a validated storyboard never fails here.
  const crowded = new Map(crowdedClips(clips.map(asJunctionClip)).map((clip) => [clip.index, clip]));
  clips.forEach((clip, i) => {
    const name = `clip ${i + 1}`;
    if (!(Number.isFinite(clip.durationSeconds) && clip.durationSeconds > 0)) {
      problems.push(`${name}: duration ${clip.durationSeconds} must be a positive number of seconds`);
      return;
    }
    const transition = clip.transitionToNext;
    if (i < clips.length - 1) {
      if (!TRANSITION_TYPES.includes(transition.type)) problems.push(`${name}: unknown transition "${String(transition.type)}"`);
      if (!(Number.isFinite(transition.duration) && transition.duration >= 0)) {
        problems.push(`${name}: transition duration ${transition.duration} must be zero or more seconds`);
      }
    }
    const tooMuch = crowded.get(i);
    if (tooMuch) problems.push(`${name}: transitions take ${formatSeconds(tooMuch.total)} s but the clip is only ${formatSeconds(tooMuch.duration)} s long`);
  });
  return problems;
}

export function buildStitchGraph(clips: readonly StitchClip[], output: StitchOutput): StitchGraph {
  const problems = stitchProblems(clips, output);
  if (problems.length) throw new RangeError(`cannot stitch:\n${problems.map((p) => `  - ${p}`).join('\n')}`);

  const parts: string[] = [];
  clips.forEach((clip, i) => {
    parts.push(chain([`${i}:v`], videoSegment(clip.durationSeconds, output), [`v${i}`]));
    parts.push(audioSegment(i, clip));
  });

  const overlaps = junctionOverlaps(clips);
  const offsets: (number | null)[] = [];
  let video = 'v0';
  let audio = 'a0';
  let length = clips[0]?.durationSeconds ?? 0;
  for (let i = 1; i < clips.length; i++) {
    const overlap = overlaps[i - 1] ?? 0;
    const transition = clips[i - 1]?.transitionToNext;
    const nextVideo = `vj${i}`;
    const nextAudio = `aj${i}`;
    if (!transition || overlap === 0) {
      parts.push(chain([video, `v${i}`], [filter('concat', { n: 2, v: 1, a: 0 })], [nextVideo]));
      parts.push(chain([audio, `a${i}`], [filter('concat', { n: 2, v: 0, a: 1 })], [nextAudio]));
      offsets.push(null);
    } else {
      const offset = round6(length - overlap);
      parts.push(chain([video, `v${i}`], [filter('xfade', { transition: transition.type, duration: overlap, offset })], [nextVideo]));
      parts.push(chain([audio, `a${i}`], [filter('acrossfade', { duration: overlap })], [nextAudio]));
      offsets.push(offset);
    }
    length = round6(length + (clips[i]?.durationSeconds ?? 0) - overlap);
    video = nextVideo;
    audio = nextAudio;
  }

  parts.push(chain([video], ['null'], ['vout']));
  parts.push(chain([audio], [filter('loudnorm', { I: output.loudness, TP: -1.5, LRA: 11 }), filter('aresample', { osr: SAMPLE_RATE }), AUDIO_FORMAT], ['aout']));
  return { filterComplex: parts.join(';'), videoLabel: 'vout', audioLabel: 'aout', expectedSeconds: length, offsets };
}

/**
 * Scale to fit and pad (keeping aspect), square pixels, constant frame rate, then
 * exactly `duration` seconds: a clip a few frames short gets its last frame held so
 * the transition offsets downstream stay exact. All segments share the AV time base
 * because xfade refuses inputs whose time bases differ, and concat emits AVTB.
 */
function videoSegment(duration: number, output: StitchOutput): string[] {
  const { width, height, fps } = output;
  return [
    filter('setpts', { expr: 'PTS-STARTPTS' }),
    filter('scale', { w: width, h: height, force_original_aspect_ratio: 'decrease', force_divisible_by: 2 }),
    filter('pad', { w: width, h: height, x: '(ow-iw)/2', y: '(oh-ih)/2', color: 'black' }),
    filter('setsar', { sar: 1 }),
    filter('fps', { fps }),
    filter('format', { pix_fmts: 'yuv420p' }),
    filter('tpad', { stop_mode: 'clone', stop_duration: duration }),
    filter('trim', { duration }),
    filter('setpts', { expr: 'PTS-STARTPTS' }),
    filter('settb', { expr: 'AVTB' }),
  ];
}

/** Clip audio, padded with silence to the clip's length, or generated silence: every segment has audio. */
function audioSegment(index: number, clip: StitchClip): string {
  const duration = clip.durationSeconds;
  if (!clip.hasAudio) {
    return chain([], [filter('anullsrc', { sample_rate: SAMPLE_RATE, channel_layout: 'stereo' }), AUDIO_FORMAT, filter('atrim', { duration })], [`a${index}`]);
  }
  return chain(
    [`${index}:a`],
    [
      filter('asetpts', { expr: 'PTS-STARTPTS' }),
      filter('aresample', { osr: SAMPLE_RATE }),
      AUDIO_FORMAT,
      filter('apad'),
      filter('atrim', { duration }),
      filter('asetpts', { expr: 'PTS-STARTPTS' }),
    ],
    [`a${index}`],
  );
}

function round6(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}
