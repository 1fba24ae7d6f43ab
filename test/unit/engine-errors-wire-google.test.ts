/**
 * The real @google/genai 2.x (Veo on the Gemini API) against a loopback server that
 * misbehaves. Its ApiError carries only a status and the JSON body as its message: no
 * headers, so a Retry-After never reaches us.
 */
import { GenerateVideosOperation, GoogleGenAI } from '@google/genai';
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

const API_KEY = 'AIzaSyWireTest-0123456789abcdefghijk';
let server: MisbehavingServer;
beforeAll(async () => {
  server = await startMisbehavingServer();
});
afterAll(() => server.close());

function client(port = server.port, timeout?: number): GoogleGenAI {
  return new GoogleGenAI({ apiKey: API_KEY, httpOptions: { baseUrl: `http://127.0.0.1:${port}`, ...(timeout ? { timeout } : {}) } });
}
const generate = (ai: GoogleGenAI, abortSignal?: AbortSignal) =>
  ai.models.generateVideos({ model: 'veo-3.1-generate-preview', source: { prompt: 'a fox at dawn' }, config: { abortSignal } });
function pollOperation(ai: GoogleGenAI) {
  const operation = new GenerateVideosOperation();
  operation.name = 'models/veo-3.1-generate-preview/operations/abc123';
  return ai.operations.getVideosOperation({ operation });
}

async function classified(operation: EngineOperation, call: Promise<unknown>, userSignal?: AbortSignal) {
  const error = classifyThrown(await thrownBy(call), { provider: 'google', operation, userSignal, secrets: [API_KEY] });
  expect(error.message).not.toContain(API_KEY);
  return error;
}

const googleError = (code: number, status: string, message: string, details?: unknown[]) => ({ error: { code, message, status, ...(details ? { details } : {}) } });

describe('@google/genai on the wire', () => {
  it('429 RESOURCE_EXHAUSTED: rate_limited (not quota), and the Retry-After is lost by the SDK', async () => {
    server.behave(
      answerJson(429, googleError(429, 'RESOURCE_EXHAUSTED', 'You exceeded your current quota, please check your plan and billing details.'), {
        'retry-after': new Date(Date.now() + 30_000).toUTCString(),
        'retry-after-ms': '30000',
      }),
    );
    const error = await classified('submit', generate(client()));
    expect(error.kind).toBe('rate_limited');
    expect(error.details).toMatchObject({ httpStatus: 429, providerCode: 'RESOURCE_EXHAUSTED', jobMayExist: false });
    expect(error.details.retryAfterMs).toBeUndefined();
  });

  it('400 INVALID_ARGUMENT is invalid_request; 400 API_KEY_INVALID is auth', async () => {
    server.behave(answerJson(400, googleError(400, 'INVALID_ARGUMENT', 'durationSeconds must be 8 for 1080p')));
    expect(await classified('submit', generate(client()))).toMatchObject({ kind: 'invalid_request', details: { jobMayExist: false } });
    server.behave(
      answerJson(400, googleError(400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.', [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID' }])),
    );
    expect((await classified('submit', generate(client()))).kind).toBe('auth');
  });

  it('403 PERMISSION_DENIED on a poll that echoes the key header: auth, key not in the message', async () => {
    server.behave((request, _body, response) => {
      response.writeHead(403, { 'content-type': 'application/json' });
      response.end(JSON.stringify(googleError(403, 'PERMISSION_DENIED', `Permission denied for x-goog-api-key: ${String(request.headers['x-goog-api-key'])}`)));
    });
    expect(await classified('poll', pollOperation(client()))).toMatchObject({ kind: 'auth', details: { httpStatus: 403 } });
  });

  it('502 with a text body (the SDK wraps it as {error:{message}}): unavailable, the job may exist', async () => {
    server.behave(answerText(502, 'Bad Gateway', { 'content-type': 'text/plain' }));
    const error = await classified('submit', generate(client()));
    expect(error).toMatchObject({ kind: 'unavailable', details: { httpStatus: 502, jobMayExist: true } });
    expect(error.message).toContain('Bad Gateway');
  });

  it('502 with garbage under a JSON content type: the SDK throws a SyntaxError, still unavailable with the job possible', async () => {
    server.behave(answerText(502, '<html>bad gateway', { 'content-type': 'application/json' }));
    expect(await classified('submit', generate(client()))).toMatchObject({ kind: 'unavailable', details: { jobMayExist: true } });
  });

  it('socket destroyed after the request arrived: unavailable, the job may exist', async () => {
    server.behave(destroySocketAfterBody);
    expect(await classified('submit', generate(client()))).toMatchObject({ kind: 'unavailable', details: { jobMayExist: true } });
  });

  it('connection refused: unavailable, no job', async () => {
    expect(await classified('submit', generate(client(await closedPort())))).toMatchObject({ kind: 'unavailable', details: { jobMayExist: false } });
  });

  it("hangs: the SDK's timeout (a bare AbortError) is a timeout; the user's Cancel is cancelled", async () => {
    server.behave(hangForever);
    expect(await classified('submit', generate(client(server.port, 150)), new AbortController().signal)).toMatchObject({ kind: 'timeout', details: { jobMayExist: true } });
    const user = new AbortController();
    setTimeout(() => user.abort(), 50);
    expect(await classified('submit', generate(client(), user.signal), user.signal)).toMatchObject({ kind: 'cancelled', details: { jobMayExist: true } });
  });

  it('garbage JSON in a 200, and a body cut off mid-answer: unavailable, the job may exist', async () => {
    server.behave(answerText(200, '{"name": ', { 'content-type': 'application/json' }));
    expect(await classified('submit', generate(client()))).toMatchObject({ kind: 'unavailable', details: { jobMayExist: true } });
    server.behave(truncateBody);
    expect(await classified('submit', generate(client()))).toMatchObject({ kind: 'unavailable', details: { jobMayExist: true } });
  });
});
