/**
 * The loopback bridge on a real studio: the token on every /api route, /media and the
 * WebSocket; Host and Origin checked against DNS rebinding; the same argument checks as
 * IPC; events pushed; media only from the data folder, with ranges.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startBridge, type Bridge } from '../../src/main/bridge/server';
import { createStudio, type Studio } from '../../src/main/studio';
import { stopRenders } from '../support/stop-renders';

let dir: string;
let dataDir: string;
let studio: Studio;
let bridge: Bridge;
let rendererDir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shotline bridge «test» '));
  dataDir = join(dir, 'data ☂');
  rendererDir = join(dir, 'renderer');
  mkdirSync(join(rendererDir, 'assets'), { recursive: true });
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Shotline</title>');
  writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
  studio = await createStudio({ dataDir, env: { PATH: process.env.PATH } });
  bridge = await startBridge({ api: studio.api, dataDir, rendererDir });
}, 30_000);
afterAll(async () => {
  await bridge?.close();
  // The render the last test started may still be writing its animatic clip.
  if (studio) await stopRenders(studio.api, { cancel: true });
  studio?.close();
  await rm(dir, { recursive: true, force: true, maxRetries: 5 });
}, 60_000);

/** A raw request, so Host and Origin can be anything (fetch would set its own). */
function send(path: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: bridge.port, path, method: options.method ?? 'GET', headers: { Host: `127.0.0.1:${bridge.port}`, ...options.headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('latin1'), headers: res.headers }));
    });
    req.once('error', reject);
    req.end(options.body);
  });
}

const api = (method: string, args: unknown[], headers: Record<string, string> = { 'X-Shotline-Token': bridge.token }) =>
  send(`/api/${method}`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify({ args }) });

describe('the loopback bridge', () => {
  it('listens on 127.0.0.1 only and prints an address with the token', () => {
    expect(bridge.url).toBe(`http://127.0.0.1:${bridge.port}/?token=${bridge.token}`);
    expect(bridge.token.length).toBeGreaterThanOrEqual(40);
  });

  it('refuses /api without the token or with a wrong one (401), and answers with it', async () => {
    expect((await api('listEngines', [], {})).status).toBe(401);
    expect((await api('listEngines', [], { 'X-Shotline-Token': `${bridge.token.slice(0, -1)}x` })).status).toBe(401);
    expect((await send(`/api/listEngines?token=${bridge.token}`, { method: 'POST', body: '{"args":[]}' })).status).toBe(401);
    const ok = await api('listEngines', [], { Authorization: `Bearer ${bridge.token}` });
    expect(ok.status).toBe(200);
    expect((JSON.parse(ok.body) as { result: { spec: { id: string } }[] }).result.map((row) => row.spec.id)).toContain('animatic');
  });

  it('refuses a foreign Host (DNS rebinding) and a foreign Origin with 403, on the page too', async () => {
    expect((await send('/', { headers: { Host: `evil.example:${bridge.port}` } })).status).toBe(403);
    expect((await api('listEngines', [], { 'X-Shotline-Token': bridge.token, Host: `evil.example:${bridge.port}` })).status).toBe(403);
    expect((await api('listEngines', [], { 'X-Shotline-Token': bridge.token, Origin: 'http://evil.example' })).status).toBe(403);
    expect((await api('listEngines', [], { 'X-Shotline-Token': bridge.token, Origin: `http://localhost:${bridge.port}` })).status).toBe(200);
  });

  it('checks arguments as IPC does: 400 naming the argument; unknown methods 404; bad JSON 400', async () => {
    const bad = await api('approveShots', ['ep-1', 42]);
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body).error.message).toMatch(/^studio:approve-shots: shots: /);
    const budget = await api('planEpisode', ['board.yaml', { budgetUsd: -1 }]);
    expect(JSON.parse(budget.body).error.message).toMatch(/options\.budgetUsd/);
    expect((await api('constructor', [])).status).toBe(404);
    expect((await api('onProgress', [])).status).toBe(404);
    const notJson = await send('/api/listEngines', { method: 'POST', headers: { 'X-Shotline-Token': bridge.token }, body: '{args' });
    expect(notJson.status).toBe(400);
    expect(JSON.parse(notJson.body).error.message).toMatch(/not JSON/);
    expect((await send('/api/listEngines', { headers: { 'X-Shotline-Token': bridge.token } })).status).toBe(405);
    const huge = await send('/api/openStoryboard', { method: 'POST', headers: { 'X-Shotline-Token': bridge.token }, body: 'x'.repeat(41 * 1024 * 1024) });
    expect(huge.status).toBe(413);
    const missing = await api('getEpisode', ['no-such-episode']);
    expect(missing.status).toBe(400);
    expect(JSON.parse(missing.body).error.message).toContain('no episode no-such-episode');
  });

  it('serves the page and its assets without the token, with a CSP, and nothing outside the renderer', async () => {
    const page = await send('/?token=whatever');
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect((await send('/assets/app.js')).status).toBe(200);
    expect((await send('/../../etc/passwd')).status).toBe(404);
    expect((await send('/%2e%2e/%2e%2e/etc/passwd')).status).toBe(404);
  });

  it('media: the token, files of the data folder only, ranges', async () => {
    const clipDir = join(dataDir, 'media', 'clip «1» "q"');
    mkdirSync(clipDir, { recursive: true });
    const clip = join(clipDir, 'take ☂.mp4');
    writeFileSync(clip, Buffer.from(Array.from({ length: 100 }, (_, i) => i)));
    const url = (path: string, token = bridge.token) => `/media?path=${encodeURIComponent(path)}&token=${encodeURIComponent(token)}`;
    expect((await send(url(clip, 'wrong'))).status).toBe(401);
    const noToken = await send(`/media?path=${encodeURIComponent(clip)}`);
    expect(noToken.status).toBe(401);
    expect(noToken.headers['cache-control']).toBe('no-store');
    const whole = await send(url(clip));
    expect(whole.status).toBe(200);
    expect(whole.headers['content-type']).toBe('video/mp4');
    expect(whole.body.length).toBe(100);
    const part = await send(url(clip), { headers: { Range: 'bytes=10-19' } });
    expect(part.status).toBe(206);
    expect(part.headers['content-range']).toBe('bytes 10-19/100');
    expect([...Buffer.from(part.body, 'latin1')]).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    expect((await send(url(clip), { headers: { Range: 'bytes=200-' } })).status).toBe(416);
    const outside = join(dir, 'secret.txt');
    writeFileSync(outside, 'not yours');
    expect((await send(url(outside))).status).toBe(403);
    expect((await send(url(join(dataDir, '..', 'secret.txt')))).status).toBe(403);
    symlinkSync(outside, join(dataDir, 'link.txt'));
    expect((await send(url(join(dataDir, 'link.txt')))).status).toBe(403);
    expect((await send(url(join(dataDir, 'none.mp4')))).status).toBe(404);
  });

  it('the WebSocket: refused without the token (401) or from a foreign origin (403); pushes progress events', async () => {
    const refused = (address: string, headers: Record<string, string> = {}) =>
      new Promise<number>((resolve) => {
        const socket = new WebSocket(address, { headers });
        socket.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        socket.on('open', () => resolve(101));
        socket.on('error', () => undefined);
      });
    expect(await refused(`ws://127.0.0.1:${bridge.port}/ws`)).toBe(401);
    expect(await refused(`ws://127.0.0.1:${bridge.port}/ws?token=${bridge.token}`, { Origin: 'http://evil.example' })).toBe(403);

    const socket = new WebSocket(`ws://127.0.0.1:${bridge.port}/ws?token=${bridge.token}`);
    const received = new Promise<{ type: string; event: { type: string; shotId?: string } }>((resolve) =>
      socket.on('message', (data) => {
        const message = JSON.parse(String(data)) as { type: string; event: { type: string; shotId?: string } };
        if (message.event.type === 'shot') resolve(message);
      }),
    );
    await new Promise((resolve) => socket.once('open', resolve));
    const board = join(dir, 'board.yaml');
    writeFileSync(board, 'title: Bridge\nmode: preview\noutput: { resolution: 480p }\nshots:\n  - { id: s1, kind: insert, prompt: "a gull", duration: 1 }\n');
    const started = await api('startRender', [board, { outputPath: join(dir, 'out.mp4'), sign: false }]);
    expect(started.status).toBe(200);
    const message = await received;
    expect(message.type).toBe('progress');
    expect(message.event).toMatchObject({ type: 'shot', shotId: 's1' });
    socket.close();
  }, 60_000);
});
