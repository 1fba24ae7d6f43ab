/**
 * The openai adapter inside a real studio (router, pipeline, gate, ledger, stitcher)
 * against the /v1/videos emulator. OpenAI's own endpoint is retired: the shipped sora
 * entries must never be routed to, and a user who runs a compatible server brings the
 * entry back in settings (status and base URL), which is what these tests do.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EpisodePlanView } from '../../src/shared/api';
import type { StoryboardInput } from '../../src/shared/storyboard';
import type { RenderReport } from '../../src/main/pipeline/render-report';
import { EmulatorStudio } from '../support/emulator-studio';
import { OpenAIVideoEmulator, openaiEnv } from '../emulators/openai/server';
import { nastyTempDir, removeDir } from './media-fixtures';

const API_KEY = 'sk-emulated-openai-pipeline-0123456789';
/** sora-2's registry price, 0.10 $/s, for a 4 s clip. */
const FOUR_SECONDS_MICROS = 400_000;

let dir: string;
let emulator: OpenAIVideoEmulator;
let studio: EmulatorStudio | undefined;

beforeAll(async () => {
  dir = await nastyTempDir('openai pipeline');
  emulator = new OpenAIVideoEmulator({ clipDirectory: dir, timing: { minMs: 100, maxMs: 300 }, apiKey: API_KEY });
  await emulator.start();
});
afterAll(async () => {
  await emulator?.close();
  await removeDir(dir);
});
afterEach(async () => {
  await studio?.close();
  studio = undefined;
  emulator.faults.reset();
});

async function openStudio(options: { compatibleEngine: boolean }): Promise<EmulatorStudio> {
  studio = await new EmulatorStudio({ env: openaiEnv(emulator, API_KEY), pollIntervalMs: 50 }).open();
  if (options.compatibleEngine) {
    // What a user with an OpenAI-compatible server does in settings: the retired entry back on, pointed at it.
    studio.services.registry.setOverride('sora-2', { status: 'active', baseUrl: `${emulator.url}/v1` });
  }
  // The animatic is always there to fall back on.
  studio.services.registry.setChain('compatible-first', ['sora-2', 'animatic']);
  return studio;
}

/**
 * Shots of 1 s: the engine makes its shortest, 4 s (paid as 4 s), and the stitcher trims,
 * which keeps the stitch (the slow part of a render) short. `chain` lets the animatic
 * take a shot the engine refuses; without it, only the compatible engine is a candidate.
 */
function board(name: string, shots: number, options: { chain?: boolean } = {}): StoryboardInput {
  return {
    title: `Compatible ${name}`,
    mode: 'final',
    output: { resolution: '720p', aspect: '16:9', fps: 24 },
    ...(options.chain === false ? {} : { chain: 'compatible-first' }),
    shots: Array.from({ length: shots }, (_, i) => ({ id: `s${i + 1}`, kind: 'establishing' as const, prompt: `${name}: shot ${i + 1}, a harbour at dusk`, duration: 1, audio: true })),
  };
}

/** What the emulated provider billed for this board's shots (the emulator outlives each test's studio). */
function invoiceFor(input: StoryboardInput): number {
  const prompts = new Set(input.shots.map((shot) => shot.prompt));
  return emulator.jobs.filter((job) => prompts.has(job.request.prompt)).reduce((sum, job) => sum + emulator.invoicedFor(job), 0);
}

function jobsPerShot(input: StoryboardInput): number[] {
  const counts = emulator.jobsPerPrompt();
  return input.shots.map((shot) => counts.get(shot.prompt) ?? 0);
}

function expectMoneySettled(report: RenderReport, input: StoryboardInput): void {
  expect(studio!.chargedMicros(report.episodeId)).toBe(invoiceFor(input));
  expect(report.totals.spentMicros).toBe(invoiceFor(input));
  expect(report.totals.heldMicros).toBe(0);
}

describe('the retired OpenAI engines', () => {
  it('are never chosen: only rejections saying retired, even when a chain names one; nothing reaches the server', async () => {
    await openStudio({ compatibleEngine: false });
    const retired = (plan: EpisodePlanView, id: string) => plan.shots.map((shot) => shot.rejections.find((r) => r.engineId === id)?.reason);
    const auto = await studio!.services.render.plan(await studio!.storyboard(board('retired auto', 2, { chain: false }), 'auto.yaml'), {});
    const chained = await studio!.services.render.plan(await studio!.storyboard(board('retired chain', 2), 'chain.yaml'), {});
    for (const plan of [auto, chained]) {
      expect(plan.shots.flatMap((shot) => shot.candidates.map((c) => c.engineId)).filter((id) => id.startsWith('sora'))).toEqual([]);
      expect(retired(plan, 'sora-2')).toEqual(['sora-2: rejected, retired on 2026-09-24', 'sora-2: rejected, retired on 2026-09-24']);
    }
    expect(retired(auto, 'sora-2-pro')).toEqual(['sora-2-pro: rejected, retired on 2026-09-24', 'sora-2-pro: rejected, retired on 2026-09-24']);

    const creates = emulator.counts.creates;
    const report = await studio!.render(board('retired chain', 1));
    expect(report.status).toBe('completed');
    expect(report.shots.map((shot) => shot.engineId)).toEqual(['animatic']);
    expect(report.shots[0]!.plan!.rejections.find((r) => r.engineId === 'sora-2')?.reason).toMatch(/retired on 2026-09-24/);
    expect(emulator.counts.creates).toBe(creates);
  });
});

describe('a user-added compatible engine', () => {
  it('renders every shot on it through a 429 and a lost create answer: one job per shot, the ledger equal to the invoice', async () => {
    await openStudio({ compatibleEngine: true });
    // A 429 (wait Retry-After, same engine) and a create whose answer a gateway lost (found again by findJob).
    emulator.faults.set({ rateLimitCreates: 1, retryAfterSeconds: 1, lostCreateAnswers: 1, lostCreateAnswerAs: 'bad_gateway' });
    const input = board('plain', 3, { chain: false });
    const report = await studio!.render(input);
    expect(report.status).toBe('completed');
    expect(emulator.faults.fired).toMatchObject({ rateLimitCreates: 1, lostCreateAnswers: 1 });
    expect(report.shots.map((shot) => shot.engineId)).toEqual(['sora-2', 'sora-2', 'sora-2']);
    expect(report.shots.flatMap((shot) => shot.attempts.map((a) => a.errorKind)).filter((kind) => kind !== null)).toEqual(['rate_limited']);
    expect(report.moneyNotes).toEqual([]);
    expect(jobsPerShot(input)).toEqual([1, 1, 1]);
    expect(invoiceFor(input)).toBe(3 * FOUR_SECONDS_MICROS);
    expectMoneySettled(report, input);
  });

  it('moderation: falls back to the animatic, the reason in the report, nothing charged', async () => {
    await openStudio({ compatibleEngine: true });
    emulator.faults.set({ contentPolicy: 1 });
    const input = board('moderated', 1);
    const report = await studio!.render(input);
    expect(report.status).toBe('completed');
    const [shot] = report.shots;
    expect(shot!.engineId).toBe('animatic');
    expect(shot!.attempts[0]).toMatchObject({ engineId: 'sora-2', errorKind: 'content_policy', costMicros: 0 });
    expect(shot!.attempts[0]!.reason).toMatch(/moderation_blocked/);
    expect(jobsPerShot(input)).toEqual([1]);
    expectMoneySettled(report, input);
    expect(invoiceFor(input)).toBe(0);
  });

  it('the server down: falls back to the animatic, nothing charged', async () => {
    await openStudio({ compatibleEngine: true });
    emulator.faults.set({ down: true });
    const input = board('down', 1);
    const report = await studio!.render(input);
    expect(report.status).toBe('completed');
    const [shot] = report.shots;
    expect(shot!.engineId).toBe('animatic');
    expect(shot!.attempts.filter((a) => a.engineId === 'sora-2').map((a) => a.errorKind)).toEqual(expect.arrayContaining(['unavailable']));
    expect(jobsPerShot(input)).toEqual([0]);
    expectMoneySettled(report, input);
  });
});
