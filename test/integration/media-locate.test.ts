import { execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { UserError } from '../../src/shared/errors';
import { clearFfmpegLocationCache, locateFfmpeg } from '../../src/main/media/locate';

let root: string;
const dirs: Record<'setting' | 'env' | 'static' | 'system' | 'lonely', string> = { setting: '', env: '', static: '', system: '', lonely: '' };

async function fakeBinary(dir: string, name: string, mode = 0o755): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, '#!/bin/sh\nexit 0\n');
  await chmod(file, mode);
  return file;
}

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'shotline locate ünï '));
  for (const key of Object.keys(dirs) as (keyof typeof dirs)[]) {
    dirs[key] = path.join(root, key);
    await mkdir(dirs[key]);
  }
  for (const dir of [dirs.setting, dirs.env, dirs.system]) {
    await fakeBinary(dir, 'ffmpeg');
    await fakeBinary(dir, 'ffprobe');
  }
  await fakeBinary(dirs.static, 'ffmpeg');
  await fakeBinary(dirs.lonely, 'ffmpeg');
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

beforeEach(() => clearFfmpegLocationCache());

const systemEnv = () => ({ PATH: dirs.system });

describe('locateFfmpeg order', () => {
  it('prefers the user setting over FFMPEG_PATH, ffmpeg-static and PATH', async () => {
    const found = await locateFfmpeg({
      userPath: path.join(dirs.setting, 'ffmpeg'),
      env: { ...systemEnv(), FFMPEG_PATH: path.join(dirs.env, 'ffmpeg') },
      ffmpegStatic: path.join(dirs.static, 'ffmpeg'),
    });
    expect(found).toEqual({ ffmpeg: path.join(dirs.setting, 'ffmpeg'), ffprobe: path.join(dirs.setting, 'ffprobe'), source: 'setting' });
  });

  it('uses FFMPEG_PATH when no setting is given', async () => {
    const found = await locateFfmpeg({ env: { ...systemEnv(), FFMPEG_PATH: path.join(dirs.env, 'ffmpeg') }, ffmpegStatic: path.join(dirs.static, 'ffmpeg') });
    expect(found.source).toBe('FFMPEG_PATH');
    expect(found.ffmpeg).toBe(path.join(dirs.env, 'ffmpeg'));
    expect(found.ffprobe).toBe(path.join(dirs.env, 'ffprobe'));
  });

  it('uses ffmpeg-static next, with ffprobe from PATH when the package has none beside it', async () => {
    const found = await locateFfmpeg({ env: systemEnv(), ffmpegStatic: path.join(dirs.static, 'ffmpeg') });
    expect(found).toEqual({ ffmpeg: path.join(dirs.static, 'ffmpeg'), ffprobe: path.join(dirs.system, 'ffprobe'), source: 'ffmpeg-static' });
  });

  it('falls back to scanning PATH, skipping folders without ffmpeg', async () => {
    const found = await locateFfmpeg({ env: { PATH: [path.join(root, 'nope'), dirs.env.replace('env', 'no such dir'), dirs.system].join(path.delimiter) }, ffmpegStatic: null });
    expect(found).toEqual({ ffmpeg: path.join(dirs.system, 'ffmpeg'), ffprobe: path.join(dirs.system, 'ffprobe'), source: 'system' });
  });

  it('takes ffprobe from FFPROBE_PATH before the one beside ffmpeg', async () => {
    const found = await locateFfmpeg({ userPath: path.join(dirs.setting, 'ffmpeg'), env: { FFPROBE_PATH: path.join(dirs.env, 'ffprobe') } });
    expect(found.ffprobe).toBe(path.join(dirs.env, 'ffprobe'));
  });

  it('finds the real ffmpeg of this machine with the default options', async () => {
    const found = await locateFfmpeg();
    expect(['ffmpeg-static', 'system', 'FFMPEG_PATH']).toContain(found.source);
    expect(execFileSync(found.ffmpeg, ['-hide_banner', '-version'], { encoding: 'utf8' })).toMatch(/^ffmpeg version/);
    expect(execFileSync(found.ffprobe, ['-hide_banner', '-version'], { encoding: 'utf8' })).toMatch(/^ffprobe version/);
  });

  it('caches the answer per options', async () => {
    const options = { env: systemEnv(), ffmpegStatic: null };
    const first = await locateFfmpeg(options);
    expect(await locateFfmpeg({ env: systemEnv(), ffmpegStatic: null })).toBe(first);
    expect(await locateFfmpeg({ env: { PATH: dirs.setting }, ffmpegStatic: null })).not.toBe(first);
  });
});

describe('locateFfmpeg errors', () => {
  it('reports a user setting that points at a missing file instead of skipping it', async () => {
    const missing = path.join(root, 'gone', 'ffmpeg');
    const error = await locateFfmpeg({ userPath: missing, env: systemEnv() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toContain(`the ffmpeg path in Settings points to ${missing}, which does not exist`);
  });

  it('reports an FFMPEG_PATH that points at a missing file or a folder', async () => {
    const missing = path.join(root, 'nothing here', 'ffmpeg');
    await expect(locateFfmpeg({ env: { ...systemEnv(), FFMPEG_PATH: missing } })).rejects.toThrow(`FFMPEG_PATH points to ${missing}, which does not exist`);
    await expect(locateFfmpeg({ env: { ...systemEnv(), FFMPEG_PATH: dirs.env } })).rejects.toThrow('which is not a file');
  });

  it('reports a setting that is not executable', async () => {
    const file = await fakeBinary(root, 'not-executable', 0o644);
    await expect(locateFfmpeg({ userPath: file, env: systemEnv() })).rejects.toThrow(/not executable/);
  });

  it('names all four places and the fix when nothing is found', async () => {
    const error = await locateFfmpeg({ env: { PATH: '' }, ffmpegStatic: null }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).problems).toEqual([
      'Settings: no ffmpeg path set',
      'FFMPEG_PATH: not set',
      'ffmpeg-static: package not installed',
      'system PATH: no ffmpeg in (PATH is empty)',
    ]);
    expect((error as Error).message).toContain('apt-get install ffmpeg');
    expect((error as Error).message).toContain('FFMPEG_PATH');
  });

  it('explains a missing ffprobe, naming where ffmpeg was found', async () => {
    const ffmpeg = path.join(dirs.lonely, 'ffmpeg');
    await expect(locateFfmpeg({ userPath: ffmpeg, env: { PATH: '' } })).rejects.toThrow(`ffprobe was not found (ffmpeg is at ${ffmpeg})`);
  });

  it('does not cache failures', async () => {
    const dir = path.join(root, 'later');
    await mkdir(dir);
    await expect(locateFfmpeg({ env: { PATH: dir }, ffmpegStatic: null })).rejects.toThrow(UserError);
    await fakeBinary(dir, 'ffmpeg');
    await fakeBinary(dir, 'ffprobe');
    await expect(locateFfmpeg({ env: { PATH: dir }, ffmpegStatic: null })).resolves.toMatchObject({ source: 'system' });
  });
});
