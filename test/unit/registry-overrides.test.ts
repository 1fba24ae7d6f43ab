import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UserError } from '../../src/shared/errors';
import { bootstrapRegistry, type Registry } from '../../src/main/registry';
import { openDatabase, type Db } from '../../src/main/store/database';

let dir: string;
let db: Db;
let registry: Registry;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'shotline-registry-'));
  db = openDatabase(join(dir, 'shotline.db'));
  registry = bootstrapRegistry(db, { clock: () => 42 }).registry;
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

function problems(work: () => unknown): string[] {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return [(error as Error).message, ...(error as UserError).problems];
  }
  throw new Error('expected a UserError');
}

describe('Registry overrides', () => {
  it('merges patches, keeps the seed row intact, and removes a key given as undefined', () => {
    registry.setOverride('comfyui-local', { baseUrl: 'http://gpu-box.local:8188', concurrency: 3 });
    registry.setOverride('comfyui-local', { enabled: false });
    expect(registry.get('comfyui-local')).toMatchObject({ baseUrl: 'http://gpu-box.local:8188', concurrency: 3, enabled: false });
    expect(registry.overridesOf('comfyui-local')).toEqual({ baseUrl: 'http://gpu-box.local:8188', concurrency: 3, enabled: false });

    const row = db.prepare('SELECT seed_json, updated_at FROM engines WHERE id = ?').get('comfyui-local') as { seed_json: string; updated_at: number };
    expect(JSON.parse(row.seed_json).concurrency).toBe(1);
    expect(row.updated_at).toBe(42);

    registry.setOverride('comfyui-local', { baseUrl: undefined });
    expect(registry.get('comfyui-local')?.baseUrl).toBeUndefined();
    expect(registry.get('comfyui-local')?.concurrency).toBe(3);
  });

  it('validates each field and the resulting price list', () => {
    expect(problems(() => registry.setOverride('runway-gen4.5', { concurrency: 0 }))).toContain('concurrency: must be between 1 and 64');
    expect(problems(() => registry.setOverride('comfyui-local', { baseUrl: 'ftp://box' }))).toContain('baseUrl: must be an http:// or https:// URL');
    expect(
      problems(() => registry.setOverride('runway-veo3.1', { pricing: [{ resolution: '720p', audio: false, microsPerSecond: 1 }] })),
    ).toContain('pricing: missing a price for 720p with audio');
    expect(
      problems(() => registry.setOverride('runway-gen4.5', { pricing: [{ resolution: '720p', audio: false, microsPerSecond: 0.5 }] })),
    ).toContain('pricing[0].microsPerSecond: must be whole micro-dollars');
    expect(problems(() => registry.setOverride('runway-gen4.5', { model: ' ' }))).toContain('model: must not be empty');
    expect(problems(() => registry.setOverride('runway-gen4.5', { displayName: 'x' } as never)).join('\n')).toMatch(/displayName/);
    // Nothing was written by the failed calls.
    expect(registry.overridesOf('runway-gen4.5')).toEqual({});
  });

  it('names unknown engines and lists the known ones', () => {
    const lines = problems(() => registry.setOverride('nope', { enabled: false }));
    expect(lines[0]).toContain('unknown engine "nope"');
    expect(lines[1]).toMatch(/^known engines: .*animatic.*runway-gen4\.5/);
    expect(() => registry.clearOverrides('nope')).toThrow(/unknown engine "nope"/);
  });

  it('lets a user mark an engine retired, which needs a date', () => {
    expect(problems(() => registry.setOverride('veo-3.1-lite', { status: 'deprecated' }))).toContain('statusDate: is required when status is "deprecated"');
    expect(registry.setOverride('veo-3.1-lite', { status: 'deprecated', statusDate: '2027-01-01' }).status).toBe('deprecated');
  });
});

describe('Registry chains', () => {
  it('stores user chains and validates names and engine ids', () => {
    registry.setChain('night-shoot', ['veo-3.1', 'animatic']);
    expect(registry.chains()['night-shoot']).toEqual(['veo-3.1', 'animatic']);
    expect(registry.chainEntries().find((c) => c.name === 'night-shoot')?.source).toBe('user');

    const lines = problems(() => registry.setChain('bad name!', ['veo-3.1', 'ghost', 'veo-3.1']));
    expect(lines[0]).toContain('invalid fallback chain "bad name!"');
    expect(lines).toContain('engines[1]: unknown engine "ghost"');
    expect(lines).toContain('engines[2]: "veo-3.1" is listed twice');
    expect(lines.some((l) => l.startsWith('name:'))).toBe(true);
    expect(problems(() => registry.setChain('empty', []))).toContain('engines: must name at least one engine');
  });
});

describe('Provider accounts', () => {
  it('reads the shipped account limits, takes the user tier over them, keeps it through a reseed, and refuses nonsense', async () => {
    expect(registry.provider('runway')).toEqual({ id: 'runway', concurrency: 2, outputRetentionHours: 24 });
    expect(registry.provider('scripted')).toEqual({ id: 'scripted', concurrency: 16, outputRetentionHours: 24 });
    expect(registry.setProviderOverride('runway', { concurrency: 10 })).toEqual({ id: 'runway', concurrency: 10, outputRetentionHours: 24 });
    const { loadSeedFile, defaultSeedPath, seedRegistry } = await import('../../src/main/registry');
    const seed = loadSeedFile(defaultSeedPath());
    seedRegistry(db, { ...seed, version: seed.version + 1, providers: { ...seed.providers, runway: { concurrency: 3, outputRetentionHours: 48 } } }, 99);
    expect(registry.provider('runway')).toEqual({ id: 'runway', concurrency: 10, outputRetentionHours: 48 });
    expect(problems(() => registry.setProviderOverride('runway', { concurrency: 0 }))).toEqual(['invalid settings for provider "runway"\n  - concurrency: must be between 1 and 64', 'concurrency: must be between 1 and 64']);
  });
});
