/**
 * The takes workflow through the real CLI, with no provider keys (the offline animatic
 * engine makes every take) in a data directory whose path has spaces and Unicode:
 * episodes, shots, approve / unapprove, select, regenerate, stitch --episode,
 * render --mode final --approved and the per-episode lines of costs. Every refusal
 * exits 2 naming what was wrong, and changes nothing.
 */
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApproveResult, EpisodeSummary, EpisodeView, TakeView } from '../../src/shared/api';
import type { RenderReport } from '../../src/main/pipeline/render-report';
import { runCli, type CliResult } from '../support/cli-process';

/** Nothing inherited from the machine running the tests: no keys, no keychain. */
const NO_KEYS = Object.fromEntries(
  ['RUNWAYML_API_SECRET', 'GEMINI_API_KEY', 'GOOGLE_API_KEY', 'LUMAAI_API_KEY', 'OPENAI_API_KEY', 'KLING_ACCESS_KEY', 'KLING_SECRET_KEY', 'COMFYUI_URL'].map((name) => [name, '']),
);
const ENV = { ...NO_KEYS, SHOTLINE_NO_KEYCHAIN: '1' };

const dir = mkdtempSync(join(tmpdir(), 'shotline takes cli «tést» '));
const dataDir = join(dir, 'dátá dir');
const board = join(dir, 'my board.yaml');
const out = join(dir, 'épisode one.mp4');

/** Three one-second 480p shots; the fast-preview chain lets final mode use the animatic too. */
function writeBoard(s03Prompt = 'Gull dives'): void {
  writeFileSync(
    board,
    [
      'title: Takes CLI',
      'mode: preview',
      'chain: fast-preview',
      'output: { resolution: 480p, aspect: "16:9", fps: 24 }',
      'shots:',
      '  - { id: s01, kind: establishing, prompt: "Harbour at dawn", duration: 1 }',
      '  - { id: s02, kind: dialogue, prompt: "Captain speaks", duration: 1 }',
      `  - { id: s03, kind: action, prompt: "${s03Prompt}", duration: 1 }`,
    ].join('\n'),
  );
}

const cli = (...args: string[]): Promise<CliResult> => runCli([...args, '--data-dir', dataDir], ENV);

async function json<T>(...args: string[]): Promise<T> {
  const result = await cli(...args, '--json');
  expect(result.stderr).not.toMatch(/\n\s+at /);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as T;
}

/** A refusal: exit 2, one message naming the culprit, no stack trace. */
async function refused(pattern: RegExp, ...args: string[]): Promise<void> {
  const result = await cli(...args);
  expect(result.code, result.stdout + result.stderr).toBe(2);
  expect(result.stderr).toMatch(pattern);
  expect(result.stderr).not.toMatch(/\n\s+at /);
}

const takesOf = (view: EpisodeView, shotId: string): TakeView[] => view.shots.find((s) => s.shotId === shotId)!.takes;
const selectedOf = (view: EpisodeView, shotId: string): number | undefined => takesOf(view, shotId).find((t) => t.selected)?.takeNo;

let episodeId: string;

beforeAll(async () => {
  writeBoard();
  const report = await json<RenderReport>('render', board, '--out', out, '--mode', 'preview');
  expect(report.status).toBe('completed');
  episodeId = report.episodeId;
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('shotline takes workflow', () => {
  it('episodes lists the episode with its counts, spend and file', async () => {
    const [summary, ...others] = await json<EpisodeSummary[]>('episodes');
    expect(others).toEqual([]);
    expect(summary).toMatchObject({ episodeId, title: 'Takes CLI', state: 'completed', mode: 'preview', shots: 3, takes: 3, approved: 0, withoutTake: 0, outputPath: out, previewSpentMicros: 0, finalSpentMicros: 0 });
    const text = await cli('episodes');
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`${episodeId}  completed`);
    expect(text.stdout).toContain('3 shots, 3 takes, 0 approved; last run preview');
    expect(text.stdout).toContain(`file ${out}`);
    for (const line of text.stdout.split('\n').filter((l) => !l.includes(out))) expect(line.length).toBeLessThanOrEqual(100);
  });

  it('shots shows take 1 of every shot, selected, and --json is the episode view', async () => {
    const view = await json<EpisodeView>('shots', episodeId);
    expect(view.episodeId).toBe(episodeId);
    expect(view.shots.map((s) => [s.shotId, s.version, s.approved, s.takes.map((t) => [t.takeNo, t.mode, t.engineId, t.stale, t.selected])])).toEqual([
      ['s01', 1, false, [[1, 'preview', 'animatic', false, true]]],
      ['s02', 1, false, [[1, 'preview', 'animatic', false, true]]],
      ['s03', 1, false, [[1, 'preview', 'animatic', false, true]]],
    ]);
    const text = await cli('shots', episodeId);
    expect(text.stdout).toMatch(/^s01\s+v1\s+not approved; take 1 selected$/m);
    expect(text.stdout).toMatch(/^\s+\* take 1\s+preview\s+animatic\s+\$0\.00\s+quality \d\.\d\d$/m);
    // The start of an id names the episode too.
    const byStart = await json<EpisodeView>('shots', episodeId.slice(0, 8));
    expect(byStart.episodeId).toBe(episodeId);
  });

  it('approve: one shot, again (a no-op), an unknown shot (refused, names it), then --all', async () => {
    expect(await json<ApproveResult>('approve', episodeId, 's01')).toEqual({ approved: ['s01'], unchanged: [], skipped: [] });
    const [again] = await Promise.all([
      json<ApproveResult>('approve', episodeId, 's01'),
      refused(/no shot "s09" in episode .*\n.*its shots are s01, s02, s03/, 'approve', episodeId, 's02', 's09'),
      refused(/no episode ep_nope in this data directory/, 'approve', 'ep_nope', 's01'),
    ]);
    expect(again).toEqual({ approved: [], unchanged: ['s01'], skipped: [] });

    // The refused call named s02 too, and changed nothing: --all approves it now.
    const all = await cli('approve', episodeId, '--all');
    expect(all.code).toBe(0);
    expect(all.stdout).toContain(`Approved s02, s03 in episode ${episodeId}`);
    expect(all.stdout).toContain('Already approved: s01');
    expect(all.stdout).toContain('--mode final --approved');
    expect(await json('unapprove', episodeId, 's02', 's03')).toEqual({ unapproved: ['s02', 's03'], unchanged: [] });
    expect(await json('unapprove', episodeId, 's02')).toEqual({ unapproved: [], unchanged: ['s02'] });
  }, 30_000);

  it('regenerate adds take 2, selected; an unknown engine or a bad seed is refused before anything runs', async () => {
    await Promise.all([
      refused(/--engine: unknown engine "nope-engine"/, 'regenerate', episodeId, 's02', '--engine', 'nope-engine'),
      refused(/--seed/, 'regenerate', episodeId, 's02', '--seed', '-1'),
      refused(/no shot "s09"/, 'regenerate', episodeId, 's09'),
    ]);
    // None of them made a take: the next one is take 2.

    const report = await json<RenderReport & { newTakes: { shotId: string; takeNo: number; selected: boolean }[] }>('regenerate', episodeId, 's02', '--seed', '7');
    expect(report).toMatchObject({ episodeId, status: 'completed', outputPath: null, newTakes: [{ shotId: 's02', takeNo: 2, selected: true }] });
    const view = await json<EpisodeView>('shots', episodeId);
    expect(takesOf(view, 's02').map((t) => [t.takeNo, t.seed, t.selected])).toEqual([
      [1, null, false],
      [2, 7, true],
    ]);
    // Nothing else was made: the other shots keep their one take.
    expect([takesOf(view, 's01').length, takesOf(view, 's03').length]).toEqual([1, 1]);

    const text = await cli('regenerate', episodeId, 's01');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^ {2}s01: take 2 on animatic, \$0\.00.*\(selected\)$/m);
    expect(text.stdout).toContain(`stitch --episode ${episodeId}`);
    // The episode file still shows the first takes.
    expect((await json<EpisodeSummary[]>('episodes'))[0]!.state).toBe('out_of_date');
  }, 40_000);

  it('select circles an existing take; a missing take is refused naming the takes there are', async () => {
    const take = await json<TakeView>('select', episodeId, 's02', '1');
    expect(take).toMatchObject({ takeNo: 1, selected: true, stale: false, engineId: 'animatic' });
    const [view] = await Promise.all([
      json<EpisodeView>('shots', episodeId),
      refused(/shot "s02" has no take 3: its takes are 1, 2/, 'select', episodeId, 's02', '3'),
      refused(/no shot "s09"/, 'select', episodeId, 's09', '1'),
    ]);
    expect(selectedOf(view, 's02')).toBe(1);
    const text = await cli('select', episodeId, 's02', '2');
    expect(text.stdout).toMatch(/^s02: take 2 selected \(preview, animatic, \$0\.00/m);
    expect(text.stdout).toContain(`The episode file does not show it yet: \`shotline stitch --episode ${episodeId} --out`);
  }, 30_000);

  it('stitch --episode writes the file from the selected takes; an output in the media folder or an unknown episode is refused', async () => {
    await Promise.all([
      refused(/inside Shotline's media folder/, 'stitch', '--episode', episodeId, '--out', join(dataDir, 'media', 'x.mp4')),
      refused(/no episode ep_nope/, 'stitch', '--episode', 'ep_nope', '--out', join(dir, 'x.mp4')),
    ]);
    expect(existsSync(join(dir, 'x.mp4'))).toBe(false);

    const again = join(dir, 'cut «two».mp4');
    const report = await json<RenderReport>('stitch', '--episode', episodeId, '--out', again);
    expect(report).toMatchObject({ episodeId, status: 'completed', outputPath: again });
    expect(report.durationSeconds).toBeCloseTo(3, 0);
    expect(statSync(again).size).toBeGreaterThan(1_000);
    const [summary] = await json<EpisodeSummary[]>('episodes');
    expect(summary).toMatchObject({ state: 'completed', outputPath: again });

    // The clip form of stitch is unchanged and needs no data directory.
    const clips = await runCli(['stitch', out, '--out', join(dir, 'from clips.mp4'), '--json'], ENV);
    expect(clips.code, clips.stderr).toBe(0);
    expect(existsSync(join(dir, 'from clips.mp4'))).toBe(true);
  }, 40_000);

  it('an edited prompt makes the older takes stale: selecting one is refused', async () => {
    writeBoard('Gull dives into the sea');
    expect((await json<RenderReport>('render', board, '--out', out)).status).toBe('completed');
    const view = await json<EpisodeView>('shots', episodeId);
    const s03 = view.shots.find((s) => s.shotId === 's03')!;
    expect(s03.version).toBe(2);
    expect(s03.takes.map((t) => [t.takeNo, t.stale, t.selected])).toEqual([
      [1, true, false],
      [2, false, true],
    ]);
    await refused(/take 1 of "s03" is stale/, 'select', episodeId, 's03', '1');
    // Approval is of the shot's current version: s03 v2 is approved with its take 2, s02 was not approved.
    expect(await json('approve', episodeId, 's03')).toEqual({ approved: ['s03'], unchanged: [], skipped: [] });
    expect(await json('unapprove', episodeId, 's03')).toEqual({ unapproved: ['s03'], unchanged: [] });
  }, 40_000);

  it('render --mode final --approved makes final takes of the approved shots only', async () => {
    const report = await json<RenderReport>('render', board, '--out', out, '--mode', 'final', '--approved');
    expect(report.status).toBe('completed');
    const view = await json<EpisodeView>('shots', episodeId);
    const finals = (shotId: string) => takesOf(view, shotId).filter((t) => t.mode === 'final');
    expect(finals('s01').map((t) => [t.takeNo, t.selected])).toEqual([[3, true]]);
    expect(finals('s02')).toEqual([]);
    expect(finals('s03')).toEqual([]);
  }, 40_000);

  it('costs shows the episode by mode, with what a final render of every shot would have cost', async () => {
    const text = await cli('costs');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`Takes CLI \\[final\\]\\s+\\$0\\.00  ${episodeId}\\n    preview \\$0\\.00 \\+ final \\$0\\.00; all shots in final would have cost about \\$\\d+\\.\\d\\d: saved`));
  });
});
