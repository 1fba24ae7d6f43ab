/**
 * The Studio API (what the renderer sees through the preload or the bridge), driven
 * end to end on the animatic engine: start a render, watch its events, read it back.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ProgressEvent } from '../../src/shared/api';
import { createStudio } from '../../src/main/studio';
import { projectRoot } from '../support/cli-process';

describe('Studio API', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shotline api '));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('plans, renders in the background with progress events, and reports the episode and its costs', async () => {
    const studio = await createStudio({ dataDir: join(dir, 'data'), env: { PATH: process.env.PATH } });
    try {
      const quick = join(projectRoot, 'resources/examples/quick.yaml');
      const plan = await studio.api.planEpisode(quick);
      expect(plan.mode).toBe('preview');
      expect(plan.shots.map((s) => s.candidates[0]?.engineId)).toEqual(['animatic', 'animatic', 'animatic']);
      expect(plan.shots[0]!.rejections.find((r) => r.engineId === 'runway-gen4.5')?.reason).toMatch(/no runway adapter|no key/);

      const events: ProgressEvent[] = [];
      const finished = new Promise<void>((resolve) =>
        studio.api.onProgress((event) => {
          events.push(event);
          if (event.type === 'episode') resolve();
        }),
      );
      const { episodeId } = await studio.api.startRender(quick, { outputPath: join(dir, 'api out.mp4') });
      await finished;

      const episode = await studio.api.getEpisode(episodeId);
      expect(episode.status).toBe('completed');
      expect(episode.shots.map((s) => [s.shotId, s.status, s.engineId])).toEqual([
        ['q01', 'accepted', 'animatic'],
        ['q02', 'accepted', 'animatic'],
        ['q03', 'accepted', 'animatic'],
      ]);
      expect(episode.shots.every((s) => s.attempts.length === 1 && s.attempts[0]!.clipSha256?.length === 64)).toBe(true);
      expect(events.filter((e) => e.type === 'shot' && e.state === 'accepted').map((e) => e.shotId).sort()).toEqual(['q01', 'q02', 'q03']);
      expect(events.some((e) => e.type === 'stitch')).toBe(true);

      expect((await studio.api.listEpisodes()).map((e) => e.episodeId)).toEqual([episodeId]);
      const costs = await studio.api.costSummary();
      expect(costs.byMode).toEqual([{ mode: 'preview', spentMicros: 0 }]);
      const engines = await studio.api.listEngines();
      expect(engines.find((e) => e.spec.id === 'animatic')).toMatchObject({ adapterAvailable: true, keyConfigured: true });
      expect(engines.find((e) => e.spec.id === 'veo-3.1')).toMatchObject({ adapterAvailable: true, keyConfigured: false });
    } finally {
      studio.close();
    }
  }, 60_000);

  it('cancelRender stops a running render and leaves it resumable', async () => {
    const studio = await createStudio({ dataDir: join(dir, 'data2'), env: { PATH: process.env.PATH } });
    try {
      const pilot = join(projectRoot, 'resources/examples/pilot.yaml');
      const done = new Promise<ProgressEvent>((resolve) => studio.api.onProgress((e) => e.type === 'episode' && resolve(e)));
      const { episodeId } = await studio.api.startRender(pilot, { outputPath: join(dir, 'pilot.mp4'), mode: 'preview', concurrency: 2 });
      await new Promise((r) => setTimeout(r, 300));
      await studio.api.cancelRender(episodeId);
      const event = await done;
      expect(event.message).toMatch(/cancel/);
      expect((await studio.api.getEpisode(episodeId)).status).toBe('cancelled');
    } finally {
      studio.close();
    }
  }, 60_000);
});
