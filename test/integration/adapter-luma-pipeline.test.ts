/**
 * What the pipeline makes of Luma's failures: a real studio (shipped registry, router,
 * real adapters, gate, stitcher, ledger) whose only paid provider is the Luma emulator.
 * After every render the studio's ledger must equal the emulator's invoice to the
 * micro-dollar, with nothing left held.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { StoryboardInput } from '../../src/shared/storyboard';
import { LumaEmulator, lumaEnv } from '../emulators/luma/server';
import { EmulatorStudio } from '../support/emulator-studio';

const API_KEY = 'luma-test-key-7c1e0f9a2b3d4e5f';
let prompts = 0;

describe('Luma through the pipeline', () => {
  let dir: string;
  let luma: LumaEmulator;
  let studio: EmulatorStudio;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'shotline luma pipeline '));
    luma = new LumaEmulator({ apiKey: API_KEY, clipDirectory: join(dir, 'clips'), timing: { minMs: 100, maxMs: 400 }, seed: 5 });
    await luma.start();
    studio = await new EmulatorStudio({ env: lumaEnv(luma, API_KEY) }).open();
  });
  afterAll(async () => {
    await studio?.close();
    await luma?.close();
    await rm(dir, { recursive: true, force: true });
  });
  beforeEach(() => luma.faults.reset());

  const board = (title: string, shots: { prompt: string; duration: number }[], routing: { engine?: string; chain?: string }): StoryboardInput => ({
    title,
    mode: 'final',
    output: { resolution: '540p', aspect: '16:9', fps: 24 },
    budget: { limit: 20 },
    shots: shots.map((shot, i) => ({ id: `s${i + 1}`, kind: 'establishing' as const, prompt: shot.prompt, duration: shot.duration, ...routing })),
  });
  const shot = (what: string, duration: number) => ({ prompt: `${what} ${prompts++}: a harbour at dawn`, duration });

  /** After every render: nothing still running at Luma, nothing held, and every micro-dollar Luma billed is in the ledger once. */
  async function expectBooksBalance(): Promise<void> {
    await until(() => luma.settled);
    expect(studio.heldMicros()).toBe(0);
    expect(studio.chargedMicros()).toBe(luma.invoiceMicros);
  }

  it('several shots: one job each, and the ledger equals the invoice to the micro-dollar', async () => {
    const shots = [shot('ledger', 3), shot('ledger', 7)];
    const report = await studio.render(board('Ledger', shots, { engine: 'luma-ray-flash-2' }));
    expect(report.status).toBe('completed');
    expect(report.shots.map((s) => s.engineId)).toEqual(['luma-ray-flash-2', 'luma-ray-flash-2']);
    for (const { prompt } of shots) expect(luma.jobsPerPrompt().get(prompt)).toBe(1);
    expect(luma.jobs.map((job) => job.request.duration).sort()).toEqual(['5s', '9s']);
    expect(luma.invoiceMicros).toBeGreaterThan(0);
    await expectBooksBalance();
  });

  it('a 429, then success on the same engine', async () => {
    luma.faults.set({ rateLimitCreates: 1, retryAfterSeconds: 0.2 });
    const shots = [shot('rate', 4)];
    const report = await studio.render(board('Rate limited', shots, { engine: 'luma-ray-flash-2' }));
    expect(report.status).toBe('completed');
    expect(luma.faults.fired.rateLimitCreates).toBe(1);
    expect(report.shots[0]!.attempts.map((a) => a.errorKind)).toContain('rate_limited');
    expect(report.shots[0]!.engineId).toBe('luma-ray-flash-2');
    expect(luma.jobsPerPrompt().get(shots[0]!.prompt)).toBe(1);
    await expectBooksBalance();
  });

  it('moderation: the shot falls back to another engine, the reason in the report, nothing charged for Luma', async () => {
    luma.faults.set({ contentPolicy: 1 });
    const report = await studio.render(board('Moderated', [shot('moderated', 4)], { chain: 'fast-preview' }));
    expect(report.status).toBe('completed');
    expect(report.shots[0]!.engineId).toBe('animatic');
    const refused = report.shots[0]!.attempts.find((a) => a.engineId === 'luma-ray-flash-2')!;
    expect(refused).toMatchObject({ errorKind: 'content_policy', costMicros: 0 });
    expect(refused.reason).toContain('Advanced moderation failed');
    expect(studio.chargedMicros(report.episodeId)).toBe(0);
    await expectBooksBalance();
  });

  it('Luma down: the shot falls back, nothing made or charged at Luma', async () => {
    luma.faults.set({ down: true });
    const creates = luma.counts.creates;
    const jobs = luma.jobs.length;
    const report = await studio.render(board('Down', [shot('down', 4)], { chain: 'fast-preview' }));
    expect(report.status).toBe('completed');
    expect(report.shots[0]!.engineId).toBe('animatic');
    const tried = report.shots[0]!.attempts.filter((a) => a.engineId === 'luma-ray-flash-2');
    expect(tried.length).toBeGreaterThan(0);
    expect(tried.every((a) => a.errorKind === 'unavailable')).toBe(true);
    expect(luma.counts.creates).toBeGreaterThan(creates);
    expect(luma.jobs.length).toBe(jobs);
    await expectBooksBalance();
  });

  it('a create whose answer is lost is recovered by findJob: one job, one charge, equal to the invoice', async () => {
    luma.faults.set({ lostCreateAnswers: 1, lostCreateAnswerAs: 'bad_gateway' });
    const lookups = luma.counts.lookups;
    const shots = [shot('lost', 5)];
    const report = await studio.render(board('Lost answer', shots, { engine: 'luma-ray-flash-2' }));
    expect(report.status).toBe('completed');
    expect(luma.faults.fired.lostCreateAnswers).toBe(1);
    expect(luma.counts.lookups).toBeGreaterThan(lookups);
    expect(luma.jobsPerPrompt().get(shots[0]!.prompt)).toBe(1);
    const job = luma.jobs.find((j) => j.request.prompt === shots[0]!.prompt)!;
    expect(report.shots[0]!.attempts.map((a) => a.providerJobId)).toEqual([job.id]);
    const charges = studio.services.db.prepare(`SELECT COUNT(*) AS n FROM ledger WHERE entry = 'charge' AND episode_id = ?`).get(report.episodeId) as { n: number };
    expect(charges.n).toBe(1);
    expect(studio.chargedMicros(report.episodeId)).toBe(luma.invoicedFor(job));
    await expectBooksBalance();
  });
});

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
