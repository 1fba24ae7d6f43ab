/**
 * What the pipeline makes of Runway's answers: a real studio (shipped registry, router,
 * Runway adapter, gate, stitcher, ledger) against the Runway emulator. Each render's
 * charges must equal the emulator's invoice to the micro-dollar, with one job per shot.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openStudio } from '../../src/main/studio';
import type { StoryboardInput } from '../../src/shared/storyboard';
import { EmulatorStudio, fastSeed } from '../support/emulator-studio';
import { RunwayEmulator, runwayEnv } from '../emulators/runway/server';
import { bins, nastyTempDir, removeDir } from './media-fixtures';

const KEY = 'rw-test-secret-0123456789abcdef';

let dir: string;
let referencePng: string;
const emulators: RunwayEmulator[] = [];
let emulatorCount = 0;

beforeAll(async () => {
  dir = await nastyTempDir('runway pipeline');
  referencePng = join(dir, 'kite.png');
  execFileSync(bins.ffmpeg, ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'color=c=orange:s=64x64', '-frames:v', '1', referencePng]);
});
afterEach(async () => {
  await Promise.all(emulators.splice(0).map((emulator) => emulator.close()));
});
afterAll(() => removeDir(dir));

async function startEmulator(): Promise<RunwayEmulator> {
  // A folder per emulator: a closed emulator's encode may still be finishing, and two caches must not write one file.
  const emulator = new RunwayEmulator({ clipDirectory: join(dir, 'clips', String(emulatorCount++)), apiKey: KEY, timing: { minMs: 100, maxMs: 400, queuedShare: 0.3 } });
  emulators.push(emulator);
  await emulator.start();
  return emulator;
}

/** The shipped registry with fast polls and one chain of our own: Runway first, the animatic (always there) after. */
class RunwayStudio extends EmulatorStudio {
  constructor(private readonly providerEnv: Record<string, string>) {
    super({ env: providerEnv });
  }

  override async open(): Promise<this> {
    this.dir ??= await nastyTempDir('runway studio');
    const seed = fastSeed(50);
    this.services = openStudio({
      dataDir: join(this.dir, 'data'),
      seed: { ...seed, chains: { ...seed.chains, 'runway-then-animatic': ['runway-gen4.5', 'animatic'] } },
      env: { PATH: process.env.PATH, ...this.providerEnv },
    });
    return this;
  }
}

/** A low frame rate keeps the final stitch quick; Runway's clips are 24 fps either way. */
function board(shots: StoryboardInput['shots'], extra: Partial<StoryboardInput> = {}): StoryboardInput {
  return { title: 'Runway on the wire', mode: 'final', output: { resolution: '720p', aspect: '16:9', fps: 12 }, shots, ...extra };
}

async function withStudio(emulator: RunwayEmulator, work: (studio: RunwayStudio) => Promise<void>): Promise<void> {
  const studio = await new RunwayStudio(runwayEnv(emulator, KEY)).open();
  try {
    await work(studio);
  } finally {
    await studio.close();
  }
}

describe('the pipeline on Runway (a real studio against the emulator)', () => {
  it('text and image shots, a 429 first: the same engine again once it has cooled, one job per shot, ledger = invoice', async () => {
    const emulator = await startEmulator();
    emulator.faults.set({ rateLimitCreates: 1, retryAfterSeconds: 0.2 });
    await withStudio(emulator, async (studio) => {
      await copyFile(referencePng, join(studio.dir, 'kite.png'));
      const report = await studio.render(
        board([
          { id: 's01', kind: 'establishing', prompt: 'a harbour at dawn', duration: 2, engine: 'runway-gen4.5' },
          { id: 's02', kind: 'action', prompt: 'the kite lifts off', duration: 2, engine: 'runway-gen4-turbo', reference: 'kite.png' },
        ]),
        { concurrency: 1 },
      );
      expect(report.status).toBe('completed');
      expect(report.shots.map((shot) => [shot.shotId, shot.status, shot.engineId])).toEqual([
        ['s01', 'accepted', 'runway-gen4.5'],
        ['s02', 'accepted', 'runway-gen4-turbo'],
      ]);
      const limited = report.shots.find((shot) => shot.attempts.some((a) => a.errorKind === 'rate_limited'))!;
      expect(limited.attempts.map((a) => [a.engineId, a.errorKind])).toEqual([
        [limited.engineId, 'rate_limited'],
        [limited.engineId, null],
      ]);
      expect(emulator.counts.creates).toBe(emulator.jobs.length + 1);
      expect([...emulator.jobsPerPrompt().values()]).toEqual([1, 1]);
      expect(emulator.invoiceMicros).toBe(240_000 + 100_000);
      expect(studio.chargedMicros(report.episodeId)).toBe(emulator.invoiceMicros);
      expect(studio.heldMicros()).toBe(0);
      expect(existsSync(report.outputPath!)).toBe(true);
    });
  });

  it('content policy: the shot falls back to the animatic, the report says why, nothing is charged', async () => {
    const emulator = await startEmulator();
    emulator.faults.set({ contentPolicy: 1 });
    await withStudio(emulator, async (studio) => {
      const report = await studio.render(board([{ id: 's01', kind: 'action', prompt: 'something Runway refuses', duration: 2 }], { chain: 'runway-then-animatic' }));
      expect(report.status).toBe('completed');
      const [shot] = report.shots;
      expect(shot!.engineId).toBe('animatic');
      expect(shot!.attempts[0]).toMatchObject({ engineId: 'runway-gen4.5', errorKind: 'content_policy', costMicros: 0 });
      expect(shot!.attempts[0]!.reason).toContain('SAFETY.INPUT.TEXT');
      expect(emulator.jobs).toHaveLength(1);
      expect(studio.chargedMicros(report.episodeId)).toBe(emulator.invoiceMicros);
      expect(emulator.invoiceMicros).toBe(0);
    });
  });

  it('Runway down: retried, then the animatic; no job made, nothing charged', async () => {
    const emulator = await startEmulator();
    emulator.faults.set({ down: true });
    await withStudio(emulator, async (studio) => {
      const report = await studio.render(board([{ id: 's01', kind: 'action', prompt: 'while Runway is down', duration: 2 }], { chain: 'runway-then-animatic' }));
      expect(report.status).toBe('completed');
      const [shot] = report.shots;
      expect(shot!.engineId).toBe('animatic');
      const onRunway = shot!.attempts.filter((a) => a.engineId === 'runway-gen4.5');
      expect(onRunway.length).toBeGreaterThanOrEqual(1);
      expect(onRunway.every((a) => a.errorKind === 'unavailable' && /503/.test(a.reason ?? ''))).toBe(true);
      expect(emulator.counts.creates).toBe(onRunway.length);
      expect(emulator.jobs).toHaveLength(0);
      expect(studio.chargedMicros(report.episodeId)).toBe(0);
    });
  });
});
