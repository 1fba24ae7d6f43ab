/**
 * Pure: the verdict from the checks. A failure a new seed often fixes (black, frozen,
 * silent, corrupt) asks the same engine again; a failure that shows the engine made the
 * wrong thing (frame, length, frame rate, no sound, off-prompt) goes to the next engine.
 * When both kinds failed, the wrong thing wins: another seed would not fix the size.
 */
import type { GateCheck, GateCheckName, GateDecision, GateVerdict } from '../../../shared/quality';

export const RETRY_CHECKS: readonly GateCheckName[] = ['decodes', 'black', 'freeze', 'silence'];
export const ESCALATE_CHECKS: readonly GateCheckName[] = ['resolution', 'aspect', 'duration', 'fps', 'audio', 'ai_score'];

export function decide(checks: GateCheck[]): GateVerdict {
  const failed = checks.filter((c) => c.outcome === 'fail');
  let decision: GateDecision = 'pass';
  if (failed.some((c) => ESCALATE_CHECKS.includes(c.name))) decision = 'escalate';
  else if (failed.length > 0) decision = 'retry_same_engine';
  return { decision, checks, qualityScore: qualityScore(checks, decision), problems: failed.map(problemLine) };
}

/** The AI score when it ran, else 1 for a clip that passed and 0 for one that did not. */
export function qualityScore(checks: GateCheck[], decision: GateDecision): number {
  const ai = checks.find((c) => c.name === 'ai_score');
  if (ai && ai.outcome !== 'skipped' && ai.value !== null && Number.isFinite(ai.value)) return Math.min(1, Math.max(0, ai.value));
  return decision === 'pass' ? 1 : 0;
}

const LABELS: Record<GateCheckName, string> = {
  decodes: 'does not decode',
  resolution: 'frame size',
  aspect: 'aspect ratio',
  duration: 'duration',
  fps: 'frame rate',
  audio: 'audio',
  black: 'black picture',
  freeze: 'frozen picture',
  silence: 'silence',
  ai_score: 'AI score',
};

/** "frame size: 320x240 cannot be scaled to 1280x720 without distortion"; a decode failure speaks for itself. */
export function problemLine(failed: GateCheck): string {
  if (failed.name === 'decodes' && failed.detail) return failed.detail;
  return `${LABELS[failed.name]}: ${failed.detail || `${failed.measured} (${failed.limit})`}`;
}
