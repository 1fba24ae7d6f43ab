/**
 * The Studio API: the one contract the renderer sees. The Electron preload (IPC) and
 * the loopback bridge (HTTP/WebSocket, for browser mode and e2e tests) are two
 * transports of this same contract; the CLI calls the same services directly.
 */
import type { EngineHealth, EngineSpec, RenderMode, ShotKind } from './domain';
import type { ErrorKind } from './errors';
import type { ObservedQuality } from './observed-quality';
import type { VerifyReport } from './provenance';
import type { GateCheck, GateDecision } from './quality';
import type { StoryboardInput } from './storyboard';

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
  openStoryboard: 'studio:open-storyboard',
  saveStoryboard: 'studio:save-storyboard',
  listStoryboards: 'studio:list-storyboards',
  verifyCredentials: 'studio:verify-credentials',
  getAppInfo: 'studio:get-app-info',
  listProviderKeys: 'studio:list-provider-keys',
  setProviderKey: 'studio:set-provider-key',
  deleteProviderKey: 'studio:delete-provider-key',
  updateEngine: 'studio:update-engine',
} as const;
export type StudioChannel = (typeof STUDIO_CHANNELS)[keyof typeof STUDIO_CHANNELS];

/** Push events from main to renderer. */
export const STUDIO_EVENTS = { progress: 'studio:progress' } as const;

/** The methods of the contract that are calls (everything but the event subscription). */
export type StudioMethod = keyof typeof STUDIO_CHANNELS;

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
  /** Integrated loudness target in LUFS (-40 to -5; broadcast -23, streaming -14); default: the storyboard's. Kept for later stitches of the episode. */
  loudness?: number;
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
  /** Spend per calendar day (UTC, YYYY-MM-DD) on which anything was charged, oldest first. */
  byDay: { day: string; spentMicros: number }[];
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

/** A storyboard file as the board edits it. */
export interface StoryboardDocument {
  /** Absolute path of the file; references in it are relative to its folder. */
  path: string;
  /** The file's content as written (unknown fields kept): what the inline editor changes. */
  storyboard: StoryboardInput;
  /** Problems the CLI would report for this file, one line each naming the field; empty when it renders. */
  problems: string[];
  /** The episode made from this file, when one was rendered. */
  episodeId: string | null;
  /** Epoch ms the file was last changed on disk. */
  modifiedAt: number;
}

/** A storyboard opened in the studio before (most recent first). */
export interface RecentStoryboard {
  path: string;
  title: string;
  shots: number;
  episodeId: string | null;
  openedAt: number;
  /** False when the file is gone from disk. */
  exists: boolean;
}

/** Open a storyboard file in place (its references stay relative to it), or keep an uploaded one in the data folder. */
export type StoryboardSource = { path: string } | { fileName: string; text: string };

/** Which signed file to check: a take (shot + take number) or the episode's export. */
export interface CredentialsTarget {
  episodeId: string;
  shotId?: string;
  takeNo?: number;
}

export interface CredentialsView {
  /** signed: the file carries credentials (see report); unsigned/skipped: why not; none: never signed. */
  state: 'signed' | 'unsigned' | 'skipped' | 'none';
  /** Why it was left unsigned, or what the export recorded about takes that did not validate. */
  reason: string | null;
  /** c2pa-rs's reading of the file, with this data folder's root as trust anchor; null when there is no signed file. */
  report: VerifyReport | null;
}

/** Facts the board shows outside any episode. */
export interface AppInfo {
  version: string;
  dataDir: string;
  /** Where uploaded storyboards and exports go by default. */
  storyboardsDir: string;
  exportsDir: string;
  /** True while the providers can be reached (generation waits otherwise). */
  online: boolean;
  /** The FFmpeg the media worker drives, the H.264 encoder a stitch will use and where it scales clips, each with why (`shotline doctor` lists the encoders passed over). */
  media: { backend: string; encoder: string; encoderReason: string; scalingReason: string } | null;
  /** The signing identity (null: none yet, or signing is unavailable, with why). */
  signing: { available: boolean; subject: string | null; expiresAt: string | null; reason: string | null };
}

/** One provider's key, as the settings screen shows it: never the value. */
export interface ProviderKeyView {
  provider: string;
  /** The credential names it takes (Kling takes two). */
  fields: readonly string[];
  source: 'environment' | 'keychain' | null;
  /** The keychain holds a key an environment variable overrides. */
  shadowedKeychainKey: boolean;
  environmentVariables: readonly string[];
}

export interface ProviderKeysView {
  keys: ProviderKeyView[];
  /** Why the keychain cannot be used here, or null. */
  keychainProblem: string | null;
}

/** Settings of one engine a user can change; the same fields as `shotline engines set` (an empty string clears the user's value). */
export interface EngineEdit {
  enabled?: boolean;
  /** USD per second of video at every resolution; '' restores the shipped prices. */
  price?: string;
  baseUrl?: string;
  concurrency?: string;
  model?: string;
  /** ComfyUI: the workflow file (API format). */
  workflow?: string;
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
  /** Opens (or imports) a storyboard and checks it as `shotline check` would; problems are returned, not thrown. */
  openStoryboard(source: StoryboardSource): Promise<StoryboardDocument>;
  /**
   * Writes the edited storyboard to its file (atomically, YAML or JSON as the file was).
   * Refused with the same messages as the CLI when it does not validate; the file is then untouched.
   */
  saveStoryboard(path: string, storyboard: StoryboardInput): Promise<StoryboardDocument>;
  listStoryboards(): Promise<RecentStoryboard[]>;
  /** The content credentials of a take or of the episode's export, read back by c2pa-rs. */
  verifyCredentials(target: CredentialsTarget): Promise<CredentialsView>;
  getAppInfo(): Promise<AppInfo>;
  listProviderKeys(): Promise<ProviderKeysView>;
  /** Stores a provider's key in the OS keychain; the value never comes back. */
  setProviderKey(provider: string, values: Record<string, string>): Promise<ProviderKeysView>;
  deleteProviderKey(provider: string): Promise<ProviderKeysView>;
  updateEngine(engineId: string, edit: EngineEdit): Promise<EngineRow>;
  onProgress(listener: (event: ProgressEvent) => void): () => void;
}

/**
 * What the renderer holds: the contract plus how a transport turns a file of the data
 * folder into a URL the page may load (a custom protocol in the app, /media in a browser).
 */
export interface StudioClient extends StudioApi {
  mediaUrl(filePath: string): string;
  /** Which transport this is: the app's IPC or a browser's loopback HTTP. */
  readonly transport: 'electron' | 'browser';
}
