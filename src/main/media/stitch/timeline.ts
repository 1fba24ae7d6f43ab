/**
 * The episode's timeline in whole output frames and audio samples, so every piece the
 * stitcher makes has an exact length and sound stays in sync however many pieces there
 * are. Pure.
 *
 * Clip i lasts F_i frames; the transition into clip i+1 overlaps them by O_i frames. The
 * episode is cut into pieces: the body of each clip (what no transition touches) and one
 * piece per transition (the end of one clip blended with the start of the next). Sound is
 * made piece by piece; pictures a segment per clip (its body and the transition out of
 * it), because a clip can only be decoded from its keyframe: a transition made on its own
 * would decode its whole outgoing clip a second time.
 */
import { TRANSITION_TYPES, type TransitionType } from '../../../shared/domain';
import { crowdedClips, formatSeconds, junctionOverlaps, type JunctionClip } from '../../../shared/junctions';

export const SAMPLE_RATE = 48_000;

export interface StitchTransition {
  type: TransitionType;
  duration: number;
}

export interface TimelineClip {
  /** Seconds of this clip to use: trimmed, or its last frame held, to this. */
  durationSeconds: number;
  /** Into the next clip; ignored on the last clip. */
  transitionToNext: StitchTransition;
}

export interface BodyPiece {
  kind: 'body';
  clip: number;
  /** Clip-local frames [fromFrame, toFrame). */
  fromFrame: number;
  toFrame: number;
  /** Episode frames [start, end). */
  start: number;
  end: number;
}

export interface TransitionPiece {
  kind: 'transition';
  /** The clip that ends here; the next one (clip + 1) begins. */
  clip: number;
  type: TransitionType;
  /** Frames of overlap (the piece's length). */
  frames: number;
  /** Clip-local first frame of the ending clip used by the blend. */
  outgoingFromFrame: number;
  start: number;
  end: number;
}

export type Piece = BodyPiece | TransitionPiece;

/** One video job: clip frames [fromFrame, toFrame), its last `blend.frames` blended into the next clip's first. */
export interface VideoSegment {
  clip: number;
  fromFrame: number;
  toFrame: number;
  blend: { type: TransitionType; frames: number } | null;
  /** Episode frames [start, end). */
  start: number;
  end: number;
}

export interface Timeline {
  fps: number;
  /** Frames of each clip. */
  clipFrames: number[];
  /** Episode frame where each clip starts. */
  clipStarts: number[];
  pieces: Piece[];
  totalFrames: number;
  seconds: number;
}

type Timed = Pick<TimelineClip, 'durationSeconds' | 'transitionToNext'>;

export function planTimeline(clips: readonly Timed[], fps: number): Timeline {
  const clipFrames = clips.map((clip) => Math.max(1, Math.round(clip.durationSeconds * fps)));
  const overlapSeconds = junctionOverlaps(clips.map(asJunctionClip));
  // At least one frame for a real transition, never more than either neighbour can give.
  const overlaps = overlapSeconds.map((seconds, i) => (seconds > 0 ? Math.max(1, Math.round(seconds * fps)) : 0));
  for (let i = 0; i < clips.length; i++) {
    const incoming = overlaps[i - 1] ?? 0;
    const outgoing = overlaps[i] ?? 0;
    const frames = clipFrames[i]!;
    // Rounding can push a clip that fits in seconds over by a frame: take it from the outgoing side.
    if (incoming + outgoing > frames && i < overlaps.length) overlaps[i] = Math.max(0, frames - incoming);
  }

  const clipStarts: number[] = [];
  const pieces: Piece[] = [];
  let cursor = 0;
  clips.forEach((clip, i) => {
    const frames = clipFrames[i]!;
    const incoming = overlaps[i - 1] ?? 0;
    const outgoing = overlaps[i] ?? 0;
    clipStarts.push(cursor);
    const bodyFrames = frames - incoming - outgoing;
    if (bodyFrames > 0) {
      const start = cursor + incoming;
      pieces.push({ kind: 'body', clip: i, fromFrame: incoming, toFrame: frames - outgoing, start, end: start + bodyFrames });
    }
    if (outgoing > 0) {
      const start = cursor + frames - outgoing;
      pieces.push({ kind: 'transition', clip: i, type: clip.transitionToNext.type, frames: outgoing, outgoingFromFrame: frames - outgoing, start, end: start + outgoing });
    }
    cursor += frames - outgoing;
  });
  return { fps, clipFrames, clipStarts, pieces, totalFrames: cursor, seconds: cursor / fps };
}

/** The pieces of each clip as one segment; a clip wholly inside the transition into it has none. */
export function videoSegments(timeline: Timeline): VideoSegment[] {
  const segments: VideoSegment[] = [];
  for (const piece of timeline.pieces) {
    const last = segments.at(-1);
    if (piece.kind === 'transition' && last?.clip === piece.clip) {
      segments[segments.length - 1] = { ...last, toFrame: piece.outgoingFromFrame + piece.frames, blend: { type: piece.type, frames: piece.frames }, end: piece.end };
    } else if (piece.kind === 'transition') {
      segments.push({ clip: piece.clip, fromFrame: piece.outgoingFromFrame, toFrame: piece.outgoingFromFrame + piece.frames, blend: { type: piece.type, frames: piece.frames }, start: piece.start, end: piece.end });
    } else {
      segments.push({ clip: piece.clip, fromFrame: piece.fromFrame, toFrame: piece.toFrame, blend: null, start: piece.start, end: piece.end });
    }
  }
  return segments;
}

/** The audio sample at which episode frame `frame` begins: rounding per boundary, so nothing drifts. */
export function sampleAt(frame: number, fps: number): number {
  return Math.round((frame * SAMPLE_RATE) / fps);
}

/** Clip-local samples [from, to) that cover episode frames [start, end) of clip `clip`. */
export function clipSamples(timeline: Timeline, clip: number, start: number, end: number): { from: number; to: number } {
  const origin = sampleAt(timeline.clipStarts[clip]!, timeline.fps);
  return { from: sampleAt(start, timeline.fps) - origin, to: sampleAt(end, timeline.fps) - origin };
}

/** Length of the stitched episode in seconds, before rounding to frames: durations minus overlaps. */
export function expectedEpisodeSeconds(clips: readonly Timed[]): number {
  const total = clips.reduce((sum, clip) => sum + clip.durationSeconds, 0);
  const overlaps = junctionOverlaps(clips.map(asJunctionClip)).reduce((sum, overlap) => sum + overlap, 0);
  return Math.round((total - overlaps) * 1e6) / 1e6;
}

export interface OutputShape {
  width: number;
  height: number;
  fps: number;
  /** Integrated loudness target in LUFS, or null to leave the sound as it is. */
  loudness: number | null;
}

/** Every reason the input cannot be stitched, one line each naming the clip; empty when fine. */
export function stitchProblems(clips: readonly Timed[], output: OutputShape): string[] {
  const problems: string[] = [];
  if (clips.length === 0) problems.push('clips: at least one clip is needed');
  const evenSize = (n: number) => Number.isInteger(n) && n >= 16 && n % 2 === 0;
  if (!evenSize(output.width) || !evenSize(output.height)) problems.push(`output: frame size ${output.width}x${output.height} must be even whole numbers of at least 16`);
  if (!(output.fps > 0 && output.fps <= 240)) problems.push(`output.fps: ${output.fps} must be between 0 and 240`);
  if (output.loudness !== null && !(output.loudness >= -70 && output.loudness <= -5)) problems.push(`output.loudness: ${output.loudness} must be between -70 and -5 LUFS`);

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
      if (!(Number.isFinite(transition.duration) && transition.duration >= 0)) problems.push(`${name}: transition duration ${transition.duration} must be zero or more seconds`);
    }
    const tooMuch = crowded.get(i);
    if (tooMuch) problems.push(`${name}: transitions take ${formatSeconds(tooMuch.total)} s but the clip is only ${formatSeconds(tooMuch.duration)} s long`);
  });
  return problems;
}

function asJunctionClip(clip: Timed): JunctionClip {
  return { duration: clip.durationSeconds, transitionToNext: clip.transitionToNext };
}
