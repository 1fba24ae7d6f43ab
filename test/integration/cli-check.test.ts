import { suiteMediaSettings } from '../support/test-media';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCheckCommand } from '../../src/main/cli/check-command';
import { runFfmpeg } from '../../src/main/media/ffmpeg';
import { MediaPool } from '../../src/main/media/worker/pool';
import { bins, nastyTempDir, removeDir } from './media-fixtures';

let dir: string;
let clip: string;
let pool: MediaPool;

beforeAll(async () => {
  pool = new MediaPool({ settings: suiteMediaSettings(), size: 2 });
  dir = await nastyTempDir('check');
  clip = path.join(dir, 'shot 01.mp4');
  await runFfmpeg(bins.ffmpeg, [
    '-y',
    ...['-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=24:duration=2'],
    ...['-f', 'lavfi', '-i', 'sine=frequency=330:sample_rate=44100:duration=2'],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', clip],
  ]);
});

afterAll(async () => {
  pool?.close();
  await removeDir(dir);
});

async function check(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCheckCommand(args, { stdout: (s) => (out += s), stderr: (s) => (err += s), env: {}, media: pool });
  return { code, out, err };
}

describe('shotline check', () => {
  it('passes a clip held to its own size and length, one line per check', async () => {
    const { code, out, err } = await check(clip);
    expect(code).toBe(0);
    expect(err).toBe('');
    const lines = out.trimEnd().split('\n');
    expect(lines[0]).toBe(`${clip} (final strictness)`);
    expect(lines).toContain('PASS  decodes     48 frames, no errors  (decodes without errors)');
    expect(lines.find((l) => l.startsWith('PASS  duration'))).toMatch(/^PASS {2}duration {4}2\.0\d s {2}\(expected 2\.0\d s, 1\.7\d s to 3\.2\d s\)$/);
    expect(lines).toContain('SKIP  audio       no audio requested (the clip has a track; it is not checked)');
    expect(lines).toContain('SKIP  ai_score    no Gemini key (GEMINI_API_KEY): AI score skipped');
    expect(lines.find((l) => l.startsWith('colour  luma '))).toBeDefined();
    expect(lines.at(-1)).toBe('PASS: the clip is usable (quality 1.00)');
  });

  it('fails with exit code 1 when the clip is not what the flags ask for', async () => {
    const { code, out } = await check(clip, '--duration', '5', '--audio');
    expect(code).toBe(1);
    expect(out).toContain('FAIL  duration    2.00 s  (expected 5.00 s, 4.75 s to 6.50 s)  shorter than requested: 2.00 s for a 5.00 s shot');
    expect(out).toMatch(/^PASS {2}audio {7}peak -\d+\.\d dBFS/m);
    expect(out.trimEnd().split('\n').at(-1)).toBe('FAIL: try another engine (this one made the wrong thing) (quality 0.00)');
  });

  it('builds the frame from --resolution and --aspect, held to the strictness', async () => {
    const final = await check(clip, '--resolution', '720p', '--aspect', '16:9', '--json');
    expect(final.code).toBe(1);
    const verdict = JSON.parse(final.out);
    expect(verdict).toMatchObject({ clip, strictness: 'final', decision: 'escalate', expectation: { width: 1280, height: 720, audio: false } });
    expect(verdict.checks.find((c: { name: string }) => c.name === 'resolution')).toMatchObject({ outcome: 'fail', detail: expect.stringMatching(/^too small: it would be enlarged 4x/) });
    expect(verdict.colour.frames).toBe(48);
    const preview = await check(clip, '--resolution', '720p', '--aspect', '16:9', '--strictness', 'preview');
    expect(preview.code).toBe(0);
    expect(preview.out).toContain('PASS  resolution  320x180  (1280x720 or scalable to it, enlarged at most 4x)  will be scaled up 4x to 1280x720');
    const portrait = await check(clip, '--aspect', '9:16', '--json');
    expect(JSON.parse(portrait.out)).toMatchObject({ decision: 'escalate', expectation: { width: 180, height: 320 } });
  });

  it('prints the verdict as JSON with the measured checks', async () => {
    const { code, out } = await check(clip, '--json', '--width', '320', '--height', '180', '--duration', '2', '--prompt', 'a test card');
    expect(code).toBe(0);
    const parsed = JSON.parse(out);
    expect(parsed).toMatchObject({ decision: 'pass', qualityScore: 1, problems: [], expectation: { width: 320, height: 180, durationSeconds: 2, prompt: 'a test card' } });
    expect(parsed.checks.map((c: { name: string }) => c.name)).toEqual(['decodes', 'resolution', 'aspect', 'duration', 'fps', 'audio', 'black', 'freeze', 'silence', 'ai_score']);
  });

  it('fails a file that is not a video with exit code 1 and the reason', async () => {
    const notes = path.join(dir, 'notes.mp4');
    await writeFile(notes, 'this is not a video');
    const { code, out } = await check(notes);
    expect(code).toBe(1);
    expect(out).toMatch(/^FAIL {2}decodes {5}not playable {2}\(a playable video\) {2}not a playable video: FFmpeg could not read it/m);
    expect(out.trimEnd().split('\n').at(-1)).toBe('FAIL: retry the same engine (a new seed often fixes this) (quality 0.00)');
  });

  it.each([
    [['--strictness', 'fast'], '--strictness: must be preview or final, got "fast"'],
    [['--width', '320'], '--height: required with --width'],
    [['--height', '180'], '--width: required with --height'],
    [['--width', '320', '--height', '180', '--resolution', '720p'], '--width: cannot be combined with --resolution'],
    [['--width', 'wide', '--height', '180'], '--width: must be a whole number of pixels'],
    [['--duration', '0'], '--duration: must be a number of seconds above 0'],
    [['--resolution', 'huge'], '--resolution: must be one of 480p, 540p, 720p, 1080p, 4k'],
    [['--aspect', '16x9'], '--aspect: must be W:H'],
    [['--frobnicate'], "Unknown option '--frobnicate'"],
  ])('refuses %j with exit code 2 and a message naming the flag', async (flags, message) => {
    const { code, out, err } = await check(clip, ...flags);
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toContain(message);
    expect(err).toContain('Usage:');
  });

  it('needs exactly one clip, and prints help', async () => {
    expect((await check()).err).toContain('expected the clip to check');
    expect((await check(clip, clip)).code).toBe(2);
    const help = await check('--help');
    expect(help).toMatchObject({ code: 0, err: '' });
    expect(help.out).toContain('shotline check <clip>');
  });
});
