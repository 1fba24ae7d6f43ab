/**
 * Episodes and their shots. Each state change is one statement or one transaction.
 */
import { randomUUID } from 'node:crypto';
import { inTransaction, type Db } from './database';
import { toMicros, type Micros } from '../../shared/money';
import { runnerAlive, sameRunner, type RunnerIdentity, type StoredRunner } from './runner-identity';
import type { RenderMode } from '../../shared/domain';
import type { Shot, Storyboard } from '../../shared/storyboard';
import type { ShotState } from '../../shared/api';
import { UserError } from '../../shared/errors';
import { RunStore, type NewRun, type RunRecord } from './runs';
import { ShotVersionStore, type ImportResult, type ShotFingerprinter } from './shot-versions';
import { TakeStore } from './takes';
import { shotFingerprint } from '../storyboard/shot-fingerprint';

export type EpisodeStatus = 'running' | 'stitching' | 'completed' | 'failed' | 'cancelled';

export interface EpisodeRecord {
  id: string;
  runKey: string;
  title: string;
  storyboardPath: string;
  storyboard: Storyboard;
  outputPath: string;
  mode: RenderMode;
  budgetMicros: Micros | null;
  options: Record<string, unknown>;
  status: EpisodeStatus;
  runner: StoredRunner;
  createdAt: number;
  finishedAt: number | null;
  errorMessage: string | null;
  /** The run a resume continues. */
  currentRunId: string | null;
  /** The takes the last stitch used (shot id -> attempt id), and where it wrote them. */
  stitched: StitchedTakes | null;
}

export interface StitchedTakes {
  outputPath: string;
  at: number;
  takes: Record<string, string>;
}

export interface ShotRecord {
  episodeId: string;
  shotId: string;
  position: number;
  spec: Shot;
  chain: unknown;
  status: ShotState;
  /** The selected ("circled") take: the attempt a stitch uses. */
  selectedTakeId: string | null;
  failureReason: string | null;
  version: number;
  removed: boolean;
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
  runner_started: string | null;
  runner_heartbeat_at: number | null;
  created_at: number;
  finished_at: number | null;
  error_message: string | null;
  current_run_id: string | null;
  stitched_json: string | null;
}

interface ShotRow {
  episode_id: string;
  shot_id: string;
  position: number;
  spec_json: string;
  chain_json: string;
  status: ShotState;
  selected_take_id: string | null;
  failure_reason: string | null;
  version: number;
  removed: number;
}

const toEpisode = (row: EpisodeRow): EpisodeRecord => ({
  id: row.id,
  runKey: row.run_key,
  title: row.title,
  storyboardPath: row.storyboard_path,
  storyboard: JSON.parse(row.storyboard_json) as Storyboard,
  outputPath: row.output_path,
  mode: row.mode,
  budgetMicros: row.budget_micros === null ? null : toMicros(row.budget_micros),
  options: JSON.parse(row.options_json) as Record<string, unknown>,
  status: row.status,
  runner: { pid: row.runner_pid, started: row.runner_started, heartbeatAt: row.runner_heartbeat_at },
  createdAt: row.created_at,
  finishedAt: row.finished_at,
  errorMessage: row.error_message,
  currentRunId: row.current_run_id,
  stitched: row.stitched_json === null ? null : (JSON.parse(row.stitched_json) as StitchedTakes),
});

const toShot = (row: ShotRow): ShotRecord => ({
  episodeId: row.episode_id,
  shotId: row.shot_id,
  position: row.position,
  spec: JSON.parse(row.spec_json) as Shot,
  chain: JSON.parse(row.chain_json) as unknown,
  status: row.status,
  selectedTakeId: row.selected_take_id,
  failureReason: row.failure_reason,
  version: row.version,
  removed: row.removed === 1,
});

export type NewEpisode = Pick<EpisodeRecord, 'runKey' | 'storyboardPath' | 'storyboard' | 'outputPath' | 'mode' | 'budgetMicros' | 'options'> & {
  /**
   * The content fingerprint of each shot (shot-fingerprint.ts): what makes an edit a new
   * version. Default: reference images by path only (renders pass their contents' digests).
   */
  fingerprint?: ShotFingerprinter;
};

export class EpisodeStore {
  private readonly versions: ShotVersionStore;
  private readonly takes: TakeStore;
  readonly runs: RunStore;

  constructor(
    private readonly db: Db,
    private readonly clock: () => number = Date.now,
  ) {
    this.versions = new ShotVersionStore(db, clock);
    this.takes = new TakeStore(db, clock);
    this.runs = new RunStore(db, clock);
  }

  /** Creates the episode and version 1 of each shot, atomically (inside a caller's transaction too). */
  create(input: NewEpisode): EpisodeRecord {
    const id = `ep_${randomUUID()}`;
    const now = this.clock();
    this.db
      .transaction(() => {
        this.db
          .prepare(
            `INSERT INTO episodes (id, run_key, title, storyboard_path, storyboard_json, output_path, mode, budget_micros,
                                   options_json, status, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'running', ?)`,
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
            now,
          );
        this.versions.importStoryboard(id, input.storyboard, fingerprinterOf(input));
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

  /**
   * The episode an id names, or the one whose id starts with it (ids are long to type):
   * undefined when none; a start shared by several is refused with the candidates.
   */
  resolveId(idOrStart: string): string | undefined {
    if (this.find(idOrStart)) return idOrStart;
    if (idOrStart.length < 4) return undefined;
    const matches = (this.db.prepare(`SELECT id FROM episodes WHERE substr(id, 1, ?) = ? ORDER BY created_at DESC LIMIT 6`).all(idOrStart.length, idOrStart) as { id: string }[]).map((row) => row.id);
    if (matches.length > 1) throw new UserError(`episode id "${idOrStart}" is the start of ${matches.length > 5 ? 'more than 5' : matches.length} episodes (${matches.slice(0, 5).join(', ')}); give more of it`);
    return matches[0];
  }

  latestByRunKey(runKey: string): EpisodeRecord | undefined {
    const row = this.db
      .prepare(`SELECT * FROM episodes WHERE run_key = ? ORDER BY created_at DESC, rowid DESC LIMIT 1`)
      .get(runKey) as EpisodeRow | undefined;
    return row && toEpisode(row);
  }

  /** Episodes not completed: interrupted (running or stitching when their process stopped), cancelled or failed; newest first. */
  unfinished(): EpisodeRecord[] {
    const rows = this.db
      .prepare(`SELECT * FROM episodes WHERE status != 'completed' ORDER BY created_at DESC, rowid DESC`)
      .all() as EpisodeRow[];
    return rows.map(toEpisode);
  }

  list(limit = 100): EpisodeRecord[] {
    const rows = this.db.prepare(`SELECT * FROM episodes ORDER BY created_at DESC, rowid DESC LIMIT ?`).all(limit) as EpisodeRow[];
    return rows.map(toEpisode);
  }

  /**
   * The episode a render of this storyboard file belongs to, with the file's edits
   * brought in (new shot versions) and a new run recorded, claimed for `runner`, in one
   * transaction: two renders of the same storyboard started together make one episode,
   * and the second finds it busy. An existing episode takes the new output path and
   * budget (flags do not make a new episode). `check` runs inside the transaction (the
   * preflight of plan against budget): when it throws, nothing is created, changed or claimed.
   */
  openForRun(input: {
    episode: NewEpisode;
    run: NewRun;
    runner: RunnerIdentity;
    fresh: boolean;
    /** The run this process is already making of that episode, if any: the same request is joined, another is refused. */
    runningHere: (episodeId: string) => RunRecord | undefined;
    check?: (episode: EpisodeRecord, run: RunRecord, resumed: boolean) => void;
  }): { episode: EpisodeRecord; run: RunRecord; resumed: boolean; joined: boolean; imported: ImportResult | null } {
    return inTransaction(this.db, () => {
      const previous = input.fresh ? undefined : this.latestByRunKey(input.episode.runKey);
      const here = previous && input.runningHere(previous.id);
      if (here) return { episode: previous, run: joinable(here, input.run), resumed: true, joined: true, imported: null };
      let episode: EpisodeRecord;
      let imported: ImportResult | null = null;
      if (previous) {
        this.assertNotBusy(previous, input.runner);
        this.db
          .prepare(`UPDATE episodes SET storyboard_path = ?, output_path = ?, budget_micros = ?, options_json = ? WHERE id = ?`)
          .run(input.episode.storyboardPath, input.episode.outputPath, input.episode.budgetMicros, JSON.stringify({ ...previous.options, ...input.episode.options }), previous.id);
        imported = this.versions.importStoryboard(previous.id, input.episode.storyboard, fingerprinterOf(input.episode));
        this.takes.reselectStale(previous.id);
        episode = this.get(previous.id);
      } else {
        episode = this.create(input.episode);
      }
      const run = this.runs.start(episode.id, input.run);
      input.check?.(this.get(episode.id), run, previous !== undefined);
      this.takeRunner(episode.id, input.runner);
      return { episode: this.get(episode.id), run, resumed: previous !== undefined, joined: false, imported };
    });
  }

  /**
   * Claims an existing episode for `runner` (resume by id, a regenerate, a stitch); a
   * budget given here replaces the episode's. `prepare` runs first inside the same
   * transaction (a regenerate edits its shot and records its run there). Refused while
   * another live process runs it.
   */
  claim(
    id: string,
    runner: RunnerIdentity,
    options: { budgetMicros?: Micros | null; prepare?: (episode: EpisodeRecord) => void; check?: (episode: EpisodeRecord) => void } = {},
  ): EpisodeRecord {
    return inTransaction(this.db, () => {
      const episode = this.get(id);
      this.assertNotBusy(episode, runner);
      if (options.budgetMicros !== undefined) this.db.prepare(`UPDATE episodes SET budget_micros = ? WHERE id = ?`).run(options.budgetMicros, id);
      options.prepare?.(this.get(id));
      options.check?.(this.get(id));
      this.takeRunner(id, runner);
      return this.get(id);
    });
  }

  /** The runner is still at work: keeps its claim fresh where its start time cannot prove it. */
  heartbeat(id: string, runner: RunnerIdentity): void {
    this.db.prepare(`UPDATE episodes SET runner_heartbeat_at = ? WHERE id = ? AND runner_pid = ?`).run(this.clock(), id, runner.pid);
  }

  /** The runner is done with the episode (finished, failed, cancelled or stopped on an error). */
  release(id: string, runner: RunnerIdentity): void {
    this.db
      .prepare(`UPDATE episodes SET runner_pid = NULL, runner_started = NULL, runner_heartbeat_at = NULL WHERE id = ? AND runner_pid = ? AND runner_started IS ?`)
      .run(id, runner.pid, runner.started);
  }

  /** Whether another live process is rendering the episode right now. */
  isBusy(episode: EpisodeRecord, runner: RunnerIdentity): boolean {
    if (!['running', 'stitching'].includes(episode.status)) return false;
    if (episode.runner.pid === null || sameRunner(episode.runner, runner)) return false;
    return runnerAlive(episode.runner, this.clock());
  }

  private assertNotBusy(episode: EpisodeRecord, runner: RunnerIdentity): void {
    if (this.isBusy(episode, runner)) throw new EpisodeBusyError(episode.id, episode.runner.pid!);
  }

  private takeRunner(id: string, runner: RunnerIdentity): void {
    this.db
      .prepare(
        `UPDATE episodes SET runner_pid = ?, runner_started = ?, runner_heartbeat_at = ?, status = 'running', finished_at = NULL, error_message = NULL WHERE id = ?`,
      )
      .run(runner.pid, runner.started, this.clock(), id);
  }

  setOutputPath(id: string, outputPath: string): void {
    this.db.prepare(`UPDATE episodes SET output_path = ? WHERE id = ?`).run(outputPath, id);
  }

  /**
   * The storyboard file's edits that change only how the episode is joined (transitions,
   * loudness): a re-stitch takes them without a render, since no shot's content changed.
   */
  applyStitchEdits(id: string, edits: { transitions: ReadonlyMap<string, Shot['transition']>; loudness: number }): void {
    const storyboard = this.get(id).storyboard;
    const shots = storyboard.shots.map((shot) => {
      if (!edits.transitions.has(shot.id)) return shot;
      const { transition: _old, ...rest } = shot;
      const transition = edits.transitions.get(shot.id);
      return transition ? { ...rest, transition } : rest;
    });
    const edited = { ...storyboard, shots, output: { ...storyboard.output, loudness: edits.loudness } };
    this.db.prepare(`UPDATE episodes SET storyboard_json = ? WHERE id = ?`).run(JSON.stringify(edited), id);
  }

  /** The loudness later stitches of the episode aim at (the export dialog's choice); shots are unaffected. */
  setLoudness(id: string, lufs: number): void {
    this.db.prepare(`UPDATE episodes SET storyboard_json = json_set(storyboard_json, '$.output.loudness', ?) WHERE id = ?`).run(lufs, id);
  }

  setStatus(id: string, status: EpisodeStatus, errorMessage: string | null = null): void {
    const finished = status === 'running' || status === 'stitching' ? null : this.clock();
    this.db.prepare(`UPDATE episodes SET status = ?, finished_at = ?, error_message = ? WHERE id = ?`).run(status, finished, errorMessage, id);
  }

  /** The shots in the storyboard now, in its order (removed ones are kept apart, with their takes). */
  shots(episodeId: string): ShotRecord[] {
    const rows = this.db.prepare(`SELECT * FROM shots WHERE episode_id = ? AND removed = 0 ORDER BY position`).all(episodeId) as ShotRow[];
    return rows.map(toShot);
  }

  /** Records which takes a finished stitch used, so the episode can tell when its file is out of date. */
  recordStitch(id: string, stitched: Omit<StitchedTakes, 'at'>): void {
    this.db.prepare(`UPDATE episodes SET stitched_json = ? WHERE id = ?`).run(JSON.stringify({ ...stitched, at: this.clock() }), id);
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

function fingerprinterOf(episode: NewEpisode): ShotFingerprinter {
  return episode.fingerprint ?? ((shot) => shotFingerprint(shot, episode.storyboard, new Map()));
}

/** A second request for an episode this process is already running: the same one is joined, another is refused. */
function joinable(running: RunRecord, asked: NewRun): RunRecord {
  const same = running.kind === asked.kind && running.mode === asked.mode && running.approvedOnly === (asked.approvedOnly ?? false);
  if (same) return running;
  throw new UserError(`episode ${running.episodeId} is busy with a ${running.kind} (${running.mode}) in this process; wait for it to finish, or cancel it`);
}

export class EpisodeBusyError extends Error {
  override name = 'EpisodeBusyError';
  constructor(
    readonly episodeId: string,
    readonly pid: number,
  ) {
    super(`episode ${episodeId} is being rendered by another Shotline process (pid ${pid}); wait for it to finish, or stop it there`);
  }
}
