/**
 * What one attempt on an engine costs, in integer micro-dollars. The pipeline reserves
 * this amount before submitting; the router filters and scores with it.
 */
import type { EnginePrice, EngineSpec, Resolution } from '../../shared/domain';
import { costForSeconds, scaleMicros, toMicros, type Micros } from '../../shared/money';
import { audioFlag, durationsFor, generatedSeconds } from './fit';

export interface AttemptEstimate {
  microsPerSecond: Micros;
  /** Seconds the engine will generate (and bill): >= the shot's duration. */
  generatedSeconds: number;
  /** List price of those seconds. */
  priceMicros: Micros;
  /** What to reserve: the price corrected by what the engine has really been billing (never less than the price). */
  micros: Micros;
}

export interface AttemptShape {
  /** The shot's duration; the engine may generate a little more. */
  durationSeconds: number;
  resolution: Resolution;
  /** Whether the shot asks for audio. */
  audio: boolean;
  /** Whether the shot has a reference image (some engines then only make fixed durations). */
  withReference?: boolean;
}

export function estimateAttempt(spec: Pick<EngineSpec, 'id' | 'durations' | 'durationRules' | 'pricing' | 'audio'>, shape: AttemptShape, billingFactor = 1): AttemptEstimate {
  const seconds = generatedSeconds(durationsFor(spec, shape.resolution, shape.withReference ?? false), shape.durationSeconds);
  if (seconds === null) throw new RangeError(`engine ${spec.id} cannot generate a ${shape.durationSeconds} s clip`);
  const microsPerSecond = priceFor(spec.pricing, shape.resolution, audioFlag(spec, shape.audio));
  const priceMicros = costForSeconds(microsPerSecond, seconds);
  return { microsPerSecond, generatedSeconds: seconds, priceMicros, micros: billingFactor > 1 ? scaleMicros(priceMicros, billingFactor) : priceMicros };
}

/**
 * The per-second price for a resolution and audio flag. Validated price lists always
 * have the exact row; should a row be missing, the most expensive plausible one is used
 * so a reservation errs on the side of holding too much.
 */
export function priceFor(pricing: readonly EnginePrice[], resolution: Resolution, audio: boolean): Micros {
  let sameResolution: Micros | -1 = -1;
  let highest = toMicros(0);
  for (const row of pricing) {
    if (row.resolution === resolution) {
      if (row.audio === audio) return row.microsPerSecond;
      if (row.microsPerSecond > sameResolution) sameResolution = row.microsPerSecond;
    }
    if (row.microsPerSecond > highest) highest = row.microsPerSecond;
  }
  return sameResolution !== -1 ? sameResolution : highest;
}
