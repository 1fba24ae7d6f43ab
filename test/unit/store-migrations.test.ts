import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { storyboardSchema } from '../../src/shared/storyboard';
import { defaultSeedPath, HealthRepository, loadSeedFile, Registry, seedRegistry } from '../../src/main/registry';
import { AttemptStore } from '../../src/main/store/attempts';
import { openDatabase, type Db } from '../../src/main/store/database';
import { GateResultStore } from '../../src/main/store/gate-results';
import { MIGRATIONS } from '../../src/main/store/migrations';
import { board } from '../support/pipeline-harness';

const SEED = loadSeedFile(defaultSeedPath());
const OLD_TABLES = ['engines', 'fallback_chains', 'engine_health', 'engine_outcomes', 'providers', 'settings', 'episodes', 'shots', 'attempts', 'ledger'];

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'shotline-migrations-'));
  file = join(dir, 'shotline.db');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const version = (db: Db) => db.pragma('user_version', { simple: true }) as number;
const snapshot = (db: Db) => Object.fromEntries(OLD_TABLES.map((table) => [table, db.prepare(`SELECT * FROM ${table} ORDER BY rowid`).all()]));
const tables = (db: Db) => (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).all() as { name: string }[]).map((r) => r.name);

describe('migration 4: gate results', () => {
  it('moves a version 3 database with history forward without losing a row, and its old attempts can be gated', () => {
    // A database as Shotline at schema 3 left it: seeded registry, a user's settings, an episode with money moved.
    const old = openDatabase(file, MIGRATIONS.filter((m) => m.version <= 3));
    expect(version(old)).toBe(3);
    expect(tables(old)).not.toContain('gate_verdicts');
    seedRegistry(old, SEED, 1_000);
    const registry = new Registry(old, () => 1_000);
    registry.setOverride('veo-3.1', { enabled: false });
    registry.setChain('mine', ['veo-3.1', 'luma-ray-2']);
    new HealthRepository(old, () => 1_000).recordSuccess('luma-ray-2', 40_000);
    // Written in schema 3's own SQL: today's stores write columns schema 3 lacks.
    const storyboard = storyboardSchema.parse(board(2));
    const episodeId = 'ep_v3';
    const attemptId = 'at_v3';
    old
      .prepare(
        `INSERT INTO episodes (id, run_key, title, storyboard_path, storyboard_json, output_path, mode, budget_micros, options_json, status, created_at)
         VALUES (?, 'k', ?, ?, ?, ?, 'final', 5000000, '{}', 'running', 2000)`,
      )
      .run(episodeId, storyboard.title, join(dir, 'b.yaml'), JSON.stringify(storyboard), join(dir, 'o.mp4'));
    storyboard.shots.forEach((shot, i) =>
      old.prepare(`INSERT INTO shots (episode_id, shot_id, position, spec_json, status, updated_at) VALUES (?, ?, ?, ?, 'pending', 2000)`).run(episodeId, shot.id, i, JSON.stringify(shot)),
    );
    old
      .prepare(
        `INSERT INTO attempts (id, episode_id, shot_id, attempt_no, engine_id, mode, client_reference, status, request_json, error_kind, error_message,
                               price_micros, estimated_micros, actual_micros, created_at)
         VALUES (?, ?, 's01', 1, 'luma-ray-2', 'final', 'ref-1', 'failed', '{"prompt":"x"}', 'unavailable', 'HTTP 503', 400000, 400000, 100000, 2000)`,
      )
      .run(attemptId, episodeId);
    const settle = old.prepare(`INSERT INTO ledger (episode_id, attempt_id, engine_id, mode, entry, micros, created_at) VALUES (?, ?, 'luma-ray-2', 'final', ?, ?, 2000)`);
    settle.run(episodeId, attemptId, 'reserve', 400_000);
    settle.run(episodeId, attemptId, 'release', 400_000);
    settle.run(episodeId, attemptId, 'charge', 100_000);
    const reserved = { attempt: { id: attemptId } };
    const before = snapshot(old);
    expect(before.attempts).toHaveLength(1);
    expect(before.ledger!.length).toBeGreaterThanOrEqual(2);
    old.close();

    const db = openDatabase(file);
    try {
      expect(version(db)).toBe(MIGRATIONS.at(-1)!.version);
      // Migration 5 adds the ledger's purpose; every older row is generation money.
      const after = snapshot(db);
      expect(after.ledger!.every((row) => (row as { purpose?: string }).purpose === 'generation')).toBe(true);
      // Every old row and column is still there (later migrations add columns; 6 renames one and re-keys episodes by their storyboard file).
      const renamed: Record<string, string> = { accepted_attempt_id: 'selected_take_id' };
      for (const table of OLD_TABLES) {
        const rows = after[table] as Record<string, unknown>[];
        const expected = (before[table] as Record<string, unknown>[]).map((row) =>
          Object.fromEntries(Object.entries(row).filter(([key]) => key !== 'run_key').map(([key, value]) => [renamed[key] ?? key, value])),
        );
        expect(rows.map((row) => Object.fromEntries(Object.keys(expected[0] ?? {}).map((key) => [key, row[key]]))), table).toEqual(expected);
      }
      expect(tables(db)).toEqual(expect.arrayContaining(['gate_verdicts', 'gate_checks', 'observed_quality']));
      for (const table of ['gate_verdicts', 'gate_checks', 'observed_quality']) {
        expect((db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n, table).toBe(0);
      }
      // The stores read the migrated rows as before.
      expect(new Registry(db).get('veo-3.1')!.enabled).toBe(false);
      expect(new Registry(db).chains().mine).toEqual(['veo-3.1', 'luma-ray-2']);
      expect(new AttemptStore(db).ledger.episodeMoney(episodeId)).toMatchObject({ spentMicros: 100_000, heldMicros: 0 });
      // An attempt made before the upgrade can carry a verdict.
      const recorded = new GateResultStore(db, () => 3_000).recordGateVerdict(reserved.attempt.id, { decision: 'escalate', checks: [], qualityScore: 0, problems: ['x'] });
      expect(recorded.observed).toMatchObject({ engineId: 'luma-ray-2', kind: 'action', samples: 1, prior: SEED.engines.find((e) => e.id === 'luma-ray-2')!.quality.action });
    } finally {
      db.close();
    }
  });

  it('opening an up-to-date database again changes nothing', () => {
    const first = openDatabase(file);
    first.prepare(`INSERT INTO observed_quality (engine_id, shot_kind, mean, samples, prior, updated_at) VALUES ('e', 'action', 0.5, 3, 0.8, 1)`).run();
    first.close();
    const again = openDatabase(file);
    try {
      expect(version(again)).toBe(MIGRATIONS.at(-1)!.version);
      expect(again.prepare(`SELECT mean, samples FROM observed_quality`).all()).toEqual([{ mean: 0.5, samples: 3 }]);
      // The schema's own checks hold: a mean outside 0..1 is refused.
      expect(() => again.prepare(`UPDATE observed_quality SET mean = 1.5`).run()).toThrow(/CHECK constraint/);
    } finally {
      again.close();
    }
  });
});
