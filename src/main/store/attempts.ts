/**
 * Attempts: one engine call chain (submit -> poll -> download -> gate) for one shot.
 * Every transition is one transaction, and money moves in the same transaction as the
 * state it belongs to, so a crash can never leave a charge without its attempt or a
 * finished attempt still holding a reservation.
 */
import { createHash, randomUUID } from 'node:crypto';
import { inTransaction, type Db } from './database';
import { Ledger } from './ledger';
import type { ErrorKind } from '../../shared/errors';
import type { Micros } from '../../shared/money';
import type { GenerationRequest } from '../engines/engine';

export type AttemptStatus = 'reserved' | 'submitted' | 'downloaded' | 'accepted' | 'rejected' | 'failed' | 'timed_out' | 'cancelled';

/** Attempts in these states may still hold money or have a live provider job. */
export const OPEN_ATTEMPT_STATUSES: readonly AttemptStatus[] = ['reserved', 'submitted', 'downloaded', 'timed_out'];

export interface AttemptRecord {
  id: string;
  episodeId: string;
  shotId: string;
  attemptNo: number;
  engineId: string;
  mode: string;
  idempotencyKey: string;
  providerJobId: string | null;
  status: AttemptStatus;
  request: GenerationRequest;
  errorKind: ErrorKind | null;
  errorMessage: string | null;
  estimatedMicros: Micros;
  actualMicros: Micros | null;
  clipPath: string | null;
  clipSha256: string | null;
  createdAt: number;
  submittedAt: number | null;
  finishedAt: number | null;
}

interface AttemptRow {
  id: string;
  episode_id: string;
  shot_id: string;
  attempt_no: number;
  engine_id: string;
  mode: string;
  idempotency_key: string;
  provider_job_id: string | null;
  status: AttemptStatus;
  request_json: string;
  error_kind: ErrorKind | null;
  error_message: string | null;
  estimated_micros: number;
  actual_micros: number | null;
  clip_path: string | null;
  clip_sha256: string | null;
  created_at: number;
  submitted_at: number | null;
  finished_at: number | null;
}

const toAttempt = (row: AttemptRow): AttemptRecord => ({
  id: row.id,
  episodeId: row.episode_id,
  shotId: row.shot_id,
  attemptNo: row.attempt_no,
  engineId: row.engine_id,
  mode: row.mode,
  idempotencyKey: row.idempotency_key,
  providerJobId: row.provider_job_id,
  status: row.status,
  request: JSON.parse(row.request_json) as GenerationRequest,
  errorKind: row.error_kind,
  errorMessage: row.error_message,
  estimatedMicros: row.estimated_micros,
  actualMicros: row.actual_micros,
  clipPath: row.clip_path,
  clipSha256: row.clip_sha256,
  createdAt: row.created_at,
  submittedAt: row.submitted_at,
  finishedAt: row.finished_at,
});

export interface ReserveInput {
  episodeId: string;
  shotId: string;
  engineId: string;
  mode: string;
  request: GenerationRequest;
  estimatedMicros: Micros;
  /** null: the episode has no budget limit. */
  budgetMicros: Micros | null;
}

export type ReserveOutcome =
  | { ok: true; attempt: AttemptRecord }
  | { ok: false; reason: 'over_budget'; neededMicros: Micros; leftMicros: Micros };

export class AttemptStore {
  readonly ledger: Ledger;

  constructor(
    private readonly db: Db,
    private readonly clock: () => number = Date.now,
  ) {
    this.ledger = new Ledger(db, clock);
  }

  /**
   * Checks the budget, creates the attempt and reserves its estimated cost in one
   * BEGIN IMMEDIATE transaction: any number of parallel shots (or processes) can race
   * here and the episode still never commits more than its budget.
   */
  reserve(input: ReserveInput): ReserveOutcome {
    return inTransaction(this.db, () => {
      if (input.budgetMicros !== null) {
        const { committedMicros } = this.ledger.episodeMoney(input.episodeId);
        const left = input.budgetMicros - committedMicros;
        if (input.estimatedMicros > left) return { ok: false, reason: 'over_budget', neededMicros: input.estimatedMicros, leftMicros: Math.max(0, left) };
      }
      const last = this.db
        .prepare(`SELECT COALESCE(MAX(attempt_no), 0) AS n FROM attempts WHERE episode_id = ? AND shot_id = ?`)
        .get(input.episodeId, input.shotId) as { n: number };
      const attemptNo = last.n + 1;
      const id = `at_${randomUUID()}`;
      const idempotencyKey = createHash('sha256').update(`${input.episodeId}\u0000${input.shotId}\u0000${attemptNo}`).digest('hex').slice(0, 32);
      this.db
        .prepare(
          `INSERT INTO attempts (id, episode_id, shot_id, attempt_no, engine_id, mode, idempotency_key, status, request_json,
                                 estimated_micros, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, 'reserved', ?, ?, ?)`,
        )
        .run(id, input.episodeId, input.shotId, attemptNo, input.engineId, input.mode, idempotencyKey, JSON.stringify(input.request), input.estimatedMicros, this.clock());
      this.ledger.reserve({ episodeId: input.episodeId, attemptId: id, engineId: input.engineId, mode: input.mode, micros: input.estimatedMicros });
      return { ok: true as const, attempt: this.get(id) };
    });
  }

  get(id: string): AttemptRecord {
    const row = this.db.prepare(`SELECT * FROM attempts WHERE id = ?`).get(id) as AttemptRow | undefined;
    if (!row) throw new Error(`no attempt ${id}`);
    return toAttempt(row);
  }

  forShot(episodeId: string, shotId: string): AttemptRecord[] {
    const rows = this.db.prepare(`SELECT * FROM attempts WHERE episode_id = ? AND shot_id = ? ORDER BY attempt_no`).all(episodeId, shotId) as AttemptRow[];
    return rows.map(toAttempt);
  }

  forEpisode(episodeId: string): AttemptRecord[] {
    const rows = this.db.prepare(`SELECT * FROM attempts WHERE episode_id = ? ORDER BY shot_id, attempt_no`).all(episodeId) as AttemptRow[];
    return rows.map(toAttempt);
  }

  /** The provider's job id is written the moment it exists: from here on, resume polls instead of submitting. */
  markSubmitted(id: string, providerJobId: string): void {
    this.db
      .prepare(`UPDATE attempts SET status = 'submitted', provider_job_id = ?, submitted_at = ? WHERE id = ? AND status = 'reserved'`)
      .run(providerJobId, this.clock(), id);
  }

  /** The clip is on disk; what the job cost is settled in the same transaction. */
  markDownloaded(id: string, clip: { path: string; sha256: string }, actualMicros: Micros): void {
    inTransaction(this.db, () => {
      const attempt = this.get(id);
      this.db
        .prepare(`UPDATE attempts SET status = 'downloaded', clip_path = ?, clip_sha256 = ?, actual_micros = ? WHERE id = ?`)
        .run(clip.path, clip.sha256, actualMicros, id);
      this.ledger.closeAttempt({ ...this.entryOf(attempt), chargedMicros: actualMicros, note: 'settled' });
    });
  }

  /** Accepts the attempt and the shot together. */
  markAccepted(id: string): void {
    inTransaction(this.db, () => {
      const attempt = this.get(id);
      const now = this.clock();
      this.db.prepare(`UPDATE attempts SET status = 'accepted', finished_at = ? WHERE id = ?`).run(now, id);
      this.db
        .prepare(`UPDATE shots SET status = 'accepted', accepted_attempt_id = ?, failure_reason = NULL, updated_at = ? WHERE episode_id = ? AND shot_id = ?`)
        .run(id, now, attempt.episodeId, attempt.shotId);
    });
  }

  /** A paid clip the gate turned down: the charge stands, the shot moves on. */
  markRejected(id: string, message: string): void {
    this.db
      .prepare(`UPDATE attempts SET status = 'rejected', error_kind = 'quality_rejected', error_message = ?, finished_at = ? WHERE id = ?`)
      .run(message, this.clock(), id);
  }

  /**
   * Ends an attempt that produced no clip. The reservation is released; a provider
   * that billed the failure anyway (chargedMicros) is charged.
   */
  markFailed(id: string, error: { kind: ErrorKind; message: string }, chargedMicros: Micros = 0, status: 'failed' | 'cancelled' = 'failed'): void {
    inTransaction(this.db, () => {
      const attempt = this.get(id);
      this.db
        .prepare(`UPDATE attempts SET status = ?, error_kind = ?, error_message = ?, actual_micros = ?, finished_at = ? WHERE id = ?`)
        .run(status, error.kind, error.message, chargedMicros, this.clock(), id);
      this.ledger.closeAttempt({ ...this.entryOf(attempt), chargedMicros, note: error.kind });
    });
  }

  /**
   * The job stalled past its deadline and could not be cancelled. Its id and its
   * reservation are kept: the provider may still bill it, and a late result is collected.
   */
  markTimedOut(id: string, message: string): void {
    this.db
      .prepare(`UPDATE attempts SET status = 'timed_out', error_kind = 'timeout', error_message = ? WHERE id = ?`)
      .run(message, id);
  }

  /** Timed-out attempts whose provider job may still deliver. */
  timedOut(episodeId: string): AttemptRecord[] {
    const rows = this.db.prepare(`SELECT * FROM attempts WHERE episode_id = ? AND status = 'timed_out' ORDER BY created_at`).all(episodeId) as AttemptRow[];
    return rows.map(toAttempt);
  }

  private entryOf(attempt: AttemptRecord) {
    return { episodeId: attempt.episodeId, attemptId: attempt.id, engineId: attempt.engineId, mode: attempt.mode };
  }
}
