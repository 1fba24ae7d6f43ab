import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UserError } from '../../src/shared/errors';
import { bootstrapRegistry, defaultSeedPath, loadSeedFile, parseSeed, type Registry } from '../../src/main/registry';
import { EnvironmentKeys } from '../../src/main/secrets/keys';
import { openDatabase, type Db } from '../../src/main/store/database';

let dir: string;
let db: Db;
let registry: Registry;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'shotline-comfyui-registry-'));
  db = openDatabase(join(dir, 'shotline.db'));
  registry = bootstrapRegistry(db).registry;
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
    return (error as UserError).problems;
  }
  throw new Error('expected a UserError');
}

describe('a ComfyUI engine\'s workflow in the registry', () => {
  it('comes from the seed and round-trips through storage', () => {
    expect(registry.get('comfyui-local')).toMatchObject({ workflow: 'comfyui/text-to-video.json', priceSource: 'free', pricing: [], modes: ['text', 'image'] });
    expect(registry.get('runway-gen4.5')?.workflow).toBeUndefined();
  });

  it('can be replaced by the user with an absolute path, and only for ComfyUI engines', () => {
    const own = join(dir, 'my flow.json');
    expect(registry.setOverride('comfyui-local', { workflow: own }).workflow).toBe(own);
    expect(registry.get('comfyui-local')?.workflow).toBe(own);
    expect(problems(() => registry.setOverride('comfyui-local', { workflow: 'flows/mine.json' }))).toContain('workflow: must be an absolute path');
    expect(problems(() => registry.setOverride('comfyui-local', { workflow: join(dir, 'flow.png') }))).toContain(
      'workflow: must name a .json file (a workflow exported with "Export (API)")',
    );
    expect(problems(() => registry.setOverride('runway-gen4.5', { workflow: own }))).toContain('workflow: only ComfyUI engines run a workflow, not runway');
    registry.setOverride('comfyui-local', { workflow: undefined });
    expect(registry.get('comfyui-local')?.workflow).toBe('comfyui/text-to-video.json');
  });

  it('is refused in a seed for another provider', () => {
    const seed = structuredClone(loadSeedFile(defaultSeedPath())) as unknown as { engines: Record<string, unknown>[] };
    const runway = seed.engines.find((engine) => engine.id === 'runway-gen4.5')!;
    runway.workflow = 'comfyui/text-to-video.json';
    // The loaded seed's prices are micro-dollars; the file format wants USD.
    for (const engine of seed.engines) engine.pricing = (engine.pricing as { resolution: string; audio: boolean; microsPerSecond: number }[]).map((row) => ({ resolution: row.resolution, audio: row.audio, usdPerSecond: row.microsPerSecond / 1e6 }));
    expect(() => parseSeed(seed, 'test seed')).toThrow(/workflow: only ComfyUI engines run a workflow, not runway/);
  });
});

describe('whether ComfyUI is configured', () => {
  it('is configured by COMFYUI_URL or by the engine\'s own base URL', () => {
    expect(new EnvironmentKeys({}).hasKey('comfyui')).toBe(false);
    expect(new EnvironmentKeys({ COMFYUI_URL: 'http://gpu-box:8188' }).hasKey('comfyui')).toBe(true);
    expect(new EnvironmentKeys({}).hasKey('comfyui', { baseUrl: 'http://gpu-box:8188' })).toBe(true);
    expect(new EnvironmentKeys({}).credentials('comfyui')).toBeUndefined();
    expect(new EnvironmentKeys({}).hasKey('animatic')).toBe(true);
  });
});
