/**
 * `shotline engines set` and `engines add` on a real data directory: every edit goes
 * through the registry's checks, names the field when it is wrong, survives a restart
 * and a seed upgrade, and a price the user sets is shown as theirs.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/main/cli';
import { openStudio } from '../../src/main/studio';
import { defaultSeedPath, loadSeedFile } from '../../src/main/registry';
import { seedRegistry } from '../../src/main/registry/seed';

async function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const code = await main(args, { stdout, stderr }, { env: { PATH: process.env.PATH, SHOTLINE_NO_KEYCHAIN: '1', ...env } });
  return { code, stdout: out, stderr: err };
}

describe('shotline engines set / add', () => {
  let dir: string;
  let dataDir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'shotline engines ‘edit’ '));
    dataDir = join(dir, 'data');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const specOf = (id: string) => {
    const studio = openStudio({ dataDir, env: { PATH: process.env.PATH } });
    try {
      return studio.registry.get(id);
    } finally {
      studio.close();
    }
  };

  it('sets price, base URL, concurrency, model and enabled; the price is shown as the user\'s, not as an estimate', async () => {
    const before = await cli(['engines', '--data-dir', dataDir]);
    expect(before.stdout).toMatch(/^luma-ray-2 .*~\$0\.05–0\.32\/s est\./m);
    const set = await cli(['engines', 'set', 'luma-ray-2', 'price=0.05', 'base-url=https://proxy.example/luma/v1', 'concurrency=3', 'model=ray-2-hd', 'enabled=no', '--data-dir', dataDir]);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toMatch(/Updated luma-ray-2 \(luma, model ray-2-hd\): disabled, \$0\.05\/s \(yours\), concurrency 3/);
    const spec = specOf('luma-ray-2')!;
    expect(spec).toMatchObject({ model: 'ray-2-hd', baseUrl: 'https://proxy.example/luma/v1', concurrency: 3, enabled: false, priceSource: 'user' });
    expect(spec.pricing.every((row) => row.microsPerSecond === 50_000)).toBe(true);
    const table = await cli(['engines', '--data-dir', dataDir]);
    expect(table.stdout).toMatch(/^luma-ray-2 .*\$0\.05\/s \(yours\)/m);
    expect(table.stdout).not.toMatch(/^luma-ray-2 .*est\./m);

    // An empty value gives the shipped setting back.
    await cli(['engines', 'set', 'luma-ray-2', 'price=', 'model=', '--data-dir', dataDir]);
    expect(specOf('luma-ray-2')).toMatchObject({ model: 'ray-2', priceSource: 'estimate', concurrency: 3 });
  });

  it('refuses bad values naming the field, and unknown engines and fields, with exit 2 and nothing changed', async () => {
    const cases: [string[], RegExp][] = [
      [['engines', 'set', 'luma-ray-2', 'price=cheap'], /price: must be USD per second/],
      [['engines', 'set', 'luma-ray-2', 'concurrency=500'], /concurrency: must be between 1 and 64/],
      [['engines', 'set', 'luma-ray-2', 'base-url=ftp://x'], /baseUrl: must be an http:\/\/ or https:\/\/ URL/],
      [['engines', 'set', 'luma-ray-2', 'enabled=maybe'], /enabled: must be true or false/],
      [['engines', 'set', 'luma-ray-2', 'colour=red'], /unknown field colour/],
      [['engines', 'set', 'no-such-engine', 'enabled=false'], /unknown engine "no-such-engine"/],
      [['engines', 'set', 'luma-ray-2', 'workflow=/tmp/flow.json'], /workflow: only ComfyUI engines run a workflow/],
      [['engines', 'set', 'luma-ray-2'], /expected at least one field=value/],
    ];
    for (const [args, message] of cases) {
      const result = await cli([...args, '--data-dir', dataDir]);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(message);
    }
    expect(specOf('luma-ray-2')).toMatchObject({ enabled: true, concurrency: 2, priceSource: 'estimate' });
  });

  it('adds an OpenAI-compatible endpoint the router can choose, and a ComfyUI workflow; both survive a seed upgrade', async () => {
    const added = await cli(['engines', 'add', 'acme-video', 'provider=openai', 'model=acme-v1', 'base-url=http://127.0.0.1:9/v1', 'price=0.07', 'name=Acme Video', '--data-dir', dataDir]);
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toMatch(/Added acme-video \(openai, model acme-v1\): enabled, \$0\.07\/s \(yours\)/);
    const acme = specOf('acme-video')!;
    expect(acme).toMatchObject({ provider: 'openai', status: 'active', displayName: 'Acme Video', baseUrl: 'http://127.0.0.1:9/v1', priceSource: 'user' });
    // Limits copied from the shipped OpenAI engine (what the /v1/videos protocol takes).
    expect(acme.durations).toEqual({ kind: 'list', values: [4, 8, 12] });

    const workflow = join(dir, 'my flow.json');
    writeFileSync(workflow, '{}');
    const comfy = await cli(['engines', 'add', 'my-wan', 'provider=comfyui', `workflow=${workflow}`, 'base-url=http://gpu-box:8188', '--data-dir', dataDir]);
    expect(comfy.code, comfy.stderr).toBe(0);
    expect(specOf('my-wan')).toMatchObject({ provider: 'comfyui', workflow, baseUrl: 'http://gpu-box:8188', priceSource: 'free' });

    // The router sees the user's engine (key present) and names it among the candidates.
    const storyboard = join(dir, 'board.yaml');
    writeFileSync(storyboard, 'title: T\nmode: final\noutput: { resolution: 720p, aspect: "16:9" }\nshots:\n  - { id: s1, kind: action, prompt: "a kite", duration: 4, engine: acme-video }\n');
    const studio = openStudio({ dataDir, env: { PATH: process.env.PATH, OPENAI_API_KEY: 'sk-x' } });
    try {
      const plan = await studio.render.plan(storyboard, {});
      expect(plan.shots[0]!.candidates.map((c) => c.engineId)).toEqual(['acme-video']);
      // A seed upgrade (a changed seed) neither drops nor overwrites it.
      const seed = loadSeedFile(defaultSeedPath());
      expect(seedRegistry(studio.db, { ...seed, version: seed.version + 1 }).applied).toBe(true);
      expect(studio.registry.get('acme-video')).toMatchObject({ model: 'acme-v1', priceSource: 'user' });
      expect(studio.registry.list().some((spec) => spec.id === 'acme-video')).toBe(true);
    } finally {
      studio.close();
    }
  });

  it('refuses an add without what the provider needs, an id in use, or a provider one cannot add', async () => {
    const cases: [string[], RegExp][] = [
      [['engines', 'add', 'x1', 'provider=openai', 'model=m'], /base-url: required/],
      [['engines', 'add', 'x2', 'provider=runway', 'model=m'], /provider= must be openai or comfyui/],
      [['engines', 'add', 'luma-ray-2', 'provider=openai', 'model=m', 'base-url=http://h/v1'], /engine "luma-ray-2" already exists/],
      [['engines', 'add', 'Bad Id!', 'provider=openai', 'model=m', 'base-url=http://h/v1'], /engines add: id "Bad Id!"/],
      [['engines', 'add', 'x3', 'provider=openai', 'model=m', 'base-url=http://h/v1', 'like=luma-ray-2'], /like=luma-ray-2 is a luma engine, not openai/],
    ];
    for (const [args, message] of cases) {
      const result = await cli([...args, '--data-dir', dataDir]);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(message);
    }
  });
});
