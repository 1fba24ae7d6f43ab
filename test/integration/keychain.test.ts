/**
 * `shotline keys` against a real Secret Service (gnome-keyring on a private D-Bus
 * session): keys are stored in the OS keychain, listed by where they come from and never
 * by value, read from standard input and never from arguments, and a machine with no
 * keychain gets a message that says how to use environment variables instead.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunwayEmulator } from '../emulators/runway/server';
import { fastResources } from '../support/fleet-cli';
import { SecretService } from '../support/secret-service';
import { projectRoot, runCli, type CliResult } from '../support/cli-process';

const entry = fileURLToPath(new URL('../support/run-cli.ts', import.meta.url));

/** Runs the CLI with `input` on its standard input (a pipe: no terminal, so no prompt). */
function cliWithInput(args: string[], input: string, env: NodeJS.ProcessEnv): Promise<CliResult> {
  const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], { cwd: projectRoot, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(input);
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
}

/** No provider variables from the machine running the tests. */
const clean = { RUNWAYML_API_SECRET: '', GEMINI_API_KEY: '', GOOGLE_API_KEY: '', LUMAAI_API_KEY: '', OPENAI_API_KEY: '', KLING_ACCESS_KEY: '', KLING_SECRET_KEY: '', SHOTLINE_NO_KEYCHAIN: '' };

const runwaySecretForEmulator = 'rw_keychain_only_3f9a0c1e';

function readTree(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? readTree(join(dir, entry.name)) : [readFileSync(join(dir, entry.name)).toString('latin1')],
  );
}

describe('shotline keys with a real Secret Service', () => {
  let service: SecretService;
  let env: NodeJS.ProcessEnv;
  const runwaySecret = 'rw_live_7f3e"quote\'and\\backslash-ünï';
  const klingAccess = 'AK-4d1c9e';
  const klingSecret = 'SK-0b7a55f2e1';

  beforeAll(async () => {
    service = await new SecretService().start();
    env = { ...clean, ...service.env };
  });
  afterAll(() => service?.stop());

  it('stores a key read from standard input, lists where it comes from, never what it is', async () => {
    const set = await cliWithInput(['keys', 'set', 'runway'], `${runwaySecret}\n`, env);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stderr).toMatch(/Stored the runway key in the keychain/);

    const list = await runCli(['keys', 'list', '--json'], env);
    expect(list.code, list.stderr).toBe(0);
    const report = JSON.parse(list.stdout) as { keychain: string; providers: { provider: string; source: string | null }[] };
    expect(report.keychain).toBe('ok');
    expect(report.providers.find((p) => p.provider === 'runway')?.source).toBe('keychain');
    expect(report.providers.find((p) => p.provider === 'luma')?.source).toBeNull();
    for (const output of [set.stdout, set.stderr, list.stdout, list.stderr]) expect(output).not.toContain(runwaySecret);

    // It really is in the Secret Service, under service "Shotline", account "runway".
    const stored = await runNode(`const {Entry}=require('@napi-rs/keyring'); process.stdout.write(new Entry('Shotline','runway').getPassword() ?? 'none')`, env);
    expect(stored).toBe(runwaySecret);
  });

  it('Kling takes both of its keys, one per line', async () => {
    const set = await cliWithInput(['keys', 'set', 'kling'], `${klingAccess}\n${klingSecret}\n`, env);
    expect(set.code, set.stderr).toBe(0);
    const list = await runCli(['keys', 'list'], env);
    expect(list.stdout).toMatch(/^kling\s+keychain$/m);
    expect(list.stdout).not.toContain(klingSecret);
    const missingSecond = await cliWithInput(['keys', 'set', 'kling'], `${klingAccess}\n`, env);
    expect(missingSecond.code).toBe(2);
    expect(missingSecond.stderr).toMatch(/missing: Kling secret key/);
  });

  it('an environment variable wins over the keychain, and the listing says so', async () => {
    const list = await runCli(['keys', 'list'], { ...env, RUNWAYML_API_SECRET: 'from-env' });
    expect(list.stdout).toMatch(/^runway\s+environment \(RUNWAYML_API_SECRET\); the keychain also has one, unused$/m);
    expect(list.stdout).not.toContain('from-env');
  });

  it('refuses a key on the command line, a blank key, and a provider that takes none', async () => {
    const inArgs = await runCli(['keys', 'set', 'runway', 'sk-in-history'], env);
    expect(inArgs.code).toBe(2);
    expect(inArgs.stderr).toMatch(/never taken from the command line/);
    expect(inArgs.stderr).not.toContain('sk-in-history');
    const blank = await cliWithInput(['keys', 'set', 'luma'], '\n', env);
    expect(blank.code).toBe(2);
    const spaced = await cliWithInput(['keys', 'set', 'luma'], 'two words\n', env);
    expect(spaced.code).toBe(2);
    expect(spaced.stderr).toMatch(/LUMAAI_API_KEY: contains spaces/);
    expect(spaced.stderr).not.toContain('two words');
    const comfy = await runCli(['keys', 'set', 'comfyui'], env);
    expect(comfy.code).toBe(2);
    expect(comfy.stderr).toMatch(/comfyui takes no key/);
  });

  it('a render uses the key from the keychain: the adapter authenticates with it, and it is stored nowhere else', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shotline keychain render '));
    const emulator = new RunwayEmulator({ clipDirectory: join(dir, 'clips'), apiKey: runwaySecretForEmulator, timing: { minMs: 100, maxMs: 300, queuedShare: 0.2 } });
    try {
      await emulator.start();
      const set = await cliWithInput(['keys', 'set', 'runway'], `${runwaySecretForEmulator}\n`, env);
      expect(set.code, set.stderr).toBe(0);
      const board = join(dir, 'board.yaml');
      writeFileSync(board, 'title: Keychain\nmode: final\noutput: { resolution: 720p, aspect: "16:9" }\nshots:\n  - { id: s1, kind: action, prompt: "a kite over dunes", duration: 2, engine: runway-gen4.5 }\n');
      const dataDir = join(dir, 'data');
      // Only the base URL comes from the environment; the key comes from the keychain.
      const render = await runCli(['render', board, '--out', join(dir, 'out.mp4'), '--data-dir', dataDir, '--json'], {
        ...env,
        RUNWAYML_BASE_URL: emulator.url,
        SHOTLINE_RESOURCES: fastResources(dir),
        SHOTLINE_DEBUG: '1',
      });
      expect(render.code, render.stderr.slice(-2000)).toBe(0);
      expect(emulator.counts.creates).toBe(1);
      expect(emulator.counts.unauthorized).toBe(0);
      for (const text of [render.stdout, render.stderr, ...readTree(dataDir)]) expect(text.includes(runwaySecretForEmulator)).toBe(false);
    } finally {
      await emulator.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('deletes a key', async () => {
    const removed = await runCli(['keys', 'delete', 'runway'], env);
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stderr).toMatch(/Deleted the runway key/);
    const again = await runCli(['keys', 'delete', 'runway'], env);
    expect(again.stderr).toMatch(/had no runway key/);
    const list = await runCli(['keys', 'list'], env);
    expect(list.stdout).toMatch(/^runway\s+none \(shotline keys set runway, or RUNWAYML_API_SECRET\)$/m);
  });
});

describe('shotline keys with no keychain', () => {
  const noBus = { ...clean, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/shotline-test-bus' };

  it('lists keys from the environment and says how to go on without a keychain', async () => {
    const list = await runCli(['keys', 'list'], { ...noBus, LUMAAI_API_KEY: 'luma-env-key' });
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/^luma\s+environment \(LUMAAI_API_KEY\)$/m);
    expect(list.stdout).toMatch(/Keychain: the OS keychain cannot be reached .*environment variables/);
  });

  it('refuses to store a key with the same advice, and exits 2', async () => {
    const set = await cliWithInput(['keys', 'set', 'luma'], 'luma-secret-value\n', noBus);
    expect(set.code).toBe(2);
    expect(set.stderr).toMatch(/cannot be reached.*LUMAAI_API_KEY/s);
    expect(set.stderr).not.toContain('luma-secret-value');
  });
});

async function runNode(script: string, env: NodeJS.ProcessEnv): Promise<string> {
  const child = spawn(process.execPath, ['-e', script], { cwd: projectRoot, env: { ...process.env, ...env } });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  await new Promise((resolve) => child.on('close', resolve));
  return out;
}
