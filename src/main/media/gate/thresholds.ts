/**
 * The gate's limits, per strictness: previews are judged leniently (a cheap draft only
 * has to show the shot), finals strictly. Callers may override single values.
 */
import type { GateStrictness } from '../../../shared/quality';

export interface GateThresholds {
  /** Largest difference between the clip's and the shot's aspect ratio, as a fraction (0.01: 1 %). */
  aspectTolerance: number;
  /** Most a clip may be enlarged to fill the shot's frame (2: a 640x360 clip for a 1280x720 shot). */
  maxUpscale: number;
  /** Lowest average frame rate accepted. */
  minFps: number;
  /** Longest gap between two frames, in seconds, that normalisation to a constant rate hides. */
  maxFrameGapSeconds: number;
  /** Most of the clip that may be black, 0..1. */
  maxBlackFraction: number;
  /** Most of the clip that may be frozen (a still picture that is not black), 0..1. */
  maxFreezeFraction: number;
  /** Most of the audio that may be silence, 0..1 (when audio was asked for). */
  maxSilenceFraction: number;
  /** An audio track whose loudest sample is below this (dBFS) is silent. */
  silentTrackPeakDb: number;
  /** Lowest AI score (0..1) accepted; handed to the AI scorer (same as media/ai's AI_SCORE_THRESHOLDS). */
  minAiScore: number;
}

/** What the analysis pass treats as black, frozen and silent (fixed: the fractions above are what strictness changes). */
export const DETECTION = {
  /** blackdetect: a pixel darker than this (0..1 of the range) is black; a picture with 98 % black pixels is black. */
  blackPixel: 0.1,
  blackPicture: 0.98,
  /** Shortest black run counted, seconds. */
  blackMinSeconds: 0.1,
  /** freezedetect: noise tolerance (0.001 = -60 dB) and the shortest still run counted. */
  freezeNoise: 0.001,
  freezeMinSeconds: 0.5,
  /** silencedetect: quieter than this is silence, for at least this long. */
  silenceNoiseDb: -50,
  silenceMinSeconds: 0.5,
} as const;

export const DEFAULT_THRESHOLDS: Readonly<Record<GateStrictness, Readonly<GateThresholds>>> = {
  preview: {
    aspectTolerance: 0.01,
    maxUpscale: 4,
    minFps: 12,
    maxFrameGapSeconds: 0.5,
    maxBlackFraction: 0.5,
    maxFreezeFraction: 0.6,
    maxSilenceFraction: 0.9,
    silentTrackPeakDb: -60,
    minAiScore: 0.3,
  },
  final: {
    aspectTolerance: 0.01,
    maxUpscale: 2,
    minFps: 15,
    maxFrameGapSeconds: 0.25,
    maxBlackFraction: 0.2,
    maxFreezeFraction: 0.3,
    maxSilenceFraction: 0.6,
    silentTrackPeakDb: -60,
    minAiScore: 0.6,
  },
};

/** The strictness's defaults with the caller's overrides; an override that is not a finite number >= 0 is refused. */
export function thresholdsFor(strictness: GateStrictness, overrides: Partial<GateThresholds> = {}): GateThresholds {
  const merged: GateThresholds = { ...DEFAULT_THRESHOLDS[strictness] };
  for (const [key, value] of Object.entries(overrides) as [keyof GateThresholds, number | undefined][]) {
    if (value === undefined) continue;
    if (!(key in merged)) throw new RangeError(`unknown gate threshold "${key}"`);
    if (!Number.isFinite(value) || (key !== 'silentTrackPeakDb' && value < 0)) throw new RangeError(`gate threshold ${key} must be a finite number${key === 'silentTrackPeakDb' ? '' : ' >= 0'}, got ${value}`);
    merged[key] = value;
  }
  return merged;
}

/**
 * Engines round durations, and containers add a few ms of audio priming: a little
 * shorter is fine (max(0.25 s, 3 %)), and longer is fine up to 1 s + 10 % because the
 * stitcher trims; beyond that the engine made something else.
 */
export function durationBounds(expectedSeconds: number): { shortest: number; longest: number } {
  return {
    shortest: expectedSeconds - Math.max(0.25, expectedSeconds * 0.03),
    longest: expectedSeconds + 1 + expectedSeconds * 0.1,
  };
}
