import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Connectivity, engineEndpoint, tcpProbe, type Probe } from '../../src/main/pipeline/connectivity';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function listening(): Promise<URL> {
  const server = createServer((socket) => socket.end());
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return new URL(`http://127.0.0.1:${address.port}`);
}

describe('engineEndpoint', () => {
  it('the registry base URL wins over the SDK variable, which wins over the public endpoint; the animatic needs none', () => {
    expect(engineEndpoint({ provider: 'runway', baseUrl: 'http://proxy.local:9000' }, { RUNWAYML_BASE_URL: 'http://127.0.0.1:1' })?.host).toBe('proxy.local:9000');
    expect(engineEndpoint({ provider: 'runway' }, { RUNWAYML_BASE_URL: 'http://127.0.0.1:1' })?.host).toBe('127.0.0.1:1');
    expect(engineEndpoint({ provider: 'luma' }, {})?.hostname).toBe('api.lumalabs.ai');
    expect(engineEndpoint({ provider: 'animatic' }, {})).toBeNull();
  });
});

describe('tcpProbe', () => {
  it('answers true for a listening port and false for a refused one', async () => {
    const open = await listening();
    expect(await tcpProbe(open, new AbortController().signal)).toBe(true);
    const closed = await listening();
    await new Promise((resolve) => servers.pop()!.close(resolve));
    expect(await tcpProbe(closed, new AbortController().signal)).toBe(false);
  });
});

describe('Connectivity', () => {
  it('goes offline when no endpoint answers, online when one does, telling each change once', async () => {
    const answers = [false, false, false, true];
    const probe: Probe = async () => answers.shift() ?? true;
    const changes: boolean[] = [];
    const connectivity = new Connectivity({ probe, onChange: (online) => changes.push(online), firstRetryMs: 5, maxRetryMs: 10 });
    const endpoint = new URL('http://192.0.2.1');
    expect(await connectivity.anyReachable([endpoint], new AbortController().signal)).toBe(false);
    expect(connectivity.online).toBe(false);
    await connectivity.waitUntilReachable([endpoint], new AbortController().signal);
    expect(connectivity.online).toBe(true);
    expect(changes).toEqual([false, true]);
    expect(answers).toEqual([]);
  });

  it('only local engines left: reachable without probing', async () => {
    const connectivity = new Connectivity({ probe: async () => { throw new Error('must not probe'); }, onChange: () => {} });
    expect(await connectivity.anyReachable([], new AbortController().signal)).toBe(true);
  });

  it('a cancel stops the wait', async () => {
    const connectivity = new Connectivity({ probe: async () => false, onChange: () => {}, firstRetryMs: 5, maxRetryMs: 5 });
    const controller = new AbortController();
    const waiting = connectivity.waitUntilReachable([new URL('http://192.0.2.1')], controller.signal);
    setTimeout(() => controller.abort(), 30);
    await expect(waiting).rejects.toThrow();
  });
});
