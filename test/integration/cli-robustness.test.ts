// The CLI as a hostile environment runs it: stdout on a full disk, stderr closed,
// absurd flags, a second process on the same episode, Ctrl-C. The render's outcome,
// and nothing else, decides the exit code; no stack trace ever reaches the user.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot, runCli, spawnCli, type CliResult } from '../support/cli-process';

const quick = join(projectRoot, 'resources/examples/quick.yaml');
const entry = join(projectRoot, 'test/support/run-cli.ts');
const STACK_TRACE = /\n\s+at /;
const hasDevFull = existsSync('/dev/full');

/** Starts the CLI with stdout/stderr wired as given ('pipe' ones are collected). */
function runCliWired(args: string[], stdio: ['ignore', number | 'pipe', number | 'pipe'], options: { closeStderr?: boolean } = {}): Promise<CliResult> {
  const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], { cwd: projectRoot, env: process.env, stdio });
  // Closing our end at once: the CLI's first write to stderr meets EPIPE. (A shell's
  // `2>&-` is no test of this: Node reopens a closed fd 0-2 on /dev/null at startup.)
  if (options.closeStderr) child.stderr!.destroy();
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  if (!options.closeStderr) child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
}

function expectEpisode(file: string): void {
  expect(existsSync(file), file).toBe(true);
  expect(statSync(file).size).toBeGreaterThan(10_000);
}

/** A preview storyboard long enough (animatic, no keys) to still be running when a second process or a Ctrl-C arrives. */
function longStoryboard(dir: string): string {
  const shots = Array.from({ length: 12 }, (_, i) => `  - { id: s${String(i + 1).padStart(2, '0')}, kind: establishing, prompt: "Harbour at dawn, take ${i + 1}", duration: 6 }`);
  const file = join(dir, 'long.yaml');
  writeFileSync(file, `title: Long look\nmode: preview\noutput: { resolution: 720p, aspect: "16:9", fps: 24 }\nshots:\n${shots.join('\n')}\n`);
  return file;
}

function waitForLine(stderrLines: string[], pattern: RegExp, timeoutMs: number): Promise<void> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const check = () => {
      if (stderrLines.some((line) => pattern.test(line))) return resolve();
      if (Date.now() - started > timeoutMs) return reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms:\n${stderrLines.join('\n')}`));
      setTimeout(check, 50);
    };
    check();
  });
}

describe('shotline CLI robustness', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'shotline-cli-robust-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.skipIf(!hasDevFull)('stdout on a full disk (>/dev/full): the render finishes, exit 0, one line about the lost report', async () => {
    const out = join(dir, 'full-stdout.mp4');
    const full = openSync('/dev/full', 'w');
    let result: CliResult;
    try {
      result = await runCliWired(['render', quick, '--out', out, '--data-dir', join(dir, 'data-full'), '--json'], ['ignore', full, 'pipe']);
    } finally {
      closeSync(full);
    }
    expect(result.stderr).not.toMatch(STACK_TRACE);
    expect(result.code).toBe(0);
    expectEpisode(out);
    expect(result.stderr).toContain('shotline: could not write to stdout (ENOSPC');
  }, 120_000);

  it('stderr closed by its reader (EPIPE): the render finishes, exit 0, the report still on stdout', async () => {
    const out = join(dir, 'closed-stderr.mp4');
    const result = await runCliWired(['render', quick, '--out', out, '--data-dir', join(dir, 'data-epipe')], ['ignore', 'pipe', 'pipe'], { closeStderr: true });
    expect(result.stdout).not.toMatch(STACK_TRACE);
    expect(result.code).toBe(0);
    expectEpisode(out);
    expect(result.stdout).toMatch(/^Done: /);
  }, 120_000);

  it('--budget 1e308 exits 2 naming the flag, before anything is created', async () => {
    const dataDir = join(dir, 'data-budget');
    const out = join(dir, 'budget.mp4');
    const result = await runCli(['render', quick, '--out', out, '--data-dir', dataDir, '--budget', '1e308']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('shotline: --budget: must be at most 100000 USD (got 1e308)\n');
    expect(existsSync(out)).toBe(false);
    const resumed = await runCli(['resume', '--data-dir', dataDir, '--budget=0']);
    expect(resumed.code).toBe(2);
    expect(resumed.stderr).toBe('shotline: --budget: must be more than 0 (got 0)\n');
  }, 60_000);

  it('costs --held with nothing held says so in one line; --json prints an empty list', async () => {
    const dataDir = join(dir, 'data-held');
    const text = await runCli(['costs', '--held', '--data-dir', dataDir]);
    expect(text).toMatchObject({ code: 0, stdout: 'Nothing is held: every reservation has been settled or released.\n' });
    const json = await runCli(['costs', '--held', '--json', '--data-dir', dataDir]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual([]);
  }, 60_000);

  it('a second process on a running episode exits 3 (busy), not 1; the first finishes', async () => {
    const dataDir = join(dir, 'data-busy');
    const board = longStoryboard(dir);
    const out = join(dir, 'busy.mp4');
    const first = spawnCli(['render', board, '--out', out, '--data-dir', dataDir]);
    await waitForLine(first.stderrLines, /^s\d\d: /, 60_000);
    const second = await runCli(['render', board, '--out', out, '--data-dir', dataDir]);
    expect(second.stderr).not.toMatch(STACK_TRACE);
    expect(second.code).toBe(3);
    expect(second.stderr).toMatch(/being rendered by another Shotline process/);
    const done = await first.done;
    expect(done.code).toBe(0);
    expectEpisode(out);
  }, 180_000);

  it('a bug that throws outside any promise (a timer) exits 70 with its message and no stack trace', async () => {
    const cli = join(projectRoot, 'src/main/cli.ts');
    const args = ['render', longStoryboard(dir), '--out', join(dir, 'crash.mp4'), '--data-dir', join(dir, 'data-crash')];
    // The throw comes while the render runs: main() installs its handlers before its first await.
    const script = `const { main } = await import(${JSON.stringify(cli)});
      const exitCode = main(${JSON.stringify(args)});
      setTimeout(() => { throw new TypeError('a bug in a timer'); }, 500);
      process.exitCode = await exitCode;`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).not.toMatch(STACK_TRACE);
    expect(code).toBe(70);
    expect(stderr).toContain('shotline: a bug in a timer\n');
    expect(stderr).toContain('SHOTLINE_DEBUG=1');
  }, 60_000);

  it('Ctrl-C exits 130 and says how to resume; that resume finishes the episode', async () => {
    const dataDir = join(dir, 'data-cancel');
    const board = longStoryboard(dir);
    const out = join(dir, 'cancelled.mp4');
    const run = spawnCli(['render', board, '--out', out, '--data-dir', dataDir]);
    await waitForLine(run.stderrLines, /^s\d\d: /, 60_000);
    run.child.kill('SIGINT');
    const cancelled = await run.done;
    expect(cancelled.stderr).not.toMatch(STACK_TRACE);
    expect(cancelled.code).toBe(130);
    const hint = /The render can be resumed with `(shotline resume ep_[^`]+)`/.exec(cancelled.stderr);
    expect(hint, cancelled.stderr).not.toBeNull();
    expect(hint![1]).toContain(`--data-dir ${dataDir}`);
    const resumed = await runCli(['resume', '--data-dir', dataDir]);
    expect(resumed.stderr).not.toMatch(STACK_TRACE);
    expect(resumed.code).toBe(0);
    expectEpisode(out);
  }, 240_000);
});
