/** Gate verdicts for orchestration tests whose engines are scripted (the media gate has its own tests). */
import type { GateDecision, GateVerdict } from '../../src/shared/quality';

export function passVerdict(): GateVerdict {
  return { decision: 'pass', checks: [], qualityScore: 1, problems: [] };
}

export function failVerdict(problem: string, decision: Exclude<GateDecision, 'pass'> = 'retry_same_engine'): GateVerdict {
  return { decision, checks: [], qualityScore: 0, problems: [problem] };
}
