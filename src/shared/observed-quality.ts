/**
 * Observed quality: what the quality gate has said about an engine's clips for one kind
 * of shot, as a running mean that starts at the registry's judgement (the prior in
 * engines.json) and moves with every gated clip. Shared by the store (which keeps it),
 * the router (which ranks with it) and the engines table (which shows it).
 */
import type { ShotKind } from './domain';

/**
 * Weight of the newest clip's score in the mean. Scores are coarse (0 or 1 when there is
 * no AI score) and the gate has false alarms (a still shot read as frozen, a night scene
 * as black), so one take must not decide: with 0.1, one failed clip moves a 0.91 engine to
 * 0.82, about the gap between neighbours in the registry, and when the retry the policy
 * gives it on the same engine fails too it is at 0.74, below its rivals: an engine whose
 * clips keep failing is demoted within one shot's takes. The prior keeps 0.9^n of its
 * weight (59 % after 5 clips, 35 % after 10, 12 % after 20), so a few dozen clips of this
 * user's own outweigh the registry, and an engine that gets better recovers as fast. 0.2
 * let a single unlucky take drop the best engine for a kind below ones rated 0.15 worse.
 */
export const QUALITY_EWMA_ALPHA = 0.1;

export interface ObservedQuality {
  engineId: string;
  kind: ShotKind;
  /** The running mean, 0..1, prior included. */
  mean: number;
  /** Gated clips that went into it (one per attempt). */
  samples: number;
  /** The registry's quality for the kind when the first sample came; null for an engine it did not know. */
  prior: number | null;
  /** Epoch ms of the last sample. */
  updatedAt: number;
}

/** Observed quality by engine id, then shot kind: only pairs with at least one gated clip. */
export type ObservedQualityMap = ReadonlyMap<string, Partial<Record<ShotKind, ObservedQuality>>>;

/** The mean after one more score; `mean` null: the first score of an engine with no prior. */
export function nextMean(mean: number | null, score: number, alpha: number = QUALITY_EWMA_ALPHA): number {
  const s = clamp01(score);
  return mean === null ? s : clamp01(alpha * s + (1 - alpha) * mean);
}

/**
 * The observed mean against the registry's current judgement. The prior's share of the
 * mean after n samples is exactly (1 - alpha)^n, so a seed upgrade that re-rates an engine
 * shifts its observed mean by that share of the change instead of being ignored (or
 * throwing away the user's history).
 */
export function rebasedMean(observed: Pick<ObservedQuality, 'mean' | 'samples' | 'prior'>, currentPrior: number, alpha: number = QUALITY_EWMA_ALPHA): number {
  if (observed.prior === null || observed.prior === currentPrior) return observed.mean;
  return clamp01(observed.mean + (currentPrior - observed.prior) * (1 - alpha) ** observed.samples);
}

function clamp01(value: number): number {
  return Number.isNaN(value) ? 0 : value < 0 ? 0 : value > 1 ? 1 : value;
}
