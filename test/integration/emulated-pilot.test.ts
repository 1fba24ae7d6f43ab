/**
 * The pilot episode, end to end, on the real adapters against the provider emulators:
 * `shotline render resources/examples/pilot.yaml --mode final` with keys and base URLs in
 * the environment, while Runway rate-limits and Google's Gemini API goes down mid-run.
 * The episode must complete through fallback; the --json report and `shotline costs`
 * must show each fallback with its reason; the ledger must equal what the emulators
 * billed, to the micro-dollar; and no key may appear in the database, the logs, the
 * report or the media.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RenderReport } from '../../src/main/pipeline/render-report';
import type { CostSummary } from '../../src/shared/api';
import { EmulatorFleet } from '../emulators/fleet';
import { projectRoot, runCli, type CliResult } from '../support/cli-process';
import { fastResources, fleetCliEnv } from '../support/fleet-cli';

describe('the pilot on emulated providers, with a rate limit and an outage', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shotline pilot ‘emulated’ '));
  const dataDir = join(dir, 'data dir');
  const output = join(dir, 'out', 'pilot «final».mp4');
  const fleet = new EmulatorFleet({ clipDirectory: join(dir, 'clips'), common: { timing: { minMs: 300, maxMs: 1_200, queuedShare: 0.2 } } });
  let render: CliResult;
  let report: RenderReport;
  let geminiWatch: NodeJS.Timeout | undefined;

  beforeAll(async () => {
    await fleet.start();
    // Runway answers the first three creates with 429 and Retry-After: 2.
    fleet.runway.faults.set({ rateLimitCreates: 3, retryAfterSeconds: 2 });
    // Gemini goes down after its first job is made, and is back four seconds later: its
    // running job survives (polls retry), new shots are refused and route around it.
    let downSince = 0;
    geminiWatch = setInterval(() => {
      if (downSince === 0 && fleet.gemini.counts.creates >= 1) {
        downSince = Date.now();
        fleet.gemini.faults.set({ down: true });
      } else if (downSince > 0 && Date.now() - downSince > 4_000) {
        fleet.gemini.faults.set({ down: false });
      }
    }, 10);
    const env = { ...fleetCliEnv(fleet, fastResources(dir)), SHOTLINE_DEBUG: '1' };
    render = await runCli(['render', join(projectRoot, 'resources/examples/pilot.yaml'), '--mode', 'final', '--out', output, '--data-dir', dataDir, '--json'], env);
    report = JSON.parse(render.stdout) as RenderReport;
  }, 300_000);

  afterAll(async () => {
    clearInterval(geminiWatch);
    await fleet.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('completes every shot and writes the episode', () => {
    expect(render.code, render.stderr.slice(-3000)).toBe(0);
    expect(report.status).toBe('completed');
    expect(report.shots).toHaveLength(12);
    expect(report.shots.every((shot) => shot.status === 'accepted')).toBe(true);
    expect(existsSync(output)).toBe(true);
    expect(statSync(output).size).toBeGreaterThan(100_000);
    // Made by real adapters on several providers, not by the animatic.
    const engines = new Set(report.shots.map((shot) => shot.engineId));
    expect([...engines].some((id) => id?.startsWith('runway-'))).toBe(true);
    expect(engines.has('animatic')).toBe(false);
  });

  it('the faults really happened, and the report shows each fallback with its reason', () => {
    expect(fleet.runway.faults.fired.rateLimitCreates).toBe(3);
    expect(fleet.gemini.faults.fired.down).toBeGreaterThan(0);
    const attempts = report.shots.flatMap((shot) => shot.attempts.map((a) => ({ ...a, shotId: shot.shotId })));
    const rateLimited = attempts.filter((a) => a.errorKind === 'rate_limited');
    expect(rateLimited.length).toBe(3);
    for (const a of rateLimited) expect(a.reason).toMatch(/429/);
    const outage = attempts.filter((a) => a.engineId.startsWith('veo-') && a.errorKind === 'unavailable');
    expect(outage.length).toBeGreaterThan(0);
    for (const a of outage) expect(a.reason).toMatch(/503|unavailable/i);
    // Every shot whose first engine failed ended on another engine.
    for (const shot of report.shots) {
      const firstEngine = shot.attempts[0]!.engineId;
      if (shot.attempts.some((a) => a.engineId === firstEngine && a.errorKind !== null) && shot.engineId !== firstEngine) {
        expect(shot.attempts.at(-1)!.status).toBe('accepted');
      }
    }
  });

  it('shotline costs lists the fallbacks with their reasons', async () => {
    const costs = await runCli(['costs', '--json', '--data-dir', dataDir], { SHOTLINE_NO_KEYCHAIN: '1' });
    const summary = JSON.parse(costs.stdout) as CostSummary;
    const kinds = new Set(summary.fallbacks.map((f) => f.errorKind));
    expect(kinds.has('unavailable')).toBe(true);
    for (const fallback of summary.fallbacks) {
      expect(fallback.reason.length).toBeGreaterThan(5);
      expect(fallback.madeByEngineId).not.toBeNull();
    }
    const text = await runCli(['costs', '--data-dir', dataDir], { SHOTLINE_NO_KEYCHAIN: '1' });
    expect(text.stdout).toMatch(/Fallbacks \(newest first\):\n {2}Tidewater: Pilot, shot s\d\d: /);
  });

  it('the ledger equals what the providers billed, to the micro-dollar, and nothing was made twice', () => {
    const db = new Database(join(dataDir, 'shotline.db'), { readonly: true });
    try {
      const charged = (db.prepare(`SELECT COALESCE(SUM(micros), 0) AS n FROM ledger WHERE entry = 'charge'`).get() as { n: number }).n;
      const held = (db.prepare(`SELECT COALESCE(SUM(CASE entry WHEN 'reserve' THEN micros WHEN 'release' THEN -micros END), 0) AS n FROM ledger`).get() as { n: number }).n;
      expect(fleet.invoiceMicros).toBeGreaterThan(0);
      expect(charged).toBe(fleet.invoiceMicros);
      expect(held).toBe(0);
      expect(report.totals.spentMicros).toBe(charged);
    } finally {
      db.close();
    }
    // Every job any provider made was for a different shot (each pilot prompt is unique).
    for (const { name, emulator } of fleet.all) {
      for (const [prompt, jobs] of emulator.jobsPerPrompt()) expect(jobs, `${name}: ${prompt}`).toBe(1);
    }
  });

  it('no key reaches the database, the logs, the report or the media', () => {
    const files = [...walk(dataDir), output];
    const haystacks = [render.stdout, render.stderr, ...files.map((file) => readFileSync(file).toString('latin1'))];
    expect(render.stderr.length).toBeGreaterThan(1_000); // SHOTLINE_DEBUG logs were on
    for (const secret of fleet.secrets) {
      for (const text of haystacks) expect(text.includes(secret), `a key leaked (${secret.slice(0, 6)}...)`).toBe(false);
    }
  });
});

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? walk(path) : [path];
  });
}
