/**
 * Scale check: a 500-shot storyboard (1 s shots, 480p, alternating cuts and dissolves)
 * rendered on the animatic engine and stitched, through the real CLI. Prints the wall
 * time of the render and the peak resident memory of the whole process tree (CLI, media
 * workers and their FFmpeg) during the stitch, and the output's length against the plan.
 * Run: npm run bench:500
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { TreeRssSampler } from './rss-sampler';

const SHOTS = 500;
const root = fileURLToPath(new URL('..', import.meta.url));

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'shotline bench 500 '));
  try {
    const shots = Array.from({ length: SHOTS }, (_, i) => {
      const last = i === SHOTS - 1;
      const transition = !last && i % 2 === 0 ? ', transition: { type: dissolve, duration: 0.25 }' : '';
      return `  - { id: s${String(i + 1).padStart(3, '0')}, kind: insert, prompt: "shot ${i + 1} of ${SHOTS}", duration: 1${transition} }`;
    });
    const storyboard = path.join(dir, 'five hundred.yaml');
    await writeFile(storyboard, ['title: Five hundred shots', 'mode: preview', 'output: { resolution: 480p, aspect: "16:9", fps: 24 }', 'shots:', ...shots, ''].join('\n'));
    const out = path.join(dir, 'episode.mp4');
    const started = performance.now();
    const child = spawn(process.execPath, [path.join(root, 'bin/shotline.js'), 'render', storyboard, '--out', out, '--data-dir', path.join(dir, 'data'), '--concurrency', '4', '--json'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stitchStarted = 0;
    let sampler: TreeRssSampler | undefined;
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      if (!sampler && chunk.toString().includes('stitching the episode')) {
        stitchStarted = performance.now();
        sampler = new TreeRssSampler(child.pid!, true).start();
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    const ended = performance.now();
    const peak = sampler?.stop() ?? 0;
    if (code !== 0) throw new Error(`render exited ${code}: ${stdout.slice(-2000)}`);
    const report = JSON.parse(stdout) as { durationSeconds: number; status: string };
    const planned = SHOTS - Math.floor((SHOTS - 1 + 1) / 2) * 0.25;
    console.log(`${SHOTS} shots of 1 s at 480p: ${report.status}, ${report.durationSeconds.toFixed(2)} s of video (plan ${planned.toFixed(2)} s)`);
    console.log(`  render + stitch ${((ended - started) / 1000).toFixed(1)} s, of which stitch ${((ended - stitchStarted) / 1000).toFixed(1)} s`);
    console.log(`  peak RSS during the stitch (CLI + media workers + FFmpeg): ${(peak / 1048576).toFixed(0)} MB`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
