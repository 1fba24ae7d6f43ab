/** An episode as the board follows it: its plan, shots, attempts, takes and progress events. */
import type { RenderMode } from '../domain';
import type { ErrorKind } from '../errors';
import type { GateCheck, GateDecision } from '../quality';

export interface CandidateView {
  engineId: string;
  score: number;
  estimatedMicros: number;
  durationSeconds: number;
  reason: string;
}

export interface RejectionView {
  engineId: string;
  reason: string;
}

export interface ShotPlanView {
  shotId: string;
  candidates: CandidateView[];
  rejections: RejectionView[];
}

export interface EpisodePlanView {
  title: string;
  mode: RenderMode;
  shots: ShotPlanView[];
  /** Cost if every shot succeeds on its first candidate. */
  estimatedMicros: number;
  budgetMicros: number | null;
}

export type ShotState = 'pending' | 'running' | 'accepted' | 'failed';

export interface AttemptView {
  attemptId: string;
  attemptNo: number;
  /** The run (render, regenerate, stitch) that made it; null for attempts from before runs were recorded. */
  runId: string | null;
  mode: RenderMode;
  engineId: string;
  status: string;
  providerJobId: string | null;
  errorKind: ErrorKind | null;
  errorMessage: string | null;
  estimatedMicros: number;
  actualMicros: number | null;
  clipPath: string | null;
  clipSha256: string | null;
  /** The quality gate's verdict on the attempt's clip; null when it was never gated (no clip, or not yet). */
  gate: AttemptGateView | null;
}

/** What the gate said about one clip, for the report and the desktop. */
export interface AttemptGateView {
  decision: GateDecision;
  /** 0..1: what the router learned from this clip. */
  qualityScore: number;
  /** Readable lines for the checks that failed. */
  problems: string[];
  /** Every check in the gate's order: name, measured, limit, outcome (pass/fail/skipped), detail. */
  checks: GateCheck[];
}

export interface ShotView {
  shotId: string;
  status: ShotState;
  /** The engine of the selected take; null while the shot has none. */
  engineId: string | null;
  failureReason: string | null;
  attempts: AttemptView[];
  /** The shot's version now: every edit of what it shows adds one. */
  version: number;
  /** Approved for final: `render --mode final --approved` makes its final take. */
  approved: boolean;
  /** The selected ("circled") take, which stitches use; null while there is none. */
  selectedTakeId: string | null;
  /** Who chose it: 'user' when the filmmaker circled it. */
  selectedBy: 'auto' | 'user' | null;
  /** Every accepted clip of the shot, oldest first. */
  takes: TakeView[];
}

/** One take: a clip the gate accepted, with what made it. */
export interface TakeView {
  /** 1, 2, 3... within the shot, in the order they were accepted. */
  takeNo: number;
  attemptId: string;
  mode: RenderMode;
  engineId: string;
  /** The provider's model name, as the registry knows it (null for an engine no longer known). */
  model: string | null;
  prompt: string;
  negativePrompt: string | null;
  seed: number | null;
  /** Seconds generated, resolution and sound, as sent to the engine. */
  settings: { durationSeconds: number; resolution: string; aspect: string; fps: number; audio: boolean };
  costMicros: number;
  gate: AttemptGateView | null;
  clipPath: string | null;
  clipSha256: string | null;
  /** Epoch ms the gate accepted it. */
  createdAt: number;
  /** The version of the shot it was made from; stale when that version showed something else. */
  shotVersion: number;
  stale: boolean;
  selected: boolean;
}

export interface EpisodeView {
  episodeId: string;
  title: string;
  /** The mode of the latest run. */
  mode: RenderMode;
  status: 'running' | 'stitching' | 'completed' | 'failed' | 'cancelled';
  outputPath: string;
  budgetMicros: number | null;
  spentMicros: number;
  heldMicros: number;
  shots: ShotView[];
}

export interface ProgressEvent {
  episodeId: string;
  shotId?: string;
  /**
   * 'shot' events carry a shot's state; 'stitch' the final encode's progress; 'episode'
   * the end; 'network' whether the providers can be reached (`online`), for every episode
   * (episodeId is '' then).
   */
  type: 'shot' | 'stitch' | 'episode' | 'log' | 'network';
  /** waiting_network: the shot's generation waits until the provider can be reached again. */
  state?: ShotState | 'submitted' | 'polling' | 'downloading' | 'gating' | 'retrying' | 'stitching' | 'waiting_network' | 'done';
  /** 'network' events: true when the providers can be reached. */
  online?: boolean;
  engineId?: string;
  /** 0..1 */
  progress?: number;
  /** 'stitch' events: seconds the stitch is expected to take still, once it can tell. */
  etaSeconds?: number;
  message?: string;
}
