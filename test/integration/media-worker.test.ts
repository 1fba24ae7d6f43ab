/**
 * The media worker as the app relies on it: a job cancelled mid-encode stops within a
 * fraction of a second and leaves no FFmpeg behind; a worker that crashes (a native
 * fault inside FFmpeg) fails only its own job, as a crash with the signal named, and the
 * next job runs on a fresh worker.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { descendants } from '../support/process-tree';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CancelledError } from '../../src/shared/errors';
import type { GraphJob } from '../../src/main/media/backend/types';
import { MediaWorkerCrashedError } from '../../src/main/media/worker/media-worker';
import { PARITY_BACKENDS, parityPool } from '../support/test-media';

const dir = mkdtempSync(join(tmpdir(), 'shotline worker '));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A minute of 720p through a slow preset: far longer than any test waits. */
function longEncode(out: string): GraphJob {
  return {
    inputs: [],
    graph: 'testsrc2=s=1280x720:r=30:d=60,format=pix_fmts=yuv420p[v]',
    video: { label: 'v', encoding: { encoder: 'libx264', options: { preset: 'slower' }, pixelFormat: 'yuv420p', fps: 30 } },
    output: { path: out, container: 'mp4' },
    expectedSeconds: 60,
  };
}


describe.each(PARITY_BACKENDS)('the media worker (%s FFmpeg)', (backend) => {
  it('stops a cancelled encode within half a second, with no FFmpeg left running', async () => {
    const pool = parityPool(backend, 1);
    try {
      await pool.warm();
      const controller = new AbortController();
      let progressed!: () => void;
      const started = new Promise<void>((resolve) => (progressed = resolve));
      const job = pool.runGraph(longEncode(join(dir, `long ${backend}.mp4`)), { signal: controller.signal, onProgress: (p) => p.seconds > 0 && progressed() });
      await started;
      const before = descendants(process.pid);
      const abortedAt = performance.now();
      controller.abort(new CancelledError('test cancel'));
      await expect(job).rejects.toBeInstanceOf(CancelledError);
      const took = performance.now() - abortedAt;
      // The worker asks its FFmpeg to stop and kills it 250 ms later if it has not: well under this bound even on a loaded machine.
      expect(took).toBeLessThan(1500);
      // Whatever ran the encode (the worker's ffmpeg, or the worker itself) is gone soon after.
      await new Promise((resolve) => setTimeout(resolve, 300));
      const workers = pool.workerPids();
      const leftover = descendants(process.pid).filter((pid) => before.includes(pid) && !workers.includes(pid));
      expect(leftover).toEqual([]);
      // The pool still works.
      expect((await pool.info()).version).toBeTruthy();
    } finally {
      pool.close();
    }
  }, 60_000);

  it('reports a crashed worker as a crash with its signal, and runs the next job on a fresh one', async () => {
    const pool = parityPool(backend, 1);
    try {
      await pool.warm();
      const [pid] = pool.workerPids();
      const job = pool.runGraph(longEncode(join(dir, `crash ${backend}.mp4`)), { onProgress: () => undefined });
      await new Promise((resolve) => setTimeout(resolve, 300));
      process.kill(pid!, 'SIGSEGV');
      const error = await job.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MediaWorkerCrashedError);
      expect((error as Error).message).toMatch(/killed by SIGSEGV/);
      expect((await pool.info()).version).toBeTruthy();
      expect(pool.workerPids()).not.toContain(pid);
    } finally {
      pool.close();
    }
  }, 60_000);
});

describe('probes', () => {
  it('are remembered per file and taken again when the file changes', async () => {
    const pool = parityPool(PARITY_BACKENDS[0]!, 1);
    try {
      const file = join(dir, 'probed twice.mp4');
      const encode = (size: string) =>
        pool.runGraph({
          inputs: [],
          graph: `testsrc2=s=${size}:r=24:d=1,format=pix_fmts=yuv420p[v]`,
          video: { label: 'v', encoding: { encoder: 'libx264', options: { preset: 'ultrafast' }, pixelFormat: 'yuv420p', fps: 24 } },
          output: { path: file, container: 'mp4' },
          expectedSeconds: 1,
        });
      await encode('320x240');
      const first = await pool.probe(file);
      expect(await pool.probe(file)).toBe(first);
      await encode('640x360');
      expect(await pool.probe(file)).toMatchObject({ width: 640, height: 360 });
    } finally {
      pool.close();
    }
  });
});
