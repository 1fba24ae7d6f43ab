import type { Micros } from './money';

/**
 * Domain vocabulary shared by every process: shot kinds, output formats, render modes
 * and the registry's view of an engine. Pure types and constants only.
 */

export const SHOT_KINDS = ['establishing', 'dialogue', 'action', 'closeup', 'stylized', 'insert'] as const;
export type ShotKind = (typeof SHOT_KINDS)[number];

export const RESOLUTIONS = ['480p', '540p', '720p', '1080p', '4k'] as const;
export type Resolution = (typeof RESOLUTIONS)[number];

export const ASPECTS = ['16:9', '9:16', '1:1', '4:3', '3:4', '21:9'] as const;
export type Aspect = (typeof ASPECTS)[number];

export const RENDER_MODES = ['preview', 'final'] as const;
export type RenderMode = (typeof RENDER_MODES)[number];

/** xfade's names; fadeblack fades out to black and in from it. */
/** The episode file's video codec: H.264 plays everywhere; HEVC is about half the size at the same quality. */
export const OUTPUT_CODECS = ['h264', 'hevc'] as const;
export type OutputCodec = (typeof OUTPUT_CODECS)[number];

export const TRANSITION_TYPES = ['cut', 'fade', 'dissolve', 'fadeblack', 'fadewhite', 'wipeleft', 'wiperight', 'wipeup', 'wipedown', 'slideleft', 'slideright'] as const;
export type TransitionType = (typeof TRANSITION_TYPES)[number];

/** Short side in pixels for each resolution label; the long side follows from the aspect. */
const SHORT_SIDE: Record<Resolution, number> = { '480p': 480, '540p': 540, '720p': 720, '1080p': 1080, '4k': 2160 };

export function resolutionRank(resolution: Resolution): number {
  return RESOLUTIONS.indexOf(resolution);
}

/** Frame size for a resolution label and aspect ratio; both sides even (H.264 needs it). */
export function frameSize(resolution: Resolution, aspect: Aspect): { width: number; height: number } {
  const short = SHORT_SIDE[resolution];
  const [aw, ah] = aspect.split(':').map(Number) as [number, number];
  const even = (n: number) => Math.round(n / 2) * 2;
  return aw >= ah ? { width: even((short * aw) / ah), height: short } : { width: short, height: even((short * ah) / aw) };
}

export const ENGINE_STATUSES = ['active', 'deprecated', 'retired'] as const;
export type EngineStatus = (typeof ENGINE_STATUSES)[number];

export type ProviderId = 'animatic' | 'runway' | 'gemini' | 'kling' | 'luma' | 'comfyui' | 'openai' | 'scripted';

/** Input modes an engine accepts. */
export type InputMode = 'text' | 'image';

export interface EnginePrice {
  resolution: Resolution;
  audio: boolean;
  /** Integer micro-dollars per second of generated video. */
  microsPerSecond: Micros;
}

/** Either a fixed list of durations in seconds, or a continuous integer range. */
export type Durations = { kind: 'list'; values: number[] } | { kind: 'range'; min: number; max: number };

/**
 * Durations that apply only at some resolutions or with a reference image (Veo on the
 * Gemini API makes 1080p, 4K and image-to-video only at 8 s). The first rule that
 * matches a shot wins; a shot no rule matches uses the engine's `durations`.
 */
export interface DurationRule {
  resolutions?: Resolution[];
  /** true: applies only to shots with a reference image. */
  withReference?: boolean;
  durations: Durations;
}

/** What a model accepts beyond the prompt itself. */
export interface EngineCapabilities {
  seed: boolean;
  negativePrompt: boolean;
  /** Longest prompt the model takes, in characters (UTF-16 code units, as the providers count). */
  maxPromptChars: number;
}

/**
 * One engine model as the registry knows it (seeded from resources/engines.json,
 * possibly edited by the user).
 */
export interface EngineSpec {
  id: string;
  provider: ProviderId;
  model: string;
  displayName: string;
  modes: InputMode[];
  /** 'none': silent only; 'optional': audio on request; 'always': every clip has audio. */
  audio: 'none' | 'optional' | 'always';
  durations: Durations;
  durationRules?: DurationRule[];
  capabilities: EngineCapabilities;
  resolutions: Resolution[];
  aspects: Aspect[];
  pricing: EnginePrice[];
  /** Typical latency: fixed overhead plus seconds of wall time per second of video. */
  speed: { baseSeconds: number; secondsPerVideoSecond: number };
  /** 0..1 quality judgement per shot kind. */
  quality: Record<ShotKind, number>;
  concurrency: number;
  status: EngineStatus;
  /** ISO date of the last status change (deprecation or retirement date). */
  statusDate?: string;
  /** Where the price came from; 'estimate' marks figures the provider has not published. */
  /** 'user': the user set the price (engines set price=..., or their own engine); shown as theirs, never as an estimate. */
  priceSource: 'published' | 'estimate' | 'free' | 'user';
  /** Suggested poll interval for this provider's jobs. */
  pollIntervalMs: number;
  /** Preview-only engines are never chosen in final mode unless pinned or named in a chain. */
  previewOnly: boolean;
  enabled: boolean;
  baseUrl?: string;
  /**
   * ComfyUI only: the API-format workflow JSON the engine fills and queues. A relative
   * path (the shipped seed) resolves against the resources folder; a user's is absolute.
   */
  workflow?: string;
  notes?: string;
}

/**
 * What holds for every model of one provider account: the account's concurrency limit
 * (shared by its models) and how long the provider keeps a finished job's output, which
 * bounds how long money may stay reserved for a job we lost sight of.
 */
export interface ProviderSpec {
  id: ProviderId;
  concurrency: number;
  outputRetentionHours: number;
}

/**
 * Observed health of an engine, kept beside the registry entry. Counts cover a recent
 * window and only the engine's own faults (policy.ts decides which kinds those are).
 */
export interface EngineHealth {
  engineId: string;
  successes: number;
  failures: number;
  /** Exponentially weighted mean latency of successful jobs, in ms; null before the first. */
  meanLatencyMs: number | null;
  /** Epoch ms until which the engine is cooling down (rate limited); 0 when not cooling. */
  coolingUntil: number;
  lastErrorKind: string | null;
}
