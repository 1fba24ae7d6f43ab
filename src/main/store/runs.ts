/**
 * Runs: what each render, regenerate or stitch of an episode was asked to do. The
 * episode points at its current run, so a resume after a crash continues exactly that
 * request (the same shots, engine pin and seed) instead of guessing.
 */
import { randomUUID } from 'node:crypto';
import type { RenderMode } from '../../shared/domain';
import type { Db } from './database';

export type RunKind = 'render' | 'regenerate' | 'stitch';

export interface RunRecord {
  id: string;
  episodeId: string;
  kind: RunKind;
  mode: RenderMode;
  /** render --approved: generate only the approved shots. */
  approvedOnly: boolean;
  /** regenerate: the shots asked for. */
  shotIds: string[] | null;
  /** regenerate: the engine it is pinned to. */
  engineId: string | null;
  /** regenerate: the seed asked for. */
  seed: number | null;
  createdAt: number;
  finishedAt: number | null;
}

export type NewRun = Pick<RunRecord, 'kind' | 'mode'> & Partial<Pick<RunRecord, 'approvedOnly' | 'shotIds' | 'engineId' | 'seed'>>;

interface RunRow {
  id: string;
  episode_id: string;
  kind: RunKind;
  mode: RenderMode;
  approved_only: number;
  shots_json: string | null;
  engine_id: string | null;
  seed: number | null;
  created_at: number;
  finished_at: number | null;
}

const toRun = (row: RunRow): RunRecord => ({
  id: row.id,
  episodeId: row.episode_id,
  kind: row.kind,
  mode: row.mode,
  approvedOnly: row.approved_only === 1,
  shotIds: row.shots_json === null ? null : (JSON.parse(row.shots_json) as string[]),
  engineId: row.engine_id,
  seed: row.seed,
  createdAt: row.created_at,
  finishedAt: row.finished_at,
});

export class RunStore {
  constructor(
    private readonly db: Db,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Records the run and makes it the episode's current one (inside the caller's transaction, when there is one). */
  start(episodeId: string, run: NewRun): RunRecord {
    const id = `run_${randomUUID()}`;
    this.db
      .prepare(
        `INSERT INTO runs (id, episode_id, kind, mode, approved_only, shots_json, engine_id, seed, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(id, episodeId, run.kind, run.mode, run.approvedOnly ? 1 : 0, run.shotIds ? JSON.stringify(run.shotIds) : null, run.engineId ?? null, run.seed ?? null, this.clock());
    this.db.prepare(`UPDATE episodes SET current_run_id = ?, mode = ? WHERE id = ?`).run(id, run.mode, episodeId);
    return this.get(id);
  }

  get(id: string): RunRecord {
    const row = this.db.prepare(`SELECT * FROM runs WHERE id = ?`).get(id) as RunRow | undefined;
    if (!row) throw new Error(`no run ${id}`);
    return toRun(row);
  }

  /**
   * The run a resume continues. An episode from before schema 6 has none: it gets a
   * render in its own mode, which is what its runs always were.
   */
  current(episodeId: string): RunRecord {
    const episode = this.db.prepare(`SELECT current_run_id, mode FROM episodes WHERE id = ?`).get(episodeId) as { current_run_id: string | null; mode: RenderMode } | undefined;
    if (!episode) throw new Error(`no episode ${episodeId}`);
    return episode.current_run_id ? this.get(episode.current_run_id) : this.start(episodeId, { kind: 'render', mode: episode.mode });
  }

  finish(id: string): void {
    this.db.prepare(`UPDATE runs SET finished_at = ? WHERE id = ? AND finished_at IS NULL`).run(this.clock(), id);
  }

  forEpisode(episodeId: string): RunRecord[] {
    return (this.db.prepare(`SELECT * FROM runs WHERE episode_id = ? ORDER BY created_at, rowid`).all(episodeId) as RunRow[]).map(toRun);
  }
}
