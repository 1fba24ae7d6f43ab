/**
 * What one attempt on an engine costs, in integer micro-dollars. The pipeline reserves
 * this amount before submitting; the router filters and scores with it.
 */
import type { EnginePrice, EngineSpec, Resolution } from '../../shared/domain';
import { costForSeconds, type Micros } from '../../shared/money';
import { audioFlag, generatedSeconds } from './fit';

export interface AttemptEstimate {
  microsPerSecond: Micros;
  /** Seconds the engine will generate (and bill): >= the shot's duration. */
  generatedSeconds: number;
  micros: Micros;
}

export interface AttemptShape {
  /** The shot's duration; the engine may generate a little more. */
  durationSeconds: number;
  resolution: Resolution;
  /** Whether the shot asks for audio. */
  audio: boolean;
}

export function estimateAttempt(spec: Pick<EngineSpec, 'id' | 'durations' | 'pricing' | 'audio'>, shape: AttemptShape): AttemptEstimate {
  const seconds = generatedSeconds(spec.durations, shape.durationSeconds);
  if (seconds === null) throw new RangeError(`engine ${spec.id} cannot generate a ${shape.durationSeconds} s clip`);
  const microsPerSecond = priceFor(spec.pricing, shape.resolution, audioFlag(spec, shape.audio));
  // costForSeconds(0, s) is -0 (ceil of a tiny negative); free must read as a plain 0.
  const micros = microsPerSecond === 0 ? 0 : costForSeconds(microsPerSecond, seconds);
  return { microsPerSecond, generatedSeconds: seconds, micros };
}

/**
 * The per-second price for a resolution and audio flag. Validated price lists always
 * have the exact row; should a row be missing, the most expensive plausible one is used
 * so a reservation errs on the side of holding too much.
 */
export function priceFor(pricing: readonly EnginePrice[], resolution: Resolution, audio: boolean): Micros {
  let sameResolution = -1;
  let highest = 0;
  for (const row of pricing) {
    if (row.resolution === resolution) {
      if (row.audio === audio) return row.microsPerSecond;
      sameResolution = Math.max(sameResolution, row.microsPerSecond);
    }
    highest = Math.max(highest, row.microsPerSecond);
  }
  return sameResolution >= 0 ? sameResolution : highest;
}
