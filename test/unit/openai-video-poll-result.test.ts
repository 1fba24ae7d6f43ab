/** /v1/videos video objects to poll answers. */
import { describe, expect, it } from 'vitest';
import { EngineError } from '../../src/shared/errors';
import { pollResultFromVideo, type PolledVideo } from '../../src/main/engines/openai/poll-result';

const video = (fields: Partial<PolledVideo>): PolledVideo => ({ id: 'video_abc', status: 'queued', progress: 0, seconds: '4', expires_at: null, error: null, ...fields });

function failure(fields: Partial<PolledVideo>): EngineError {
  const result = pollResultFromVideo(video({ status: 'failed', ...fields }));
  if (result.state !== 'failed') throw new Error(`expected failed, got ${result.state}`);
  return result.error as EngineError;
}

describe('pollResultFromVideo', () => {
  it('queued and in_progress (progress in percent)', () => {
    expect(pollResultFromVideo(video({ status: 'queued' }))).toEqual({ state: 'queued' });
    expect(pollResultFromVideo(video({ status: 'in_progress', progress: 42 }))).toEqual({ state: 'running', progress: 0.42 });
    expect(pollResultFromVideo(video({ status: 'in_progress', progress: null }))).toEqual({ state: 'running' });
  });

  it('completed: the video id is the location, expires_at in ms, the seconds made, no billed amount', () => {
    expect(pollResultFromVideo(video({ status: 'completed', progress: 100, seconds: '8', expires_at: 1_790_000_000 }))).toEqual({
      state: 'succeeded',
      output: { location: 'video_abc', durationSeconds: 8, expiresAt: 1_790_000_000_000 },
    });
    expect(pollResultFromVideo(video({ status: 'completed', seconds: null, expires_at: null }))).toEqual({ state: 'succeeded', output: { location: 'video_abc' } });
  });

  it('failed: moderation by code or by words is content_policy; other failures are the provider’s', () => {
    expect(failure({ error: { code: 'moderation_blocked', message: 'Your request was blocked by our moderation system.' } })).toMatchObject({
      kind: 'content_policy',
      details: { providerCode: 'moderation_blocked' },
    });
    expect(failure({ error: { code: null, message: 'This request violates our content policy.' } }).kind).toBe('content_policy');
    expect(failure({ error: { code: 'insufficient_quota', message: 'You exceeded your current quota.' } }).kind).toBe('quota_exhausted');
    const internal = failure({ error: { code: 'internal_error', message: 'Video generation failed.' } });
    expect(internal.kind).toBe('unavailable');
    expect(internal.message).toBe('openai job failed (internal_error): Video generation failed.');
    expect(failure({ error: null }).message).toBe('openai job failed: no reason given');
  });

  it("'expired' (not in the SDK's types): the output is gone", () => {
    const result = pollResultFromVideo(video({ status: 'expired' }));
    expect(result).toMatchObject({ state: 'failed', error: { kind: 'expired_output' } });
  });

  it('an unknown status is logged and read as running', () => {
    const lines: string[] = [];
    expect(pollResultFromVideo(video({ status: 'post_processing' }), (line) => lines.push(line))).toEqual({ state: 'running' });
    expect(lines).toEqual(['video video_abc has an unknown status "post_processing"; polling on']);
  });
});
