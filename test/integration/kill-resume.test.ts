/**
 * The real thing: a child process rendering the 12-shot pilot is killed with SIGKILL
 * mid-run, then `shotline resume` finishes the episode. Nothing is submitted twice and
 * the ledger balances.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot, runCli, spawnCli } from '../support/cli-process';

const pilot = join(projectRoot, 'resources/examples/pilot.yaml');

describe('kill -9 mid-render, then resume', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shotline kill '));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('completes the episode with one submit per shot and a balanced ledger', async () => {
    const dataDir = join(dir, 'data');
    const out = join(dir, 'pilot.mp4');
    const first = spawnCli(['render', pilot, '--mode', 'preview', '--out', out, '--data-dir', dataDir, '--concurrency', '3']);
    // Kill once a few shots are accepted and others are in flight.
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        if (first.stderrLines.filter((l) => l.includes(': accepted')).length >= 3) {
          clearInterval(timer);
          first.child.kill('SIGKILL');
          resolve();
        }
      }, 20);
      first.done.then(() => reject(new Error('the render finished before it could be killed')));
    });
    const killed = await first.done;
    expect(killed.signal).toBe('SIGKILL');

    const db = new Database(join(dataDir, 'shotline.db'), { readonly: true });
    const before = db.prepare(`SELECT status FROM episodes`).all() as { status: string }[];
    const acceptedBefore = (db.prepare(`SELECT COUNT(*) AS n FROM shots WHERE status = 'accepted'`).get() as { n: number }).n;
    db.close();
    expect(before).toEqual([{ status: 'running' }]);
    expect(acceptedBefore).toBeGreaterThanOrEqual(3);
    expect(acceptedBefore).toBeLessThan(12);

    const resumed = await runCli(['resume', '--data-dir', dataDir, '--json']);
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ status: 'completed', resumed: true });

    const after = new Database(join(dataDir, 'shotline.db'), { readonly: true });
    const attempts = after.prepare(`SELECT shot_id, provider_job_id, status FROM attempts`).all() as { shot_id: string; provider_job_id: string; status: string }[];
    const ledger = after.prepare(`SELECT entry, SUM(micros) AS micros FROM ledger GROUP BY entry ORDER BY entry`).all();
    const held = after.prepare(`SELECT COALESCE(SUM(CASE entry WHEN 'reserve' THEN micros WHEN 'release' THEN -micros ELSE 0 END), 0) AS held FROM ledger`).get() as { held: number };
    after.close();

    // One provider job per shot, all accepted. A shot killed before its submit reached the
    // engine has a second attempt (the first was looked up, found never made, and closed).
    const accepted = attempts.filter((a) => a.status === 'accepted');
    expect(accepted).toHaveLength(12);
    expect(new Set(accepted.map((a) => a.shot_id)).size).toBe(12);
    const made = attempts.filter((a) => a.provider_job_id !== null);
    expect(new Set(made.map((a) => a.provider_job_id)).size).toBe(made.length);
    expect(attempts.filter((a) => a.status !== 'accepted').every((a) => a.provider_job_id === null && a.status === 'failed')).toBe(true);
    // The animatic engine keeps one request file per job it was ever asked to create.
    const jobs = readdirSync(join(dataDir, 'engines', 'animatic', 'jobs')).filter((f) => /^anim_[0-9a-f]+\.json$/.test(f));
    expect(jobs).toHaveLength(12);
    expect(held.held).toBe(0);
    // The animatic is free: every attempt reserved $0 and nothing was charged.
    expect(ledger).toEqual([{ entry: 'reserve', micros: 0 }]);

    const duration = Number(execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', out]).toString());
    const expected = JSON.parse(resumed.stdout).durationSeconds as number;
    expect(Math.abs(duration - expected)).toBeLessThanOrEqual(0.1);
  }, 240_000);
});
