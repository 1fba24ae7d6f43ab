/**
 * An attempt as stored: one engine call chain (submit -> poll -> download -> gate) for
 * one shot, and the states it moves through. Reading rows into records happens here;
 * transitions live in attempts.ts.
 */
import type { ErrorKind } from '../../shared/errors';
import { toMicros, type Micros } from '../../shared/money';
import type { GenerationRequest, JobOutput } from '../engines/engine';

/**
 *   reserved   -> submitting -> submitted -> succeeded -> downloaded -> accepted | rejected | collected
 *   submitting -> failed (the provider made nothing) | unknown (it may have; no way to look)
 *   submitted  -> failed | cancelled | timed_out
 *   timed_out  -> succeeded (a late result, same path as a live one) | failed | expired
 *   unknown    -> abandoned (the user chose to generate again) | expired
 *   reserved | submitting | submitted | timed_out -> expired (held past the provider's retention)
 */
export const ATTEMPT_STATUSES = [
  'reserved',
  'submitting',
  'submitted',
  'succeeded',
  'downloaded',
  'accepted',
  'rejected',
  'collected',
  'failed',
  'cancelled',
  'timed_out',
  'expired',
  'unknown',
  'abandoned',
] as const;
export type AttemptStatus = (typeof ATTEMPT_STATUSES)[number];

/** The attempt a shot is working through: a resumed run continues it before anything new. */
export const ACTIVE_STATUSES: readonly AttemptStatus[] = ['reserved', 'submitting', 'submitted', 'succeeded', 'downloaded'];

export interface AttemptRecord {
  id: string;
  episodeId: string;
  shotId: string;
  attemptNo: number;
  engineId: string;
  mode: string;
  clientReference: string;
  providerJobId: string | null;
  status: AttemptStatus;
  request: GenerationRequest;
  errorKind: ErrorKind | null;
  errorMessage: string | null;
  /** List price for the seconds generated, before any billing correction. */
  priceMicros: Micros;
  /** What was reserved before the submit. */
  estimatedMicros: Micros;
  providerEstimateMicros: Micros | null;
  /** What was charged; null until the attempt is settled. */
  actualMicros: Micros | null;
  billedSource: 'provider' | 'price' | null;
  output: JobOutput | null;
  clipPath: string | null;
  clipSha256: string | null;
  /** `<bytes>:<mtime ms>` of the clip when its checksum was taken. */
  clipStat: string | null;
  createdAt: number;
  submittingAt: number | null;
  submittedAt: number | null;
  succeededAt: number | null;
  finishedAt: number | null;
  holdUntil: number | null;
  /** Why Shotline asked the provider to cancel the job, when it did: a job that then reads "cancelled" is ours, not someone else's. */
  cancelReason: CancelReason | null;
  /** The run that made it (null: before schema 6). */
  runId: string | null;
  /** The version of its shot it was made from. */
  shotVersion: number | null;
  /** Its number among the shot's takes, once the gate accepted it. */
  takeNo: number | null;
}

export type CancelReason = 'over_budget' | 'stalled' | 'user';

export interface AttemptRow {
  id: string;
  episode_id: string;
  shot_id: string;
  attempt_no: number;
  engine_id: string;
  mode: string;
  client_reference: string;
  provider_job_id: string | null;
  status: AttemptStatus;
  request_json: string;
  error_kind: ErrorKind | null;
  error_message: string | null;
  price_micros: number;
  estimated_micros: number;
  provider_estimate_micros: number | null;
  actual_micros: number | null;
  billed_source: 'provider' | 'price' | null;
  output_json: string | null;
  clip_path: string | null;
  clip_sha256: string | null;
  clip_stat: string | null;
  created_at: number;
  submitting_at: number | null;
  submitted_at: number | null;
  succeeded_at: number | null;
  finished_at: number | null;
  hold_until: number | null;
  cancel_reason: CancelReason | null;
  run_id: string | null;
  shot_version: number | null;
  take_no: number | null;
}

const optionalMicros = (value: number | null): Micros | null => (value === null ? null : toMicros(value));

export function toAttempt(row: AttemptRow): AttemptRecord {
  return {
    id: row.id,
    episodeId: row.episode_id,
    shotId: row.shot_id,
    attemptNo: row.attempt_no,
    engineId: row.engine_id,
    mode: row.mode,
    clientReference: row.client_reference,
    providerJobId: row.provider_job_id,
    status: row.status,
    request: JSON.parse(row.request_json) as GenerationRequest,
    errorKind: row.error_kind,
    errorMessage: row.error_message,
    priceMicros: toMicros(row.price_micros),
    estimatedMicros: toMicros(row.estimated_micros),
    providerEstimateMicros: optionalMicros(row.provider_estimate_micros),
    actualMicros: optionalMicros(row.actual_micros),
    billedSource: row.billed_source,
    output: row.output_json === null ? null : (JSON.parse(row.output_json) as JobOutput),
    clipPath: row.clip_path,
    clipSha256: row.clip_sha256,
    clipStat: row.clip_stat,
    createdAt: row.created_at,
    submittingAt: row.submitting_at,
    submittedAt: row.submitted_at,
    succeededAt: row.succeeded_at,
    finishedAt: row.finished_at,
    holdUntil: row.hold_until,
    cancelReason: row.cancel_reason,
    runId: row.run_id,
    shotVersion: row.shot_version,
    takeNo: row.take_no,
  };
}

/** Thrown when a transition finds the attempt in a state it cannot leave that way: a bug, never user error. */
export class IllegalTransitionError extends Error {
  override name = 'IllegalTransitionError';
  constructor(attemptId: string, to: AttemptStatus, from: AttemptStatus | undefined) {
    super(`attempt ${attemptId} cannot become ${to} from ${from ?? '(missing)'}`);
  }
}
