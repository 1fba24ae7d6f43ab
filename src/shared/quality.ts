/**
 * The quality gate's vocabulary, shared by the gate (main), the store, reports and the
 * renderer: each check with what was measured, the limit it was held to and whether
 * it passed; the verdict; and what the pipeline does about a failed clip.
 */

export const GATE_CHECKS = [
  'decodes',
  'resolution',
  'aspect',
  'duration',
  'fps',
  'audio',
  'black',
  'freeze',
  'silence',
  'ai_score',
] as const;
export type GateCheckName = (typeof GATE_CHECKS)[number];

export interface GateCheck {
  name: GateCheckName;
  /** What was measured, as a number where there is one (seconds, a fraction, fps, a 0..1 score). */
  value: number | null;
  /** The same measurement for people: "1280x720", "4.96 s", "12 % black". */
  measured: string;
  /** What it was held to: "1280x720 or scalable to it", "at most 10 %". */
  limit: string;
  /** 'skipped' when the check could not run (no Gemini key, no audio asked for); never a silent pass. */
  outcome: 'pass' | 'fail' | 'skipped';
  /** One line a filmmaker can read: why it failed, or why it was skipped. */
  detail: string;
}

/**
 * pass: keep the clip. retry_same_engine: the engine can do better (a new seed fixes a
 * black or frozen clip). escalate: the engine made the wrong thing (size, length, an
 * off-prompt clip); try the next engine in the chain.
 */
export type GateDecision = 'pass' | 'retry_same_engine' | 'escalate';

export interface GateVerdict {
  decision: GateDecision;
  checks: GateCheck[];
  /**
   * 0..1: how good the clip is, for the router's learning. The AI score when there is
   * one, else 1 for a clip that passed every check and 0 for one that did not.
   */
  qualityScore: number;
  /** Readable lines for the checks that failed (empty on pass). */
  problems: string[];
  /** The clip's average colour on the 8-bit scale, for the episode's consistency check; absent when not measured. */
  colour?: { lumaMean: number; saturationMean: number; uMean: number; vMean: number } | null;
}

export type GateStrictness = 'preview' | 'final';
