/**
 * The Studio API: the one contract the renderer sees. The Electron preload (IPC) and
 * the loopback bridge (HTTP/WebSocket, for browser mode and e2e tests) are two
 * transports of this same contract; the CLI calls the same services directly. The
 * channels and the calls are here; what they take and return is in ./api/, by area.
 */
import type { CostSummary, EpisodeSummary, HeldReservation } from './api/cost-views';
import type { EpisodePlanView, EpisodeView, ProgressEvent, TakeView } from './api/episode-views';
import type { ApproveResult, RegenerateOptions, RenderOptions, RestitchOptions, ResumeOptions } from './api/requests';
import type { AppInfo, CredentialsTarget, CredentialsView, EngineEdit, EngineRow, ProviderKeysView, RecentStoryboard, StoryboardDocument, StoryboardSource } from './api/studio-views';
import type { StoryboardInput } from './storyboard';

export type * from './api/cost-views';
export type * from './api/episode-views';
export type * from './api/requests';
export type * from './api/studio-views';

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
