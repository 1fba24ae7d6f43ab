/**
 * Offline-first generation: with the provider's host unreachable (its emulator stopped,
 * so connections are refused as on a machine with no network), a final render's shot does
 * not burn its fallback chain or fail: it waits, the studio says it is offline, and once
 * the provider answers again the shot is made with one job, paid once.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProgressEvent } from '../../src/shared/api';
import { EmulatorStudio } from '../support/emulator-studio';
import { RunwayEmulator, runwayEnv } from '../emulators/runway/server';
import { nastyTempDir, removeDir } from './media-fixtures';

const KEY = 'rw-offline-secret-0123456789abcdef';
let dir: string;

beforeAll(async () => {
  dir = await nastyTempDir('offline generation');
});
afterAll(() => removeDir(dir));

/** The shipped registry with fast polls and one chain of our own: Runway first, the animatic (always there) after. */
const offlineStudio = (env: Record<string, string>) => new EmulatorStudio({ env, pollIntervalMs: 50, chains: { 'runway-then-animatic': ['runway-gen4.5', 'animatic'] } }).open();

function emulatorOn(port: number | undefined, folder: string): RunwayEmulator {
  return new RunwayEmulator({ clipDirectory: join(dir, folder), apiKey: KEY, timing: { minMs: 100, maxMs: 300, queuedShare: 0.3 }, ...(port ? { port } : {}) });
}

/** A port that refuses connections: an emulator started to learn it, then stopped. */
async function refusedPort(): Promise<{ url: string; port: number }> {
  const probe = emulatorOn(undefined, 'probe');
  const url = await probe.start();
  await probe.close();
  return { url, port: Number(new URL(url).port) };
}

describe('offline-first generation', () => {
  it('a shot whose only engine cannot be reached waits (offline), then is made once the provider answers, paid once', async () => {
    const { url, port } = await refusedPort();
    const studio = await offlineStudio(runwayEnv({ url } as RunwayEmulator, KEY));
    const events: ProgressEvent[] = [];
    studio.services.onProgress((event) => events.push(event));
    let emulator: RunwayEmulator | undefined;
    try {
      const file = await studio.storyboard({ title: 'Offline', mode: 'final', output: { resolution: '720p', aspect: '16:9', fps: 12 }, shots: [{ id: 's01', kind: 'establishing', prompt: 'a harbour at dawn', duration: 2, engine: 'runway-gen4.5' }] });
      const started = studio.services.render.render(file, { outputPath: studio.output(), sign: false });
      const episodeId = () => studio.services.episodes.list(1)[0]!.id;
      await until(() => events.some((e) => e.state === 'waiting_network'), 20_000);
      expect(events.find((e) => e.type === 'network')).toMatchObject({ online: false });
      expect(studio.services.connectivity.online).toBe(false);
      const waitingAttempts = studio.services.attempts.forShot(episodeId(), 's01');
      expect(waitingAttempts.map((a) => [a.status, a.errorKind])).toEqual([['failed', 'unavailable']]);
      expect(studio.heldMicros()).toBe(0);
      // Still waiting a while later: no fallback spent, the shot not failed.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(events.some((e) => e.type === 'shot' && e.state === 'failed')).toBe(false);

      emulator = emulatorOn(port, 'back online');
      await emulator.start();
      const report = await started;
      expect(report.status).toBe('completed');
      expect(report.shots[0]).toMatchObject({ status: 'accepted', engineId: 'runway-gen4.5' });
      expect(events.filter((e) => e.type === 'network').map((e) => e.online)).toEqual([false, true]);
      expect(studio.services.connectivity.online).toBe(true);
      expect(emulator.jobs).toHaveLength(1);
      expect(studio.chargedMicros(report.episodeId)).toBe(emulator.invoiceMicros);
      expect(emulator.invoiceMicros).toBeGreaterThan(0);
      expect(studio.heldMicros()).toBe(0);
    } finally {
      await studio.close();
      await emulator?.close();
    }
  }, 60_000);

  it('an engine that needs no network is still there: the shot falls back to the animatic at once, nothing waits', async () => {
    const { url } = await refusedPort();
    const studio = await offlineStudio(runwayEnv({ url } as RunwayEmulator, KEY));
    const events: ProgressEvent[] = [];
    studio.services.onProgress((event) => events.push(event));
    try {
      const report = await studio.render({ title: 'Offline fallback', mode: 'final', chain: 'runway-then-animatic', output: { resolution: '720p', aspect: '16:9', fps: 12 }, shots: [{ id: 's01', kind: 'establishing', prompt: 'a harbour at dawn', duration: 2 }] }, { sign: false });
      expect(report.shots[0]).toMatchObject({ status: 'accepted', engineId: 'animatic' });
      expect(events.some((e) => e.state === 'waiting_network')).toBe(false);
      expect(studio.chargedMicros(report.episodeId)).toBe(0);
    } finally {
      await studio.close();
    }
  }, 60_000);
});

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
