/**
 * Soft ranking of the engines that passed the hard filters. Price and speed are scored
 * relative to the best candidate for the same shot (so "cheap" means cheap among what
 * can actually make it), softened so that a few cents or seconds apart stay close.
 */
import type { RenderMode } from '../../shared/domain';

export interface ScoreWeights {
  quality: number;
  price: number;
  speed: number;
  health: number;
}

/**
 * Preview is about cheap and fast; final is about the picture. Each row sums to 1.
 * Quality judgements of real engines sit within about 0.25 of each other while relative
 * price and speed span most of 0..1, so final mode gives price and speed little weight:
 * otherwise a cheaper, weaker model would outrank the best one for the shot.
 */
export const SCORE_WEIGHTS: Readonly<Record<RenderMode, ScoreWeights>> = {
  preview: { quality: 0.1, price: 0.45, speed: 0.35, health: 0.1 },
  final: { quality: 0.7, price: 0.05, speed: 0.05, health: 0.2 },
};

/**
 * Softening terms: a free engine against one at $0.05/s scores 0.5 on price, not 0;
 * a 2 s job against a 60 s one scores about 0.36 on speed, not 0.03.
 */
export const PRICE_SOFTENING_MICROS_PER_SECOND = 50_000;
export const SPEED_SOFTENING_MS = 30_000;

export interface ScoreInput {
  quality: number;
  micros: number;
  latencyMs: number;
  /** 0..1 observed reliability. */
  health: number;
}

/** Scores in 0..1, in input order, rounded to 4 decimals so equal inputs tie exactly. */
export function scoreCandidates(inputs: readonly ScoreInput[], mode: RenderMode, shotSeconds: number): number[] {
  let cheapest = Infinity;
  let fastest = Infinity;
  for (const input of inputs) {
    cheapest = Math.min(cheapest, input.micros);
    fastest = Math.min(fastest, input.latencyMs);
  }
  const priceSoft = PRICE_SOFTENING_MICROS_PER_SECOND * Math.max(1, shotSeconds);
  const w = SCORE_WEIGHTS[mode];
  return inputs.map((input) => {
    const price = (cheapest + priceSoft) / (input.micros + priceSoft);
    const speed = (fastest + SPEED_SOFTENING_MS) / (input.latencyMs + SPEED_SOFTENING_MS);
    const raw = w.quality * clamp01(input.quality) + w.price * price + w.speed * speed + w.health * clamp01(input.health);
    return Math.round(raw * 10_000) / 10_000;
  });
}

function clamp01(value: number): number {
  return value < 0 ? 0 : value > 1 ? 1 : value;
}
