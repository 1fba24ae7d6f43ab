/**
 * Takes on real SQLite files with the offline animatic engine: a storyboard edit makes
 * older takes stale (and only the edited shots are made again), approve / unapprove /
 * select are single transactions that are safe to repeat, regenerate adds a take and
 * never removes one, and a re-stitch uses the selected takes without generating anything.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/shared/errors';
import { openStudio, type StudioServices } from '../../src/main/studio';
import { episodeSummaries } from '../../src/main/store/takes-report';
import { projectRoot } from '../support/cli-process';

const dir = mkdtempSync(join(tmpdir(), 'shotline takes «workflow» '));
const boardPath = join(dir, 'board "one".yaml');
const refPath = join(dir, 'ref.png');
let studio: StudioServices;

/** Four one-second animatic shots (the chain lets final mode use the animatic too). */
function writeBoard(edit: { s02Prompt?: string; s03Transition?: string } = {}): void {
  writeFileSync(
    boardPath,
    [
      'title: Takes',
      'mode: preview',
      'chain: fast-preview',
      'output: { resolution: 480p, aspect: "16:9", fps: 24 }',
      'shots:',
      '  - { id: s01, kind: establishing, prompt: "Harbour at dawn", duration: 1, reference: ref.png }',
      `  - { id: s02, kind: dialogue, prompt: "${edit.s02Prompt ?? 'Captain speaks'}", duration: 1 }`,
      `  - { id: s03, kind: action, prompt: "Gull dives", duration: 1, transition: { type: ${edit.s03Transition ?? 'cut'}, duration: 0.25 } }`,
      '  - { id: s04, kind: insert, prompt: "Compass needle", duration: 1 }',
    ].join('\n'),
  );
}

const render = (mode: 'preview' | 'final', out = 'episode.mp4', approved = false) =>
  studio.render.render(boardPath, { outputPath: join(dir, out), mode, approved });
const shots = (episodeId: string) => studio.takes.shots(episodeId);
const takesOf = (episodeId: string, shotId: string) => shots(episodeId).find((s) => s.shotId === shotId)!.takes;
const attemptCount = () => (studio.db.prepare(`SELECT COUNT(*) AS n FROM attempts`).get() as { n: number }).n;

beforeAll(() => {
  copyFileSync(join(projectRoot, 'resources/examples/refs/harbour.png'), refPath);
  writeBoard();
  studio = openStudio({ dataDir: join(dir, 'data'), env: { PATH: process.env.PATH } });
});
afterAll(() => {
  studio.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('takes', () => {
  let episodeId: string;

  it('a preview render makes take 1 of every shot, selected', async () => {
    const report = await render('preview');
    expect(report.status).toBe('completed');
    episodeId = report.episodeId;
    for (const shot of shots(episodeId)) {
      expect(shot.takes.map((t) => [t.takeNo, t.mode, t.stale])).toEqual([[1, 'preview', false]]);
      expect(shot.selectedTakeId).toBe(shot.takes[0]!.attempt.id);
      expect(shot.version).toBe(1);
    }
  }, 60_000);

  it('rendering the unchanged storyboard again makes nothing and keeps the episode', async () => {
    const before = attemptCount();
    const report = await render('preview');
    expect(report.episodeId).toBe(episodeId);
    expect(attemptCount()).toBe(before);
  }, 60_000);

  it('an edit of a prompt makes that shot version 2 and its take stale; a transition or a seed change does not', async () => {
    writeBoard({ s02Prompt: 'Captain shouts', s03Transition: 'fade' });
    const before = attemptCount();
    const report = await render('preview');
    expect(report.episodeId).toBe(episodeId);
    expect(attemptCount()).toBe(before + 1);
    const s02 = shots(episodeId).find((s) => s.shotId === 's02')!;
    expect(s02.version).toBe(2);
    expect(s02.takes.map((t) => [t.takeNo, t.shotVersion, t.stale])).toEqual([
      [1, 1, true],
      [2, 2, false],
    ]);
    expect(s02.selectedTakeId).toBe(s02.takes[1]!.attempt.id);
    expect(s02.takes[1]!.attempt.request.prompt).toBe('Captain shouts');
    const s03 = shots(episodeId).find((s) => s.shotId === 's03')!;
    expect([s03.version, s03.takes.length, s03.spec.transition?.type]).toEqual([1, 1, 'fade']);
  }, 60_000);

  it("a reference image's content is part of the shot: replacing it stales the shot's takes", async () => {
    copyFileSync(join(projectRoot, 'resources/examples/refs/mara.png'), refPath);
    await render('preview');
    const s01 = shots(episodeId).find((s) => s.shotId === 's01')!;
    expect(s01.version).toBe(2);
    expect(s01.takes.map((t) => t.stale)).toEqual([true, false]);
  }, 60_000);

  it('a stale take cannot be selected or approved; a current one can, and repeating changes nothing', () => {
    expect(() => studio.takesService.select(episodeId, 's02', 1)).toThrow(UserError);
    expect(() => studio.takesService.select(episodeId, 's02', 1)).toThrow(/take 1 of "s02" is stale/);
    expect(() => studio.takesService.select(episodeId, 's02', 9)).toThrow(/has no take 9: its takes are 1, 2/);
    expect(() => studio.takesService.select(episodeId, 'nope', 1)).toThrow(/no shot "nope"/);
    expect(() => studio.takesService.approve(episodeId, ['s01', 'bogus'])).toThrow(/no shot "bogus"/);
    // The refused call changed nothing, s01 included.
    expect(shots(episodeId).some((s) => s.approved)).toBe(false);

    expect(studio.takesService.approve(episodeId, ['s01', 's02'])).toEqual({ approved: ['s01', 's02'], unchanged: [], skipped: [] });
    const approvedAt = studio.db.prepare(`SELECT approved_at FROM shots WHERE shot_id = 's01'`).get();
    expect(studio.takesService.approve(episodeId, ['s01', 's02'])).toEqual({ approved: [], unchanged: ['s01', 's02'], skipped: [] });
    expect(studio.db.prepare(`SELECT approved_at FROM shots WHERE shot_id = 's01'`).get()).toEqual(approvedAt);
    expect(studio.takesService.unapprove(episodeId, ['s02'])).toEqual({ unapproved: ['s02'], unchanged: [] });
    expect(studio.takesService.unapprove(episodeId, ['s02'])).toEqual({ unapproved: [], unchanged: ['s02'] });
    expect(shots(episodeId).filter((s) => s.approved).map((s) => s.shotId)).toEqual(['s01']);
  });

  it('regenerate adds a take with the seed asked for, selects it, keeps every take, and stitches nothing', async () => {
    const episodeFile = statSync(join(dir, 'episode.mp4')).mtimeMs;
    const report = await studio.takesService.regenerate(episodeId, { shotIds: ['s03', 's04'], seed: 4242 });
    expect(report.status).toBe('completed');
    expect(report.outputPath).toBeNull();
    for (const shotId of ['s03', 's04']) {
      const takes = takesOf(episodeId, shotId);
      expect(takes.map((t) => t.takeNo)).toEqual([1, 2]);
      expect(takes[1]!.attempt.request.seed).toBe(4242);
      expect(shots(episodeId).find((s) => s.shotId === shotId)!.selectedTakeId).toBe(takes[1]!.attempt.id);
    }
    expect(statSync(join(dir, 'episode.mp4')).mtimeMs).toBe(episodeFile);
    const summary = episodeSummaries(studio.db, studio.episodes, Date.now()).find((e) => e.episodeId === episodeId)!;
    expect(summary.state).toBe('out_of_date');
    // s01 and s02: a stale take and a current one each; s03 and s04: two current takes each.
    expect(summary.takes).toBe(8);
  }, 60_000);

  it('regenerate with an edited prompt is a new version: its older takes go stale and its approval is withdrawn', async () => {
    await studio.takesService.regenerate(episodeId, { shotIds: ['s01'], prompt: 'Harbour at dusk, lamps lit' });
    const s01 = shots(episodeId).find((s) => s.shotId === 's01')!;
    expect(s01.version).toBe(3);
    expect(s01.approved).toBe(false);
    expect(s01.takes.map((t) => [t.takeNo, t.stale])).toEqual([
      [1, true],
      [2, true],
      [3, false],
    ]);
    expect(JSON.parse((studio.db.prepare(`SELECT storyboard_json FROM episodes WHERE id = ?`).get(episodeId) as { storyboard_json: string }).storyboard_json).shots[0].prompt).toBe(
      'Harbour at dusk, lamps lit',
    );
    // The file did not change since it was last read: rendering it keeps the edit made here.
    const before = attemptCount();
    await render('preview');
    expect(attemptCount()).toBe(before);
    expect(shots(episodeId).find((s) => s.shotId === 's01')!.version).toBe(3);
  }, 60_000);

  it('bad requests are refused before anything is claimed or spent', async () => {
    const before = attemptCount();
    await expect(studio.takesService.regenerate(episodeId, { shotIds: ['s01'], engineId: 'veo-9' })).rejects.toThrow(/--engine: unknown engine "veo-9"/);
    await expect(studio.takesService.regenerate(episodeId, { shotIds: ['s01'], seed: -1 })).rejects.toThrow(/--seed/);
    await expect(studio.takesService.regenerate(episodeId, { shotIds: ['s01', 's02'], prompt: 'x' })).rejects.toThrow(/--prompt: edits one shot/);
    await expect(studio.takesService.regenerate(episodeId, { shotIds: ['s01'], prompt: '   ' })).rejects.toThrow(/--prompt: must not be empty/);
    await expect(studio.takesService.regenerate('ep_missing', { shotIds: ['s01'] })).rejects.toThrow(/no episode ep_missing/);
    expect(attemptCount()).toBe(before);
    expect(shots(episodeId).find((s) => s.shotId === 's01')!.version).toBe(3);
  });

  it('re-stitch uses the selected takes and generates nothing', async () => {
    studio.takesService.select(episodeId, 's03', 1);
    const before = attemptCount();
    const out = join(dir, 'restitched ✂.mp4');
    const report = await studio.takesService.restitch(episodeId, { outputPath: out });
    expect(report.status).toBe('completed');
    expect(attemptCount()).toBe(before);
    expect(statSync(out).size).toBeGreaterThan(10_000);
    const stitched = studio.episodes.get(episodeId).stitched!;
    const selected = new Map(shots(episodeId).map((s) => [s.shotId, s.selectedTakeId]));
    expect(stitched.takes).toEqual(Object.fromEntries(selected));
    expect(stitched.takes.s03).toBe(takesOf(episodeId, 's03')[0]!.attempt.id);
    expect(episodeSummaries(studio.db, studio.episodes, Date.now()).find((e) => e.episodeId === episodeId)!.state).toBe('completed');
    // Repeating it writes the same episode again.
    await studio.takesService.restitch(episodeId, { outputPath: out });
    expect(attemptCount()).toBe(before);
  }, 60_000);

  it('a shot removed from the storyboard is kept with its takes and left out; adding it back brings them back', async () => {
    const text = readFileSync(boardPath, 'utf8');
    writeFileSync(boardPath, text.split('\n').filter((line) => !line.includes('id: s02')).join('\n'));
    const report = await render('preview');
    expect(report.shots.map((s) => s.shotId)).toEqual(['s01', 's03', 's04']);
    const removed = studio.takes.shots(episodeId, { includeRemoved: true }).find((s) => s.shotId === 's02')!;
    expect(removed.removed).toBe(true);
    expect(removed.takes).toHaveLength(2);
    expect(Object.keys(studio.episodes.get(episodeId).stitched!.takes)).toEqual(['s01', 's03', 's04']);
    writeFileSync(boardPath, text);
    const before = attemptCount();
    await render('preview');
    expect(attemptCount()).toBe(before);
    expect(takesOf(episodeId, 's02')).toHaveLength(2);
    expect(Object.keys(studio.episodes.get(episodeId).stitched!.takes)).toEqual(['s01', 's02', 's03', 's04']);
  }, 60_000);
});
