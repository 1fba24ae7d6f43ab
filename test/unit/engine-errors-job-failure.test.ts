import { describe, expect, it } from 'vitest';
import { engineErrorFromJobFailure, kindForJobFailure, redactSecrets } from '../../src/main/engines/errors';

describe('kindForJobFailure', () => {
  it.each([
    [{ code: 'SAFETY.INPUT.TEXT', message: 'unsafe prompt' }, 'content_policy'], // Runway
    [{ code: 'SAFETY.OUTPUT.VIDEO' }, 'content_policy'],
    [{ code: 'INPUT_PREPROCESSING.SAFETY.TEXT' }, 'content_policy'],
    [{ code: 'INTERNAL.BAD_OUTPUT.CODE01' }, 'unavailable'],
    [{ code: 'ASSET.INVALID' }, 'invalid_request'],
    [{ code: 1301, message: 'content security' }, 'content_policy'], // Kling
    [{ code: '1102' }, 'quota_exhausted'],
    [{ code: 3, message: 'bad argument' }, 'invalid_request'], // a Veo operation's gRPC code
    [{ code: 8 }, 'rate_limited'],
    [{ code: 'RESOURCE_EXHAUSTED' }, 'rate_limited'],
    [{ code: 'moderation_blocked' }, 'content_policy'], // OpenAI video.error
    [{ message: 'Advanced moderation failed' }, 'content_policy'], // Luma failure_reason
    [{ message: 'Failure to pass the risk control system' }, 'content_policy'], // Kling task_status_msg
    [{ message: 'Insufficient credits' }, 'quota_exhausted'],
    [{ message: 'something broke' }, 'unavailable'],
    [{}, 'unavailable'],
    [{ code: 'SAFETY.INPUT.TEXT', kind: 'invalid_request' }, 'invalid_request'], // the adapter knows best
  ] as const)('%j -> %s', (failure, kind) => {
    expect(kindForJobFailure(failure)).toBe(kind);
  });

  it('builds an EngineError with the provider code and a safe message', () => {
    const error = engineErrorFromJobFailure({ code: 'SAFETY.INPUT.IMAGE', message: 'Image contains a public figure' }, { provider: 'runway', operation: 'poll' });
    expect(error.kind).toBe('content_policy');
    expect(error.message).toBe('runway job failed (SAFETY.INPUT.IMAGE): Image contains a public figure');
    expect(error.details).toEqual({ providerCode: 'SAFETY.INPUT.IMAGE' });
  });
});

describe('redactSecrets', () => {
  it('removes given secrets (also URL-encoded), longest first', () => {
    expect(redactSecrets('k=ab/cd+ef and ab%2Fcd%2Bef', ['ab/cd+ef'])).toBe('k=[redacted] and [redacted]');
    expect(redactSecrets('token abcdef123456', ['abcdef', 'abcdef123456'])).toBe('token [redacted]');
    expect(redactSecrets('nothing here', ['', 'zzz'])).toBe('nothing here');
  });

  it('catches credential shapes nobody declared', () => {
    expect(redactSecrets('Authorization: Bearer abc.def-ghi_jkl')).toBe('Authorization: Bearer [redacted]');
    expect(redactSecrets('Authorization: Key 1234abcd:5678efgh')).toBe('Authorization: Key [redacted]');
    expect(redactSecrets('"x-goog-api-key":"AIzaSomething"')).toBe('"x-goog-api-key":"[redacted]"');
    expect(redactSecrets('https://cdn/x.mp4?X-Amz-Signature=abc123&X-Amz-Expires=60')).toBe('https://cdn/x.mp4?X-Amz-Signature=[redacted]&X-Amz-Expires=60');
    expect(redactSecrets('key key_0123456789abcdef0123 and sk-abcdefghijklmnop')).toBe('key [redacted] and [redacted]');
  });

  it('leaves ordinary words alone', () => {
    const text = 'API key not valid. Please pass a valid API key. Key expired yesterday. Basic authentication failed.';
    expect(redactSecrets(text)).toBe(text);
  });
});
