/**
 * Attempts move through an explicit state machine (attempt-record.ts), one transaction
 * per step, and money moves in the same transaction as the state it belongs to: a crash
 * can never leave a charge without its attempt, a settled attempt still holding a
 * reservation, or a provider job whose id was not written down.
 */
import { randomUUID } from 'node:crypto';
import type { ErrorKind } from '../../shared/errors';
import { microsLeft, toMicros, type Micros } from '../../shared/money';
import type { GenerationRequest, JobOutput } from '../engines/engine';
import { inTransaction, type Db } from './database';
import { Ledger } from './ledger';
import { TakeStore } from './takes';
import { IllegalTransitionError, toAttempt, type AttemptRecord, type AttemptRow, type AttemptStatus, type CancelReason } from './attempt-record';

export * from './attempt-record';

export interface ReserveInput {
  episodeId: string;
  shotId: string;
  engineId: string;
  mode: string;
  request: GenerationRequest;
  /** List price of the seconds to generate. */
  priceMicros: Micros;
  /** What to hold: the price corrected by observed billing (never less than the price). */
  estimatedMicros: Micros;
  /** null: the episode has no budget limit. */
  budgetMicros: Micros | null;
  /** The run asking for it (default: none, as before runs existed). */
  runId?: string | null;
  /** The version of the shot it makes (default: the shot's version now). */
  shotVersion?: number;
}

export type ReserveOutcome =
  | { ok: true; attempt: AttemptRecord }
  | { ok: false; reason: 'over_budget'; neededMicros: Micros; leftMicros: Micros };

/** The provider's create-time estimate topped the reservation up, or could not within the budget. */
export type TopUpOutcome = { ok: true; toppedUpMicros: Micros } | { ok: false; neededMicros: Micros; leftMicros: Micros };

export interface Settlement {
  chargedMicros: Micros;
  source: 'provider' | 'price';
  /** Why the charge is what it is, when that is worth saying (an invalid figure from the provider). */
  note?: string;
}

export class AttemptStore {
  readonly ledger: Ledger;
  private readonly takes: TakeStore;

  constructor(
    /** Read models (reports.ts) read beside the attempts through the same connection. */
    readonly db: Db,
    private readonly clock: () => number = Date.now,
  ) {
    this.ledger = new Ledger(db, clock);
    this.takes = new TakeStore(db, clock);
  }

  /**
   * Checks the budget, creates the attempt and reserves its estimated cost in one
   * BEGIN IMMEDIATE transaction: any number of parallel shots (or processes) can race
   * here and the episode still never commits more than its budget.
   */
  reserve(input: ReserveInput): ReserveOutcome {
    return inTransaction(this.db, () => {
      const left = this.budgetLeft(input.episodeId, input.budgetMicros);
      if (left !== null && input.estimatedMicros > left) return { ok: false, reason: 'over_budget', neededMicros: input.estimatedMicros, leftMicros: left };
      const last = this.db
        .prepare(`SELECT COALESCE(MAX(attempt_no), 0) AS n FROM attempts WHERE episode_id = ? AND shot_id = ?`)
        .get(input.episodeId, input.shotId) as { n: number };
      const id = `at_${randomUUID()}`;
      // Unique per attempt, never reused: a provider that keeps it can only ever match this attempt's job.
      const clientReference = `shotline-${randomUUID()}`;
      this.db
        .prepare(
          `INSERT INTO attempts (id, episode_id, shot_id, attempt_no, engine_id, mode, client_reference, status, request_json,
                                 price_micros, estimated_micros, created_at, run_id, shot_version)
           VALUES (?, ?, ?, ?, ?, ?, ?, 'reserved', ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          id,
          input.episodeId,
          input.shotId,
          last.n + 1,
          input.engineId,
          input.mode,
          clientReference,
          JSON.stringify(input.request),
          input.priceMicros,
          input.estimatedMicros,
          this.clock(),
          input.runId ?? null,
          input.shotVersion ?? this.shotVersion(input.episodeId, input.shotId),
        );
      this.ledger.reserve({ episodeId: input.episodeId, attemptId: id, engineId: input.engineId, mode: input.mode, micros: input.estimatedMicros });
      return { ok: true as const, attempt: this.get(id) };
    });
  }

  private shotVersion(episodeId: string, shotId: string): number {
    const row = this.db.prepare(`SELECT version FROM shots WHERE episode_id = ? AND shot_id = ?`).get(episodeId, shotId) as { version: number } | undefined;
    return row?.version ?? 1;
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

  /**
   * The take a run already made for the shot, if any (a late result may have been
   * accepted while other engines were tried). Attempts from before runs existed (null)
   * count as one run.
   */
  acceptedInRun(episodeId: string, shotId: string, runId: string | null): AttemptRecord | undefined {
    const row = this.db
      .prepare(`SELECT * FROM attempts WHERE episode_id = ? AND shot_id = ? AND status = 'accepted' AND run_id IS ? ORDER BY attempt_no LIMIT 1`)
      .get(episodeId, shotId, runId) as AttemptRow | undefined;
    return row ? toAttempt(row) : undefined;
  }

  forEpisode(episodeId: string, statuses?: readonly AttemptStatus[]): AttemptRecord[] {
    const filter = statuses ? `AND status IN (${statuses.map(() => '?').join(', ')})` : '';
    const rows = this.db
      .prepare(`SELECT * FROM attempts WHERE episode_id = ? ${filter} ORDER BY shot_id, attempt_no`)
      .all(episodeId, ...(statuses ?? [])) as AttemptRow[];
    return rows.map(toAttempt);
  }

  /** Written before the request leaves: from here on a resume asks the provider instead of submitting again. */
  markSubmitting(id: string, holdUntil: number): AttemptRecord {
    return this.transition(id, ['reserved'], 'submitting', { submitting_at: this.clock(), hold_until: holdUntil });
  }

  /**
   * The provider's job id is written the moment it exists. When the provider's own
   * estimate at create is above what is held, the reservation is topped up in the same
   * transaction, if the budget allows; otherwise the caller cancels the job.
   */
  markSubmitted(id: string, jobId: string, providerEstimate: Micros | undefined, budgetMicros: Micros | null, holdUntil: number): TopUpOutcome {
    return inTransaction(this.db, () => {
      const attempt = this.transition(id, ['submitting'], 'submitted', {
        provider_job_id: jobId,
        submitted_at: this.clock(),
        provider_estimate_micros: providerEstimate ?? null,
        hold_until: holdUntil,
      });
      const held = this.ledger.openReservation(id);
      if (providerEstimate === undefined || providerEstimate <= held) return { ok: true, toppedUpMicros: toMicros(0) };
      const needed = toMicros(providerEstimate - held);
      const left = this.budgetLeft(attempt.episodeId, budgetMicros);
      if (left !== null && needed > left) return { ok: false, neededMicros: needed, leftMicros: left };
      this.ledger.reserve({ ...this.entryOf(attempt), micros: needed, note: "top-up to the provider's estimate at create" });
      return { ok: true, toppedUpMicros: needed };
    });
  }

  /**
   * The provider's estimate did not fit the budget and the job cannot be cancelled: it
   * will be billed whatever we do, so the ledger holds what the provider said. Committed
   * money then passes the budget, and every later reservation is refused.
   */
  forceTopUp(id: string, micros: Micros, note: string): void {
    inTransaction(this.db, () => this.ledger.reserve({ ...this.entryOf(this.get(id)), micros, note }));
  }

  /** A submit found lost on resume, recovered through the provider's lookup. */
  markRecovered(id: string, jobId: string, holdUntil: number): AttemptRecord {
    return this.transition(id, ['submitting', 'unknown'], 'submitted', { provider_job_id: jobId, submitted_at: this.clock(), hold_until: holdUntil, error_kind: null, error_message: null });
  }

  /**
   * The provider says the job is done: what it costs and where its output is are
   * recorded before any download, so an output that expires or a crash mid-download
   * never loses the charge or makes us pay for the job again.
   */
  markSucceeded(id: string, output: JobOutput, settlement: Settlement): AttemptRecord {
    return inTransaction(this.db, () => {
      const attempt = this.transition(id, ['submitted', 'timed_out'], 'succeeded', {
        output_json: JSON.stringify(output),
        succeeded_at: this.clock(),
        actual_micros: settlement.chargedMicros,
        billed_source: settlement.source,
        hold_until: null,
        error_kind: null,
        error_message: null,
      });
      this.ledger.closeAttempt({ ...this.entryOf(attempt), chargedMicros: settlement.chargedMicros, note: settlement.note ?? 'settled' });
      return this.get(id);
    });
  }

  /** The same job, a fresh output location (signed URLs expire; the provider hands out new ones). */
  refreshOutput(id: string, output: JobOutput): AttemptRecord {
    return this.transition(id, ['succeeded'], 'succeeded', { output_json: JSON.stringify(output) });
  }

  markDownloaded(id: string, clip: { path: string; sha256: string; stat: string }): AttemptRecord {
    return this.transition(id, ['succeeded'], 'downloaded', { clip_path: clip.path, clip_sha256: clip.sha256, clip_stat: clip.stat });
  }

  /** The clip's checksum was verified again; its file's size and time are noted so the next check can skip the hashing. */
  noteClipStat(id: string, stat: string): void {
    this.db.prepare(`UPDATE attempts SET clip_stat = ? WHERE id = ?`).run(stat, id);
  }

  /**
   * The clip on disk is gone or no longer matches its checksum: the attempt goes back to
   * `succeeded`, to be fetched again from the same (paid) job, and its shot is open again.
   */
  markClipLost(id: string): AttemptRecord {
    return inTransaction(this.db, () => {
      const attempt = this.transition(id, ['downloaded', 'accepted', 'collected'], 'succeeded', { clip_path: null, clip_sha256: null, clip_stat: null, finished_at: null });
      this.db
        .prepare(`UPDATE shots SET status = 'pending', selected_take_id = NULL, selected_by = NULL, updated_at = ? WHERE episode_id = ? AND shot_id = ? AND selected_take_id = ?`)
        .run(this.clock(), attempt.episodeId, attempt.shotId, id);
      return attempt;
    });
  }

  /** Accepts the attempt as a take of its shot, selected or not (takes.ts says when), in one transaction. */
  markAccepted(id: string): AttemptRecord {
    return inTransaction(this.db, () => {
      const attempt = this.transition(id, ['downloaded', 'succeeded'], 'accepted', { finished_at: this.clock() });
      this.takes.recordTake(attempt);
      return this.get(id);
    });
  }

  /** A late result for a shot that already has its clip: paid once, kept as an alternate take. */
  markCollected(id: string): AttemptRecord {
    return this.transition(id, ['downloaded'], 'collected', { finished_at: this.clock() });
  }

  /** A paid clip the gate turned down: the charge stands, the shot moves on. */
  markRejected(id: string, message: string): AttemptRecord {
    return this.transition(id, ['downloaded'], 'rejected', { error_kind: 'quality_rejected', error_message: message, finished_at: this.clock() });
  }

  /**
   * Ends an attempt without a clip. Whatever is still held is released; a provider that
   * billed the failure anyway is charged (a succeeded attempt keeps the charge it has).
   */
  markFailed(id: string, error: { kind: ErrorKind; message: string }, settlement?: Settlement, status: 'failed' | 'cancelled' = 'failed'): AttemptRecord {
    return inTransaction(this.db, () => {
      const before = this.get(id);
      const charged = before.actualMicros ?? settlement?.chargedMicros ?? toMicros(0);
      const attempt = this.transition(id, ['reserved', 'submitting', 'submitted', 'succeeded', 'timed_out', 'downloaded', 'unknown'], status, {
        error_kind: error.kind,
        error_message: error.message,
        actual_micros: charged,
        billed_source: before.billedSource ?? settlement?.source ?? null,
        finished_at: this.clock(),
        hold_until: null,
      });
      this.ledger.closeAttempt({ ...this.entryOf(attempt), chargedMicros: charged, note: settlement?.note ?? error.kind });
      return attempt;
    });
  }

  /**
   * The job stalled past its deadline and could not be cancelled. Its id and its
   * reservation are kept until `holdUntil` (the provider's output retention): a late
   * result is collected and paid once; after that the money is released.
   */
  markTimedOut(id: string, message: string, holdUntil: number): AttemptRecord {
    return this.transition(id, ['submitted', 'timed_out'], 'timed_out', { error_kind: 'timeout', error_message: message, hold_until: holdUntil });
  }

  /**
   * The submit may have created a job (no answer came back) and the provider offers no
   * way to look it up: the reservation stays, as the provider may bill it, until the user
   * decides (--resubmit-unknown) or the provider's retention has passed.
   */
  markUnknown(id: string, message: string, holdUntil: number): AttemptRecord {
    return this.transition(id, ['submitting'], 'unknown', { error_kind: 'unavailable', error_message: message, hold_until: holdUntil });
  }

  /** Written before the cancel is sent, so that the job's later "cancelled" is read as ours whatever happens in between. */
  noteCancelRequested(id: string, reason: CancelReason): AttemptRecord {
    this.db.prepare(`UPDATE attempts SET cancel_reason = ? WHERE id = ?`).run(reason, id);
    return this.get(id);
  }

  /** The user chose to generate an unknown-outcome shot again: its reservation is released, the risk is on record. */
  markAbandoned(id: string, message: string): AttemptRecord {
    return this.closeWithoutCharge(id, ['unknown'], 'abandoned', message);
  }

  /** Held past the provider's retention with nothing heard: the reservation is released. */
  markExpired(id: string, message: string): AttemptRecord {
    return this.closeWithoutCharge(id, ['reserved', 'submitting', 'submitted', 'timed_out', 'unknown'], 'expired', message);
  }

  /**
   * Releases every reservation held past its time, in episodes no live process is
   * running (`isBusy` says which are): money is never held forever, even for an episode
   * nobody resumes. Returns the attempts released.
   */
  expireOverdue(isBusy: (episodeId: string) => boolean): AttemptRecord[] {
    const rows = this.db
      .prepare(`SELECT * FROM attempts WHERE hold_until IS NOT NULL AND hold_until < ? AND status IN ('reserved', 'submitting', 'submitted', 'timed_out', 'unknown')`)
      .all(this.clock()) as AttemptRow[];
    return rows
      .map(toAttempt)
      .filter((attempt) => !isBusy(attempt.episodeId))
      .map((attempt) =>
        this.markExpired(attempt.id, `${attempt.errorMessage ? `${attempt.errorMessage}; ` : ''}nothing heard by ${new Date(attempt.holdUntil!).toISOString()}, when the provider no longer keeps the job: reservation released`),
      );
  }

  /** Money left under the budget right now; null when there is no budget. Call inside a transaction. */
  budgetLeft(episodeId: string, budgetMicros: Micros | null): Micros | null {
    if (budgetMicros === null) return null;
    return microsLeft(budgetMicros, this.ledger.episodeMoney(episodeId).committedMicros);
  }

  private closeWithoutCharge(id: string, from: AttemptStatus[], to: AttemptStatus, message: string): AttemptRecord {
    return inTransaction(this.db, () => {
      const attempt = this.transition(id, from, to, { error_message: message, finished_at: this.clock(), hold_until: null, actual_micros: toMicros(0) });
      this.ledger.closeAttempt({ ...this.entryOf(attempt), chargedMicros: toMicros(0), note: to });
      return attempt;
    });
  }

  /** Moves the attempt from one of `from` to `to`, setting `columns`; refuses any other starting state. */
  private transition(id: string, from: readonly AttemptStatus[], to: AttemptStatus, columns: Record<string, string | number | null>): AttemptRecord {
    const names = Object.keys(columns);
    const sets = ['status = @to', ...names.map((name) => `${name} = @${name}`)].join(', ');
    const result = this.db
      .prepare(`UPDATE attempts SET ${sets} WHERE id = @id AND status IN (${from.map((_, i) => `@from${i}`).join(', ')})`)
      .run({ ...columns, to, id, ...Object.fromEntries(from.map((status, i) => [`from${i}`, status])) });
    if (result.changes !== 1) {
      const row = this.db.prepare(`SELECT status FROM attempts WHERE id = ?`).get(id) as { status: AttemptStatus } | undefined;
      throw new IllegalTransitionError(id, to, row?.status);
    }
    return this.get(id);
  }

  private entryOf(attempt: AttemptRecord) {
    return { episodeId: attempt.episodeId, attemptId: attempt.id, engineId: attempt.engineId, mode: attempt.mode };
  }
}
