/**
 * `shotline studio` as a user runs it: it prints the address with a token, serves the
 * built page and the API (only with the token), and stops cleanly on SIGTERM.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseStudioArgs } from '../../src/main/cli/studio-command';
import { runCli, spawnCli } from '../support/cli-process';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shotline cli studio ☂ '));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('shotline studio', () => {
  it('prints its address with a session token, serves the page and the API with the token only, and stops on SIGTERM', async () => {
    const { child, done } = spawnCli(['studio', '--no-open', '--port', '0', '--data-dir', join(dir, 'data')]);
    let stdout = '';
    const address = await new Promise<string>((resolve, reject) => {
      child.stdout!.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        const match = /^Shotline studio: (http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)$/m.exec(stdout);
        if (match) resolve(match[1]!);
      });
      child.once('close', () => reject(new Error(`studio exited: ${stdout}`)));
    });
    const url = new URL(address);
    const token = url.searchParams.get('token')!;
    const page = await fetch(`${url.origin}/`);
    expect([200, 503]).toContain(page.status);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect((await fetch(`${url.origin}/api/listEpisodes`, { method: 'POST', body: '{"args":[]}' })).status).toBe(401);
    const listed = await fetch(`${url.origin}/api/listEpisodes`, { method: 'POST', headers: { 'X-Shotline-Token': token }, body: '{"args":[]}' });
    expect(listed.status).toBe(200);
    expect(await listed.json()).toEqual({ result: [] });
    child.kill('SIGTERM');
    const result = await done;
    expect(result.code).toBe(0);
    expect(result.stderr).not.toContain(token);
  }, 60_000);

  it('refuses a bad port with a clear message (exit 2)', async () => {
    const result = await runCli(['studio', '--port', '70000', '--no-open']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--port: must be a whole number from 0 to 65535, got "70000"');
    expect(() => parseStudioArgs(['--port', 'x'])).toThrow(/--port/);
    expect(() => parseStudioArgs(['extra'])).toThrow(/unexpected argument "extra"/);
    expect(parseStudioArgs(['--no-open', '--port', '8080'])).toEqual({ port: 8080, dataDir: undefined, open: false });
  }, 30_000);
});
