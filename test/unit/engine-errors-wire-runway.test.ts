/**
 * The real @runwayml/sdk against a loopback server that misbehaves. Runway keeps the
 * whole error body in `err.error` ({error:"human message"}), unlike openai.
 */
import RunwayML from '@runwayml/sdk';
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
  type MisbehavingServer,
} from './engine-errors-misbehaving-server';

const API_KEY = 'runway-secret-wire-ZYXWVUT9876543210';
let server: MisbehavingServer;
beforeAll(async () => {
  server = await startMisbehavingServer();
});
afterAll(() => server.close());

function client(port = server.port, timeout = 10_000): RunwayML {
  return new RunwayML({ apiKey: API_KEY, baseURL: `http://127.0.0.1:${port}`, maxRetries: 0, timeout });
}
const createTask = (runway: RunwayML, signal?: AbortSignal) =>
  runway.textToVideo.create({ model: 'gen4.5', promptText: 'a fox at dawn', ratio: '1280:720', duration: 5 }, { signal });

async function classified(operation: EngineOperation, call: Promise<unknown>, userSignal?: AbortSignal) {
  const error = classifyThrown(await thrownBy(call), { provider: 'runway', operation, userSignal, secrets: [API_KEY] });
  expect(error.message).not.toContain(API_KEY);
  return error;
}

describe('@runwayml/sdk on the wire', () => {
  it('429 with an HTTP-date Retry-After: rate_limited, the wait, no job', async () => {
    server.behave(answerJson(429, { error: 'You have exceeded your daily task limit.' }, { 'retry-after': new Date(Date.now() + 60_000).toUTCString() }));
    const error = await classified('submit', createTask(client()));
    expect(error.kind).toBe('rate_limited');
    expect(error.details.retryAfterMs).toBeGreaterThanOrEqual(58_000);
    expect(error.details.retryAfterMs).toBeLessThanOrEqual(60_000);
    expect(error.details).toMatchObject({ jobMayExist: false, httpStatus: 429 });
    expect(error.message).toContain('daily task limit');
  });

  it('429 with retry-after-ms on a poll', async () => {
    server.behave(answerJson(429, { error: 'Too many requests' }, { 'retry-after-ms': '750.5' }));
    expect(await classified('poll', client().tasks.retrieve('17f2-task'))).toMatchObject({ kind: 'rate_limited', details: { retryAfterMs: 751 } });
  });

  it('400 bodies: a plain message is invalid_request, a SAFETY failure code is content_policy, no credits is quota', async () => {
    server.behave(answerJson(400, { error: 'Invalid ratio for gen4.5' }));
    expect(await classified('submit', createTask(client()))).toMatchObject({ kind: 'invalid_request', details: { jobMayExist: false } });
    server.behave(answerJson(400, { error: 'Prompt not allowed', failureCode: 'SAFETY.INPUT.TEXT' }));
    expect(await classified('submit', createTask(client()))).toMatchObject({ kind: 'content_policy', details: { providerCode: 'SAFETY.INPUT.TEXT' } });
    server.behave(answerJson(400, { error: 'You do not have enough credits to run this task.' }));
    expect((await classified('submit', createTask(client()))).kind).toBe('quota_exhausted');
  });

  it('404 on a poll (unknown task): invalid_request', async () => {
    server.behave(answerJson(404, { error: 'Task not found' }));
    expect((await classified('poll', client().tasks.retrieve('nope'))).kind).toBe('invalid_request');
  });

  it('502 and 504: the job may exist; 503: it does not', async () => {
    server.behave(answerText(502, 'Bad Gateway'));
    expect(await classified('submit', createTask(client()))).toMatchObject({ kind: 'unavailable', details: { jobMayExist: true } });
    server.behave(answerText(504, 'Gateway Timeout'));
    expect(await classified('submit', createTask(client()))).toMatchObject({ kind: 'timeout', details: { jobMayExist: true } });
    server.behave(answerJson(503, { error: 'Shedding load' }, { 'retry-after': '20' }));
    expect(await classified('submit', createTask(client()))).toMatchObject({ kind: 'unavailable', details: { jobMayExist: false, retryAfterMs: 20_000 } });
  });

  it('401 that echoes the Authorization header: auth, secret not in the message', async () => {
    server.behave((request, _body, response) => {
      response.writeHead(401, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: `Invalid API key in header ${request.headers.authorization}` }));
    });
    expect((await classified('poll', client().tasks.retrieve('t'))).kind).toBe('auth');
  });

  it('socket destroyed after the request arrived: unavailable, the job may exist', async () => {
    server.behave(destroySocketAfterBody);
    expect(await classified('submit', createTask(client()))).toMatchObject({ kind: 'unavailable', details: { jobMayExist: true } });
  });

  it('connection refused: unavailable, no job', async () => {
    expect(await classified('submit', createTask(client(await closedPort())))).toMatchObject({ kind: 'unavailable', details: { jobMayExist: false } });
  });

  it("hangs: the SDK's timeout and the boundary's signal are both timeouts; the user's Cancel is cancelled", async () => {
    server.behave(hangForever);
    expect(await classified('submit', createTask(client(server.port, 150)))).toMatchObject({ kind: 'timeout', details: { jobMayExist: true } });
    const user = new AbortController();
    expect(await classified('poll', client().tasks.retrieve('t', { signal: AbortSignal.any([user.signal, AbortSignal.timeout(150)]) }), user.signal)).toMatchObject({ kind: 'timeout' });
    setTimeout(() => user.abort(), 50);
    expect(await classified('submit', createTask(client(), user.signal), user.signal)).toMatchObject({ kind: 'cancelled', details: { jobMayExist: true } });
  });

  it('garbage JSON in a 200: unavailable, the job may exist', async () => {
    server.behave(answerText(200, '{"id": ', { 'content-type': 'application/json' }));
    expect(await classified('submit', createTask(client()))).toMatchObject({ kind: 'unavailable', details: { jobMayExist: true } });
  });
});
