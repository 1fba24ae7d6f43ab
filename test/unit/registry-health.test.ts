import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HealthRepository } from '../../src/main/registry';
import { openDatabase, type Db } from '../../src/main/store/database';

let dir: string;
let db: Db;
let now: number;
let health: HealthRepository;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'shotline-health-'));
  db = openDatabase(join(dir, 'shotline.db'));
  now = 1_000;
  health = new HealthRepository(db, () => now);
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('HealthRepository', () => {
  it('reports zeros for an engine with no history', () => {
    expect(health.getHealth('veo-3.1')).toEqual({ engineId: 'veo-3.1', successes: 0, failures: 0, meanLatencyMs: null, coolingUntil: 0, lastErrorKind: null });
    expect(health.allHealth().size).toBe(0);
  });

  it('keeps an exponentially weighted mean latency (alpha 0.3)', () => {
    health.recordSuccess('veo-3.1', 1000);
    expect(health.getHealth('veo-3.1').meanLatencyMs).toBe(1000);
    health.recordSuccess('veo-3.1', 2000);
    expect(health.getHealth('veo-3.1').meanLatencyMs).toBeCloseTo(1300, 9);
    health.recordSuccess('veo-3.1', 100);
    expect(health.getHealth('veo-3.1').meanLatencyMs).toBeCloseTo(940, 9);
    expect(health.getHealth('veo-3.1').successes).toBe(3);
    expect(() => health.recordSuccess('veo-3.1', Number.NaN)).toThrow(/latencyMs/);
  });

  it('counts failures with their kind without disturbing latency', () => {
    health.recordSuccess('luma-ray-2', 5000);
    health.recordFailure('luma-ray-2', 'timeout');
    now = 2_000;
    health.recordFailure('luma-ray-2', 'content_policy');
    expect(health.getHealth('luma-ray-2')).toMatchObject({ successes: 1, failures: 2, meanLatencyMs: 5000, lastErrorKind: 'content_policy' });
    const row = db.prepare('SELECT updated_at FROM engine_health WHERE engine_id = ?').get('luma-ray-2') as { updated_at: number };
    expect(row.updated_at).toBe(2_000);
  });

  it('keeps the later of an existing and a new cooldown', () => {
    health.coolDown('runway-gen4.5', 50_000);
    health.coolDown('runway-gen4.5', 30_000);
    expect(health.getHealth('runway-gen4.5').coolingUntil).toBe(50_000);
    health.coolDown('runway-gen4.5', 90_000);
    expect(health.getHealth('runway-gen4.5')).toMatchObject({ coolingUntil: 90_000, successes: 0, failures: 0 });
  });

  it('accumulates updates from two connections to the same file', () => {
    const other = openDatabase(join(dir, 'shotline.db'));
    try {
      const second = new HealthRepository(other, () => now);
      for (let i = 0; i < 5; i++) {
        health.recordFailure('kling-v2.6-pro', 'rate_limited');
        second.recordFailure('kling-v2.6-pro', 'unavailable');
      }
      second.recordSuccess('animatic', 10);
      const all = health.allHealth();
      expect(all.get('kling-v2.6-pro')?.failures).toBe(10);
      expect([...all.keys()]).toEqual(['animatic', 'kling-v2.6-pro']);
    } finally {
      other.close();
    }
  });
});
