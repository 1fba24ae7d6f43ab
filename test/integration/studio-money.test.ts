/**
 * The money guarantees that only show through the whole render service: single flight,
 * preflight of the plan against the budget and the registry, episodes that belong to
 * their storyboard, and routing that waits for a cooling engine instead of dropping it.
 */
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { UserError } from '../../src/shared/errors';
import type { StoryboardInput } from '../../src/shared/storyboard';
import { flatPricing, scriptedSpec } from '../support/scripted-engine';
import { ScriptedStudio } from '../support/scripted-studio';

const paid = scriptedSpec('paid', { pricing: flatPricing(100_000) });

function board(shots: number, extra: Partial<StoryboardInput> = {}, engine = 'paid'): StoryboardInput {
  return {
    title: 'Money',
    mode: 'final',
    output: { resolution: '720p', aspect: '16:9', fps: 24 },
    shots: Array.from({ length: shots }, (_, i) => ({ id: `s${i + 1}`, kind: 'action' as const, prompt: `shot ${i + 1}: "quoted" 100% {braces}`, duration: 2, engine })),
    ...extra,
  };
}

let studio: ScriptedStudio;
afterEach(async () => studio?.close());

describe('single flight', () => {
  it('a second render of a running episode in this process joins it: one set of jobs, one report', async () => {
    studio = await new ScriptedStudio([paid], { paid: { latencyMs: () => 150, findable: true } }).open();
    const file = await studio.storyboard(board(3));
    const options = { outputPath: studio.output() };
    const [first, second] = await Promise.all([studio.services.render.render(file, options), studio.services.render.render(file, options)]);
    expect(second.episodeId).toBe(first.episodeId);
    expect(first.status).toBe('completed');
    expect(studio.provider.createdJobs).toBe(3);
    expect(studio.services.episodes.list()).toHaveLength(1);
    // The background start (the app's Render button) joins the same way.
    const again = await Promise.all([studio.services.render.start(file, options), studio.services.render.start(file, options)]);
    expect(again.map((r) => r.episodeId)).toEqual([first.episodeId, first.episodeId]);
  });

  it('Cancel reaches a joined run, and resume finishes it with one job per shot', async () => {
    studio = await new ScriptedStudio([paid], { paid: { latencyMs: () => 400, findable: true } }).open();
    const file = await studio.storyboard(board(3));
    const options = { outputPath: studio.output() };
    // Two starts (a double click on Render): both return once joined to one run.
    const starts = [await studio.services.render.start(file, options), await studio.services.render.start(file, options)];
    const episodeId = starts[0]!.episodeId;
    expect(starts[1]!.episodeId).toBe(episodeId);
    await until(() => studio.provider.createdJobs > 0);
    studio.services.render.cancel(episodeId);
    await until(() => studio.services.episodes.get(episodeId).status === 'cancelled');
    expect(studio.provider.createdJobs).toBeLessThanOrEqual(3);

    const resumed = await studio.services.render.resume(undefined, {});
    expect(resumed).toMatchObject({ episodeId, status: 'completed' });
    expect(studio.provider.createdJobs).toBe(3);
    expect(studio.services.attempts.ledger.episodeMoney(episodeId)).toMatchObject({ heldMicros: 0, spentMicros: studio.provider.billedMicros });
  });
});

describe('preflight before any money', () => {
  it('a plan over the budget is refused before anything exists; --allow-partial renders what fits', async () => {
    studio = await new ScriptedStudio([paid]).open();
    const file = await studio.storyboard(board(3, { budget: { limit: 0.5 } }));
    const refused = await studio.services.render.render(file, { outputPath: studio.output() }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(UserError);
    expect((refused as UserError).problems).toEqual(['budget: the plan for 3 shot(s) is estimated at $0.60, and the budget is $0.50']);
    expect(studio.services.episodes.list()).toEqual([]);
    expect(studio.provider.createdJobs).toBe(0);

    const partial = await studio.services.render.render(file, { outputPath: studio.output(), allowPartial: true });
    expect(partial.status).toBe('partial');
    expect(partial.shots.filter((s) => s.status === 'accepted')).toHaveLength(2);
    expect(partial.shots.find((s) => s.status === 'failed')!.failureReason).toMatch(/over budget/);
    expect(studio.services.attempts.ledger.episodeMoney(partial.episodeId).committedMicros).toBeLessThanOrEqual(500_000);
  });

  it('a mistyped pin is refused naming the shot and the engine meant, before anything exists', async () => {
    studio = await new ScriptedStudio([paid]).open();
    const file = await studio.storyboard(board(2, {}, 'piad'));
    const refused = (await studio.services.render.render(file, { outputPath: studio.output() }).catch((e: unknown) => e)) as UserError;
    expect(refused).toBeInstanceOf(UserError);
    expect(refused.problems).toEqual(['shots[0].engine: unknown engine "piad" (did you mean "paid"?)', 'shots[1].engine: unknown engine "piad" (did you mean "paid"?)']);
    expect(studio.services.episodes.list()).toEqual([]);
  });

  it('--budget goes through the storyboard rule, and an output inside the media folder is refused', async () => {
    studio = await new ScriptedStudio([paid]).open();
    const file = await studio.storyboard(board(1));
    await expect(studio.services.render.render(file, { outputPath: studio.output(), budgetUsd: 1e308 })).rejects.toThrow(/^--budget: must be at most 100000 USD \(got 1e\+308\)$/);
    await expect(studio.services.render.render(file, { outputPath: `${studio.services.mediaDir}/x.mp4` })).rejects.toThrow(/inside Shotline's media folder/);
    expect(studio.services.episodes.list()).toEqual([]);
  });
});

describe('the report says what money did', () => {
  it('a provider billing above what was held: charged as billed, over budget by exactly that, and the report says so', async () => {
    studio = await new ScriptedStudio([paid], { paid: { billedMicros: () => 260_000 } }).open();
    const file = await studio.storyboard(board(2, { budget: { limit: 0.5 } }));
    const report = await studio.services.render.render(file, { outputPath: studio.output() });
    expect(report.status).toBe('completed');
    expect(report.totals).toMatchObject({ spentMicros: 520_000, budgetMicros: 500_000, overBudgetMicros: 20_000, heldMicros: 0 });
    expect([...report.moneyNotes].sort()).toEqual(['s1 (paid): billed $0.260000, above the $0.200000 held', 's2 (paid): billed $0.260000, above the $0.200000 held']);
    expect(studio.provider.billedMicros).toBe(520_000);
  });
});

describe('episodes belong to their storyboard', () => {
  it('re-running with a new budget and a new output continues the same episode: nothing generated again', async () => {
    studio = await new ScriptedStudio([paid]).open();
    const file = await studio.storyboard(board(2));
    const first = await studio.services.render.render(file, { outputPath: studio.output('one.mp4'), budgetUsd: 5 });
    const second = await studio.services.render.render(file, { outputPath: studio.output('two.mp4'), budgetUsd: 7, concurrency: 1 });
    expect(second).toMatchObject({ episodeId: first.episodeId, resumed: true, status: 'completed', outputPath: studio.output('two.mp4') });
    expect(studio.provider.createdJobs).toBe(2);
    expect(existsSync(studio.output('two.mp4'))).toBe(true);
    expect(studio.services.episodes.get(first.episodeId).budgetMicros).toBe(7_000_000);
  });

  it('resume can raise the budget of an episode that ran out', async () => {
    studio = await new ScriptedStudio([paid]).open();
    const file = await studio.storyboard(board(3, { budget: { limit: 0.25 } }));
    const first = await studio.services.render.render(file, { outputPath: studio.output(), allowPartial: true });
    expect(first.shots.filter((s) => s.status === 'accepted')).toHaveLength(1);
    const refused = await studio.services.render.resume(first.episodeId, {}).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(UserError);
    // The app's Resume (the Studio API's resumeRender): a refusal reaches the caller, a go runs in the background.
    await expect(studio.services.render.startResume(first.episodeId, {})).rejects.toBeInstanceOf(UserError);
    await studio.services.render.startResume(first.episodeId, { budgetUsd: 1 });
    await until(() => studio.services.episodes.get(first.episodeId).status === 'completed', 20_000);
    expect(studio.provider.createdJobs).toBe(3);
    expect(studio.services.episodes.get(first.episodeId).budgetMicros).toBe(1_000_000);
  });
});

describe('routing around cooldowns', () => {
  it('an engine cooling down when the run is planned stays in the plan and is used once its Retry-After has passed', async () => {
    const best = scriptedSpec('best', { pricing: flatPricing(100_000), quality: { establishing: 0.9, dialogue: 0.9, action: 0.9, closeup: 0.9, stylized: 0.9, insert: 0.9 } });
    const other = scriptedSpec('other', { pricing: flatPricing(100_000) });
    studio = await new ScriptedStudio([best, other], { best: { latencyMs: () => 100 }, other: { latencyMs: () => 250 } }).open();
    studio.services.health.coolDown('best', Date.now() + 600, 'rate_limited');
    const file = await studio.storyboard(board(5, {}, 'auto'));
    const report = await studio.services.render.render(file, { outputPath: studio.output(), concurrency: 1 });
    expect(report.status).toBe('completed');
    expect(report.shots[0]!.plan!.candidates.map((c) => c.engineId)).toContain('best');
    const engines = report.shots.map((s) => s.engineId);
    expect(engines).toContain('other'); // while it cooled
    expect(engines).toContain('best'); // after
  });
});

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
