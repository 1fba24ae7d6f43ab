/**
 * Output and reference problems, found by the real CLI before anything is created or
 * sent: each exits 2, names the field or path, shows no stack trace, and leaves no
 * episode, no attempt and no job behind.
 */
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runCli } from '../support/cli-process';
import { makeClip, nastyTempDir, removeDir } from './media-fixtures';

let dir: string;
let dataDir: string;
let board: string;
const boardText = (shots: object[]) => stringify({ title: 'Preflight', mode: 'preview', output: { resolution: '480p', aspect: '16:9', fps: 24 }, shots });
const shot = (extra: object = {}) => ({ id: 's1', kind: 'insert', prompt: 'a "quoted" 100% prompt', duration: 1, ...extra });

beforeAll(async () => {
  dir = await nastyTempDir('cli preflight');
  dataDir = join(dir, 'data');
  board = join(dir, 'board.yaml');
  writeFileSync(board, boardText([shot()]));
});
afterAll(() => removeDir(dir));

async function refused(args: string[], pattern: RegExp): Promise<void> {
  const result = await runCli([...args, '--data-dir', dataDir]);
  expect(result.code, result.stderr).toBe(2);
  expect(result.stderr).toMatch(pattern);
  expect(result.stderr).not.toMatch(/\n\s+at /);
}

describe('refused before anything is created or sent', () => {
  it('output problems: the storyboard itself (also through a symlink), a folder, a path through a file, a name over 255 bytes', async () => {
    const before = readFileSync(board, 'utf8');
    await refused(['render', board, '--out', board], /--out: .*not an \.mp4|--out: .*the storyboard/);
    symlinkSync(board, join(dir, 'link.mp4'));
    await refused(['render', board, '--out', join(dir, 'link.mp4')], /--out: .*the storyboard/);
    mkdirSync(join(dir, 'a folder.mp4'));
    await refused(['render', board, '--out', join(dir, 'a folder.mp4')], /--out: .*folder/);
    await refused(['render', board, '--out', join(board, 'inside.mp4')], /--out: /);
    await refused(['render', board, '--out', join(dir, `${'é'.repeat(150)}.mp4`)], /--out: .*255 bytes/);
    expect(readFileSync(board, 'utf8')).toBe(before);
  });

  it('reference problems: a system file, a text file named .png, a folder, each named by its field', async () => {
    writeFileSync(join(dir, 'notes.png'), 'not an image at all');
    const bad = join(dir, 'bad refs.yaml');
    writeFileSync(bad, boardText([shot({ reference: '/etc/passwd' }), shot({ id: 's2', reference: 'notes.png' }), shot({ id: 's3', reference: '.' })]));
    const result = await runCli(['render', bad, '--out', join(dir, 'x.mp4'), '--data-dir', dataDir]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/shots\[0\]\.reference: .*\/etc\/passwd/);
    expect(result.stderr).toMatch(/shots\[1\]\.reference: not an image \(PNG, JPEG or WebP\): .*notes\.png/);
    expect(result.stderr).toMatch(/shots\[2\]\.reference: /);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('nothing was left behind by any refusal: no episode, no attempt, no job', async () => {
    const costs = await runCli(['costs', '--data-dir', dataDir, '--json']);
    expect((JSON.parse(costs.stdout) as { byEpisode: unknown[] }).byEpisode).toEqual([]);
    expect(existsSync(join(dataDir, 'engines', 'animatic', 'jobs'))).toBe(false);
  });

  it('a legal 240-byte output name renders (its temp file fits the name limit), with a real reference image', async () => {
    await makeClip(join(dir, 'still.mp4'), { width: 64, height: 36, fps: 1, seconds: 1, audio: false });
    const { execFileSync } = await import('node:child_process');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', join(dir, 'still.mp4'), '-frames:v', '1', join(dir, 'still.png')]);
    writeFileSync(board, boardText([shot({ reference: 'still.png' })]));
    const out = join(dir, `${'ü'.repeat(118)}.mp4`); // 236 bytes + ".mp4"
    const result = await runCli(['render', board, '--out', out, '--data-dir', dataDir]);
    expect(result.code, result.stderr).toBe(0);
    expect(existsSync(out)).toBe(true);
  }, 60_000);
});
