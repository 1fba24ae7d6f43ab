import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childProcessEnv, isSecretEnvName } from '../../src/main/media/child-env';
import { runFfmpeg, runFfprobeJson } from '../../src/main/media/ffmpeg';
import { PROVIDER_ACCESS } from '../../src/main/registry/providers';

const PROVIDER_KEYS = ['RUNWAYML_API_SECRET', 'GEMINI_API_KEY', 'GOOGLE_API_KEY', 'KLING_ACCESS_KEY', 'KLING_SECRET_KEY', 'LUMAAI_API_KEY', 'OPENAI_API_KEY'];

const SECRET_LOOKING = [
  'FAL_KEY',
  'FAL_KEY_ID',
  'FAL_KEY_SECRET',
  'REPLICATE_API_TOKEN',
  'HF_TOKEN',
  'GITHUB_TOKEN',
  'CI_JOB_TOKEN',
  'ANTHROPIC_API_KEY',
  'SOME_APIKEY',
  'CLIENT_SECRET',
  'MY_SECRET_FILE',
  'DB_PASSWORD',
  'PGPASSWORD',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_PROFILE',
  'MINIO_ACCESS_KEY',
  'GOOGLE_APPLICATION_CREDENTIALS',
  'SIGNING_PRIVATE_KEY',
  'STRIPE_KEY',
  'openai_api_key', // Windows names are case-insensitive
];

const ORDINARY = [
  'PATH',
  'HOME',
  'LANG',
  'LANGUAGE',
  'LC_ALL',
  'LC_CTYPE',
  'TMPDIR',
  'XDG_RUNTIME_DIR',
  'XDG_CACHE_HOME',
  'XDG_ACTIVATION_TOKEN',
  'FONTCONFIG_PATH',
  'FONTCONFIG_FILE',
  'SystemRoot',
  'LD_LIBRARY_PATH',
  'NODE_OPTIONS',
  'SHOTLINE_HOME',
  'SHOTLINE_DEBUG',
  'FFMPEG_PATH',
  'TERM',
  'MONKEY',
  'KEYBOARD_LAYOUT',
  'TOKENIZERS_PARALLELISM',
  'SSH_AUTH_SOCK',
];

describe('childProcessEnv', () => {
  it('drops every provider key PROVIDER_ACCESS names', () => {
    const named = Object.values(PROVIDER_ACCESS).flatMap((access) => [...access.envVars]);
    expect(named).toEqual(expect.arrayContaining(PROVIDER_KEYS));
    for (const name of named) expect(isSecretEnvName(name), name).toBe(true);
  });

  it.each(SECRET_LOOKING)('drops %s (named like a secret)', (name) => {
    expect(childProcessEnv({ [name]: 'sk-1234', PATH: '/usr/bin' })).toEqual({ PATH: '/usr/bin' });
  });

  it.each(ORDINARY)('keeps %s', (name) => {
    expect(childProcessEnv({ [name]: 'value' })).toEqual({ [name]: 'value' });
  });

  it('copies: the source is not changed, undefined values are left out', () => {
    const source: NodeJS.ProcessEnv = { OPENAI_API_KEY: 'sk', PATH: '/bin', EMPTY: '', GONE: undefined };
    const env = childProcessEnv(source);
    expect(env).toEqual({ PATH: '/bin', EMPTY: '' });
    expect(source.OPENAI_API_KEY).toBe('sk');
  });
});

describe.skipIf(process.platform === 'win32')('ffmpeg children start without the keys', () => {
  let dir: string;
  let fakeFfmpeg: string;
  let envDump: string;
  const saved: Record<string, string | undefined> = {};
  const planted: Record<string, string> = {
    ...Object.fromEntries(PROVIDER_KEYS.map((name) => [name, `planted-${name}`])),
    FAL_KEY: 'planted-fal',
    AWS_SECRET_ACCESS_KEY: 'planted-aws',
    HF_TOKEN: 'planted-hf',
    LC_ALL: 'C.UTF-8',
    FONTCONFIG_PATH: '/etc/fonts',
    XDG_CACHE_HOME: '/tmp/cache',
    SHOTLINE_ENV_PROBE: 'kept',
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'shotline-child-env-'));
    envDump = join(dir, 'env.txt');
    fakeFfmpeg = join(dir, 'ffmpeg');
    // Writes its environment where the test can read it, then behaves like a quick, successful ffmpeg.
    writeFileSync(fakeFfmpeg, `#!/bin/sh\nenv > '${envDump}'\necho 'progress=end'\necho '{}'\n`);
    chmodSync(fakeFfmpeg, 0o755);
    for (const [name, value] of Object.entries(planted)) {
      saved[name] = process.env[name];
      process.env[name] = value;
    }
  });

  afterAll(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  function dumpedEnv(): Map<string, string> {
    const lines = readFileSync(envDump, 'utf8').split('\n').filter(Boolean);
    return new Map(lines.map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
  }

  it('runFfmpeg: no provider key or secret-named variable reaches the child; the rest does', async () => {
    await runFfmpeg(fakeFfmpeg, ['-i', 'in.mp4', 'out.mp4']);
    const env = dumpedEnv();
    for (const name of [...PROVIDER_KEYS, 'FAL_KEY', 'AWS_SECRET_ACCESS_KEY', 'HF_TOKEN']) expect(env.has(name), name).toBe(false);
    expect([...env.values()].filter((value) => value.startsWith('planted-'))).toEqual([]);
    expect(env.get('PATH')).toBe(process.env.PATH);
    expect(env.get('LC_ALL')).toBe('C.UTF-8');
    expect(env.get('FONTCONFIG_PATH')).toBe('/etc/fonts');
    expect(env.get('XDG_CACHE_HOME')).toBe('/tmp/cache');
    expect(env.get('SHOTLINE_ENV_PROBE')).toBe('kept');
    if (process.env.HOME) expect(env.get('HOME')).toBe(process.env.HOME);
  });

  it('an explicit env option is filtered too', async () => {
    await runFfmpeg(fakeFfmpeg, [], { env: { PATH: process.env.PATH, OPENAI_API_KEY: 'planted-explicit', GITHUB_TOKEN: 'planted-gh', ONLY_HERE: 'yes' } });
    const env = dumpedEnv();
    expect(env.has('OPENAI_API_KEY')).toBe(false);
    expect(env.has('GITHUB_TOKEN')).toBe(false);
    expect(env.get('ONLY_HERE')).toBe('yes');
    expect(env.has('SHOTLINE_ENV_PROBE')).toBe(false); // the explicit env replaces ours, it does not add to it
  });

  it('runFfprobeJson: the same environment', async () => {
    await runFfprobeJson(fakeFfmpeg, ['clip.mp4']).catch(() => undefined); // the fake's output need not parse
    const env = dumpedEnv();
    for (const name of PROVIDER_KEYS) expect(env.has(name), name).toBe(false);
    expect(env.get('SHOTLINE_ENV_PROBE')).toBe('kept');
  });
});
