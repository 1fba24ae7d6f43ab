import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UserError } from '../../src/shared/errors';
import { defaultSeedPath, loadSeedFile, parseSeed, Registry, seedRegistry, type RegistrySeed } from '../../src/main/registry';
import { openDatabase, type Db } from '../../src/main/store/database';
import { toMicros } from '../../src/shared/money';

const SEED = loadSeedFile(defaultSeedPath());

let dir: string;
let db: Db;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'shotline seed ü "q" '));
  db = openDatabase(join(dir, 'shotline.db'));
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

function clone(seed: RegistrySeed): RegistrySeed {
  return structuredClone(seed);
}

describe('the shipped seed (resources/engines.json)', () => {
  it('validates and converts USD prices to integer micro-dollars', () => {
    const byId = new Map(SEED.engines.map((e) => [e.id, e]));
    expect(byId.get('runway-gen4.5')?.pricing).toEqual([{ resolution: '720p', audio: false, microsPerSecond: toMicros(120_000) }]);
    expect(byId.get('runway-veo3.1')?.pricing).toContainEqual({ resolution: '1080p', audio: true, microsPerSecond: toMicros(400_000) });
    expect(byId.get('veo-3.1')?.pricing).toContainEqual({ resolution: '4k', audio: true, microsPerSecond: toMicros(600_000) });
    expect(byId.get('sora-2')).toMatchObject({ status: 'retired', statusDate: '2026-09-24' });
    expect(byId.get('animatic')).toMatchObject({ previewOnly: true, priceSource: 'free', concurrency: 2, pollIntervalMs: 100 });
    expect(byId.get('comfyui-local')?.baseUrl).toBeUndefined();
    for (const spec of SEED.engines) {
      for (const row of spec.pricing) expect(Number.isInteger(row.microsPerSecond)).toBe(true);
      if (spec.provider !== 'animatic' && spec.provider !== 'comfyui') expect(spec.pollIntervalMs).toBeGreaterThanOrEqual(5000);
    }
    expect(Object.keys(SEED.chains).sort()).toEqual(['budget', 'fast-preview', 'premium-audio']);
  });
});

describe('seedRegistry', () => {
  it('inserts every engine and chain, and skips the work when nothing changed', () => {
    const first = seedRegistry(db, SEED, 1000);
    expect(first.applied).toBe(true);
    expect(first.added).toHaveLength(SEED.engines.length);

    const registry = new Registry(db);
    expect(registry.list().map((e) => e.id)).toEqual(SEED.engines.map((e) => e.id).sort());
    expect(registry.get('veo-3.1')).toEqual(SEED.engines.find((e) => e.id === 'veo-3.1'));
    expect(registry.chains()).toEqual(SEED.chains);

    expect(seedRegistry(db, SEED, 2000).applied).toBe(false);
    db.close();
    db = openDatabase(join(dir, 'shotline.db'));
    expect(seedRegistry(db, clone(SEED), 3000).applied).toBe(false);
  });

  it('upgrades the seed without touching overrides or user chains', () => {
    seedRegistry(db, SEED, 1000);
    const registry = new Registry(db);
    const myPrice = [{ resolution: '720p' as const, audio: false, microsPerSecond: 90_000 }];
    registry.setOverride('runway-gen4.5', { pricing: myPrice });
    registry.setOverride('luma-ray-2', { enabled: false });
    registry.setOverride('comfyui-local', { baseUrl: 'http://127.0.0.1:8188' });
    registry.setChain('mine', ['animatic', 'veo-3.1-lite']);
    registry.setChain('budget', ['veo-3.1-lite']);

    const upgraded = clone(SEED);
    upgraded.version = 2;
    const gen45 = upgraded.engines.find((e) => e.id === 'runway-gen4.5')!;
    gen45.pricing = [{ resolution: '720p', audio: false, microsPerSecond: toMicros(150_000) }];
    gen45.notes = 'new notes from the seed';
    const fast = upgraded.engines.find((e) => e.id === 'veo-3.1-fast')!;
    fast.pricing = fast.pricing.map((row) => (row.resolution === '720p' ? { ...row, microsPerSecond: toMicros(90_000) } : row));
    upgraded.engines.push({ ...structuredClone(fast), id: 'acme-1', model: 'acme-video-1', displayName: 'Acme 1' });
    upgraded.engines = upgraded.engines.filter((e) => e.id !== 'kling-v2.6-std');
    upgraded.chains = { 'premium-audio': ['veo-3.1', 'acme-1'], budget: ['veo-3.1-lite', 'acme-1'] };

    const outcome = seedRegistry(db, upgraded, 5000);
    expect(outcome).toMatchObject({ applied: true, added: ['acme-1'], removed: ['kling-v2.6-std'] });
    expect(outcome.updated.sort()).toEqual(['runway-gen4.5', 'veo-3.1-fast']);

    const after = new Registry(db);
    // The user's price wins over the seed's new price; the seed's other changes arrive.
    expect(after.get('runway-gen4.5')).toMatchObject({ pricing: myPrice, notes: 'new notes from the seed' });
    expect(after.get('luma-ray-2')?.enabled).toBe(false);
    expect(after.get('comfyui-local')?.baseUrl).toBe('http://127.0.0.1:8188');
    expect(after.get('veo-3.1-fast')?.pricing).toContainEqual({ resolution: '720p', audio: true, microsPerSecond: toMicros(90_000) });
    expect(after.get('acme-1')?.model).toBe('acme-video-1');

    // A dropped engine is kept for history but no longer listed for routing.
    expect(after.get('kling-v2.6-std')?.model).toBe('kling-v2-6');
    expect(after.list().map((e) => e.id)).not.toContain('kling-v2.6-std');
    expect(after.list({ includeRemoved: true }).map((e) => e.id)).toContain('kling-v2.6-std');

    expect(after.chains()).toEqual({
      budget: ['veo-3.1-lite'],
      mine: ['animatic', 'veo-3.1-lite'],
      'premium-audio': ['veo-3.1', 'acme-1'],
    });

    // Clearing the overrides reveals the upgraded seed's price.
    expect(after.clearOverrides('runway-gen4.5').pricing).toEqual([{ resolution: '720p', audio: false, microsPerSecond: toMicros(150_000) }]);
    const raw = db.prepare('SELECT seed_version, in_seed FROM engines WHERE id = ?').get('veo-3.1') as { seed_version: number; in_seed: number };
    expect(raw).toEqual({ seed_version: 2, in_seed: 1 });
  });

  it('brings back an engine that a later seed ships again', () => {
    seedRegistry(db, SEED, 1000);
    const without = clone(SEED);
    without.version = 2;
    without.engines = without.engines.filter((e) => e.id !== 'luma-ray-2');
    without.chains = {};
    expect(seedRegistry(db, without, 2000).removed).toEqual(['luma-ray-2']);
    const again = clone(SEED);
    again.version = 3;
    const outcome = seedRegistry(db, again, 3000);
    expect(outcome.updated).toEqual(['luma-ray-2']);
    expect(new Registry(db).list().map((e) => e.id)).toContain('luma-ray-2');
  });
});

describe('seed validation', () => {
  const goodEngine = {
    id: 'x-1',
    provider: 'runway',
    model: 'x',
    displayName: 'X',
    modes: ['text'],
    audio: 'optional',
    durations: { kind: 'list', values: [5] },
    capabilities: { seed: false, negativePrompt: false, maxPromptChars: 2000 },
    resolutions: ['720p'],
    aspects: ['16:9'],
    pricing: [
      { resolution: '720p', audio: false, usdPerSecond: 0.1 },
      { resolution: '720p', audio: true, usdPerSecond: 0.2 },
    ],
    speed: { baseSeconds: 10, secondsPerVideoSecond: 2 },
    quality: { establishing: 0.5, dialogue: 0.5, action: 0.5, closeup: 0.5, stylized: 0.5, insert: 0.5 },
    concurrency: 1,
    status: 'active',
    priceSource: 'published',
    pollIntervalMs: 5000,
  };

  function problemsOf(document: unknown): string[] {
    try {
      parseSeed(document, 'test.json');
    } catch (error) {
      expect(error).toBeInstanceOf(UserError);
      expect((error as Error).message).toContain('invalid engine registry seed test.json');
      return (error as UserError).problems;
    }
    throw new Error('expected the seed to be rejected');
  }

  it('accepts a minimal valid seed and defaults enabled/previewOnly', () => {
    const seed = parseSeed({ version: 1, engines: [goodEngine] }, 'test.json');
    expect(seed.engines[0]).toMatchObject({ enabled: true, previewOnly: false });
    expect(seed.chains).toEqual({});
  });

  it('names the engine index, id and field of each problem', () => {
    const bad = {
      ...goodEngine,
      id: 'bad-one',
      pricing: [{ resolution: '720p', audio: false, usdPerSecond: -1 }],
      quality: { ...goodEngine.quality, action: 1.5 },
    };
    const problems = problemsOf({ version: 1, engines: [goodEngine, bad] });
    expect(problems).toContain('engines[1] (bad-one).pricing[0].usdPerSecond: must not be negative');
    expect(problems).toContain('engines[1] (bad-one).quality.action: must be between 0 and 1');
  });

  it('reports cross-field problems: price coverage, status dates, duplicates, chains', () => {
    const uncovered = { ...goodEngine, id: 'gap', pricing: [{ resolution: '720p', audio: false, usdPerSecond: 0.1 }] };
    const retired = { ...goodEngine, id: 'old', status: 'retired' };
    const problems = problemsOf({ version: 1, engines: [goodEngine, uncovered, retired, { ...goodEngine }], chains: { main: ['x-1', 'nope'] } });
    expect(problems).toContain('engines[1] (gap).pricing: missing a price for 720p with audio');
    expect(problems).toContain('engines[2] (old).statusDate: is required when status is "retired"');
    expect(problems).toContain('engines[3] (x-1).id: duplicate engine id "x-1" (first used by engines[0])');
    expect(problems).toContain('chains.main[1]: unknown engine "nope"');
  });

  it('rejects unknown fields and a missing version', () => {
    const problems = problemsOf({ engines: [{ ...goodEngine, colour: 'red' }] });
    expect(problems.some((p) => p.startsWith('version:'))).toBe(true);
    expect(problems.some((p) => p.startsWith('engines[0] (x-1)') && p.includes('colour'))).toBe(true);
  });

  it('reports unreadable and non-JSON files with their path', () => {
    const file = join(dir, 'broken engines.json');
    writeFileSync(file, '{ "version": 1, ');
    expect(() => loadSeedFile(file)).toThrow(/broken engines\.json is not valid JSON/);
    expect(() => loadSeedFile(join(dir, 'missing.json'))).toThrow(/cannot read engine registry seed .*missing\.json: ENOENT/);
  });
});

describe('defaultSeedPath', () => {
  it('finds resources/engines.json from the source tree', () => {
    expect(defaultSeedPath({}).endsWith(join('resources', 'engines.json'))).toBe(true);
  });

  it('honours SHOTLINE_RESOURCES, and says so when it has no seed', () => {
    const resources = join(dir, 'my résumé "res"');
    mkdirSync(resources);
    expect(() => defaultSeedPath({ SHOTLINE_RESOURCES: resources })).toThrow(/SHOTLINE_RESOURCES .* has no engines\.json/);
    writeFileSync(join(resources, 'engines.json'), JSON.stringify({ version: 7, engines: [] }));
    expect(defaultSeedPath({ SHOTLINE_RESOURCES: resources })).toBe(join(resources, 'engines.json'));
  });
});
