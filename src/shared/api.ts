/**
 * The Studio API: the one contract the renderer sees. The Electron preload (IPC) and
 * the loopback bridge (HTTP/WebSocket, for browser mode and e2e tests) are two
 * transports of this same contract; the CLI calls the same services directly.
 */
import type { EngineHealth, EngineSpec, RenderMode, ShotKind } from './domain';
import type { ErrorKind } from './errors';
import type { ObservedQuality } from './observed-quality';
import type { GateCheck, GateDecision } from './quality';

/** Every IPC channel the preload may expose. Nothing outside this list crosses the bridge. */
export const STUDIO_CHANNELS = {
  listEngines: 'studio:list-engines',
  planEpisode: 'studio:plan-episode',
  startRender: 'studio:start-render',
  resumeRender: 'studio:resume-render',
  cancelRender: 'studio:cancel-render',
  getEpisode: 'studio:get-episode',
  listEpisodes: 'studio:list-episodes',
  costSummary: 'studio:cost-summary',
  heldReservations: 'studio:held-reservations',
  approveShots: 'studio:approve-shots',
  unapproveShots: 'studio:unapprove-shots',
  selectTake: 'studio:select-take',
  regenerateShots: 'studio:regenerate-shots',
  restitchEpisode: 'studio:restitch-episode',
} as const;
export type StudioChannel = (typeof STUDIO_CHANNELS)[keyof typeof STUDIO_CHANNELS];

/** Push events from main to renderer. */
export const STUDIO_EVENTS = { progress: 'studio:progress' } as const;

export interface EngineRow {
  spec: EngineSpec;
  health: EngineHealth;
  keyConfigured: boolean;
  adapterAvailable: boolean;
  /**
   * What the quality gate has said about the engine's clips, for the shot kinds it has
   * made (absent or empty: no history yet, the router ranks it by `spec.quality`).
   * `mean` is what the router ranks with; `spec.quality[kind]` is the prior.
   */
  observedQuality?: Partial<Record<ShotKind, ObservedQualityView>>;
}

export type ObservedQualityView = Pick<ObservedQuality, 'mean' | 'samples' | 'updatedAt'> & {
  /** The registry's quality for the kind now (the mean started from it). */
  prior: number;
};

/** How a render treats money it cannot be sure of; the same choices for a new render and a resume. */
export interface MoneyChoices {
  /**
   * Start even when the plan's estimate is over the budget or some shots have no engine:
   * shots that do not fit fail with the reason and the rest is stitched.
   */
  allowPartial?: boolean;
  /**
   * Generate again the shots whose submit outcome is unknown (the provider may have
   * made, and billed, a job we never heard back about and cannot look up).
   */
  resubmitUnknown?: boolean;
}

/** Content credentials (C2PA) for the run's takes and episode file. */
export interface SigningChoices {
  /** false: nothing is signed (--no-sign). Default: signed. */
  sign?: boolean;
  /** Sign the episode even when a take's own credentials do not validate; the export records why. */
  allowUnverified?: boolean;
}

export interface RenderOptions extends MoneyChoices, SigningChoices {
  outputPath: string;
  mode?: RenderMode;
  /** With mode final: generate final takes only for approved shots (preview-then-commit). */
  approved?: boolean;
  budgetUsd?: number;
  concurrency?: number;
  strict?: boolean;
}

/** Resuming an episode: the same choices as a render, and the budget may be raised (or lowered). */
export interface ResumeOptions extends MoneyChoices, SigningChoices {
  budgetUsd?: number;
  concurrency?: number;
  strict?: boolean;
}

export interface RegenerateOptions extends MoneyChoices, SigningChoices {
  shotIds: string[];
  /** A registry id: the new take is made there. */
  engineId?: string;
  /** Edits the shot's prompt first (one shot only): a new version of the shot. */
  prompt?: string;
  seed?: number;
  mode?: RenderMode;
  budgetUsd?: number;
  concurrency?: number;
}

export interface RestitchOptions extends SigningChoices {
  outputPath: string;
  /** Stitch without the shots that have no current take. */
  allowPartial?: boolean;
}

export interface ApproveResult {
  approved: string[];
  /** Already approved. */
  unchanged: string[];
  /** 'all' only: shots that cannot be approved yet, and why. */
  skipped: { shotId: string; reason: string }[];
}

/** Money still reserved for one attempt, and why (`shotline costs --held`). */
export interface HeldReservation {
  episodeId: string;
  title: string;
  shotId: string;
  attemptId: string;
  engineId: string;
  /** The attempt's state: submitting, submitted, timed_out, unknown, ... */
  status: string;
  heldMicros: number;
  /** Epoch ms the reservation was made. */
  since: number;
  /** Epoch ms after which it is released if nothing is heard of the job; null while the job is live. */
  holdUntil: number | null;
  reason: string;
}

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
  /** 'shot' events carry a shot's state; 'stitch' the final encode's progress; 'episode' the end. */
  type: 'shot' | 'stitch' | 'episode' | 'log';
  state?: ShotState | 'submitted' | 'polling' | 'downloading' | 'gating' | 'retrying' | 'stitching' | 'done';
  engineId?: string;
  /** 0..1 */
  progress?: number;
  /** 'stitch' events: seconds the stitch is expected to take still, once it can tell. */
  etaSeconds?: number;
  message?: string;
}

/** An episode's money: by mode, and what preview-then-commit saved against a final render of every shot. */
export interface EpisodeCosts {
  /** Everything charged: generation in both modes and the AI quality checks. */
  spentMicros: number;
  heldMicros: number;
  previewSpentMicros: number;
  finalSpentMicros: number;
  qualityCheckMicros: number;
  /** A final render of every shot: final takes as billed, the rest at their final estimate; null when a shot has no estimate. */
  fullFinalMicros: number | null;
  /** fullFinalMicros minus what generation really cost; null for an episode that never previewed. */
  savedMicros: number | null;
}

/** One line of `shotline episodes`: an episode as the filmmaker works it. */
export interface EpisodeSummary extends EpisodeCosts {
  episodeId: string;
  title: string;
  storyboardPath: string;
  /** The mode of the latest run. */
  mode: RenderMode;
  status: EpisodeView['status'];
  /**
   * What to do next, in a word: completed (the episode file shows the selected takes),
   * out_of_date (a take was selected or made since the last stitch), not_stitched,
   * running, stitching, interrupted (its process died: `resume`), failed, cancelled.
   */
  state: 'completed' | 'out_of_date' | 'not_stitched' | 'running' | 'stitching' | 'interrupted' | 'failed' | 'cancelled';
  outputPath: string;
  shots: number;
  takes: number;
  approved: number;
  /** Shots with no current take selected (never made, failed, or edited since). */
  withoutTake: number;
  /** Shots whose selected take is stale. */
  staleSelections: number;
  createdAt: number;
  finishedAt: number | null;
}

export interface CostSummary {
  byEngine: { engineId: string; spentMicros: number; attempts: number }[];
  byEpisode: ({ episodeId: string; title: string; mode: RenderMode } & EpisodeCosts)[];
  byMode: { mode: RenderMode; spentMicros: number }[];
  totalMicros: number;
  /** What previewing saved, over the episodes that previewed: a final render of every shot (finalEstimateMicros) minus what generation really cost. */
  previewSaving: { previewSpentMicros: number; finalEstimateMicros: number; savedMicros: number; episodes: number };
  /** Every time a shot left an engine for another (or ran out of engines), newest first: why, and what the failed try cost. */
  fallbacks: FallbackRecord[];
}

export interface FallbackRecord {
  episodeId: string;
  title: string;
  shotId: string;
  engineId: string;
  errorKind: string;
  reason: string;
  costMicros: number;
  /** The engine the shot went to next; null when no other engine was tried. */
  nextEngineId: string | null;
  /** The engine that made the shot in the end; null while it has none. */
  madeByEngineId: string | null;
  /** Epoch ms the failed attempt ended. */
  at: number;
}

export interface StudioApi {
  listEngines(): Promise<EngineRow[]>;
  planEpisode(storyboardPath: string, options?: Pick<RenderOptions, 'mode' | 'budgetUsd'>): Promise<EpisodePlanView>;
  startRender(storyboardPath: string, options: RenderOptions): Promise<{ episodeId: string }>;
  /** Continues an interrupted, cancelled or failed episode (a raised budget, --resubmit-unknown's choice). */
  resumeRender(episodeId: string, options?: ResumeOptions): Promise<{ episodeId: string }>;
  cancelRender(episodeId: string): Promise<void>;
  getEpisode(episodeId: string): Promise<EpisodeView>;
  listEpisodes(): Promise<EpisodeSummary[]>;
  /** Approves shots for final (or every shot with a current take: 'all'); a named shot that cannot be approved refuses the call. */
  approveShots(episodeId: string, shots: string[] | 'all'): Promise<ApproveResult>;
  unapproveShots(episodeId: string, shots: string[] | 'all'): Promise<{ unapproved: string[]; unchanged: string[] }>;
  /** Circles a take, by its number within the shot; a stale take is refused. */
  selectTake(episodeId: string, shotId: string, takeNo: number): Promise<TakeView>;
  /** Adds a take of each shot (never replaces one), optionally on a pinned engine, with an edited prompt or a seed; progress arrives as events. */
  regenerateShots(episodeId: string, options: RegenerateOptions): Promise<{ episodeId: string }>;
  /** Stitches the episode from its selected takes, generating nothing; progress arrives as events. */
  restitchEpisode(episodeId: string, options: RestitchOptions): Promise<{ episodeId: string }>;
  costSummary(): Promise<CostSummary>;
  heldReservations(): Promise<HeldReservation[]>;
  onProgress(listener: (event: ProgressEvent) => void): () => void;
}
