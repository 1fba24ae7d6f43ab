/**
 * The junction rule, in one place: the storyboard validator and the stitcher both ask
 * it, so a storyboard that validates can always be stitched (a mismatch here is found
 * only after every shot was paid for). Pure: no Node imports.
 *
 * A transition into the next clip overlaps the two clips by its duration (a cut, or a
 * transition of zero seconds, overlaps by nothing). A clip carries its incoming overlap
 * at its start and its outgoing overlap at its end, and the two must fit in the clip.
 * The last clip has no outgoing transition, whatever it names.
 */

export interface JunctionTransition {
  readonly type: string;
  readonly duration: number;
}

export interface JunctionClip {
  /** Seconds of the clip; a clip whose duration is not a positive number is left to other checks. */
  readonly duration: number;
  /** Into the next clip; absent means a cut. */
  readonly transitionToNext?: JunctionTransition | undefined;
}

/** A clip whose incoming and outgoing transitions together are longer than the clip. */
export interface CrowdedClip {
  index: number;
  duration: number;
  /** Seconds taken by the transition from the previous clip (0 for the first clip or a cut). */
  incoming: number;
  /** Seconds taken by the transition into the next clip (0 for the last clip or a cut). */
  outgoing: number;
  total: number;
}

/** Durations are decimal seconds from YAML: allow float noise such as 0.1 + 0.2. */
const TOLERANCE_SECONDS = 1e-9;

/**
 * Seconds one transition overlaps its two clips: 0 for a cut whatever duration it names.
 * A negative or non-numeric duration counts as none; the schemas report it by itself.
 */
export function junctionOverlap(transition: JunctionTransition | undefined): number {
  if (!transition || transition.type === 'cut') return 0;
  return Number.isFinite(transition.duration) && transition.duration > 0 ? transition.duration : 0;
}

/** Overlap at each junction i, between clip i and clip i + 1 (one fewer than the clips). */
export function junctionOverlaps(clips: readonly JunctionClip[]): number[] {
  return clips.slice(0, -1).map((clip) => junctionOverlap(clip.transitionToNext));
}

/** Every clip whose transitions do not fit in it, in order; empty when all fit. */
export function crowdedClips(clips: readonly JunctionClip[]): CrowdedClip[] {
  const overlaps = junctionOverlaps(clips);
  const crowded: CrowdedClip[] = [];
  clips.forEach((clip, index) => {
    if (!(Number.isFinite(clip.duration) && clip.duration > 0)) return;
    const incoming = overlaps[index - 1] ?? 0;
    const outgoing = overlaps[index] ?? 0;
    const total = incoming + outgoing;
    if (total > clip.duration + TOLERANCE_SECONDS) crowded.push({ index, duration: clip.duration, incoming, outgoing, total });
  });
  return crowded;
}

/** Seconds for messages: at most three decimals, no trailing zeros (1.5, not 1.500). */
export function formatSeconds(seconds: number): string {
  return Number(seconds.toFixed(3)).toString();
}
