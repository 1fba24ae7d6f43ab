/**
 * The real openai SDK (6.x) against a loopback server that misbehaves: what it throws,
 * and what the classifier makes of it.
 */
import OpenAI from 'openai';
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

const API_KEY = 'sk-test-wire-0123456789abcdefghij';
let server: MisbehavingServer;
beforeAll(async () => {
  server = await startMisbehavingServer();
});
afterAll(() => server.close());

function client(port = server.port, timeout = 10_000): OpenAI {
  return new OpenAI({ apiKey: API_KEY, baseURL: `http://127.0.0.1:${port}/v1`, maxRetries: 0, timeout });
}
const createVideo = (openai: OpenAI, signal?: AbortSignal) => openai.videos.create({ model: 'sora-2', prompt: 'a fox at dawn', seconds: '4' }, { signal });

async function classified(operation: EngineOperation, call: Promise<unknown>, userSignal?: AbortSignal) {
  const error = classifyThrown(await thrownBy(call), { provider: 'openai', operation, userSignal, secrets: [API_KEY] });
  expect(error.message).not.toContain(API_KEY);
  return error;
}

describe('openai SDK on the wire', () => {
  it('429 with an HTTP-date Retry-After: rate_limited, the wait, no job', async () => {
    server.behave(answerJson(429, { error: { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded', param: null } }, { 'retry-after': new Date(Date.now() + 30_000).toUTCString() }));
    const error = await classified('submit', createVideo(client()));
    expect(error.kind).toBe('rate_limited');
    expect(error.details.retryAfterMs).toBeGreaterThanOrEqual(28_000);
    expect(error.details.retryAfterMs).toBeLessThanOrEqual(30_000);
    expect(error.details).toMatchObject({ httpStatus: 429, jobMayExist: false, providerCode: 'rate_limit_exceeded' });
  });

  it('429 with retry-after-ms on a poll', async () => {
    server.behave(answerJson(429, { error: { message: 'slow down', type: 'requests', code: null, param: null } }, { 'retry-after-ms': '1500' }));
    const error = await classified('poll', client().videos.retrieve('video_123'));
    expect(error).toMatchObject({ kind: 'rate_limited', details: { retryAfterMs: 1500, httpStatus: 429 } });
  });

  it('429 insufficient_quota: quota_exhausted', async () => {
    server.behave(answerJson(429, { error: { message: 'You exceeded your current quota, please check your plan and billing details.', type: 'insufficient_quota', code: 'insufficient_quota', param: null } }));
    expect((await classified('submit', createVideo(client()))).kind).toBe('quota_exhausted');
  });

  it('502 from a gateway: unavailable, and the job may exist', async () => {
    server.behave(answerText(502, '<html><head><title>502 Bad Gateway</title></head></html>', { 'content-type': 'text/html' }));
    const error = await classified('submit', createVideo(client()));
    expect(error).toMatchObject({ kind: 'unavailable', details: { httpStatus: 502, jobMayExist: true } });
    expect(error.message).toContain('502 Bad Gateway');
  });

  it('400 moderation_blocked: content_policy; 400 with a bad parameter: invalid_request', async () => {
    server.behave(answerJson(400, { error: { message: 'Your request was blocked by our moderation system.', type: 'invalid_request_error', code: 'moderation_blocked', param: null } }));
    expect(await classified('submit', createVideo(client()))).toMatchObject({ kind: 'content_policy', details: { jobMayExist: false } });
    server.behave(answerJson(400, { error: { message: "Invalid type for 'seconds'", type: 'invalid_request_error', code: null, param: 'seconds' } }));
    expect((await classified('submit', createVideo(client()))).kind).toBe('invalid_request');
  });

  it('401 that echoes the key back: auth, key not in the message', async () => {
    server.behave((request, _body, response) => {
      response.writeHead(401, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { message: `Incorrect API key provided: ${request.headers.authorization}`, type: 'invalid_request_error', code: 'invalid_api_key', param: null } }));
    });
    const error = await classified('poll', client().videos.retrieve('video_123'));
    expect(error.kind).toBe('auth');
    expect(error.message).toContain('Incorrect API key provided');
  });

  it('socket destroyed after the request arrived: unavailable, the job may exist', async () => {
    server.behave(destroySocketAfterBody);
    expect(await classified('submit', createVideo(client()))).toMatchObject({ kind: 'unavailable', details: { jobMayExist: true } });
  });

  it('connection refused: unavailable, no job', async () => {
    const error = await classified('submit', createVideo(client(await closedPort())));
    expect(error).toMatchObject({ kind: 'unavailable', details: { jobMayExist: false } });
    expect(error.message).toContain('ECONNREFUSED');
  });

  it("the SDK's own timeout: timeout, the job may exist", async () => {
    server.behave(hangForever);
    expect(await classified('submit', createVideo(client(server.port, 150)))).toMatchObject({ kind: 'timeout', details: { jobMayExist: true } });
  });

  it("the boundary's signal: timeout when our limit fired, cancelled when the user did", async () => {
    server.behave(hangForever);
    const user = new AbortController();
    expect(await classified('submit', createVideo(client(), AbortSignal.any([user.signal, AbortSignal.timeout(150)])), user.signal)).toMatchObject({
      kind: 'timeout',
      details: { jobMayExist: true },
    });
    setTimeout(() => user.abort(), 50);
    expect(await classified('submit', createVideo(client(), user.signal), user.signal)).toMatchObject({ kind: 'cancelled', details: { jobMayExist: true } });
  });

  it('garbage JSON in a 200: unavailable, the job may exist', async () => {
    server.behave(answerText(200, '{"id": "video_1", oops', { 'content-type': 'application/json' }));
    const error = await classified('submit', createVideo(client()));
    expect(error).toMatchObject({ kind: 'unavailable', details: { jobMayExist: true } });
    expect(error.message).toContain('not valid JSON');
  });

  it('a body cut off mid-answer: unavailable, the job may exist', async () => {
    server.behave(truncateBody);
    expect(await classified('submit', createVideo(client()))).toMatchObject({ kind: 'unavailable', details: { jobMayExist: true } });
  });
});
