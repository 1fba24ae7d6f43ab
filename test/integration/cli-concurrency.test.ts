/**
 * Two identical renders started at the same moment on one data directory (a fresh one,
 * so both also race to create the database): one episode, one set of jobs; the second
 * process either finds the episode busy (exit 3) or, if the first had already finished,
 * reuses every shot. Never two episodes, never a crash on "table already exists".
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot, runCli } from '../support/cli-process';
import { nastyTempDir, removeDir } from './media-fixtures';

const quick = join(projectRoot, 'resources/examples/quick.yaml');
let dir: string;
beforeAll(async () => {
  dir = await nastyTempDir('cli twins');
});
afterAll(() => removeDir(dir));

describe('two identical renders started together', () => {
  it.each([1, 2, 3])('trial %i: one episode, one job per shot, a clean refusal or a reuse', async (trial) => {
    const dataDir = join(dir, `data ${trial}`);
    const args = ['render', quick, '--out', join(dir, `out ${trial}.mp4`), '--data-dir', dataDir, '--json'];
    const [a, b] = await Promise.all([runCli(args), runCli(args)]);
    const codes = [a.code, b.code].sort();
    expect([[0, 0], [0, 3]], `${a.stderr.slice(-1500)}\n---\n${b.stderr.slice(-1500)}`).toContainEqual(codes);
    for (const result of [a, b]) {
      expect(result.stderr).not.toMatch(/already exists|\n\s+at /);
      if (result.code === 3) expect(result.stderr).toMatch(/being rendered by another Shotline process/);
    }
    const db = new Database(join(dataDir, 'shotline.db'), { readonly: true });
    try {
      expect((db.prepare(`SELECT COUNT(*) AS n FROM episodes`).get() as { n: number }).n).toBe(1);
      expect((db.prepare(`SELECT COUNT(*) AS n FROM attempts`).get() as { n: number }).n).toBe(3);
    } finally {
      db.close();
    }
    const jobs = readdirSync(join(dataDir, 'engines', 'animatic', 'jobs')).filter((f) => /^anim_[0-9a-f]+\.json$/.test(f));
    expect(jobs).toHaveLength(3);
  }, 60_000);
});
