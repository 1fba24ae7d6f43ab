/**
 * The Studio API: the one contract the renderer sees. The Electron preload (IPC) and
 * the loopback bridge (HTTP/WebSocket, for browser mode and e2e tests) are two
 * transports of this same contract; the CLI calls the same services directly.
 */
import type { EngineHealth, EngineSpec, RenderMode } from './domain';
import type { ErrorKind } from './errors';

/** Every IPC channel the preload may expose. Nothing outside this list crosses the bridge. */
export const STUDIO_CHANNELS = {
  listEngines: 'studio:list-engines',
  planEpisode: 'studio:plan-episode',
  startRender: 'studio:start-render',
  cancelRender: 'studio:cancel-render',
  getEpisode: 'studio:get-episode',
  listEpisodes: 'studio:list-episodes',
  costSummary: 'studio:cost-summary',
} as const;
export type StudioChannel = (typeof STUDIO_CHANNELS)[keyof typeof STUDIO_CHANNELS];

/** Push events from main to renderer. */
export const STUDIO_EVENTS = { progress: 'studio:progress' } as const;

export interface EngineRow {
  spec: EngineSpec;
  health: EngineHealth;
  keyConfigured: boolean;
  adapterAvailable: boolean;
}

export interface RenderOptions {
  outputPath: string;
  mode?: RenderMode;
  budgetUsd?: number;
  concurrency?: number;
  strict?: boolean;
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
  engineId: string;
  status: string;
  providerJobId: string | null;
  errorKind: ErrorKind | null;
  errorMessage: string | null;
  estimatedMicros: number;
  actualMicros: number | null;
  clipPath: string | null;
  clipSha256: string | null;
}

export interface ShotView {
  shotId: string;
  status: ShotState;
  engineId: string | null;
  failureReason: string | null;
  attempts: AttemptView[];
}

export interface EpisodeView {
  episodeId: string;
  title: string;
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
  message?: string;
}

export interface CostSummary {
  byEngine: { engineId: string; spentMicros: number; attempts: number }[];
  byEpisode: { episodeId: string; title: string; mode: RenderMode; spentMicros: number; heldMicros: number }[];
  byMode: { mode: RenderMode; spentMicros: number }[];
  totalMicros: number;
  /** What previewing saved: the estimated cost of generating previewed shots on their final-mode engines, minus what the preview cost. */
  previewSaving: { previewSpentMicros: number; finalEstimateMicros: number; savedMicros: number; episodes: number };
}

export interface StudioApi {
  listEngines(): Promise<EngineRow[]>;
  planEpisode(storyboardPath: string, options?: Pick<RenderOptions, 'mode' | 'budgetUsd'>): Promise<EpisodePlanView>;
  startRender(storyboardPath: string, options: RenderOptions): Promise<{ episodeId: string }>;
  cancelRender(episodeId: string): Promise<void>;
  getEpisode(episodeId: string): Promise<EpisodeView>;
  listEpisodes(): Promise<Pick<EpisodeView, 'episodeId' | 'title' | 'mode' | 'status' | 'outputPath'>[]>;
  costSummary(): Promise<CostSummary>;
  onProgress(listener: (event: ProgressEvent) => void): () => void;
}
