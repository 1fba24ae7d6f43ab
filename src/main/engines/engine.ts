/**
 * The one interface every video engine adapter implements. The work is split into
 * submit / poll / download so that the pipeline can persist the provider's job id the
 * moment it exists: a crash between steps then loses nothing and pays nothing twice.
 */
import type { Aspect, EngineSpec, Resolution, ShotKind } from '../../shared/domain';
import type { EngineError } from '../../shared/errors';
import type { Micros } from '../../shared/money';

/** What the pipeline asks an engine to make for one shot. */
export interface GenerationRequest {
  shotId: string;
  kind: ShotKind;
  prompt: string;
  /** Seconds to generate: one of the engine's allowed durations (>= the shot's duration). */
  durationSeconds: number;
  resolution: Resolution;
  aspect: Aspect;
  width: number;
  height: number;
  fps: number;
  audio: boolean;
  /** Absolute path of the image reference, when the shot has one. */
  referenceImagePath?: string;
  /** Character descriptions to keep consistent across shots. */
  characters: { id: string; description: string; referenceImagePath?: string }[];
  seed?: number;
}

export interface CallContext {
  signal: AbortSignal;
}

export interface SubmitContext extends CallContext {
  /** Stable across retries of the same attempt, so a re-sent submit cannot create a second job. */
  idempotencyKey: string;
}

export interface SubmitResult {
  jobId: string;
  /** The provider's own estimate, when it gives one. */
  estimatedCostMicros?: Micros;
}

/** Where a finished job's video can be fetched from (a URL, a provider file id, a local path). */
export interface JobOutput {
  location: string;
  /** Seconds of video the provider reports, when it does. */
  durationSeconds?: number;
}

export type PollResult =
  | { state: 'queued'; nextPollMs?: number }
  | { state: 'running'; progress?: number; nextPollMs?: number }
  | { state: 'succeeded'; output: JobOutput; actualCostMicros?: Micros }
  | { state: 'failed'; error: EngineError; actualCostMicros?: Micros };

export interface DownloadResult {
  path: string;
  sha256: string;
  bytes: number;
}

export interface Engine {
  readonly spec: EngineSpec;
  submit(request: GenerationRequest, context: SubmitContext): Promise<SubmitResult>;
  poll(jobId: string, context: CallContext): Promise<PollResult>;
  /** Writes the clip to `destinationPath` (via a temp file and rename) and checksums it. */
  download(jobId: string, output: JobOutput, destinationPath: string, context: CallContext): Promise<DownloadResult>;
  cancel?(jobId: string, context: CallContext): Promise<void>;
}
