/**
 * Veo operations (as @google/genai 2.x flattens them) to poll answers, file URIs to
 * download URLs, and the SDK's ApiError (no headers) to an EngineError that keeps
 * Google's RetryInfo. Pure.
 */
import { ApiError } from '@google/genai';
import { describe, expect, it } from 'vitest';
import { EngineError } from '../../src/shared/errors';
import { durationMs, engineErrorFromSdkApiError, isSdkApiError, retryDelayMsOf } from '../../src/main/engines/gemini/api-error';
import { fileDownloadUrl, fileIdOf, readOperation } from '../../src/main/engines/gemini/operation';

const NAME = 'models/veo-3.1-generate-preview/operations/abc123xyz';
const KEY = 'AIzaSyUnitTest-0123456789abcdefghijkl';

function failure(result: ReturnType<typeof readOperation>['result']): EngineError {
  if (result.state !== 'failed') throw new Error(`expected a failure, got ${result.state}`);
  expect(result.error).toBeInstanceOf(EngineError);
  return result.error as EngineError;
}

describe('readOperation', () => {
  it('not done yet (done absent or false): running', () => {
    expect(readOperation({ name: NAME })).toEqual({ result: { state: 'running' } });
    expect(readOperation({ name: NAME, done: false, metadata: {} })).toEqual({ result: { state: 'running' } });
  });

  it('done with a video: succeeded at its URI, with no cost (Gemini reports none) and no duration', () => {
    const uri = 'https://generativelanguage.googleapis.com/v1beta/files/abc123:download?alt=media';
    expect(readOperation({ name: NAME, done: true, response: { generatedVideos: [{ video: { uri } }] } })).toEqual({
      result: { state: 'succeeded', output: { location: uri } },
    });
  });

  it('done with raiMediaFilteredCount and no videos: content_policy, billed 0, with Google\'s reason', () => {
    const { result } = readOperation({
      name: NAME,
      done: true,
      response: { raiMediaFilteredCount: 1, raiMediaFilteredReasons: ['We encountered an issue with the audio for your prompt. You have not been charged for this request.'] },
    });
    expect(result).toMatchObject({ state: 'failed', billedMicros: 0 });
    const error = failure(result);
    expect(error.kind).toBe('content_policy');
    expect(error.message).toContain('You have not been charged');
  });

  it('done with neither videos nor a reason: unavailable, with no figure', () => {
    for (const response of [undefined, {}, { generatedVideos: [] }, { generatedVideos: [{ video: { videoBytes: 'AAAA' } }] }]) {
      const { result } = readOperation({ name: NAME, done: true, ...(response ? { response } : {}) });
      expect(failure(result).kind).toBe('unavailable');
      expect((result as { billedMicros?: number }).billedMicros).toBeUndefined();
    }
  });

  it('done with a google.rpc.Status: the gRPC code decides the kind', () => {
    expect(failure(readOperation({ name: NAME, done: true, error: { code: 3, message: 'Unsupported aspect ratio' } }).result).kind).toBe('invalid_request');
    expect(failure(readOperation({ name: NAME, done: true, error: { code: 8, message: 'Quota exceeded' } }).result).kind).toBe('rate_limited');
    expect(failure(readOperation({ name: NAME, done: true, error: { code: 13, message: 'Internal error' } }).result).kind).toBe('unavailable');
    expect(failure(readOperation({ name: NAME, done: true, error: { code: 4 } }).result).kind).toBe('timeout');
    const refused = failure(readOperation({ name: NAME, done: true, error: { code: 3, message: 'The prompt violates our Responsible AI usage guidelines.' } }).result);
    expect(refused).toMatchObject({ kind: 'content_policy', details: { providerCode: '3' } });
  });

  it('a shape it does not know is polled again, and said so', () => {
    expect(readOperation({ name: NAME, done: 'yes' })).toEqual({ result: { state: 'running' }, oddity: 'the operation\'s done is "yes"' });
    expect(readOperation(null).oddity).toContain('not an object');
    expect(readOperation({ name: NAME, done: false, response: {} })).toMatchObject({ result: { state: 'running' }, oddity: expect.any(String) });
  });

  it('a video URI that names no file is a failure, never a location to fetch', () => {
    const error = failure(readOperation({ name: NAME, done: true, response: { generatedVideos: [{ video: { uri: 'https://example.com/video.mp4' } }] } }).result);
    expect(error.kind).toBe('unavailable');
  });
});

describe('file URIs', () => {
  it('takes the id from https URIs and files/ names alike', () => {
    expect(fileIdOf('https://generativelanguage.googleapis.com/v1beta/files/abc123:download?alt=media')).toBe('abc123');
    expect(fileIdOf('https://127.0.0.1:4567/v1beta/files/0f3a9c:download?alt=media')).toBe('0f3a9c');
    expect(fileIdOf('files/xyz789')).toBe('xyz789');
    expect(fileIdOf('https://example.com/video.mp4')).toBeUndefined();
    expect(fileIdOf('https://example.com/files/../secret')).toBeUndefined();
  });

  it('downloads from the configured endpoint, whatever host the URI named', () => {
    expect(fileDownloadUrl('http://127.0.0.1:9999', 'v1beta', 'abc123')).toBe('http://127.0.0.1:9999/v1beta/files/abc123:download?alt=media');
  });
});

describe("the SDK's ApiError", () => {
  // The SDK's own class, built as its throwErrorIfNotOK builds it: the body as JSON in the message.
  const apiError = (status: number, body: unknown) => new ApiError({ message: JSON.stringify(body), status });

  it('is recognised by shape', () => {
    expect(isSdkApiError(apiError(429, {}))).toBe(true);
    expect(isSdkApiError(new Error('x'))).toBe(false);
    expect(isSdkApiError({ name: 'ApiError', status: '429' })).toBe(false);
  });

  it('reads protobuf durations and RetryInfo', () => {
    expect(durationMs('37s')).toBe(37_000);
    expect(durationMs('1.5s')).toBe(1_500);
    expect(durationMs('soon')).toBeUndefined();
    expect(retryDelayMsOf({ error: { details: [{ '@type': 'type.googleapis.com/google.rpc.Help' }, { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '12s' }] } })).toBe(12_000);
    expect(retryDelayMsOf({ error: { details: [] } })).toBeUndefined();
  });

  it('429 RESOURCE_EXHAUSTED with RetryInfo: rate_limited with retryAfterMs, no job made', () => {
    const error = engineErrorFromSdkApiError(
      apiError(429, { error: { code: 429, message: 'You exceeded your current quota.', status: 'RESOURCE_EXHAUSTED', details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '2s' }] } }),
      'submit',
      [KEY],
    );
    expect(error).toMatchObject({ kind: 'rate_limited', details: { retryAfterMs: 2_000, httpStatus: 429, providerCode: 'RESOURCE_EXHAUSTED', jobMayExist: false } });
  });

  it('400 API_KEY_INVALID is auth, and an echoed key never reaches the message', () => {
    const error = engineErrorFromSdkApiError(
      apiError(400, { error: { code: 400, message: `API key not valid: ${KEY}`, status: 'INVALID_ARGUMENT', details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID' }] } }),
      'poll',
      [KEY],
    );
    expect(error.kind).toBe('auth');
    expect(error.message).not.toContain(KEY);
  });

  it('502 on a submit: unavailable, and the job may exist', () => {
    expect(engineErrorFromSdkApiError(apiError(502, { error: { code: 502, message: 'Bad Gateway', status: 'Bad Gateway' } }), 'submit', [])).toMatchObject({
      kind: 'unavailable',
      details: { jobMayExist: true },
    });
  });
});
