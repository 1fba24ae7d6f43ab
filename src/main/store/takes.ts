/**
 * Takes: every clip the gate accepted for a shot, kept. Each shot has at most one
 * selected ("circled") take, which stitches use, and an approval, which `render --mode
 * final --approved` commits. Every operation here is one transaction and safe to repeat.
 *
 * A new take is selected when the run that made it was asked for this shot, when the
 * shot has no current selection, or when it is a final take replacing an automatic
 * preview selection. A take the filmmaker circled is never replaced by a late result.
 */
import { UserError } from '../../shared/errors';
import type { ApproveResult } from '../../shared/api';
import type { RenderMode } from '../../shared/domain';
import type { Shot } from '../../shared/storyboard';
import { inTransaction, type Db } from './database';
import { toAttempt, type AttemptRecord, type AttemptRow } from './attempt-record';
import { ShotVersionStore } from './shot-versions';

export interface TakeRecord {
  attempt: AttemptRecord;
  takeNo: number;
  mode: RenderMode;
  shotVersion: number;
  /** Made from a version of the shot that showed something else. */
  stale: boolean;
}

export interface ShotTakes {
  shotId: string;
  position: number;
  version: number;
  spec: Shot;
  removed: boolean;
  approved: boolean;
  approvedAt: number | null;
  selectedTakeId: string | null;
  selectedBy: 'auto' | 'user' | null;
  takes: TakeRecord[];
}

export type { ApproveResult };

interface ShotRow {
  shot_id: string;
  position: number;
  version: number;
  spec_json: string;
  removed: number;
  approved_version: number | null;
  approved_at: number | null;
  selected_take_id: string | null;
  selected_by: 'auto' | 'user' | null;
}

export class TakeStore {
  private readonly versions: ShotVersionStore;

  constructor(
    private readonly db: Db,
    private readonly clock: () => number = Date.now,
  ) {
    this.versions = new ShotVersionStore(db, clock);
  }

  /** The episode's shots in storyboard order, each with its takes (removed shots only when asked). */
  shots(episodeId: string, options: { includeRemoved?: boolean; shotId?: string } = {}): ShotTakes[] {
    const one = options.shotId === undefined ? '' : 'AND shot_id = @shotId';
    const params = { episodeId, shotId: options.shotId };
    const rows = this.db.prepare(`SELECT * FROM shots WHERE episode_id = @episodeId ${one} ORDER BY removed, position`).all(params) as ShotRow[];
    const fingerprints = this.versions.fingerprints(episodeId, options.shotId);
    const takeRows = this.db
      .prepare(`SELECT * FROM attempts WHERE episode_id = @episodeId ${one} AND take_no IS NOT NULL AND status = 'accepted' ORDER BY take_no`)
      .all(params) as AttemptRow[];
    const takesByShot = new Map<string, AttemptRecord[]>();
    for (const row of takeRows) takesByShot.set(row.shot_id, [...(takesByShot.get(row.shot_id) ?? []), toAttempt(row)]);
    return rows
      .filter((row) => options.includeRemoved || row.removed === 0)
      .map((row) => {
        const versions = fingerprints.get(row.shot_id) ?? new Map<number, string>();
        const current = versions.get(row.version);
        const takes = (takesByShot.get(row.shot_id) ?? []).map((attempt): TakeRecord => {
          const shotVersion = attempt.shotVersion ?? 1;
          return { attempt, takeNo: attempt.takeNo!, mode: attempt.mode as RenderMode, shotVersion, stale: versions.get(shotVersion) !== current };
        });
        return {
          shotId: row.shot_id,
          position: row.position,
          version: row.version,
          spec: JSON.parse(row.spec_json) as Shot,
          removed: row.removed === 1,
          approved: row.approved_version !== null && row.approved_version === row.version,
          approvedAt: row.approved_version === row.version ? row.approved_at : null,
          selectedTakeId: row.selected_take_id,
          selectedBy: row.selected_by,
          takes,
        };
      });
  }

  /** The current selected take of each shot in the storyboard (what a stitch uses), by shot id. */
  selectedTakes(episodeId: string): Map<string, AttemptRecord> {
    const found = new Map<string, AttemptRecord>();
    for (const shot of this.shots(episodeId)) {
      const take = selectedTake(shot);
      if (take) found.set(shot.shotId, take.attempt);
    }
    return found;
  }

  shot(episodeId: string, shotId: string): ShotTakes {
    const [found] = this.shots(episodeId, { includeRemoved: true, shotId });
    if (!found) throw new UserError(`no shot "${shotId}" in episode ${episodeId}`, this.knownShots(episodeId));
    return found;
  }

  /**
   * Approves shots (or every shot that can be). A named shot that cannot be approved
   * (no take yet, or its selected take is stale) refuses the whole call and changes nothing.
   */
  approve(episodeId: string, target: string[] | 'all'): ApproveResult {
    return inTransaction(this.db, () => {
      const shots = this.targets(episodeId, target);
      const result: ApproveResult = { approved: [], unchanged: [], skipped: [] };
      const refused: string[] = [];
      for (const shot of shots) {
        const why = unapprovable(shot);
        if (why && target === 'all') result.skipped.push({ shotId: shot.shotId, reason: why });
        else if (why) refused.push(`${shot.shotId}: ${why}`);
      }
      if (refused.length) throw new UserError(`cannot approve: nothing was changed`, refused);
      const skipped = new Set(result.skipped.map((s) => s.shotId));
      for (const shot of shots.filter((s) => !skipped.has(s.shotId))) {
        if (shot.approved) {
          result.unchanged.push(shot.shotId);
          continue;
        }
        this.db.prepare(`UPDATE shots SET approved_version = version, approved_at = ? WHERE episode_id = ? AND shot_id = ?`).run(this.clock(), episodeId, shot.shotId);
        result.approved.push(shot.shotId);
      }
      return result;
    });
  }

  unapprove(episodeId: string, target: string[] | 'all'): { unapproved: string[]; unchanged: string[] } {
    return inTransaction(this.db, () => {
      const result = { unapproved: [] as string[], unchanged: [] as string[] };
      for (const shot of this.targets(episodeId, target)) {
        if (!shot.approved) {
          result.unchanged.push(shot.shotId);
          continue;
        }
        this.db.prepare(`UPDATE shots SET approved_version = NULL, approved_at = NULL WHERE episode_id = ? AND shot_id = ?`).run(episodeId, shot.shotId);
        result.unapproved.push(shot.shotId);
      }
      return result;
    });
  }

  /** Circles a take: by its number within the shot, or by its attempt id. Stale takes are refused. */
  select(episodeId: string, shotId: string, take: number | string): TakeRecord {
    return inTransaction(this.db, () => {
      const shot = this.shot(episodeId, shotId);
      if (shot.removed) throw new UserError(`shot "${shotId}" is no longer in the storyboard of episode ${episodeId}`);
      const chosen = shot.takes.find((t) => (typeof take === 'number' ? t.takeNo === take : t.attempt.id === take));
      if (!chosen) {
        const known = shot.takes.length ? `its takes are ${shot.takes.map((t) => t.takeNo).join(', ')}` : 'it has no takes yet';
        throw new UserError(`shot "${shotId}" has no take ${take}: ${known}`);
      }
      if (chosen.stale) {
        throw new UserError(
          `take ${chosen.takeNo} of "${shotId}" is stale: it was made from version ${chosen.shotVersion} of the shot, which showed something else than version ${shot.version}; regenerate the shot, or edit it back`,
        );
      }
      this.db
        .prepare(`UPDATE shots SET selected_take_id = ?, selected_by = 'user', status = 'accepted', failure_reason = NULL, updated_at = ? WHERE episode_id = ? AND shot_id = ?`)
        .run(chosen.attempt.id, this.clock(), episodeId, shotId);
      return chosen;
    });
  }

  /**
   * After an edit: a shot whose selected take went stale selects its best current take
   * (final before preview, newest first), when it has one.
   */
  reselectStale(episodeId: string): void {
    for (const shot of this.shots(episodeId)) {
      const selected = shot.takes.find((t) => t.attempt.id === shot.selectedTakeId);
      if (selected && !selected.stale) continue;
      const best = bestCurrentTake(shot);
      if (best) this.setAutoSelection(episodeId, shot.shotId, best.attempt.id);
    }
  }

  /**
   * Numbers a newly accepted attempt as the shot's next take and decides whether it
   * becomes the selection (see the rule at the top). Inside markAccepted's transaction.
   */
  recordTake(attempt: AttemptRecord): { takeNo: number; selected: boolean } {
    const takeNo =
      attempt.takeNo ??
      (this.db.prepare(`SELECT COALESCE(MAX(take_no), 0) + 1 AS n FROM attempts WHERE episode_id = ? AND shot_id = ?`).get(attempt.episodeId, attempt.shotId) as { n: number }).n;
    this.db.prepare(`UPDATE attempts SET take_no = ? WHERE id = ?`).run(takeNo, attempt.id);
    const shot = this.shot(attempt.episodeId, attempt.shotId);
    const selected = shot.takes.find((t) => t.attempt.id === shot.selectedTakeId);
    const currentRun = (this.db.prepare(`SELECT current_run_id AS id FROM episodes WHERE id = ?`).get(attempt.episodeId) as { id: string | null }).id;
    const take = shot.takes.find((t) => t.attempt.id === attempt.id)!;
    const select =
      (attempt.runId !== null && attempt.runId === currentRun) ||
      !selected ||
      selected.stale ||
      (take.mode === 'final' && selected.mode === 'preview' && shot.selectedBy !== 'user' && !take.stale);
    if (select) this.setAutoSelection(attempt.episodeId, attempt.shotId, attempt.id);
    return { takeNo, selected: select };
  }

  private setAutoSelection(episodeId: string, shotId: string, attemptId: string): void {
    this.db
      .prepare(`UPDATE shots SET selected_take_id = ?, selected_by = 'auto', status = 'accepted', failure_reason = NULL, updated_at = ? WHERE episode_id = ? AND shot_id = ?`)
      .run(attemptId, this.clock(), episodeId, shotId);
  }

  private targets(episodeId: string, target: string[] | 'all'): ShotTakes[] {
    const shots = this.shots(episodeId, { includeRemoved: true });
    if (target === 'all') return shots.filter((s) => !s.removed);
    const byId = new Map(shots.map((s) => [s.shotId, s]));
    const unknown = [...new Set(target)].filter((id) => !byId.has(id) || byId.get(id)!.removed);
    if (unknown.length) {
      throw new UserError(`no shot ${unknown.map((id) => `"${id}"`).join(', ')} in episode ${episodeId}`, this.knownShots(episodeId));
    }
    return [...new Set(target)].map((id) => byId.get(id)!);
  }

  private knownShots(episodeId: string): string[] {
    const ids = this.shots(episodeId).map((s) => s.shotId);
    return ids.length ? [`its shots are ${ids.join(', ')}`] : [];
  }
}

/** Why a shot cannot be approved yet, or null when it can. */
function unapprovable(shot: ShotTakes): string | null {
  const selected = shot.takes.find((t) => t.attempt.id === shot.selectedTakeId);
  if (!selected) return 'it has no take to approve yet (render it first)';
  if (selected.stale) return `its selected take ${selected.takeNo} is stale (made from version ${selected.shotVersion}; the shot is at version ${shot.version}): regenerate it first`;
  return null;
}

/** The current take a stitch should show when nobody chose: final before preview, then the newest. */
export function bestCurrentTake(shot: Pick<ShotTakes, 'takes'>): TakeRecord | undefined {
  const current = shot.takes.filter((t) => !t.stale);
  return current.sort((a, b) => Number(b.mode === 'final') - Number(a.mode === 'final') || b.takeNo - a.takeNo)[0];
}

/** The take a shot's stitch uses: its selection, when that is current. */
export function selectedTake(shot: ShotTakes): TakeRecord | undefined {
  const selected = shot.takes.find((t) => t.attempt.id === shot.selectedTakeId);
  return selected && !selected.stale ? selected : undefined;
}
