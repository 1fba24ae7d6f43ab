/**
 * The one interface every video engine adapter implements. The work is split into
 * submit / poll / download so that the pipeline can persist each step the moment it
 * happens: a crash between steps then loses nothing and pays nothing twice.
 *
 * Adapters speak their provider's protocol and may throw anything (SDK errors, network
 * errors, aborts). The pipeline never calls an adapter directly: it goes through the
 * classification boundary (boundary.ts), which turns every throw into an EngineError of a
 * known kind, gives every call a signal and a timeout, and validates what comes back
 * (job ids, billed amounts). Figures an adapter reports are therefore plain numbers here;
 * they become Micros only once the boundary has checked them.
 */
import type { Aspect, EngineSpec, Resolution, ShotKind } from '../../shared/domain';

/** What the pipeline asks an engine to make for one shot. */
export interface GenerationRequest {
  shotId: string;
  kind: ShotKind;
  prompt: string;
  /** Only when the engine takes a negative prompt (spec.capabilities.negativePrompt). */
  negativePrompt?: string;
  /** Seconds to generate: one of the engine's allowed durations (>= the shot's duration). */
  durationSeconds: number;
  resolution: Resolution;
  aspect: Aspect;
  width: number;
  height: number;
  fps: number;
  audio: boolean;
  /** Absolute path of the image reference, when the shot has one (checked by preflight: a regular image file). */
  referenceImagePath?: string;
  /** Character descriptions to keep consistent across shots. */
  characters: { id: string; description: string; referenceImagePath?: string }[];
  /** Only when the engine takes a seed (spec.capabilities.seed). */
  seed?: number;
}

export interface CallContext {
  /** Aborted by the user's Cancel or by this call's own timeout (the boundary combines both). */
  signal: AbortSignal;
}

export interface SubmitContext extends CallContext {
  /**
   * Unique per attempt and stored before the request is sent. Adapters send it where the
   * provider keeps it (Kling external_task_id, ComfyUI extra_data, an Idempotency-Key
   * header where honoured), so that `findJob` can recover a job whose submit answer was lost.
   */
  clientReference: string;
}

export interface SubmitResult {
  jobId: string;
  /** The provider's own estimate at create, in micro-dollars (fractions allowed), when it gives one. */
  estimatedCostMicros?: number;
}

/** Another file a job produced beside the video (thumbnail, separate audio, preview). */
export interface ExtraOutput {
  role: 'thumbnail' | 'audio' | 'preview' | 'other';
  location: string;
}

/** Where a finished job's video can be fetched from (a URL, a provider file id, a local path). */
export interface JobOutput {
  location: string;
  /** Seconds of video the provider reports, when it does. */
  durationSeconds?: number;
  /** Epoch ms after which `location` stops working (signed URLs); poll the job again for a fresh one. */
  expiresAt?: number;
  extras?: ExtraOutput[];
}

/**
 * A poll's answer. `billedMicros` is what the provider says the job cost (fractions
 * allowed); absent when it does not say, in which case the price times the delivered
 * duration is charged.
 */
export type PollResult<Failure = unknown> =
  | { state: 'queued'; nextPollMs?: number }
  | { state: 'running'; progress?: number; nextPollMs?: number }
  | { state: 'succeeded'; output: JobOutput; billedMicros?: number }
  | { state: 'failed'; error: Failure; billedMicros?: number };

export interface DownloadResult {
  path: string;
  sha256: string;
  bytes: number;
}

/** What `findJob` looks for: the attempt's client reference, and what it asked for, for providers that can only match by content. */
export interface JobLookup {
  clientReference: string;
  request: GenerationRequest;
  /** Epoch ms just before the submit was sent: jobs created earlier are not this one. */
  submittedAfter: number;
}

export interface Engine {
  readonly spec: EngineSpec;
  submit(request: GenerationRequest, context: SubmitContext): Promise<SubmitResult>;
  poll(jobId: string, context: CallContext): Promise<PollResult>;
  /** Writes the clip to `destinationPath` (via a temp file and rename) and checksums it. */
  download(jobId: string, output: JobOutput, destinationPath: string, context: CallContext): Promise<DownloadResult>;
  /** Stops a job at the provider so it is not billed (or billed less); absent where the provider cannot. */
  cancel?(jobId: string, context: CallContext): Promise<void>;
  /**
   * The job a submit with this client reference created, or null when the provider has
   * none: how a submit whose answer was lost (crash, cancel, dropped connection) is
   * recovered without paying twice. Absent where the provider offers no way to look.
   */
  findJob?(lookup: JobLookup, context: CallContext): Promise<{ jobId: string } | null>;
}
