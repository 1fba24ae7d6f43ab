/**
 * The Veo adapter inside a real studio (registry, router, pipeline, gate, stitcher,
 * ledger) whose Gemini API is the emulator: what a render does with each kind of Veo
 * answer, and that the ledger ends equal to Google's invoice.
 */
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runFfmpeg } from '../../src/main/media/ffmpeg';
import type { StoryboardInput } from '../../src/shared/storyboard';
import { GeminiEmulator, geminiEnv } from '../emulators/gemini/server';
import { EmulatorStudio } from '../support/emulator-studio';
import { bins, nastyTempDir, removeDir } from './media-fixtures';

const API_KEY = 'AIzaSyGeminiStudio-0123456789abcdefghijk';

let clipDir: string;
let emulator: GeminiEmulator;
let studio: EmulatorStudio;

beforeAll(async () => {
  clipDir = await nastyTempDir('gemini clips');
  emulator = new GeminiEmulator({ clipDirectory: clipDir, timing: { minMs: 100, maxMs: 300 }, apiKey: API_KEY });
  await emulator.start();
});
afterAll(async () => {
  await emulator?.close();
  await removeDir(clipDir);
});
beforeEach(async () => {
  emulator.faults.reset();
  studio = await new EmulatorStudio({ env: geminiEnv(emulator, API_KEY) }).open();
});
afterEach(async () => {
  await studio?.close();
});

type ShotInput = StoryboardInput['shots'][number];

let shotNo = 0;
function shot(changes: Partial<ShotInput> = {}): ShotInput {
  shotNo += 1;
  return { id: `s${shotNo}`, kind: 'establishing', prompt: `shot ${shotNo}: gulls over a harbour at dusk`, duration: 4, ...changes };
}

function board(title: string, shots: ShotInput[], extras: Partial<StoryboardInput> = {}): StoryboardInput {
  return { title, output: { resolution: '720p', aspect: '16:9', fps: 24 }, ...extras, shots };
}

/** What Google has billed for these prompts' jobs, in whole micro-dollars. */
const invoicedFor = (shots: ShotInput[]) =>
  emulator.jobs.filter((job) => shots.some((s) => s.prompt === job.request.prompt)).reduce((sum, job) => sum + emulator.invoicedFor(job), 0);

/** Jobs per (prompt, model): more than one means a shot was paid for twice on one engine. */
function jobsPerPromptAndModel(shots: ShotInput[]): number[] {
  const counts = new Map<string, number>();
  for (const job of emulator.jobs.filter((j) => shots.some((s) => s.prompt === j.request.prompt))) {
    const key = `${job.request.prompt}\n${job.request.model}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts.values()];
}

describe('Veo in a real render', () => {
  it('a text shot and an image shot, with a 429 on the way: both accepted, each paid once, the ledger equals the invoice', async () => {
    await runFfmpeg(bins.ffmpeg, ['-y', '-f', 'lavfi', '-i', 'color=c=navy:size=64x64', '-frames:v', '1', join(studio.dir, 'harbour.png')]);
    emulator.faults.set({ rateLimitCreates: 1, retryAfterSeconds: 1 });
    // The image shot lasts 5 s, but Veo makes (and bills) 8 s from a reference image; the stitcher trims.
    const shots = [shot({ engine: 'veo-3.1-lite', negative: 'text overlays' }), shot({ engine: 'veo-3.1-fast', reference: 'harbour.png', duration: 5 })];
    const report = await studio.render(board('Ledger', shots));
    expect(report.status).toBe('completed');
    expect(report.shots.map((s) => [s.status, s.engineId])).toEqual([
      ['accepted', 'veo-3.1-lite'],
      ['accepted', 'veo-3.1-fast'],
    ]);
    expect(emulator.faults.fired.rateLimitCreates).toBe(1);
    expect(report.shots.flatMap((s) => s.attempts.map((a) => a.errorKind)).filter(Boolean)).toEqual(['rate_limited']);
    expect(jobsPerPromptAndModel(shots)).toEqual([1, 1]);
    expect(emulator.jobs.find((job) => job.request.prompt === shots[0]!.prompt)!.request.negativePrompt).toBe('text overlays');
    // Lite 720p 4 s at $0.05, Fast 720p 8 s at $0.10.
    expect(invoicedFor(shots)).toBe(200_000 + 800_000);
    expect(studio.chargedMicros(report.episodeId)).toBe(invoicedFor(shots));
    expect(studio.heldMicros()).toBe(0);
  });

  it("Google's RAI filter: the next engine in the chain makes the shot, the refusal is in the report and costs nothing", async () => {
    emulator.faults.set({ contentPolicy: 1 });
    const shots = [shot()];
    const report = await studio.render(board('Filtered', shots, { chain: 'fast-preview' }));
    const [made] = report.shots;
    expect(made).toMatchObject({ status: 'accepted', engineId: 'veo-3.1-fast' });
    expect(made!.attempts[0]).toMatchObject({ engineId: 'veo-3.1-lite', errorKind: 'content_policy', costMicros: 0 });
    expect(made!.attempts[0]!.reason).toMatch(/safety filter.*not been charged/);
    expect(studio.chargedMicros(report.episodeId)).toBe(invoicedFor(shots));
    expect(invoicedFor(shots)).toBe(400_000);
  });

  it('the Gemini API down: the chain falls through both Veo engines to the animatic, and nothing is charged', async () => {
    emulator.faults.set({ down: true });
    const shots = [shot()];
    const report = await studio.render(board('Down', shots, { chain: 'fast-preview' }));
    const [made] = report.shots;
    expect(made).toMatchObject({ status: 'accepted', engineId: 'animatic' });
    const veoKinds = made!.attempts.filter((a) => a.engineId.startsWith('veo-')).map((a) => a.errorKind);
    expect(veoKinds.length).toBeGreaterThan(0);
    expect(new Set(veoKinds)).toEqual(new Set(['unavailable']));
    expect(emulator.jobs.filter((job) => job.request.prompt === shots[0]!.prompt)).toHaveLength(0);
    expect(studio.chargedMicros(report.episodeId)).toBe(0);
  });

  it('a create whose answer is lost is never sent again: one job at Google, its price held, the report says how to go on', async () => {
    emulator.faults.set({ lostCreateAnswers: 1, lostCreateAnswerAs: 'bad_gateway' });
    const shots = [shot({ engine: 'veo-3.1-lite' })];
    const report = await studio.render(board('Lost answer', shots), { allowPartial: true });
    expect(emulator.jobs.filter((job) => job.request.prompt === shots[0]!.prompt)).toHaveLength(1);
    const [lost] = report.shots;
    expect(lost!.attempts).toHaveLength(1);
    expect(lost!.attempts[0]).toMatchObject({ engineId: 'veo-3.1-lite', status: 'unknown' });
    expect(lost!.failureReason).toMatch(/--resubmit-unknown/);
    expect(studio.chargedMicros(report.episodeId)).toBe(0);
    expect(studio.heldMicros()).toBeGreaterThanOrEqual(200_000);
  });
});
