/**
 * Episodes and their shots. Each state change is one statement or one transaction.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from './database';
import type { RenderMode } from '../../shared/domain';
import type { Shot, Storyboard } from '../../shared/storyboard';
import type { ShotState } from '../../shared/api';

export type EpisodeStatus = 'running' | 'stitching' | 'completed' | 'failed' | 'cancelled';

export interface EpisodeRecord {
  id: string;
  runKey: string;
  title: string;
  storyboardPath: string;
  storyboard: Storyboard;
  outputPath: string;
  mode: RenderMode;
  budgetMicros: number | null;
  options: Record<string, unknown>;
  status: EpisodeStatus;
  runnerPid: number | null;
  createdAt: number;
  finishedAt: number | null;
  errorMessage: string | null;
}

export interface ShotRecord {
  episodeId: string;
  shotId: string;
  position: number;
  spec: Shot;
  chain: unknown;
  status: ShotState;
  acceptedAttemptId: string | null;
  failureReason: string | null;
}

interface EpisodeRow {
  id: string;
  run_key: string;
  title: string;
  storyboard_path: string;
  storyboard_json: string;
  output_path: string;
  mode: RenderMode;
  budget_micros: number | null;
  options_json: string;
  status: EpisodeStatus;
  runner_pid: number | null;
  created_at: number;
  finished_at: number | null;
  error_message: string | null;
}

interface ShotRow {
  episode_id: string;
  shot_id: string;
  position: number;
  spec_json: string;
  chain_json: string;
  status: ShotState;
  accepted_attempt_id: string | null;
  failure_reason: string | null;
}

const toEpisode = (row: EpisodeRow): EpisodeRecord => ({
  id: row.id,
  runKey: row.run_key,
  title: row.title,
  storyboardPath: row.storyboard_path,
  storyboard: JSON.parse(row.storyboard_json) as Storyboard,
  outputPath: row.output_path,
  mode: row.mode,
  budgetMicros: row.budget_micros,
  options: JSON.parse(row.options_json) as Record<string, unknown>,
  status: row.status,
  runnerPid: row.runner_pid,
  createdAt: row.created_at,
  finishedAt: row.finished_at,
  errorMessage: row.error_message,
});

const toShot = (row: ShotRow): ShotRecord => ({
  episodeId: row.episode_id,
  shotId: row.shot_id,
  position: row.position,
  spec: JSON.parse(row.spec_json) as Shot,
  chain: JSON.parse(row.chain_json) as unknown,
  status: row.status,
  acceptedAttemptId: row.accepted_attempt_id,
  failureReason: row.failure_reason,
});

export type NewEpisode = Pick<EpisodeRecord, 'runKey' | 'storyboardPath' | 'storyboard' | 'outputPath' | 'mode' | 'budgetMicros' | 'options'>;

export class EpisodeStore {
  constructor(
    private readonly db: Db,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Creates the episode and one pending row per shot, atomically. */
  create(input: NewEpisode): EpisodeRecord {
    const id = `ep_${randomUUID()}`;
    const now = this.clock();
    this.db
      .transaction(() => {
        this.db
          .prepare(
            `INSERT INTO episodes (id, run_key, title, storyboard_path, storyboard_json, output_path, mode, budget_micros,
                                   options_json, status, runner_pid, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'running', ?, ?)`,
          )
          .run(
            id,
            input.runKey,
            input.storyboard.title,
            input.storyboardPath,
            JSON.stringify(input.storyboard),
            input.outputPath,
            input.mode,
            input.budgetMicros,
            JSON.stringify(input.options),
            process.pid,
            now,
          );
        const insertShot = this.db.prepare(
          `INSERT INTO shots (episode_id, shot_id, position, spec_json, status, updated_at) VALUES (?, ?, ?, ?, 'pending', ?)`,
        );
        input.storyboard.shots.forEach((shot, position) => insertShot.run(id, shot.id, position, JSON.stringify(shot), now));
      })
      .immediate();
    return this.get(id);
  }

  get(id: string): EpisodeRecord {
    const row = this.db.prepare(`SELECT * FROM episodes WHERE id = ?`).get(id) as EpisodeRow | undefined;
    if (!row) throw new Error(`no episode ${id}`);
    return toEpisode(row);
  }

  find(id: string): EpisodeRecord | undefined {
    const row = this.db.prepare(`SELECT * FROM episodes WHERE id = ?`).get(id) as EpisodeRow | undefined;
    return row && toEpisode(row);
  }

  latestByRunKey(runKey: string): EpisodeRecord | undefined {
    const row = this.db
      .prepare(`SELECT * FROM episodes WHERE run_key = ? ORDER BY created_at DESC, rowid DESC LIMIT 1`)
      .get(runKey) as EpisodeRow | undefined;
    return row && toEpisode(row);
  }

  /** Episodes that were running or stitching when their process stopped, newest first. */
  unfinished(): EpisodeRecord[] {
    const rows = this.db
      .prepare(`SELECT * FROM episodes WHERE status IN ('running', 'stitching') ORDER BY created_at DESC, rowid DESC`)
      .all() as EpisodeRow[];
    return rows.map(toEpisode);
  }

  list(limit = 100): EpisodeRecord[] {
    const rows = this.db.prepare(`SELECT * FROM episodes ORDER BY created_at DESC, rowid DESC LIMIT ?`).all(limit) as EpisodeRow[];
    return rows.map(toEpisode);
  }

  /** Marks this process as the episode's runner; refused when another live process holds it. */
  claim(id: string, pid: number, isAlive: (pid: number) => boolean): void {
    this.db
      .transaction(() => {
        const episode = this.get(id);
        if (episode.runnerPid && episode.runnerPid !== pid && isAlive(episode.runnerPid) && ['running', 'stitching'].includes(episode.status)) {
          throw new EpisodeBusyError(id, episode.runnerPid);
        }
        this.db
          .prepare(`UPDATE episodes SET runner_pid = ?, status = 'running', finished_at = NULL, error_message = NULL WHERE id = ?`)
          .run(pid, id);
      })
      .immediate();
  }

  setStatus(id: string, status: EpisodeStatus, errorMessage: string | null = null): void {
    const finished = status === 'running' || status === 'stitching' ? null : this.clock();
    this.db.prepare(`UPDATE episodes SET status = ?, finished_at = ?, error_message = ? WHERE id = ?`).run(status, finished, errorMessage, id);
  }

  shots(episodeId: string): ShotRecord[] {
    const rows = this.db.prepare(`SELECT * FROM shots WHERE episode_id = ? ORDER BY position`).all(episodeId) as ShotRow[];
    return rows.map(toShot);
  }

  setShotPlan(episodeId: string, shotId: string, chain: unknown): void {
    this.db
      .prepare(`UPDATE shots SET chain_json = ?, updated_at = ? WHERE episode_id = ? AND shot_id = ?`)
      .run(JSON.stringify(chain), this.clock(), episodeId, shotId);
  }

  setShotStatus(episodeId: string, shotId: string, status: ShotState, failureReason: string | null = null): void {
    this.db
      .prepare(`UPDATE shots SET status = ?, failure_reason = ?, updated_at = ? WHERE episode_id = ? AND shot_id = ?`)
      .run(status, failureReason, this.clock(), episodeId, shotId);
  }
}

export class EpisodeBusyError extends Error {
  override name = 'EpisodeBusyError';
  constructor(
    readonly episodeId: string,
    readonly pid: number,
  ) {
    super(`episode ${episodeId} is being rendered by another Shotline process (pid ${pid})`);
  }
}
