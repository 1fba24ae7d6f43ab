/**
 * The README's promise: a machine with no FFmpeg installed renders the example, because
 * the media worker drives the FFmpeg 8.1 bundled with node-av. The CLI runs with a PATH
 * that holds node and fontconfig only, so neither ffmpeg nor ffprobe can be found.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MediaPool } from '../../src/main/media/worker/pool';
import { projectRoot, runCli } from '../support/cli-process';

describe('no FFmpeg on the machine', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shotline no ffmpeg '));
  const bin = join(dir, 'bin');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('renders the quick example with the bundled FFmpeg, and refuses the CLI backend with a clear error', async () => {
    rmSync(bin, { recursive: true, force: true });
    mkdirSync(bin);
    for (const tool of ['fc-list', 'fc-match']) symlinkSync(`/usr/bin/${tool}`, join(bin, tool));
    symlinkSync(process.execPath, join(bin, 'node'));
    const env = { PATH: bin, FFMPEG_PATH: '', FFPROBE_PATH: '', SHOTLINE_FFMPEG: '' };

    const pool = new MediaPool({ settings: { backend: 'cli' }, env: { ...process.env, ...env } });
    try {
      await expect(pool.probe(join(projectRoot, 'package.json'))).rejects.toThrow(/ffmpeg was not found/);
    } finally {
      pool.close();
    }

    const out = join(dir, 'quick.mp4');
    const result = await runCli(['render', join(projectRoot, 'resources/examples/quick.yaml'), '--out', out, '--data-dir', join(dir, 'data'), '--json'], env);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as { status: string; durationSeconds: number; stitch: { method: string; encoder: string; encoderReason: string; scaling: string; scalingReason: string } };
    expect(report.status).toBe('completed');
    expect(report.durationSeconds).toBeGreaterThan(9);
    // The report says which encoder and scaler made the episode, and why.
    expect(report.stitch.method).toBe('pieces');
    expect(report.stitch.encoderReason).toContain(report.stitch.encoder);
    expect(['cpu', 'libplacebo']).toContain(report.stitch.scaling);
    expect(report.stitch.scalingReason).toMatch(report.stitch.scaling === 'cpu' ? /FFmpeg's scaler/ : /libplacebo on/);
  }, 120_000);
});
