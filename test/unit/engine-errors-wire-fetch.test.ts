/**
 * Plain fetch (undici), as the Kling and ComfyUI adapters and every CDN download use it,
 * against a loopback server that misbehaves. Adapters read failed responses with
 * engineErrorFromResponse and hand throws to classifyThrown.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyThrown, engineErrorFromResponse, type EngineCallContext, type EngineOperation } from '../../src/main/engines/errors';
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

const ACCESS_KEY = 'kling-access-AK0123456789';
const SECRET_KEY = 'kling-secret-SK9876543210zyx';

/** Kling's per-request HS256 JWT, as the adapter will mint it. */
function klingJwt(): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const unsigned = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode({ iss: ACCESS_KEY, exp: now + 1800, nbf: now - 5 })}`;
  return `${unsigned}.${createHmac('sha256', SECRET_KEY).update(unsigned).digest('base64url')}`;
}

let server: MisbehavingServer;
beforeAll(async () => {
  server = await startMisbehavingServer();
});
afterAll(() => server.close());

const context = (operation: EngineOperation, provider = 'kling'): EngineCallContext => ({ provider, operation, secrets: [ACCESS_KEY, SECRET_KEY] });

function submitToKling(port = server.port, signal?: AbortSignal): Promise<Response> {
  return fetch(`http://127.0.0.1:${port}/v1/videos/text2video`, {
    method: 'POST',
    headers: { authorization: `Bearer ${klingJwt()}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model_name: 'kling-v2-6', prompt: 'a fox at dawn', duration: '5', external_task_id: 'attempt-1' }),
    signal,
  });
}

/** What an adapter does with an answer: a failed one becomes an EngineError, a good one is parsed. */
async function klingSubmitOutcome(port = server.port, signal?: AbortSignal) {
  const response = await submitToKling(port, signal);
  if (!response.ok) return engineErrorFromResponse(response, context('submit'));
  return response.json() as Promise<unknown>;
}

async function classifiedThrow(operation: EngineOperation, call: Promise<unknown>, userSignal?: AbortSignal) {
  return classifyThrown(await thrownBy(call), { ...context(operation), userSignal });
}

describe('Kling over fetch: error envelopes', () => {
  it('429 code 1303 with Retry-After as an HTTP-date: rate_limited, the wait, no job', async () => {
    server.behave(answerJson(429, { code: 1303, message: 'parallel task over resource pack limit', request_id: 'r1' }, { 'retry-after': new Date(Date.now() + 20_000).toUTCString() }));
    const error = await klingSubmitOutcome();
    expect(error).toMatchObject({ kind: 'rate_limited', details: { providerCode: '1303', httpStatus: 429, jobMayExist: false } });
    const wait = (error as { details: { retryAfterMs?: number } }).details.retryAfterMs;
    expect(wait).toBeGreaterThanOrEqual(18_000);
    expect(wait).toBeLessThanOrEqual(20_000);
  });

  it.each([
    [429, 1102, 'quota_exhausted'],
    [429, 1101, 'quota_exhausted'],
    [429, 1304, 'auth'],
    [400, 1301, 'content_policy'],
    [400, 1201, 'invalid_request'],
    [503, 5001, 'unavailable'],
  ] as const)('HTTP %i code %i: %s', async (status, code, kind) => {
    server.behave(answerJson(status, { code, message: `code ${code}`, request_id: 'r' }));
    expect(await klingSubmitOutcome()).toMatchObject({ kind, details: { providerCode: String(code), jobMayExist: false } });
  });

  it('401 that echoes the JWT: auth, neither the JWT nor the keys in the message', async () => {
    server.behave((request, _body, response) => {
      response.writeHead(401, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ code: 1004, message: `token invalid: ${request.headers.authorization} iss=${ACCESS_KEY}`, request_id: 'r' }));
    });
    const error = await klingSubmitOutcome();
    expect(error).toMatchObject({ kind: 'auth' });
    const message = (error as Error).message;
    expect(message).not.toMatch(/eyJ/);
    expect(message).not.toContain(ACCESS_KEY);
  });
});

describe('ComfyUI and CDN downloads over fetch', () => {
  it('ComfyUI 400 with node_errors: invalid_request naming the node', async () => {
    server.behave(
      answerJson(400, {
        error: { type: 'prompt_outputs_failed_validation', message: 'Prompt outputs failed validation', details: '', extra_info: {} },
        node_errors: { '4': { errors: [{ type: 'value_not_in_list', message: 'Value not in list', details: 'ckpt_name' }], class_type: 'CheckpointLoaderSimple' } },
      }),
    );
    const response = await fetch(`${server.origin}/prompt`, { method: 'POST', body: '{}' });
    const error = await engineErrorFromResponse(response, context('submit', 'comfyui'));
    expect(error).toMatchObject({ kind: 'invalid_request', details: { providerCode: 'prompt_outputs_failed_validation', jobMayExist: false } });
    expect(error.message).toContain('CheckpointLoaderSimple');
  });

  it('a signed download URL that expired (403 from S3): expired_output, signature not in the message', async () => {
    server.behave(answerText(403, '<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>', { 'content-type': 'application/xml' }));
    const response = await fetch(`${server.origin}/clip.mp4?X-Amz-Signature=deadbeef1234&X-Amz-Expires=60`);
    const error = await engineErrorFromResponse(response, context('download'));
    expect(error.kind).toBe('expired_output');
    expect(error.message).not.toContain('deadbeef1234');
  });
});

describe('fetch failures thrown', () => {
  it('socket destroyed after the request arrived: unavailable, the job may exist', async () => {
    server.behave(destroySocketAfterBody);
    expect(await classifiedThrow('submit', klingSubmitOutcome())).toMatchObject({ kind: 'unavailable', details: { jobMayExist: true } });
  });

  it('connection refused: unavailable, no job', async () => {
    const error = await classifiedThrow('submit', klingSubmitOutcome(await closedPort()));
    expect(error).toMatchObject({ kind: 'unavailable', details: { jobMayExist: false } });
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('hang: AbortSignal.timeout is a timeout; the user cancelling is cancelled; both may have made the job', async () => {
    server.behave(hangForever);
    const user = new AbortController();
    const limit = AbortSignal.any([user.signal, AbortSignal.timeout(150)]);
    expect(await classifiedThrow('submit', klingSubmitOutcome(server.port, limit), user.signal)).toMatchObject({ kind: 'timeout', details: { jobMayExist: true } });
    setTimeout(() => user.abort(), 50);
    expect(await classifiedThrow('submit', klingSubmitOutcome(server.port, user.signal), user.signal)).toMatchObject({ kind: 'cancelled', details: { jobMayExist: true } });
  });

  it('garbage JSON in a 200 and a body cut off mid-answer: unavailable, the job may exist', async () => {
    server.behave(answerText(200, '{"code":0,"data":', { 'content-type': 'application/json' }));
    expect(await classifiedThrow('submit', klingSubmitOutcome())).toMatchObject({ kind: 'unavailable', details: { jobMayExist: true } });
    server.behave(truncateBody);
    expect(await classifiedThrow('submit', klingSubmitOutcome())).toMatchObject({ kind: 'unavailable', details: { jobMayExist: true } });
  });
});
