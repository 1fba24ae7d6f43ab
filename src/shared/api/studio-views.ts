/** What the board shows outside an episode: engines, storyboard files, credentials, the app's facts, keys and engine settings. */
import type { EngineHealth, EngineSpec, ShotKind } from '../domain';
import type { ObservedQuality } from '../observed-quality';
import type { VerifyReport } from '../provenance';
import type { StoryboardInput } from '../storyboard';

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
