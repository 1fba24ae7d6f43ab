/**
 * Preview-then-commit, end to end through the CLI, on the 12-shot pilot: the preview is
 * made by the offline animatic, 8 shots are approved, and `render --mode final
 * --approved` makes exactly those 8 on the Runway emulator (the official SDK over
 * loopback HTTP). The episode then mixes 8 final and 4 preview takes, and `shotline
 * costs` reports the saving against a final render of every shot, a figure checked
 * against what the same emulator really billed for that full final render (made in a
 * second data folder).
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CostSummary, EpisodeView } from '../../src/shared/api';
import { formatUsd, toMicros } from '../../src/shared/money';
import type { RenderReport } from '../../src/main/pipeline/render-report';
import { EmulatorFleet } from '../emulators/fleet';
import { projectRoot, runCli, type CliResult } from '../support/cli-process';
import { fastResources, fleetCliEnv } from '../support/fleet-cli';

const APPROVED = ['s01', 's02', 's03', 's04', 's05', 's06', 's07', 's08'];

describe('preview-then-commit on the pilot', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shotline commit «pilot» '));
  const board = join(dir, 'pilot.yaml');
  const data = join(dir, 'data');
  const fleet = new EmulatorFleet({ clipDirectory: join(dir, 'clips'), common: { timing: { minMs: 200, maxMs: 600, queuedShare: 0.2 } } });
  let env: NodeJS.ProcessEnv;
  let preview: RenderReport;
  let final: RenderReport;
  let finalRender: CliResult;
  const cli = (...args: string[]) => runCli([...args, '--data-dir', data], env);
  const json = <T>(result: CliResult): T => {
    expect(result.code, result.stderr.slice(-2000)).toBe(0);
    return JSON.parse(result.stdout) as T;
  };

  beforeAll(async () => {
    await fleet.start();
    // Runway is the only provider with a key: final shots go there, previews to the animatic.
    const all = fleetCliEnv(fleet, fastResources(dir));
    env = { ...all, ...Object.fromEntries(Object.keys(fleet.env).filter((k) => !k.startsWith('RUNWAYML_')).map((k) => [k, ''])) };
    cpSync(join(projectRoot, 'resources/examples/refs'), join(dir, 'refs'), { recursive: true });
    // The pilot as shipped, at 720p to keep the test quick.
    writeFileSync(board, readFileSync(join(projectRoot, 'resources/examples/pilot.yaml'), 'utf8').replace('resolution: 1080p', 'resolution: 720p'));
    preview = json(await cli('render', board, '--mode', 'preview', '--out', join(dir, 'preview.mp4'), '--json'));
  }, 240_000);

  afterAll(async () => {
    await fleet.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the preview is made offline: 12 animatic takes, nothing billed', () => {
    expect(preview.status).toBe('completed');
    expect(preview.shots.map((s) => s.engineId)).toEqual(Array(12).fill('animatic'));
    expect(fleet.runway.counts.creates).toBe(0);
  });

  it('approving 8 shots, then --approved makes exactly 8 final takes on Runway', async () => {
    const approved = json<{ approved: string[] }>(await cli('approve', preview.episodeId, ...APPROVED, '--json'));
    expect(approved.approved).toEqual(APPROVED);
    // The budget is checked against the final estimate of the approved shots before any call.
    const tooSmall = await cli('render', board, '--mode', 'final', '--approved', '--budget', '0.5', '--out', join(dir, 'final.mp4'));
    expect(tooSmall.code, tooSmall.stderr).toBe(2);
    expect(tooSmall.stderr).toMatch(/budget: the plan for 8 shot\(s\) is estimated at \$\d+\.\d\d.*the budget is \$0\.50/);
    expect(fleet.runway.counts.creates).toBe(0);
    finalRender = await cli('render', board, '--mode', 'final', '--approved', '--out', join(dir, 'final.mp4'), '--json');
    final = json(finalRender);
    expect(final.episodeId).toBe(preview.episodeId);
    expect(final.status).toBe('completed');
    expect(fleet.runway.counts.creates).toBe(8);
    expect(new Set(fleet.runway.jobs.map((job) => job.request.prompt)).size).toBe(8);
  }, 240_000);

  it('the episode mixes 8 final and 4 preview takes, every one selected and current', async () => {
    const episode = json<EpisodeView>(await cli('shots', preview.episodeId, '--json'));
    const selected = episode.shots.map((shot) => {
      const take = shot.takes.find((t) => t.selected)!;
      return [shot.shotId, take.mode, take.engineId.startsWith('runway-') ? 'runway' : take.engineId, take.stale];
    });
    expect(selected).toEqual(
      episode.shots.map((shot) => (APPROVED.includes(shot.shotId) ? [shot.shotId, 'final', 'runway', false] : [shot.shotId, 'preview', 'animatic', false])),
    );
    // The preview takes are still there under the final ones.
    for (const shot of episode.shots.filter((s) => APPROVED.includes(s.shotId))) expect(shot.takes.map((t) => t.mode)).toEqual(['preview', 'final']);
    // The same cut as the preview: each take is trimmed to its shot.
    expect(final.durationSeconds).not.toBeNull();
    expect(Math.abs(final.durationSeconds! - preview.durationSeconds!)).toBeLessThan(0.1);
  }, 60_000);

  it('costs shows the saving against a full final render, as the emulator billed it', async () => {
    const billedForEight = fleet.runway.invoiceMicros;
    const costs = json<CostSummary>(await cli('costs', '--json'));
    const episode = costs.byEpisode.find((e) => e.episodeId === preview.episodeId)!;
    expect(episode.previewSpentMicros).toBe(0);
    expect(episode.finalSpentMicros).toBe(billedForEight);

    // The reference: the same pilot rendered final for every shot, in another data folder, on the same emulator.
    const full = await runCli(['render', board, '--mode', 'final', '--out', join(dir, 'full.mp4'), '--data-dir', join(dir, 'full data'), '--json'], env);
    expect(full.code, full.stderr.slice(-2000)).toBe(0);
    expect(fleet.runway.counts.creates).toBe(8 + 12);
    const billedForAll = fleet.runway.invoiceMicros - billedForEight;
    expect(episode.fullFinalMicros).toBe(billedForAll);
    expect(episode.savedMicros).toBe(billedForAll - billedForEight);
    expect(episode.savedMicros).toBeGreaterThan(0);
    expect(costs.previewSaving).toMatchObject({ savedMicros: billedForAll - billedForEight, episodes: 1 });

    const text = await cli('costs');
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`saved ${formatUsd(toMicros(billedForAll - billedForEight))}`);
    if (process.env.SHOTLINE_TEST_SHOW) process.stderr.write(`${text.stdout}\nbilled: 8 finals ${billedForEight} µ$, all 12 ${billedForAll} µ$\n`);
  }, 240_000);
});
