/**
 * What the pipeline does with Kling's answers: a real studio (registry, router, the real
 * Kling adapter, gate, stitcher, ledger) pointed at the Kling emulator. The animatic is
 * the fallback every chain here ends with, so a shot Kling refuses is still made.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { StoryboardInput } from '../../src/shared/storyboard';
import { EmulatorStudio } from '../support/emulator-studio';
import { KlingEmulator, klingEnv, RISK_CONTROL_MESSAGE } from '../emulators/kling/server';
import { nastyTempDir, removeDir } from './media-fixtures';

const ACCESS_KEY = 'AK-kling-studio-0123456789';
const SECRET_KEY = 'SK-kling-studio-secret-9876543210';
const CHAIN = 'kling-then-animatic';

let clipDir: string;
let emulator: KlingEmulator;
let studio: EmulatorStudio;
let boards = 0;
/** The emulator lives for the whole file (its clips are encoded once); each test reads only what it added. */
let jobsBefore = 0;
let invoiceBefore = 0;

beforeAll(async () => {
  clipDir = await nastyTempDir('kling clips');
  emulator = new KlingEmulator({ clipDirectory: clipDir, timing: { minMs: 100, maxMs: 400 }, accessKey: ACCESS_KEY, secretKey: SECRET_KEY });
  await emulator.start();
});

afterAll(async () => {
  await emulator?.close();
  await removeDir(clipDir);
});

beforeEach(async () => {
  emulator.faults.reset();
  emulator.knobs.arrears = false;
  for (const key of Object.keys(emulator.counts) as (keyof typeof emulator.counts)[]) emulator.counts[key] = 0;
  jobsBefore = emulator.jobs.length;
  invoiceBefore = emulator.invoiceMicros;
  studio = await new EmulatorStudio({ env: klingEnv(emulator, ACCESS_KEY, SECRET_KEY), pollIntervalMs: 50 }).open();
  studio.services.registry.setChain(CHAIN, ['kling-v2.6-std', 'animatic']);
});

afterEach(async () => {
  await studio?.close();
});

const newJobs = () => emulator.jobs.slice(jobsBefore);

/** Shots of 4 s (Kling makes 5, the stitcher trims), each with its own prompt so jobs can be counted per shot. */
function board(shots: number, engine = 'auto'): StoryboardInput {
  const n = ++boards;
  return {
    title: `Kling board ${n}`,
    mode: 'final',
    output: { resolution: '720p', aspect: '16:9', fps: 24 },
    chain: CHAIN,
    shots: Array.from({ length: shots }, (_, i) => ({ id: `s${i + 1}`, kind: 'action' as const, prompt: `board ${n} shot ${i + 1}: a lighthouse in a storm`, duration: 4, engine })),
  };
}

/** The ledger and Kling's invoice agree to the micro-dollar once every task has settled. */
function expectLedgerMatchesInvoice(): void {
  expect(emulator.settled).toBe(true);
  expect(studio.chargedMicros()).toBe(emulator.invoiceMicros - invoiceBefore);
  expect(studio.heldMicros()).toBe(0);
}

describe('Kling through the pipeline', () => {
  it('429 code 1302 on the first create of a pinned shot: waits Retry-After, then Kling makes it', async () => {
    emulator.faults.set({ rateLimitCreates: 1, retryAfterSeconds: 1 });
    const report = await studio.render(board(1, 'kling-v2.6-std'));
    expect(report.status).toBe('completed');
    const [shot] = report.shots;
    expect(shot!.engineId).toBe('kling-v2.6-std');
    expect(shot!.attempts.map((attempt) => attempt.errorKind)).toEqual(['rate_limited', null]);
    expect(emulator.counts.creates).toBe(2);
    expect(newJobs()).toHaveLength(1);
    // 1.5 units at $0.14 each: what Kling deducted, not the registry's list price ($0.05/s × 5 s).
    expect(shot!.costMicros).toBe(210_000);
    expectLedgerMatchesInvoice();
  });

  it('content policy: the shot falls back to the animatic, the report says why, Kling bills nothing', async () => {
    emulator.faults.set({ contentPolicy: 1 });
    const report = await studio.render(board(1));
    expect(report.status).toBe('completed');
    const [shot] = report.shots;
    expect(shot!.engineId).toBe('animatic');
    const refused = shot!.attempts[0]!;
    expect(refused).toMatchObject({ engineId: 'kling-v2.6-std', errorKind: 'content_policy', costMicros: 0 });
    expect(refused.reason).toContain(RISK_CONTROL_MESSAGE);
    expect(emulator.invoiceMicros).toBe(invoiceBefore);
    expectLedgerMatchesInvoice();
  });

  it('resource pack used up (1102): Kling is off for the rest of the run, every shot falls back, one create only', async () => {
    emulator.knobs.arrears = true;
    const report = await studio.render(board(2), { concurrency: 1 });
    expect(report.status).toBe('completed');
    expect(report.shots.map((shot) => shot.engineId)).toEqual(['animatic', 'animatic']);
    expect(report.shots[0]!.attempts[0]).toMatchObject({ engineId: 'kling-v2.6-std', errorKind: 'quota_exhausted' });
    expect(emulator.counts.creates).toBe(1);
    expect(newJobs()).toHaveLength(0);
    expectLedgerMatchesInvoice();
  });

  it('a create answer lost (connection reset): the task is found by external_task_id, made once, charged once', async () => {
    emulator.faults.set({ lostCreateAnswers: 1, lostCreateAnswerAs: 'reset' });
    const report = await studio.render(board(1));
    expect(report.status).toBe('completed');
    const [shot] = report.shots;
    expect(shot!.engineId).toBe('kling-v2.6-std');
    expect(newJobs()).toHaveLength(1);
    expect(emulator.counts.creates).toBe(1);
    expect(emulator.counts.lookups).toBeGreaterThanOrEqual(1);
    expect(shot!.attempts.find((attempt) => attempt.status === 'accepted')?.providerJobId).toBe(`text2video/${newJobs()[0]!.id}`);
    expect(shot!.costMicros).toBe(emulator.invoicedFor(newJobs()[0]!));
    expectLedgerMatchesInvoice();
  });
});
