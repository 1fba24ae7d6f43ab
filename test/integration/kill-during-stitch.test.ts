/**
 * kill -9 of the CLI while it stitches: the media worker notices its parent is gone and
 * stops its FFmpeg work at once (nothing keeps encoding under PID 1), and the next start
 * removes the hidden partial file and pieces the dead run left beside the output.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { alive, descendants } from '../support/process-tree';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, spawnCli } from '../support/cli-process';



describe('kill -9 during a stitch', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shotline kill stitch '));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('leaves no FFmpeg running and no temp file after the next start', async () => {
    const shots = Array.from({ length: 6 }, (_, i) => `  - { id: s${i + 1}, kind: action, prompt: "shot ${i + 1}", duration: 4${i < 5 ? ', transition: { type: dissolve, duration: 0.5 }' : ''} }`);
    const storyboard = join(dir, 'long stitch.yaml');
    writeFileSync(storyboard, ['title: Kill during stitch', 'output: { resolution: 720p, aspect: "16:9", fps: 30 }', 'mode: preview', 'shots:', ...shots].join('\n'));
    const outDir = join(dir, 'out folder');
    const out = join(outDir, 'episode.mp4');
    const dataDir = join(dir, 'data');

    const first = spawnCli(['render', storyboard, '--out', out, '--data-dir', dataDir]);
    const workers = await new Promise<number[]>((resolve, reject) => {
      const timer = setInterval(() => {
        if (!first.stderrLines.some((line) => line.includes('stitching the episode'))) return;
        const partials = (() => {
          try {
            return readdirSync(outDir).filter((name) => name.includes('.partial'));
          } catch {
            return [];
          }
        })();
        const running = descendants(first.child.pid!);
        // Kill only once pieces are being encoded: an ffmpeg is running beside the partial folder.
        if (partials.length === 0 || running.length < 2) return;
        clearInterval(timer);
        first.child.kill('SIGKILL');
        resolve(running);
      }, 50);
      first.done.then((result) => {
        clearInterval(timer);
        reject(new Error(`the render finished before it could be killed: ${result.stderr}`));
      });
    });
    expect((await first.done).signal).toBe('SIGKILL');
    expect(workers.length).toBeGreaterThanOrEqual(2); // a media worker and its ffmpeg at least

    // The worker sees its channel close, kills its ffmpeg and exits: within a second or so.
    const deadline = Date.now() + 3000;
    while (alive(workers).length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(alive(workers)).toEqual([]);
    expect(readdirSync(outDir).filter((name) => name.includes('.partial')).length).toBeGreaterThan(0);

    // The next start stitches again (no new generation) and sweeps the dead run's partials.
    const second = await runCli(['resume', '--data-dir', dataDir]);
    expect(second.code, second.stderr).toBe(0);
    expect(readdirSync(outDir).filter((name) => name.includes('.partial'))).toEqual([]);
    expect(readdirSync(outDir)).toContain('episode.mp4');
  }, 180_000);
});
