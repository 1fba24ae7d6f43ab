/**
 * The cost ledger. Append-only rows in integer micro-dollars:
 *   reserve  money set aside before a paid call starts (and top-ups when the provider's own estimate is higher)
 *   release  a reservation given back (always in full, when the attempt is settled or ends)
 *   charge   what the attempt actually cost
 * For an episode: held = reserve - release, spent = charge, committed = held + spent.
 * A settled attempt has released exactly what it reserved, so the books balance.
 */
import type { Db } from './database';
import { toMicros, type Micros } from '../../shared/money';

export interface EpisodeMoney {
  heldMicros: Micros;
  spentMicros: Micros;
  committedMicros: Micros;
}

export type LedgerPurpose = 'generation' | 'quality_check';

export interface LedgerEntryInput {
  /** Default generation: the attempt's own job. */
  purpose?: LedgerPurpose;
  episodeId: string;
  attemptId: string;
  engineId: string;
  mode: string;
  micros: Micros;
  note?: string;
}

export class Ledger {
  constructor(
    private readonly db: Db,
    private readonly clock: () => number = Date.now,
  ) {}

  episodeMoney(episodeId: string): EpisodeMoney {
    const row = this.db
      .prepare(
        `SELECT
           COALESCE(SUM(CASE entry WHEN 'reserve' THEN micros WHEN 'release' THEN -micros ELSE 0 END), 0) AS held,
           COALESCE(SUM(CASE entry WHEN 'charge' THEN micros ELSE 0 END), 0) AS spent
         FROM ledger WHERE episode_id = ?`,
      )
      .get(episodeId) as { held: number; spent: number };
    return { heldMicros: toMicros(row.held), spentMicros: toMicros(row.spent), committedMicros: toMicros(row.held + row.spent) };
  }

  /** Money still reserved for one attempt (0 once released). */
  openReservation(attemptId: string): Micros {
    const row = this.db
      .prepare(
        `SELECT COALESCE(SUM(CASE entry WHEN 'reserve' THEN micros WHEN 'release' THEN -micros ELSE 0 END), 0) AS held
         FROM ledger WHERE attempt_id = ? AND purpose = 'generation'`,
      )
      .get(attemptId) as { held: number };
    return toMicros(row.held);
  }

  /** Everything ever reserved for one attempt, top-ups included: what the provider may bill without surprising anyone. */
  totalReserved(attemptId: string): Micros {
    const row = this.db.prepare(`SELECT COALESCE(SUM(micros), 0) AS reserved FROM ledger WHERE attempt_id = ? AND entry = 'reserve' AND purpose = 'generation'`).get(attemptId) as {
      reserved: number;
    };
    return toMicros(row.reserved);
  }

  /** Call only inside the transaction that checked the budget (creating the attempt, or topping it up). */
  reserve(entry: LedgerEntryInput): void {
    this.insert('reserve', entry);
  }

  /**
   * Settles an attempt: releases whatever is still held and records the charge (none
   * for a job the provider did not bill). Idempotent: a second call finds nothing held
   * and adds no second charge.
   */
  closeAttempt(entry: Omit<LedgerEntryInput, 'micros'> & { chargedMicros: Micros }): void {
    const held = this.openReservation(entry.attemptId);
    if (held > 0) this.insert('release', { ...entry, micros: held });
    const alreadyCharged = this.db.prepare(`SELECT COUNT(*) AS n FROM ledger WHERE attempt_id = ? AND entry = 'charge' AND purpose = 'generation'`).get(entry.attemptId) as {
      n: number;
    };
    if (alreadyCharged.n === 0 && entry.chargedMicros > 0) this.insert('charge', { ...entry, micros: entry.chargedMicros });
  }

  /** Appends one row as it is (the quality-check books keep their own per-call balance). */
  append(kind: 'reserve' | 'release' | 'charge', entry: LedgerEntryInput): void {
    this.insert(kind, entry);
  }

  private insert(kind: 'reserve' | 'release' | 'charge', entry: LedgerEntryInput): void {
    // Micros can only be made by toMicros, but a value may still arrive through a cast: check again at the door.
    const micros: number = entry.micros;
    if (!Number.isSafeInteger(micros) || micros < 0) throw new RangeError(`ledger amounts are non-negative whole micro-dollars, got ${micros}`);
    // Generation rows leave purpose to its default, so the same code writes to a database from before migration 5.
    const purpose = entry.purpose ?? 'generation';
    const columns = purpose === 'generation' ? '' : ', purpose';
    const values = purpose === 'generation' ? [] : [purpose];
    this.db
      .prepare(`INSERT INTO ledger (episode_id, attempt_id, engine_id, mode, entry, micros, note, created_at${columns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?${columns ? ', ?' : ''})`)
      .run(entry.episodeId, entry.attemptId, entry.engineId, entry.mode, kind, micros, entry.note ?? null, this.clock(), ...values);
  }
}
