import { APIConnectionError, APIConnectionTimeoutError, APIUserAbortError, InternalServerError, RateLimitError } from 'openai';
import { AbortError as RunwayPollingAbortError, TaskFailedError, TaskTimedOutError } from '@runwayml/sdk/lib/polling';
import { describe, expect, it } from 'vitest';
import { classifyThrown, type ThrownErrorContext } from '../../src/main/engines/errors';
import { CancelledError, EngineError } from '../../src/shared/errors';

const submit: ThrownErrorContext = { provider: 'acme', operation: 'submit' };
const poll: ThrownErrorContext = { provider: 'acme', operation: 'poll' };

function errnoError(code: string, syscall: string, message = `${syscall} ${code}`): Error {
  return Object.assign(new Error(message), { code, syscall, errno: -1 });
}

/** What undici's fetch throws: a TypeError whose cause (sometimes the cause's cause) names the reason. */
function fetchFailed(cause: unknown): TypeError {
  return new TypeError('fetch failed', { cause });
}

describe('classifyThrown: EngineErrors pass through', () => {
  it('returns the same error, jobMayExist as the adapter set it (or unset)', () => {
    const withFlag = new EngineError('rate_limited', 'slow down', { retryAfterMs: 10, jobMayExist: false });
    expect(classifyThrown(withFlag, submit)).toBe(withFlag);
    const withoutFlag = new EngineError('content_policy', 'refused');
    const classified = classifyThrown(withoutFlag, submit);
    expect(classified).toBe(withoutFlag);
    expect(classified.details).not.toHaveProperty('jobMayExist');
  });

  it('still removes secrets an adapter put in its own message', () => {
    const leaky = new EngineError('auth', 'rejected key sk-proj-1234567890abcdef', { httpStatus: 401 });
    const classified = classifyThrown(leaky, { ...submit, secrets: ['sk-proj-1234567890abcdef'] });
    expect(classified.message).toBe('rejected key [redacted]');
    expect(classified.kind).toBe('auth');
    expect(classified.details).toEqual({ httpStatus: 401 });
  });
});

describe('classifyThrown: aborts', () => {
  const userCancelled = (): AbortSignal => {
    const controller = new AbortController();
    controller.abort();
    return controller.signal;
  };
  const aborts: [string, unknown][] = [
    ['DOMException AbortError', new DOMException('This operation was aborted', 'AbortError')],
    ['DOMException TimeoutError', new DOMException('The operation was aborted due to timeout', 'TimeoutError')],
    ['Stainless APIUserAbortError (no name set)', new APIUserAbortError()],
    ['Runway polling AbortError', new RunwayPollingAbortError()],
    ['node-fetch AbortError', Object.assign(new Error('The user aborted a request.'), { name: 'AbortError', type: 'aborted' })],
    ['Shotline CancelledError', new CancelledError()],
    ['an ABORT_ERR code', Object.assign(new Error('aborted'), { code: 'ABORT_ERR' })],
  ];

  it.each(aborts)('%s is cancelled when the user cancelled, with the job possibly made', (_label, error) => {
    const classified = classifyThrown(error, { ...submit, userSignal: userCancelled() });
    expect(classified.kind).toBe('cancelled');
    expect(classified.details.jobMayExist).toBe(true);
  });

  it.each(aborts)('%s is our own timeout when the user did not cancel', (_label, error) => {
    const classified = classifyThrown(error, { ...submit, userSignal: new AbortController().signal });
    expect(classified.kind).toBe('timeout');
    expect(classified.details.jobMayExist).toBe(true);
    expect(classifyThrown(error, poll).details).not.toHaveProperty('jobMayExist');
  });

  it('any non-HTTP failure after the user cancelled is the cancel', () => {
    const torn = new TypeError('terminated', { cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }) });
    expect(classifyThrown(torn, { ...poll, userSignal: userCancelled() }).kind).toBe('cancelled');
  });

  it('an HTTP answer stands even after a cancel: it says what the provider did', () => {
    const refusal = new RateLimitError(429, { message: 'slow down' }, undefined, new Headers());
    const classified = classifyThrown(refusal, { ...submit, userSignal: userCancelled() });
    expect(classified.kind).toBe('rate_limited');
    expect(classified.details.jobMayExist).toBe(false);
  });
});

describe('classifyThrown: network failures', () => {
  it.each([
    'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT',
    'CERT_HAS_EXPIRED', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'ERR_TLS_CERT_ALTNAME_INVALID', 'ERR_SSL_WRONG_VERSION_NUMBER',
  ])('%s: never connected -> unavailable, no job', (code) => {
    const classified = classifyThrown(fetchFailed(errnoError(code, 'connect')), submit);
    expect(classified.kind).toBe('unavailable');
    expect(classified.details.jobMayExist).toBe(false);
    expect(classified.message).toContain(code);
    expect(classified.message).toContain('nothing was sent');
  });

  it.each(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET'])('%s: dropped after sending -> unavailable, job may exist', (code) => {
    const classified = classifyThrown(fetchFailed(errnoError(code, 'read')), submit);
    expect(classified.kind).toBe('unavailable');
    expect(classified.details.jobMayExist).toBe(true);
  });

  it.each(['socket hang up', 'other side closed'])('"%s" without a code is a dropped connection', (phrase) => {
    const classified = classifyThrown(fetchFailed(new Error(phrase)), submit);
    expect(classified).toMatchObject({ kind: 'unavailable', details: { jobMayExist: true } });
  });

  it.each(['ETIMEDOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT'])('%s: no answer in time -> timeout, job may exist', (code) => {
    const classified = classifyThrown(fetchFailed(errnoError(code, 'read')), submit);
    expect(classified).toMatchObject({ kind: 'timeout', details: { jobMayExist: true } });
  });

  it('a connect that timed out never sent the request', () => {
    expect(classifyThrown(fetchFailed(errnoError('ETIMEDOUT', 'connect')), submit).details.jobMayExist).toBe(false);
  });

  it('finds the reason in a nested cause and in AggregateError members (one try per address)', () => {
    const nested = fetchFailed(new Error('wrapper', { cause: errnoError('ENOTFOUND', 'getaddrinfo') }));
    expect(classifyThrown(nested, submit).details.jobMayExist).toBe(false);
    const aggregate = fetchFailed(new AggregateError([errnoError('ECONNREFUSED', 'connect'), errnoError('ECONNREFUSED', 'connect')], 'all failed'));
    expect(classifyThrown(aggregate, submit)).toMatchObject({ kind: 'unavailable', details: { jobMayExist: false } });
  });

  it('reads the Stainless wrappers: APIConnectionError with a cause, APIConnectionTimeoutError without one', () => {
    const refused = new APIConnectionError({ cause: fetchFailed(errnoError('ECONNREFUSED', 'connect')) });
    expect(classifyThrown(refused, submit)).toMatchObject({ kind: 'unavailable', details: { jobMayExist: false } });
    const bare = new APIConnectionError({ message: 'Connection error.' });
    expect(classifyThrown(bare, submit)).toMatchObject({ kind: 'unavailable', details: { jobMayExist: true } });
    expect(classifyThrown(new APIConnectionTimeoutError(), submit)).toMatchObject({ kind: 'timeout', details: { jobMayExist: true } });
  });

  it('a bare "fetch failed" with no reason is assumed to have reached the provider', () => {
    expect(classifyThrown(new TypeError('fetch failed'), submit)).toMatchObject({ kind: 'unavailable', details: { jobMayExist: true } });
  });
});

describe('classifyThrown: SDK HTTP errors by shape', () => {
  it('Stainless errors with a non-JSON body use the text after the status', () => {
    const error = new InternalServerError(502, undefined, '<html><title>502 Bad Gateway</title></html>', new Headers({ 'retry-after': '5' }));
    const classified = classifyThrown(error, submit);
    expect(classified.kind).toBe('unavailable');
    expect(classified.details).toEqual({ httpStatus: 502, retryAfterMs: 5000, jobMayExist: true });
    expect(classified.message).toBe('acme submit failed: HTTP 502: 502 Bad Gateway');
  });

  it("Google's ApiError: a status and a message that is the JSON body", () => {
    const error = Object.assign(new Error(JSON.stringify({ error: { code: 403, message: 'denied', status: 'PERMISSION_DENIED' } })), { name: 'ApiError', status: 403 });
    expect(classifyThrown(error, poll)).toMatchObject({ kind: 'auth', details: { httpStatus: 403, providerCode: 'PERMISSION_DENIED' } });
  });

  it('axios-like errors with response.status', () => {
    const error = Object.assign(new Error('Request failed'), { response: { status: 429, headers: { 'retry-after': '2' }, data: { detail: 'slow' } } });
    expect(classifyThrown(error, poll)).toMatchObject({ kind: 'rate_limited', details: { retryAfterMs: 2000 } });
  });

  it("Runway's polling helpers: TaskFailedError by failureCode, TaskTimedOutError as timeout", () => {
    const failed = new TaskFailedError({ id: 't', status: 'FAILED', createdAt: '', failure: 'unsafe', failureCode: 'SAFETY.INPUT.TEXT' } as never);
    expect(classifyThrown(failed, poll)).toMatchObject({ kind: 'content_policy', details: { providerCode: 'SAFETY.INPUT.TEXT' } });
    expect(classifyThrown(new TaskTimedOutError({ id: 't', status: 'RUNNING' } as never), poll).kind).toBe('timeout');
  });
});

describe('classifyThrown: local disk and the rest', () => {
  it.each(['ENOSPC', 'EACCES', 'EROFS', 'EISDIR'])('%s from the file system is a local disk problem', (code) => {
    const error = Object.assign(new Error(`${code}: failed, open '/data/clip.mp4.tmp'`), { code, syscall: 'open', path: '/data/clip.mp4.tmp' });
    const classified = classifyThrown(error, { provider: 'acme', operation: 'download' });
    expect(classified.kind).toBe('unavailable');
    expect(classified.message).toContain('local disk problem');
  });

  it('EACCES on connect is the network, not the disk', () => {
    expect(classifyThrown(fetchFailed(errnoError('EACCES', 'connect')), submit).message).not.toContain('local disk');
  });

  it('malformed JSON from the provider is unavailable, and a submit may have made the job', () => {
    let syntaxError: unknown;
    try {
      JSON.parse('{not json');
    } catch (error) {
      syntaxError = error;
    }
    const classified = classifyThrown(syntaxError, submit);
    expect(classified).toMatchObject({ kind: 'unavailable', details: { jobMayExist: true } });
    expect(classified.message).toContain('not valid JSON');
  });

  it.each([
    ['a TypeError from adapter code', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['a thrown string', 'boom'],
    ['undefined', undefined],
    ['a plain object', { weird: true }],
    ['a cyclic cause chain', (() => { const a = new Error('a'); const b = new Error('b', { cause: a }); (a as { cause?: unknown }).cause = b; return a; })()],
  ])('%s is an unexpected adapter error, and a submit may have made the job', (_label, error) => {
    const classified = classifyThrown(error, submit);
    expect(classified.kind).toBe('unavailable');
    expect(classified.message).toMatch(/^unexpected error in the acme adapter during submit: /);
    expect(classified.details.jobMayExist).toBe(true);
    expect(classifyThrown(error, poll).details).not.toHaveProperty('jobMayExist');
  });

  it('messages are short and carry no secrets', () => {
    const key = 'supersecret-key-value-0001';
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJhayJ9.c2lnbmF0dXJlc2lnbmF0dXJl';
    const error = new Error(
      `failed GET https://generativelanguage.googleapis.com/v1beta/x?key=AIzaSyA-1234567890abcdefghijklmnopqrs&alt=media ` +
        `Authorization: Bearer ${jwt} x-goog-api-key: ${key} ${'filler '.repeat(200)}`,
    );
    const classified = classifyThrown(error, { ...submit, secrets: [key] });
    expect(classified.message.length).toBeLessThanOrEqual(500);
    for (const leaked of [key, jwt, 'AIzaSyA-1234567890', 'eyJhbGci']) expect(classified.message).not.toContain(leaked);
    expect(classified.message).toContain('key=[redacted]');
  });
});

describe('classifyThrown: Stainless errors after a minifier renamed their classes', () => {
  it('still knows an abort, a timeout and a connection error by their fixed messages', () => {
    const renamed = (message: string) => Object.assign(new Error(message), { status: undefined, headers: undefined, error: undefined });
    expect(classifyThrown(renamed('Request was aborted.'), submit)).toMatchObject({ kind: 'timeout', details: { jobMayExist: true } });
    expect(classifyThrown(renamed('Request timed out.'), submit)).toMatchObject({ kind: 'timeout', details: { jobMayExist: true } });
    expect(classifyThrown(renamed('Connection error.'), submit)).toMatchObject({ kind: 'unavailable', details: { jobMayExist: true } });
  });
});
