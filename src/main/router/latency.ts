/**
 * How long an engine is expected to take for a clip: the observed mean once there is
 * one (it includes the provider's queue, which the spec cannot know), else the spec's
 * typical figures.
 */
import type { EngineHealth, EngineSpec } from '../../shared/domain';

export function engineExpectedLatencyMs(
  spec: Pick<EngineSpec, 'speed'>,
  health: Pick<EngineHealth, 'meanLatencyMs'> | undefined,
  durationSeconds: number,
): number {
  if (health?.meanLatencyMs != null) return Math.round(health.meanLatencyMs);
  return Math.round((spec.speed.baseSeconds + spec.speed.secondsPerVideoSecond * durationSeconds) * 1000);
}
