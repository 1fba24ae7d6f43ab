/**
 * Takes under concurrent use of one real SQLite file: four processes approve, unapprove
 * and select at once without a refusal or a broken row; and in one process, a second
 * regenerate or re-stitch of an episode that is already running is refused, not run twice.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStudio, type StudioServices } from '../../src/main/studio';
import { projectRoot } from '../support/cli-process';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'shotline takes concurrency '));
const dataDir = join(dir, 'data');
const boardPath = join(dir, 'board.yaml');
let studio: StudioServices;
let episodeId: string;

beforeAll(async () => {
  writeFileSync(
    boardPath,
    ['title: Busy', 'mode: preview', 'output: { resolution: 480p }', 'shots:', ...['a', 'b', 'c'].map((id) => `  - { id: ${id}, kind: insert, prompt: "Shot ${id}", duration: 1 }`)].join('\n'),
  );
  studio = openStudio({ dataDir, env: { PATH: process.env.PATH } });
  episodeId = (await studio.render.render(boardPath, { outputPath: join(dir, 'busy.mp4') })).episodeId;
  await studio.takesService.regenerate(episodeId, { shotIds: ['a', 'b', 'c'] });
}, 90_000);
afterAll(() => {
  studio.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('takes, concurrently', () => {
  it('four processes approving, unapproving and selecting at once: every call succeeds and every row stays whole', async () => {
    const hammer = join(projectRoot, 'test/support/takes-hammer.ts');
    const results = await Promise.all(
      [1, 2, 3, 4].map((seed) => run(process.execPath, ['--import', 'tsx', hammer, join(dataDir, 'shotline.db'), episodeId, String(seed), '300'], { cwd: projectRoot })),
    );
    const outcomes = results.map((r) => JSON.parse(r.stdout.trim()) as { calls: number; unexpected: string[] });
    expect(outcomes.flatMap((o) => o.unexpected)).toEqual([]);
    expect(outcomes.reduce((n, o) => n + o.calls, 0)).toBe(1200);
    for (const shot of studio.takes.shots(episodeId)) {
      expect(shot.takes.map((t) => t.takeNo)).toEqual([1, 2]);
      // The selection is one of the shot's own takes.
      expect(shot.takes.map((t) => t.attempt.id)).toContain(shot.selectedTakeId);
    }
    const rows = studio.db.prepare(`SELECT approved_version, version FROM shots WHERE episode_id = ?`).all(episodeId) as { approved_version: number | null; version: number }[];
    expect(rows.every((r) => r.approved_version === null || r.approved_version === r.version)).toBe(true);
  }, 90_000);

  it('a second regenerate or re-stitch while one runs is refused; the first makes exactly one take', async () => {
    const before = studio.takes.shots(episodeId).find((s) => s.shotId === 'a')!.takes.length;
    const first = studio.takesService.regenerate(episodeId, { shotIds: ['a'] });
    await expect(studio.takesService.regenerate(episodeId, { shotIds: ['a'] })).rejects.toThrow(/busy with a regenerate/);
    await expect(studio.takesService.restitch(episodeId, { outputPath: join(dir, 'again.mp4') })).rejects.toThrow(/busy with a regenerate/);
    await expect(studio.render.render(boardPath, { outputPath: join(dir, 'busy.mp4') })).rejects.toThrow(/busy with a regenerate/);
    await first;
    expect(studio.takes.shots(episodeId).find((s) => s.shotId === 'a')!.takes.length).toBe(before + 1);
  }, 60_000);
});
