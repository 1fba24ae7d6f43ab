/**
 * kill -9 against the real adapters and the provider emulators: a final-mode render with
 * one shot on each provider is killed with SIGKILL once every job has been submitted
 * (and is still running at the provider, which keeps billing it); `shotline resume`
 * collects each job by its stored id. The providers' own books decide: exactly one create
 * per shot, and the ledger equals what they billed to the micro-dollar.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmulatorFleet } from '../emulators/fleet';
import { projectRoot, runCli } from '../support/cli-process';
import { fastResources, fleetCliEnv } from '../support/fleet-cli';

const entry = fileURLToPath(new URL('../support/run-cli.ts', import.meta.url));

/** One shot pinned to an engine of each provider that can make 720p 16:9 (the OpenAI-compatible one is retired: not routable). */
const SHOTS = [
  { id: 'rw', engine: 'runway-gen4.5', duration: 3 },
  { id: 'veo', engine: 'veo-3.1-fast', duration: 4 },
  { id: 'kl', engine: 'kling-v2.6-std', duration: 5 },
  { id: 'lu', engine: 'luma-ray-flash-2', duration: 5 },
  { id: 'cf', engine: 'comfyui-local', duration: 2 },
  { id: 'rv', engine: 'runway-veo3.1-fast', duration: 4 },
];

function storyboard(dir: string): string {
  const file = join(dir, 'kill «test».yaml');
  const lines = [
    'title: "Kill test on emulated providers"',
    'mode: final',
    'budget: { limit: 20.00 }',
    'output: { resolution: 720p, aspect: "16:9", fps: 24, loudness: -16 }',
    'shots:',
    ...SHOTS.flatMap((shot) => [
      `  - id: ${shot.id}`,
      '    kind: establishing',
      `    prompt: "Shot ${shot.id}: a lighthouse in fog, slow pan, take ${shot.id}"`,
      `    duration: ${shot.duration}`,
      `    engine: ${shot.engine}`,
    ]),
  ];
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

function submittedJobs(dataDir: string): number {
  if (!existsSync(join(dataDir, 'shotline.db'))) return 0;
  const db = new Database(join(dataDir, 'shotline.db'), { readonly: true, fileMustExist: true });
  try {
    return (db.prepare(`SELECT COUNT(DISTINCT shot_id) AS n FROM attempts WHERE provider_job_id IS NOT NULL`).get() as { n: number }).n;
  } catch {
    return 0; // not migrated yet
  } finally {
    db.close();
  }
}

describe('kill -9 after submit, then resume, on the real adapters', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shotline kill emulated '));
  const dataDir = join(dir, 'data');
  // Jobs run 6-9 s: the kill lands while every one of them is still running at its provider.
  const fleet = new EmulatorFleet({ clipDirectory: join(dir, 'clips'), common: { timing: { minMs: 6_000, maxMs: 9_000, queuedShare: 0.1 } } });
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    await fleet.start();
    env = fleetCliEnv(fleet, fastResources(dir, 200));
  });
  afterAll(async () => {
    await fleet.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('collects every job by id after the kill: one create per shot, the ledger equals the invoice', async () => {
    const board = storyboard(dir);
    const output = join(dir, 'out', 'killed.mp4');
    const child = spawn(process.execPath, ['--import', 'tsx', entry, 'render', board, '--out', output, '--data-dir', dataDir, '--concurrency', String(SHOTS.length)], {
      cwd: projectRoot,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('close', (_code, signal) => resolve(signal)));
    await new Promise<void>((resolve, reject) => {
      const started = Date.now();
      const timer = setInterval(() => {
        if (submittedJobs(dataDir) === SHOTS.length) {
          clearInterval(timer);
          child.kill('SIGKILL');
          resolve();
        } else if (Date.now() - started > 60_000) {
          clearInterval(timer);
          child.kill('SIGKILL');
          reject(new Error(`not every job was submitted within a minute:\n${stderr.slice(-2000)}`));
        }
      }, 20);
    });
    expect(await exited).toBe('SIGKILL');
    // Killed mid-flight: every provider still has its job running.
    const settledAtKill = fleet.all.filter(({ emulator }) => emulator.jobs.length > 0 && emulator.settled).map(({ name }) => name);
    expect(settledAtKill).toEqual([]);
    expect(Object.values(fleet.creates()).reduce((a, b) => a + b, 0)).toBe(SHOTS.length);

    const resumed = await runCli(['resume', '--data-dir', dataDir, '--json'], env);
    expect(resumed.code, resumed.stderr.slice(-3000)).toBe(0);
    const report = JSON.parse(resumed.stdout) as { status: string; resumed: boolean; shots: { shotId: string; engineId: string; attempts: unknown[] }[] };
    expect(report.status).toBe('completed');
    expect(report.resumed).toBe(true);
    expect(report.shots.map((shot) => [shot.shotId, shot.engineId])).toEqual(SHOTS.map((shot) => [shot.id, shot.engine]));
    expect(report.shots.every((shot) => shot.attempts.length === 1)).toBe(true);
    expect(existsSync(output)).toBe(true);

    // The providers' books: one create per shot, each billed once, all on the ledger.
    expect(fleet.creates()).toEqual({ runway: 2, gemini: 1, kling: 1, luma: 1, openai: 0, comfyui: 1 });
    for (const { emulator } of fleet.all) for (const jobs of emulator.jobsPerPrompt().values()) expect(jobs).toBe(1);
    const db = new Database(join(dataDir, 'shotline.db'), { readonly: true });
    try {
      const money = db
        .prepare(
          `SELECT COALESCE(SUM(CASE entry WHEN 'charge' THEN micros ELSE 0 END), 0) AS charged,
                  COALESCE(SUM(CASE entry WHEN 'reserve' THEN micros WHEN 'release' THEN -micros ELSE 0 END), 0) AS held
           FROM ledger`,
        )
        .get() as { charged: number; held: number };
      expect(money.charged).toBe(fleet.invoiceMicros);
      expect(money.held).toBe(0);
    } finally {
      db.close();
    }
  }, 180_000);
});
