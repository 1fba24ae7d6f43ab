/**
 * Migration 6 (takes) on a database the previous release really wrote
 * (test/fixtures/db/schema-v5.db: four episodes, one of them killed mid-render; see its
 * README): every attempt and ledger row survives unchanged, every accepted attempt becomes
 * take 1 of its shot and stays selected, each shot gets its version 1, and episodes are
 * found again by their storyboard file.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/main/store/database';
import { EpisodeStore } from '../../src/main/store/episodes';
import { MIGRATIONS } from '../../src/main/store/migrations';
import { episodeKey } from '../../src/main/store/run-key';
import { episodeSummaries } from '../../src/main/store/takes-report';
import { TakeStore } from '../../src/main/store/takes';
import { AttemptStore } from '../../src/main/store/attempts';
import { heldReservations } from '../../src/main/store/reports';
import { projectRoot } from '../support/cli-process';

const FIXTURE = join(projectRoot, 'test/fixtures/db/schema-v5.db');
let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'shotline-migration-6-'));
  file = join(dir, 'shotline.db');
  // Opening migrates in place: always a copy.
  copyFileSync(FIXTURE, file);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function readOld(table: string): Record<string, unknown>[] {
  const db = new Database(FIXTURE, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(`SELECT * FROM ${table} ORDER BY rowid`).all() as Record<string, unknown>[];
  } finally {
    db.close();
  }
}

describe('migration 6: takes', () => {
  it('the fixture is what the previous schema wrote', () => {
    const db = new Database(FIXTURE, { readonly: true });
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(5);
      expect(MIGRATIONS.at(-1)!.version).toBeGreaterThan(5);
    } finally {
      db.close();
    }
  });

  it('keeps every attempt and ledger row, column for column', () => {
    const attemptsBefore = readOld('attempts');
    const ledgerBefore = readOld('ledger');
    expect(attemptsBefore.length).toBeGreaterThanOrEqual(14);
    expect(ledgerBefore.length).toBeGreaterThanOrEqual(27);
    const db = openDatabase(file);
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.at(-1)!.version);
      const attempts = db.prepare(`SELECT * FROM attempts ORDER BY rowid`).all() as Record<string, unknown>[];
      const ledger = db.prepare(`SELECT * FROM ledger ORDER BY rowid`).all() as Record<string, unknown>[];
      expect(ledger).toEqual(ledgerBefore);
      expect(attempts.map((row) => Object.fromEntries(Object.keys(attemptsBefore[0]!).map((k) => [k, row[k]])))).toEqual(attemptsBefore);
      expect(db.pragma('foreign_key_check')).toEqual([]);
      // Money reads the same: the killed render still holds what it held, and says why.
      expect(heldReservations(db).map((h) => [h.shotId, h.status, h.heldMicros])).toEqual([['b03', 'submitting', 50_000]]);
    } finally {
      db.close();
    }
  });

  it('makes every accepted attempt take 1 of its shot, selected, from version 1; nothing else is a take', () => {
    const acceptedBefore = readOld('attempts').filter((a) => a.status === 'accepted');
    const shotsBefore = readOld('shots');
    const db = openDatabase(file);
    try {
      const takes = new TakeStore(db);
      const episodes = new EpisodeStore(db);
      let counted = 0;
      for (const episode of episodes.list()) {
        for (const shot of takes.shots(episode.id)) {
          const old = shotsBefore.find((s) => s.episode_id === episode.id && s.shot_id === shot.shotId)!;
          expect(shot.version).toBe(1);
          expect(shot.selectedTakeId).toBe(old.accepted_attempt_id);
          const accepted = acceptedBefore.filter((a) => a.episode_id === episode.id && a.shot_id === shot.shotId);
          expect(shot.takes.map((t) => [t.takeNo, t.attempt.id, t.stale, t.shotVersion])).toEqual(accepted.map((a, i) => [i + 1, a.id, false, 1]));
          counted += shot.takes.length;
        }
      }
      expect(counted).toBe(acceptedBefore.length);
      expect((db.prepare(`SELECT COUNT(*) AS n FROM shot_versions`).get() as { n: number }).n).toBe(shotsBefore.length);
      // An unfinished attempt is no take, and stays where the crash left it for resume.
      expect(new AttemptStore(db).forEpisode(episodes.list().find((e) => e.status === 'running')!.id).map((a) => a.status).sort()).toEqual(['accepted', 'downloaded', 'submitting']);
    } finally {
      db.close();
    }
  });

  it('finds episodes by their storyboard file, and lists them with their state', () => {
    const db = openDatabase(file);
    try {
      const episodes = new EpisodeStore(db);
      for (const episode of episodes.list()) expect(episode.runKey).toBe(episodeKey(episode.storyboardPath));
      const summaries = episodeSummaries(db, episodes, Date.now());
      expect(summaries).toHaveLength(4);
      const killed = summaries.find((s) => s.status === 'running')!;
      expect(killed.state).toBe('interrupted');
      expect(killed.withoutTake).toBe(5);
      // A completed episode was stitched from the takes it has selected: it is up to date.
      const completed = summaries.filter((s) => s.status === 'completed');
      expect(completed).toHaveLength(3);
      expect(completed.every((s) => s.state === 'completed' && s.withoutTake === 0)).toBe(true);
    } finally {
      db.close();
    }
  });
});
