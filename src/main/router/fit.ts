/**
 * How a shot fits an engine's shape: which duration the engine generates, at which
 * resolution, with or without audio. Pure functions shared by filters, pricing and plan.
 */
import { resolutionRank, type Durations, type EngineSpec, type RenderMode, type Resolution } from '../../shared/domain';

/**
 * An engine may generate at most this many seconds more than the shot needs; the
 * stitcher trims the rest. Beyond it, the waste (and the paid seconds) is not worth it.
 */
export const DURATION_SLACK_SECONDS = 3;

/**
 * The durations an engine offers for a shot: the first duration rule that matches its
 * resolution and reference image, else the engine's own list (Veo on the Gemini API only
 * makes 1080p, 4K and image-to-video at 8 s, and bills 8 s for them).
 */
export function durationsFor(spec: Pick<EngineSpec, 'durations' | 'durationRules'>, resolution: Resolution | null, withReference: boolean): Durations {
  for (const rule of spec.durationRules ?? []) {
    const resolutionMatches = rule.resolutions === undefined || (resolution !== null && rule.resolutions.includes(resolution));
    const referenceMatches = rule.withReference === undefined || rule.withReference === withReference;
    if (resolutionMatches && referenceMatches) return rule.durations;
  }
  return spec.durations;
}

/**
 * Seconds the engine generates for a shot: the smallest allowed duration >= the shot's,
 * or null when there is none within the slack.
 */
export function generatedSeconds(durations: Durations, shotSeconds: number): number | null {
  const limit = shotSeconds + DURATION_SLACK_SECONDS;
  if (durations.kind === 'range') {
    const seconds = Math.max(durations.min, Math.ceil(shotSeconds - 1e-9));
    return seconds <= durations.max && seconds <= limit ? seconds : null;
  }
  let best: number | null = null;
  for (const value of durations.values) {
    if (value >= shotSeconds - 1e-9 && (best === null || value < best)) best = value;
  }
  return best !== null && best <= limit ? best : null;
}

/**
 * The resolution an engine renders at: the episode's output resolution in final mode
 * (null when the engine lacks it), and the engine's lowest one in preview mode, where
 * cheap and fast matters more than pixels (the stitcher scales).
 */
export function renderResolution(spec: Pick<EngineSpec, 'resolutions'>, mode: RenderMode, output: Resolution): Resolution | null {
  if (mode === 'final') return spec.resolutions.includes(output) ? output : null;
  let lowest: Resolution | null = null;
  for (const resolution of spec.resolutions) {
    if (lowest === null || resolutionRank(resolution) < resolutionRank(lowest)) lowest = resolution;
  }
  return lowest;
}

/** Whether the clip will carry audio (and be priced as such). */
export function audioFlag(spec: Pick<EngineSpec, 'audio'>, wantsAudio: boolean): boolean {
  return spec.audio === 'always' ? true : spec.audio === 'none' ? false : wantsAudio;
}

const described = new WeakMap<Durations, string>();

/** "4, 6, 8 s" or "2-10 s"; remembered per spec, as rejections quote it for shot after shot. */
export function describeDurations(durations: Durations): string {
  let text = described.get(durations);
  if (text === undefined) {
    text = durations.kind === 'range' ? `${durations.min}-${durations.max} s` : `${durations.values.join(', ')} s`;
    described.set(durations, text);
  }
  return text;
}
