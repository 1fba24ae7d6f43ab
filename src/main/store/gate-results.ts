/**
 * The quality gate's results: every check of every gated clip (what the render report
 * shows), and the running quality of each engine per shot kind that the router ranks
 * with once this user has history (observed-quality.ts has the arithmetic).
 */
import type { ObservedQualityView } from '../../shared/api';
import { SHOT_KINDS, type EngineSpec, type ShotKind } from '../../shared/domain';
import { nextMean, QUALITY_EWMA_ALPHA, rebasedMean, type ObservedQuality, type ObservedQualityMap } from '../../shared/observed-quality';
import type { GateCheck, GateDecision, GateVerdict } from '../../shared/quality';
import { inTransaction, type Db } from './database';

export interface StoredGateVerdict {
  attemptId: string;
  engineId: string;
  kind: ShotKind;
  decision: GateDecision;
  qualityScore: number;
  problems: string[];
  checks: GateCheck[];
  /** Epoch ms the verdict was (last) recorded. */
  recordedAt: number;
}

export interface RecordedGateVerdict {
  /**
   * Whether this call fed the observed quality: true the first time an attempt's verdict
   * is recorded, false when it was recorded before (its checks are replaced, its score is
   * not counted again).
   */
  counted: boolean;
  observed: ObservedQuality;
}

interface VerdictRow {
  attempt_id: string;
  engine_id: string;
  shot_kind: ShotKind;
  decision: GateDecision;
  quality_score: number;
  problems_json: string;
  recorded_at: number;
}

interface CheckRow {
  attempt_id: string;
  name: GateCheck['name'];
  value: number | null;
  measured: string;
  limit_text: string;
  outcome: GateCheck['outcome'];
  detail: string;
}

interface ObservedRow {
  engine_id: string;
  shot_kind: ShotKind;
  mean: number;
  samples: number;
  prior: number | null;
  updated_at: number;
}

const toCheck = (row: CheckRow): GateCheck => ({ name: row.name, value: row.value, measured: row.measured, limit: row.limit_text, outcome: row.outcome, detail: row.detail });

const toObserved = (row: ObservedRow): ObservedQuality => ({
  engineId: row.engine_id,
  kind: row.shot_kind,
  mean: row.mean,
  samples: row.samples,
  prior: row.prior,
  updatedAt: row.updated_at,
});

export class GateResultStore {
  constructor(
    private readonly db: Db,
    private readonly clock: () => number = Date.now,
  ) {}

  /**
   * Stores the verdict on an attempt's clip and, the first time only, moves the observed
   * quality of (the attempt's engine, its shot's kind) toward the verdict's score: one
   * transaction, so a crash never leaves checks without their learning or the reverse.
   * Recording an attempt again (a resumed run gating the same clip) replaces its checks
   * (the report shows the verdict the pipeline acted on last) but does not count again.
   */
  recordGateVerdict(attemptId: string, verdict: GateVerdict): RecordedGateVerdict {
    const score = verdict.qualityScore;
    if (typeof score !== 'number' || !Number.isFinite(score) || score < 0 || score > 1) {
      throw new RangeError(`gate verdict for attempt ${attemptId}: qualityScore must be a number in 0..1, got ${String(score)}`);
    }
    return inTransaction(this.db, () => {
      const subject = this.db
        .prepare(
          `SELECT a.engine_id AS engineId, json_extract(s.spec_json, '$.kind') AS kind
           FROM attempts a LEFT JOIN shots s ON s.episode_id = a.episode_id AND s.shot_id = a.shot_id WHERE a.id = ?`,
        )
        .get(attemptId) as { engineId: string; kind: string | null } | undefined;
      if (!subject) throw new Error(`gate verdict for unknown attempt ${attemptId}`);
      if (!(SHOT_KINDS as readonly (string | null)[]).includes(subject.kind)) throw new Error(`attempt ${attemptId}: its shot has no known kind (${String(subject.kind)})`);
      const kind = subject.kind as ShotKind;
      const now = this.clock();
      const existed = this.db.prepare(`SELECT 1 FROM gate_verdicts WHERE attempt_id = ?`).get(attemptId) !== undefined;

      this.db
        .prepare(
          `INSERT INTO gate_verdicts (attempt_id, engine_id, shot_kind, decision, quality_score, problems_json, colour_json, recorded_at)
           VALUES (@attemptId, @engineId, @kind, @decision, @score, @problems, @colour, @now)
           ON CONFLICT (attempt_id) DO UPDATE SET decision = excluded.decision, quality_score = excluded.quality_score,
             problems_json = excluded.problems_json, colour_json = excluded.colour_json, recorded_at = excluded.recorded_at`,
        )
        .run({ attemptId, engineId: subject.engineId, kind, decision: verdict.decision, score, problems: JSON.stringify(verdict.problems), colour: verdict.colour ? JSON.stringify(verdict.colour) : null, now });
      this.db.prepare(`DELETE FROM gate_checks WHERE attempt_id = ?`).run(attemptId);
      const insertCheck = this.db.prepare(
        `INSERT INTO gate_checks (attempt_id, position, name, value, measured, limit_text, outcome, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      verdict.checks.forEach((check, position) => {
        const value = typeof check.value === 'number' && Number.isFinite(check.value) ? check.value : null;
        insertCheck.run(attemptId, position, check.name, value, check.measured, check.limit, check.outcome, check.detail);
      });

      if (!existed) {
        const prior = this.priorOf(subject.engineId, kind);
        // One statement: two processes gating clips of the same engine at once both count.
        this.db
          .prepare(
            `INSERT INTO observed_quality (engine_id, shot_kind, mean, samples, prior, updated_at)
             VALUES (@engineId, @kind, @first, 1, @prior, @now)
             ON CONFLICT (engine_id, shot_kind) DO UPDATE SET
               mean = MIN(1.0, MAX(0.0, @alpha * @score + (1 - @alpha) * mean)),
               samples = samples + 1,
               updated_at = @now`,
          )
          .run({ engineId: subject.engineId, kind, first: nextMean(prior, score), prior, score, alpha: QUALITY_EWMA_ALPHA, now });
      }
      return { counted: !existed, observed: this.observedQuality(subject.engineId, kind)! };
    });
  }

  /** The attempt's gate checks in the gate's order; empty when its clip was never gated. */
  gateChecksFor(attemptId: string): GateCheck[] {
    const rows = this.db.prepare(`SELECT * FROM gate_checks WHERE attempt_id = ? ORDER BY position`).all(attemptId) as CheckRow[];
    return rows.map(toCheck);
  }

  gateVerdictFor(attemptId: string): StoredGateVerdict | undefined {
    const row = this.db.prepare(`SELECT * FROM gate_verdicts WHERE attempt_id = ?`).get(attemptId) as VerdictRow | undefined;
    return row ? this.toVerdict(row, this.gateChecksFor(attemptId)) : undefined;
  }

  /** Every gated attempt of the episode, by attempt id: what its report shows. */
  gateVerdictsForEpisode(episodeId: string): Map<string, StoredGateVerdict> {
    const verdicts = this.db
      .prepare(`SELECT v.* FROM gate_verdicts v JOIN attempts a ON a.id = v.attempt_id WHERE a.episode_id = ?`)
      .all(episodeId) as VerdictRow[];
    const checks = this.db
      .prepare(`SELECT c.* FROM gate_checks c JOIN attempts a ON a.id = c.attempt_id WHERE a.episode_id = ? ORDER BY c.attempt_id, c.position`)
      .all(episodeId) as CheckRow[];
    const byAttempt = new Map<string, GateCheck[]>();
    for (const row of checks) {
      const list = byAttempt.get(row.attempt_id) ?? [];
      list.push(toCheck(row));
      byAttempt.set(row.attempt_id, list);
    }
    return new Map(verdicts.map((row) => [row.attempt_id, this.toVerdict(row, byAttempt.get(row.attempt_id) ?? [])]));
  }

  /** The engine's observed quality for the kind; undefined before its first gated clip of that kind. */
  observedQuality(engineId: string, kind: ShotKind): ObservedQuality | undefined {
    const row = this.db.prepare(`SELECT * FROM observed_quality WHERE engine_id = ? AND shot_kind = ?`).get(engineId, kind) as ObservedRow | undefined;
    return row ? toObserved(row) : undefined;
  }

  /** Everything observed, by engine then kind: what the router's context and `shotline engines` read. */
  observedQualityByEngine(): ObservedQualityMap {
    const rows = this.db.prepare(`SELECT * FROM observed_quality ORDER BY engine_id, shot_kind`).all() as ObservedRow[];
    const out = new Map<string, Partial<Record<ShotKind, ObservedQuality>>>();
    for (const row of rows) {
      if (!(SHOT_KINDS as readonly string[]).includes(row.shot_kind)) continue;
      const kinds = out.get(row.engine_id) ?? {};
      kinds[row.shot_kind] = toObserved(row);
      out.set(row.engine_id, kinds);
    }
    return out;
  }

  /** The registry's quality for the kind (the seed's judgement; users cannot override it); null for an engine it does not know. */
  private priorOf(engineId: string, kind: ShotKind): number | null {
    const row = this.db.prepare(`SELECT seed_json FROM engines WHERE id = ?`).get(engineId) as { seed_json: string } | undefined;
    if (!row) return null;
    const value = (JSON.parse(row.seed_json) as { quality?: Partial<Record<ShotKind, unknown>> }).quality?.[kind];
    return typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= 1 ? value : null;
  }

  private toVerdict(row: VerdictRow, checks: GateCheck[]): StoredGateVerdict {
    return {
      attemptId: row.attempt_id,
      engineId: row.engine_id,
      kind: row.shot_kind,
      decision: row.decision,
      qualityScore: row.quality_score,
      problems: JSON.parse(row.problems_json) as string[],
      checks,
      recordedAt: row.recorded_at,
    };
  }
}

/** The observed quality the router ranks with, straight from a database (for the planner, which holds only `db`). */
export function observedQualityByEngine(db: Db): ObservedQualityMap {
  return new GateResultStore(db).observedQualityByEngine();
}

/**
 * The engine's observed quality as `shotline engines` and the app show it: per kind with
 * history, the mean the router ranks with (against the registry's current prior) and the prior.
 */
export function observedQualityViews(spec: Pick<EngineSpec, 'quality'>, observed: Partial<Record<ShotKind, ObservedQuality>> | undefined): Partial<Record<ShotKind, ObservedQualityView>> {
  const out: Partial<Record<ShotKind, ObservedQualityView>> = {};
  for (const kind of SHOT_KINDS) {
    const entry = observed?.[kind];
    if (!entry || entry.samples < 1) continue;
    const prior = spec.quality[kind];
    out[kind] = { mean: rebasedMean(entry, prior), samples: entry.samples, prior, updatedAt: entry.updatedAt };
  }
  return out;
}

/** The average colour the gate measured for each of these attempts' clips (attempts without one are left out). */
export function colourOfAttempts(db: Db, attemptIds: readonly string[]): Map<string, NonNullable<GateVerdict['colour']>> {
  const found = new Map<string, NonNullable<GateVerdict['colour']>>();
  const read = db.prepare(`SELECT colour_json FROM gate_verdicts WHERE attempt_id = ? AND colour_json IS NOT NULL`);
  for (const id of attemptIds) {
    const row = read.get(id) as { colour_json: string } | undefined;
    if (row) found.set(id, JSON.parse(row.colour_json) as NonNullable<GateVerdict['colour']>);
  }
  return found;
}
