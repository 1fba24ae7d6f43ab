/**
 * Observed engine health (success/failure counts, mean latency, cooldown), kept beside
 * the registry. Each update is one UPSERT statement, so concurrent runners (threads of
 * one process or several processes on the same file) never lose an increment.
 */
import type { EngineHealth } from '../../shared/domain';
import type { ErrorKind } from '../../shared/errors';
import type { Db } from '../store/database';

/** Weight of the newest latency in the running mean: recent behaviour matters most. */
export const LATENCY_EWMA_ALPHA = 0.3;

interface HealthRowDb {
  engine_id: string;
  successes: number;
  failures: number;
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
    const row = this.db.prepare('SELECT * FROM engine_health WHERE engine_id = ?').get(engineId) as HealthRowDb | undefined;
    return row ? toHealth(row) : emptyHealth(engineId);
  }

  allHealth(): Map<string, EngineHealth> {
    const rows = this.db.prepare('SELECT * FROM engine_health ORDER BY engine_id').all() as HealthRowDb[];
    return new Map(rows.map((row) => [row.engine_id, toHealth(row)]));
  }

  recordSuccess(engineId: string, latencyMs: number): void {
    if (!Number.isFinite(latencyMs) || latencyMs < 0) throw new RangeError(`latencyMs must be a finite number >= 0, got ${latencyMs}`);
    this.db
      .prepare(
        `INSERT INTO engine_health (engine_id, successes, failures, mean_latency_ms, cooling_until, last_error_kind, updated_at)
         VALUES (@id, 1, 0, @latency, 0, NULL, @now)
         ON CONFLICT (engine_id) DO UPDATE SET
           successes = successes + 1,
           mean_latency_ms = CASE WHEN mean_latency_ms IS NULL THEN @latency
                                  ELSE @alpha * @latency + (1 - @alpha) * mean_latency_ms END,
           updated_at = @now`,
      )
      .run({ id: engineId, latency: latencyMs, alpha: LATENCY_EWMA_ALPHA, now: this.clock() });
  }

  recordFailure(engineId: string, kind: ErrorKind): void {
    this.db
      .prepare(
        `INSERT INTO engine_health (engine_id, successes, failures, mean_latency_ms, cooling_until, last_error_kind, updated_at)
         VALUES (@id, 0, 1, NULL, 0, @kind, @now)
         ON CONFLICT (engine_id) DO UPDATE SET failures = failures + 1, last_error_kind = @kind, updated_at = @now`,
      )
      .run({ id: engineId, kind, now: this.clock() });
  }

  /** Cools the engine down until `untilEpochMs`; an existing later cooldown is kept. */
  coolDown(engineId: string, untilEpochMs: number): void {
    if (!Number.isFinite(untilEpochMs)) throw new RangeError(`untilEpochMs must be a finite number, got ${untilEpochMs}`);
    this.db
      .prepare(
        `INSERT INTO engine_health (engine_id, successes, failures, mean_latency_ms, cooling_until, last_error_kind, updated_at)
         VALUES (@id, 0, 0, NULL, @until, NULL, @now)
         ON CONFLICT (engine_id) DO UPDATE SET cooling_until = MAX(cooling_until, @until), updated_at = @now`,
      )
      .run({ id: engineId, until: Math.round(untilEpochMs), now: this.clock() });
  }
}

function toHealth(row: HealthRowDb): EngineHealth {
  return {
    engineId: row.engine_id,
    successes: row.successes,
    failures: row.failures,
    meanLatencyMs: row.mean_latency_ms,
    coolingUntil: row.cooling_until,
    lastErrorKind: row.last_error_kind,
  };
}
