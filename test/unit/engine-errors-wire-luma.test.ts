/**
 * The real lumaai SDK (an older Stainless core on node-fetch: plain-object headers,
 * FetchError for network failures) against a loopback server that misbehaves.
 */
import LumaAI from 'lumaai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyThrown, type EngineOperation } from '../../src/main/engines/errors';
import {
  answerJson,
  answerText,
  closedPort,
  destroySocketAfterBody,
  hangForever,
  startMisbehavingServer,
  thrownBy,
  truncateBody,
  type MisbehavingServer,
} from './engine-errors-misbehaving-server';

const API_KEY = 'luma-wire-secret-0123456789ABCDEF';
let server: MisbehavingServer;
beforeAll(async () => {
  server = await startMisbehavingServer();
});
afterAll(() => server.close());

function client(port = server.port, timeout = 10_000): LumaAI {
  return new LumaAI({ authToken: API_KEY, baseURL: `http://127.0.0.1:${port}/dream-machine/v1`, maxRetries: 0, timeout });
}
const createGeneration = (luma: LumaAI, signal?: AbortSignal) => luma.generations.create({ prompt: 'a fox at dawn', model: 'ray-2' }, { signal });

async function classified(operation: EngineOperation, call: Promise<unknown>, userSignal?: AbortSignal) {
  const error = classifyThrown(await thrownBy(call), { provider: 'luma', operation, userSignal, secrets: [API_KEY] });
  expect(error.message).not.toContain(API_KEY);
  return error;
}

describe('lumaai SDK on the wire', () => {
  it('429 with an HTTP-date Retry-After (headers come as a plain object): rate_limited, the wait', async () => {
    server.behave(answerJson(429, { detail: 'Too many requests' }, { 'Retry-After': new Date(Date.now() + 30_000).toUTCString() }));
    const error = await classified('submit', createGeneration(client()));
    expect(error.kind).toBe('rate_limited');
    expect(error.details.retryAfterMs).toBeGreaterThanOrEqual(28_000);
    expect(error.details.retryAfterMs).toBeLessThanOrEqual(30_000);
    expect(error.details.jobMayExist).toBe(false);
  });

  it('429 with retry-after-ms on a poll', async () => {
    server.behave(answerJson(429, { detail: 'slow down' }, { 'retry-after-ms': '2000' }));
    expect(await classified('poll', client().generations.get('gen-1'))).toMatchObject({ kind: 'rate_limited', details: { retryAfterMs: 2000 } });
  });

  it('FastAPI bodies: a validation list is invalid_request, moderation words are content_policy, no credits is quota', async () => {
    server.behave(answerJson(422, { detail: [{ loc: ['body', 'aspect_ratio'], msg: 'unexpected value', type: 'value_error' }] }));
    const invalid = await classified('submit', createGeneration(client()));
    expect(invalid).toMatchObject({ kind: 'invalid_request', details: { httpStatus: 422, jobMayExist: false } });
    expect(invalid.message).toContain('body.aspect_ratio: unexpected value');
    server.behave(answerJson(400, { detail: 'Prompt failed moderation' }));
    expect((await classified('submit', createGeneration(client()))).kind).toBe('content_policy');
    server.behave(answerJson(400, { detail: 'Insufficient credits' }));
    expect((await classified('submit', createGeneration(client()))).kind).toBe('quota_exhausted');
  });

  it('502: unavailable, the job may exist', async () => {
    server.behave(answerText(502, 'upstream unavailable'));
    expect(await classified('submit', createGeneration(client()))).toMatchObject({ kind: 'unavailable', details: { jobMayExist: true } });
  });

  it('401 echoing the token: auth, token not in the message', async () => {
    server.behave((request, _body, response) => {
      response.writeHead(401, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ detail: `Invalid token: ${request.headers.authorization}` }));
    });
    expect((await classified('poll', client().generations.get('gen-1'))).kind).toBe('auth');
  });

  it('socket destroyed after the request arrived (node-fetch: "socket hang up", ECONNRESET): the job may exist', async () => {
    server.behave(destroySocketAfterBody);
    expect(await classified('submit', createGeneration(client()))).toMatchObject({ kind: 'unavailable', details: { jobMayExist: true } });
  });

  it('connection refused: unavailable, no job', async () => {
    expect(await classified('submit', createGeneration(client(await closedPort())))).toMatchObject({ kind: 'unavailable', details: { jobMayExist: false } });
  });

  it("hangs: the SDK's timeout and the boundary's signal are timeouts; the user's Cancel is cancelled", async () => {
    server.behave(hangForever);
    expect(await classified('submit', createGeneration(client(server.port, 150)))).toMatchObject({ kind: 'timeout', details: { jobMayExist: true } });
    const user = new AbortController();
    setTimeout(() => user.abort(), 50);
    expect(await classified('submit', createGeneration(client(), user.signal), user.signal)).toMatchObject({ kind: 'cancelled', details: { jobMayExist: true } });
  });

  it('garbage JSON in a 200 (node-fetch FetchError invalid-json): unavailable, the job may exist', async () => {
    server.behave(answerText(200, '{"id": ', { 'content-type': 'application/json' }));
    const error = await classified('submit', createGeneration(client()));
    expect(error).toMatchObject({ kind: 'unavailable', details: { jobMayExist: true } });
    expect(error.message).toContain('not valid JSON');
  });

  it('a body cut off mid-answer never settles on its own (timeout does not cover the body); only the boundary signal ends it', async () => {
    server.behave(truncateBody);
    const limit = new AbortController();
    let settled = false;
    const call = createGeneration(client(server.port, 100), limit.signal).finally(() => {
      settled = true;
    });
    call.catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(settled).toBe(false); // 4x the SDK timeout, still pending
    limit.abort();
    expect(await classified('submit', call, new AbortController().signal)).toMatchObject({ kind: 'timeout', details: { jobMayExist: true } });
  });
});
