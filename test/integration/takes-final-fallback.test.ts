/**
 * Preview-then-commit when a final cannot be made: the approved shot keeps its preview
 * take in the episode, and the run says so (partial, with the reason), instead of
 * passing the preview off as the final.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { EngineError } from '../../src/shared/errors';
import type { StoryboardInput } from '../../src/shared/storyboard';
import { flatPricing, scriptedSpec } from '../support/scripted-engine';
import { ScriptedStudio } from '../support/scripted-studio';

const paid = scriptedSpec('paid', { pricing: flatPricing(100_000) });
const board: StoryboardInput = {
  title: 'Commit',
  mode: 'preview',
  output: { resolution: '720p', aspect: '16:9', fps: 24 },
  shots: [1, 2, 3].map((n) => ({ id: `s${n}`, kind: 'action' as const, prompt: `shot ${n}: a gull over the harbour`, duration: 1 })),
};

let studio: ScriptedStudio;
afterEach(async () => studio?.close());

describe('an approved final that fails', () => {
  it('keeps the preview take in the episode and reports the shot as not made', async () => {
    const refuseShot2 = (request: { prompt: string }) => (request.prompt.startsWith('shot 2') ? new EngineError('content_policy', 'refused by moderation') : 'succeed');
    studio = await new ScriptedStudio([paid], { paid: { latencyMs: () => 50, findable: true, outcome: refuseShot2 as never } }).open();
    const file = await studio.storyboard(board);
    const preview = await studio.services.render.render(file, { outputPath: studio.output('preview.mp4') });
    expect(preview.shots.map((s) => s.engineId)).toEqual(['animatic', 'animatic', 'animatic']);
    expect(studio.services.takesService.approve(preview.episodeId, 'all').approved).toEqual(['s1', 's2', 's3']);

    const final = await studio.services.render.render(file, { outputPath: studio.output('final.mp4'), mode: 'final', approved: true });
    expect(final.status).toBe('partial');
    expect(final.outputPath).not.toBeNull();
    const s2 = final.shots.find((s) => s.shotId === 's2')!;
    expect(s2.engineId).toBe('animatic');
    expect(s2.failureReason).toMatch(/content_policy/);
    const selected = studio.services.takes.shots(final.episodeId).map((s) => [s.shotId, s.takes.find((t) => t.attempt.id === s.selectedTakeId)!.mode]);
    expect(selected).toEqual([
      ['s1', 'final'],
      ['s2', 'preview'],
      ['s3', 'final'],
    ]);
    expect(studio.services.episodes.get(final.episodeId).errorMessage).toMatch(/1 shot\(s\) not made in this run/);
  }, 60_000);
});
