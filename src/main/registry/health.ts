/**
 * Observed engine health, kept beside the registry: outcomes over a recent window (the
 * router's failure rate), a running mean latency, and cooldowns. Which failures count
 * against an engine is the policy table's call (a refused prompt is the user's, not the
 * engine's); this module only stores what it is told. Each update is one statement, so
 * concurrent runners (several processes on the same file) never lose one.
 */
import type { EngineHealth } from '../../shared/domain';
import type { ErrorKind } from '../../shared/errors';
import type { Db } from '../store/database';

/** Weight of the newest latency in the running mean: recent behaviour matters most. */
export const LATENCY_EWMA_ALPHA = 0.3;

/** Outcomes older than this do not count: an outage this morning says little about tonight. */
export const HEALTH_WINDOW_MS = 6 * 60 * 60 * 1000;

interface HealthRowDb {
  engine_id: string;
  mean_latency_ms: number | null;
  cooling_until: number;
  last_error_kind: string | null;
}

export function emptyHealth(engineId: string): EngineHealth {
  return { engineId, successes: 0, failures: 0, meanLatencyMs: null, coolingUntil: 0, lastErrorKind: null };
}

export class HealthRepository {
  constructor(
    private readonly db: Db,
    private readonly clock: () => number = Date.now,
  ) {}

  getHealth(engineId: string): EngineHealth {
    return this.allHealth(engineId).get(engineId) ?? emptyHealth(engineId);
  }

  /** Every engine with a recent outcome, a latency or a cooldown (or just `only`). */
  allHealth(only?: string): Map<string, EngineHealth> {
    const since = this.clock() - HEALTH_WINDOW_MS;
    const filter = only === undefined ? '' : 'WHERE engine_id = @only';
    const outcomes = this.db
      .prepare(
        `SELECT engine_id, SUM(ok) AS successes, SUM(1 - ok) AS failures FROM engine_outcomes
         WHERE at >= @since ${only === undefined ? '' : 'AND engine_id = @only'} GROUP BY engine_id`,
      )
      .all({ since, only }) as { engine_id: string; successes: number; failures: number }[];
    const rows = this.db.prepare(`SELECT * FROM engine_health ${filter} ORDER BY engine_id`).all(only === undefined ? {} : { only }) as HealthRowDb[];
    const out = new Map<string, EngineHealth>();
    for (const row of rows) out.set(row.engine_id, { ...emptyHealth(row.engine_id), meanLatencyMs: row.mean_latency_ms, coolingUntil: row.cooling_until, lastErrorKind: row.last_error_kind });
    for (const row of outcomes) out.set(row.engine_id, { ...(out.get(row.engine_id) ?? emptyHealth(row.engine_id)), successes: row.successes, failures: row.failures });
    return new Map([...out].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  recordSuccess(engineId: string, latencyMs: number): void {
    if (!Number.isFinite(latencyMs) || latencyMs < 0) throw new RangeError(`latencyMs must be a finite number >= 0, got ${latencyMs}`);
    const now = this.clock();
    this.db.prepare(`INSERT INTO engine_outcomes (engine_id, at, ok, kind, latency_ms) VALUES (?, ?, 1, NULL, ?)`).run(engineId, now, Math.round(latencyMs));
    this.db
      .prepare(
        `INSERT INTO engine_health (engine_id, mean_latency_ms, cooling_until, last_error_kind, updated_at)
         VALUES (@id, @latency, 0, NULL, @now)
         ON CONFLICT (engine_id) DO UPDATE SET
           mean_latency_ms = CASE WHEN mean_latency_ms IS NULL THEN @latency
                                  ELSE @alpha * @latency + (1 - @alpha) * mean_latency_ms END,
           updated_at = @now`,
      )
      .run({ id: engineId, latency: latencyMs, alpha: LATENCY_EWMA_ALPHA, now });
    this.prune(now);
  }

  /** A failure that was the engine's own fault (the caller has asked the policy table). */
  recordFailure(engineId: string, kind: ErrorKind): void {
    const now = this.clock();
    this.db.prepare(`INSERT INTO engine_outcomes (engine_id, at, ok, kind) VALUES (?, ?, 0, ?)`).run(engineId, now, kind);
    this.db
      .prepare(
        `INSERT INTO engine_health (engine_id, mean_latency_ms, cooling_until, last_error_kind, updated_at)
         VALUES (@id, NULL, 0, @kind, @now)
         ON CONFLICT (engine_id) DO UPDATE SET last_error_kind = @kind, updated_at = @now`,
      )
      .run({ id: engineId, kind, now });
    this.prune(now);
  }

  /** Cools the engine down until `untilEpochMs`; an existing later cooldown is kept. */
  coolDown(engineId: string, untilEpochMs: number, kind?: ErrorKind): void {
    if (!Number.isFinite(untilEpochMs)) throw new RangeError(`untilEpochMs must be a finite number, got ${untilEpochMs}`);
    this.db
      .prepare(
        `INSERT INTO engine_health (engine_id, mean_latency_ms, cooling_until, last_error_kind, updated_at)
         VALUES (@id, NULL, @until, @kind, @now)
         ON CONFLICT (engine_id) DO UPDATE SET cooling_until = MAX(cooling_until, @until),
           last_error_kind = COALESCE(@kind, last_error_kind), updated_at = @now`,
      )
      .run({ id: engineId, until: Math.round(untilEpochMs), kind: kind ?? null, now: this.clock() });
  }

  /** Outcomes far outside the window are never read again. */
  private prune(now: number): void {
    this.db.prepare(`DELETE FROM engine_outcomes WHERE at < ?`).run(now - 4 * HEALTH_WINDOW_MS);
  }
}
