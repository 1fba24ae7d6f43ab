/** Kling's envelope read by callKling: HTTP status and body code both count (fetch replaced by canned answers). */
import { describe, expect, it } from 'vitest';
import { EngineError } from '../../src/shared/errors';
import { callKling, type KlingCall } from '../../src/main/engines/kling/client';
import type { EngineOperation } from '../../src/main/engines/errors';

const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJBSyJ9.c2lnbmF0dXJlLXZhbHVl';
const SECRET = 'SK-client-secret-000111222';

function answering(status: number, body: string, headers: Record<string, string> = {}) {
  const seen: { url: string; init: RequestInit }[] = [];
  const fetch = (async (url: string, init: RequestInit) => {
    seen.push({ url, init });
    return new Response(body, { status, headers: { 'content-type': 'application/json', ...headers } });
  }) as unknown as typeof globalThis.fetch;
  return { connection: { baseUrl: 'https://kling.test', token: TOKEN, secrets: [SECRET, TOKEN], fetch }, seen };
}

const call = (operation: EngineOperation = 'submit'): KlingCall => ({
  method: operation === 'submit' ? 'POST' : 'GET',
  path: operation === 'submit' ? '/v1/videos/text2video' : '/v1/videos/text2video/1',
  ...(operation === 'submit' ? { body: { prompt: 'x' } } : {}),
  signal: new AbortController().signal,
  operation,
});

async function thrown(promise: Promise<unknown>): Promise<EngineError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(EngineError);
  return error as EngineError;
}

describe('callKling', () => {
  it('sends the JWT as a Bearer token and the body as JSON; answers the envelope\'s data', async () => {
    const { connection, seen } = answering(200, JSON.stringify({ code: 0, message: 'SUCCEED', request_id: 'r', data: { task_id: '42', task_status: 'submitted' } }));
    expect(await callKling(connection, call())).toEqual({ task_id: '42', task_status: 'submitted' });
    expect(seen[0]!.url).toBe('https://kling.test/v1/videos/text2video');
    expect(seen[0]!.init.headers).toMatchObject({ authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' });
    expect(seen[0]!.init.body).toBe('{"prompt":"x"}');
  });

  it.each([
    [200, 1303, 'rate_limited'],
    [200, 1102, 'quota_exhausted'],
    [200, 1301, 'content_policy'],
    [200, 9999, 'unavailable'],
    [429, 1101, 'quota_exhausted'],
    [400, 1201, 'invalid_request'],
    [401, 1004, 'auth'],
    [504, 5002, 'timeout'],
  ] as const)('HTTP %i with code %i: %s, and the create made nothing', async (status, code, kind) => {
    const { connection } = answering(status, JSON.stringify({ code, message: `refused (code ${code})`, request_id: 'r' }), { 'retry-after': '2' });
    const error = await thrown(callKling(connection, call()));
    expect(error).toMatchObject({ kind, details: { providerCode: String(code), httpStatus: status, retryAfterMs: 2000 } });
    expect(error.details.jobMayExist).toBe(status === 504);
  });

  it.each([
    ['not JSON', '<html>gateway</html>'],
    ['cut off', '{"code":0,"message":"SUCCEED","data":{"task_'],
    ['not an envelope', '{"task_id":"1"}'],
    ['code 0 without data', '{"code":0,"message":"SUCCEED","request_id":"r"}'],
    ['empty', ''],
  ])('a 200 that is %s: unavailable; for a create the task may exist', async (_what, body) => {
    const { connection } = answering(200, body);
    expect(await thrown(callKling(connection, call('submit')))).toMatchObject({ kind: 'unavailable', details: { jobMayExist: true } });
    const { connection: again } = answering(200, body);
    const pollError = await thrown(callKling(again, call('poll')));
    expect(pollError.kind).toBe('unavailable');
    expect(pollError.details.jobMayExist).toBeUndefined();
  });

  it('an error body that echoes the token or the secret: neither reaches the message', async () => {
    const { connection } = answering(401, JSON.stringify({ code: 1002, message: `bad token ${TOKEN} signed with ${SECRET}`, request_id: 'r' }));
    const error = await thrown(callKling(connection, call()));
    expect(error.kind).toBe('auth');
    expect(error.message).not.toContain(TOKEN);
    expect(error.message).not.toContain(SECRET);
  });
});
