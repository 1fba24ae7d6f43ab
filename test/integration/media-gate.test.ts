import { utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkClip, clipProblems, durationBounds } from '../../src/main/media/gate';
import { NotPlayableError, probeMedia } from '../../src/main/media/probe';
import { runFfmpeg } from '../../src/main/media/ffmpeg';
import { bins, makeClip, nastyTempDir, removeDir } from './media-fixtures';

let dir: string;
let withAudio: string;
let silent: string;

beforeAll(async () => {
  dir = await nastyTempDir('gate');
  [withAudio, silent] = await Promise.all([
    makeClip(path.join(dir, "good 'clip' ü.mp4"), { width: 320, height: 180, fps: 24, seconds: 2, audio: true }),
    makeClip(path.join(dir, 'silent.mp4'), { width: 320, height: 180, fps: 24, seconds: 2, audio: false }),
  ]);
});

afterAll(() => removeDir(dir));

const expected = { durationSeconds: 2, width: 320, height: 180, audio: true };

describe('probeMedia', () => {
  it('describes a clip', async () => {
    const probe = await probeMedia(bins.ffprobe, withAudio);
    expect(probe).toMatchObject({ width: 320, height: 180, fps: 24, videoCodec: 'h264', audioCodec: 'aac', hasAudio: true, pixelFormat: 'yuv420p' });
    expect(probe.durationSeconds).toBeGreaterThan(1.95);
    expect(probe.durationSeconds).toBeLessThan(2.1);
    expect(await probeMedia(bins.ffprobe, silent)).toMatchObject({ hasAudio: false, audioCodec: null });
  });

  it('names the file that is not a playable video', async () => {
    const text = path.join(dir, 'notes: "draft".txt');
    await writeFile(text, 'this is not a video');
    const error = await probeMedia(bins.ffprobe, text).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotPlayableError);
    expect((error as Error).message).toContain(`${text} is not a playable video: ffprobe could not read it`);
    await expect(probeMedia(bins.ffprobe, path.join(dir, 'missing.mp4'))).rejects.toThrow(/missing\.mp4 is not a playable video: the file does not exist/);
  });
});

describe('checkClip', () => {
  it('accepts a clip that matches', async () => {
    const result = await checkClip(bins.ffprobe, withAudio, expected);
    expect(result).toMatchObject({ ok: true, problems: [] });
    expect(result.probe?.width).toBe(320);
  });

  it('rejects a wrong duration, size and missing audio with readable lines', async () => {
    const result = await checkClip(bins.ffprobe, silent, { durationSeconds: 5, width: 640, height: 360, audio: true });
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([
      expect.stringMatching(/^duration 2\.0\d s, expected 5\.00 s$/),
      'frame size 320x180, expected 640x360',
      'no audio stream, but audio was requested',
    ]);
  });

  it('accepts a silent clip when no audio was asked for', async () => {
    expect((await checkClip(bins.ffprobe, silent, { ...expected, audio: false })).ok).toBe(true);
  });

  it('rejects a clip far longer than asked for', async () => {
    const result = await checkClip(bins.ffprobe, withAudio, { ...expected, durationSeconds: 0.5 });
    expect(result.problems).toEqual([expect.stringMatching(/^duration 2\.0\d s, expected 0\.50 s$/)]);
  });

  it('reports files that are not videos as a problem, not a crash', async () => {
    const audioOnly = path.join(dir, 'tone.m4a');
    await runFfmpeg(bins.ffmpeg, ['-y', '-f', 'lavfi', '-i', 'sine=duration=1', '-c:a', 'aac', audioOnly]);
    expect(await checkClip(bins.ffprobe, audioOnly, expected)).toEqual({ ok: false, problems: ['not a playable video: it has no video stream'], probe: null });
    const garbage = path.join(dir, 'garbage.mp4');
    await writeFile(garbage, Buffer.alloc(4096, 7));
    const result = await checkClip(bins.ffprobe, garbage, expected);
    expect(result.ok).toBe(false);
    expect(result.problems[0]).toMatch(/^not a playable video: ffprobe could not read it/);
    expect((await checkClip(bins.ffprobe, path.join(dir, 'nope.mp4'), expected)).problems).toEqual(['not a playable video: the file does not exist']);
  });

  it('memoises probes by path, size and mtime', async () => {
    const file = path.join(dir, 'rewritten.mp4');
    await makeClip(file, { width: 320, height: 180, fps: 24, seconds: 1, audio: false });
    const first = await checkClip(bins.ffprobe, file, expected);
    const again = await checkClip(bins.ffprobe, file, expected);
    expect(again.probe).toBe(first.probe);
    // Rewritten in place with other content: probed again.
    await makeClip(file, { width: 160, height: 90, fps: 24, seconds: 1, audio: false });
    await utimes(file, new Date(), new Date(Date.now() + 5000));
    const after = await checkClip(bins.ffprobe, file, expected);
    expect(after.probe).not.toBe(first.probe);
    expect(after.problems).toContain('frame size 160x90, expected 320x180');
  });
});

describe('tolerances', () => {
  it('allows max(0.25 s, 3 %) short and 1 s + 10 % long', () => {
    expect(durationBounds(5)).toEqual({ shortest: 4.75, longest: 6.5 });
    expect(durationBounds(20).shortest).toBeCloseTo(19.4, 9);
    const probe = { durationSeconds: 4.8, width: 8, height: 8, fps: 24, videoCodec: 'h264', audioCodec: null, hasAudio: false, pixelFormat: 'yuv420p' };
    expect(clipProblems(probe, { durationSeconds: 5, width: 8, height: 8, audio: false })).toEqual([]);
    expect(clipProblems({ ...probe, durationSeconds: 4.7 }, { durationSeconds: 5, width: 8, height: 8, audio: false })).toEqual(['duration 4.70 s, expected 5.00 s']);
    expect(clipProblems({ ...probe, durationSeconds: 6.6 }, { durationSeconds: 5, width: 8, height: 8, audio: false })).toEqual(['duration 6.60 s, expected 5.00 s']);
  });
});
