/**
 * Cross-shot consistency: what the episode-level checks take and what they flag. A flag
 * is advice for the filmmaker (and the pipeline's regenerate step), never a gate verdict.
 */

/**
 * A shot's average colour, 8-bit scale, as FFmpeg's signalstats reports it averaged over
 * the clip's frames: YAVG (luma 0..255), SATAVG (saturation 0..~181), UAVG and VAVG
 * (chroma, 128 = neutral; U above 128 is bluer, below yellower; V above 128 is redder,
 * below greener).
 */
export interface ClipColourStats {
  lumaMean: number;
  saturationMean: number;
  uMean: number;
  vMean: number;
}

/**
 * What to do about a flagged shot:
 * - regenerate: another take on the same engine is likely to land (a mild outlier).
 * - regenerate_with_reference: another take, anchored on a reference image (the
 *   character's sheet, or a frame of a shot that matches the episode).
 * - other_engine: this engine keeps drifting from the rest of the episode (the other
 *   shots came from a different engine and agree with each other).
 */
export type ConsistencyAction = 'regenerate' | 'regenerate_with_reference' | 'other_engine';

export interface ConsistencyFlag {
  shotId: string;
  kind: 'colour' | 'character';
  /** One line a filmmaker can read: "shot s04 is much darker than the episode (luma 38 vs median 112)". */
  reason: string;
  action: ConsistencyAction;
  /** What to do, concretely: which reference, which engine. */
  suggestion: string;
  /** For character flags: the character compared. */
  characterId?: string;
  /** For colour flags: a shot that matches the episode well (a reference candidate). */
  referenceShotId?: string;
}

/** One shot for the colour check. */
export interface ShotColour {
  shotId: string;
  stats: ClipColourStats;
  /** The storyboard's shot kind; 'stylized' shots are judged leniently (see colour.ts). */
  kind?: string;
  /** The engine that made the clip, when known (to suggest another engine). */
  engineId?: string;
}
