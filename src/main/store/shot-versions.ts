/**
 * Versions of an episode's shots. The storyboard file is imported on every render: a
 * shot whose content changed (see shot-fingerprint.ts) gets a new version, which makes
 * the takes of older versions stale and withdraws its approval; a shot the file no
 * longer has is kept, with its takes, as removed. Edits made in the app (a regenerate
 * with a new prompt) are versions too, and survive re-rendering a file that did not
 * change since it was last read.
 */
import { UserError } from '../../shared/errors';
import type { Shot, Storyboard } from '../../shared/storyboard';
import type { Db } from './database';

/** The fingerprint of a shot as the episode's storyboard would have it (see shot-fingerprint.ts). */
export type ShotFingerprinter = (shot: Shot) => string;

export interface ImportResult {
  added: string[];
  /** Shots whose content changed: a new version, older takes stale. */
  changed: string[];
  removed: string[];
}

interface ShotVersionRow {
  shot_id: string;
  version: number;
  spec_json: string;
  file_spec_json: string | null;
  removed: number;
}

export class ShotVersionStore {
  constructor(
    private readonly db: Db,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Brings the file's storyboard into the episode (call inside the transaction that claims the episode). */
  importStoryboard(episodeId: string, storyboard: Storyboard, fingerprint: ShotFingerprinter): ImportResult {
    const now = this.clock();
    const existing = new Map((this.db.prepare(`SELECT shot_id, version, spec_json, file_spec_json, removed FROM shots WHERE episode_id = ?`).all(episodeId) as ShotVersionRow[]).map((r) => [r.shot_id, r]));
    const result: ImportResult = { added: [], changed: [], removed: [] };
    const current: Shot[] = [];
    storyboard.shots.forEach((shot, position) => {
      const fileSpec = JSON.stringify(shot);
      const row = existing.get(shot.id);
      if (!row) {
        this.db
          .prepare(`INSERT INTO shots (episode_id, shot_id, position, spec_json, file_spec_json, status, version, updated_at) VALUES (?, ?, ?, ?, ?, 'pending', 1, ?)`)
          .run(episodeId, shot.id, position, fileSpec, fileSpec, now);
        this.addVersion(episodeId, shot.id, 1, shot, fingerprint(shot), 'storyboard', now);
        result.added.push(shot.id);
        current.push(shot);
        return;
      }
      // The file is what the user edits; an unchanged file keeps what was edited in the app since.
      const spec = row.file_spec_json === fileSpec ? (JSON.parse(row.spec_json) as Shot) : shot;
      const version = this.nextVersionIfChanged(episodeId, row, spec, fingerprint(spec), 'storyboard', now);
      if (version !== row.version) result.changed.push(shot.id);
      this.db
        .prepare(`UPDATE shots SET position = ?, spec_json = ?, file_spec_json = ?, removed = 0, updated_at = ? WHERE episode_id = ? AND shot_id = ?`)
        .run(position, JSON.stringify(spec), fileSpec, now, episodeId, shot.id);
      current.push(spec);
    });
    const inFile = new Set(storyboard.shots.map((s) => s.id));
    for (const row of existing.values()) {
      if (inFile.has(row.shot_id) || row.removed === 1) continue;
      this.db.prepare(`UPDATE shots SET removed = 1, updated_at = ? WHERE episode_id = ? AND shot_id = ?`).run(now, episodeId, row.shot_id);
      result.removed.push(row.shot_id);
    }
    this.db
      .prepare(`UPDATE episodes SET title = ?, storyboard_json = ? WHERE id = ?`)
      .run(storyboard.title, JSON.stringify({ ...storyboard, shots: current }), episodeId);
    return result;
  }

  /**
   * Replaces a shot's spec from the app (a regenerate with an edited prompt): a new
   * version when what the shot shows changed. Returns the shot's version after the edit.
   */
  editShot(episodeId: string, spec: Shot, fingerprint: ShotFingerprinter): number {
    const row = this.db.prepare(`SELECT shot_id, version, spec_json, file_spec_json, removed FROM shots WHERE episode_id = ? AND shot_id = ?`).get(episodeId, spec.id) as
      | ShotVersionRow
      | undefined;
    if (!row || row.removed === 1) throw new UserError(`no shot "${spec.id}" in episode ${episodeId}`);
    const now = this.clock();
    const version = this.nextVersionIfChanged(episodeId, row, spec, fingerprint(spec), 'edit', now);
    this.db.prepare(`UPDATE shots SET spec_json = ?, updated_at = ? WHERE episode_id = ? AND shot_id = ?`).run(JSON.stringify(spec), now, episodeId, spec.id);
    const stored = JSON.parse((this.db.prepare(`SELECT storyboard_json FROM episodes WHERE id = ?`).get(episodeId) as { storyboard_json: string }).storyboard_json) as Storyboard;
    const shots = stored.shots.map((s) => (s.id === spec.id ? spec : s));
    this.db.prepare(`UPDATE episodes SET storyboard_json = ? WHERE id = ?`).run(JSON.stringify({ ...stored, shots }), episodeId);
    return version;
  }

  /** The fingerprint of each version of each shot of the episode (or of one shot). */
  fingerprints(episodeId: string, shotId?: string): Map<string, Map<number, string>> {
    const rows = this.db
      .prepare(`SELECT shot_id, version, fingerprint FROM shot_versions WHERE episode_id = @episodeId ${shotId === undefined ? '' : 'AND shot_id = @shotId'}`)
      .all({ episodeId, shotId }) as { shot_id: string; version: number; fingerprint: string }[];
    const byShot = new Map<string, Map<number, string>>();
    for (const row of rows) {
      const versions = byShot.get(row.shot_id) ?? new Map<number, string>();
      versions.set(row.version, row.fingerprint);
      byShot.set(row.shot_id, versions);
    }
    return byShot;
  }

  private nextVersionIfChanged(episodeId: string, row: ShotVersionRow, spec: Shot, fingerprint: string, source: 'storyboard' | 'edit', now: number): number {
    const known = this.db.prepare(`SELECT fingerprint FROM shot_versions WHERE episode_id = ? AND shot_id = ? AND version = ?`).get(episodeId, row.shot_id, row.version) as
      | { fingerprint: string }
      | undefined;
    if (known?.fingerprint === fingerprint) return row.version;
    const version = row.version + 1;
    this.addVersion(episodeId, row.shot_id, version, spec, fingerprint, source, now);
    this.db.prepare(`UPDATE shots SET version = ?, updated_at = ? WHERE episode_id = ? AND shot_id = ?`).run(version, now, episodeId, row.shot_id);
    return version;
  }

  private addVersion(episodeId: string, shotId: string, version: number, spec: Shot, fingerprint: string, source: 'storyboard' | 'edit', now: number): void {
    this.db
      .prepare(`INSERT INTO shot_versions (episode_id, shot_id, version, spec_json, fingerprint, source, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`)
      .run(episodeId, shotId, version, JSON.stringify(spec), fingerprint, source, now);
  }
}
