import { describe, expect, it } from 'vitest';
import { EngineError } from '../../src/shared/errors';
import { pollResultOf, type LumaGeneration } from '../../src/main/engines/luma/poll-result';

function generation(changes: Partial<LumaGeneration>): LumaGeneration {
  return {
    id: 'gen-1',
    generation_type: 'video',
    state: 'queued',
    created_at: '2026-11-21T10:00:00.000Z',
    model: 'ray-2',
    request: { model: 'ray-2', prompt: 'a fox', duration: '9s', resolution: '720p', aspect_ratio: '16:9' },
    ...changes,
  };
}

describe('Luma generation to poll result', () => {
  it('queued and dreaming are waiting; dreaming is running', () => {
    expect(pollResultOf(generation({ state: 'queued' }), 'gen-1')).toEqual({ state: 'queued' });
    expect(pollResultOf(generation({ state: 'dreaming' }), 'gen-1')).toEqual({ state: 'running' });
  });

  it('completed names assets.video and the seconds asked for, and no billed amount (Luma reports none)', () => {
    const result = pollResultOf(generation({ state: 'completed', assets: { video: 'https://cdn.example/v.mp4' } }), 'gen-1');
    expect(result).toEqual({ state: 'succeeded', output: { location: 'https://cdn.example/v.mp4', durationSeconds: 9 } });
    expect('billedMicros' in result).toBe(false);
  });

  it('completed without a video yet is a transient failure of the poll, not a finished job', () => {
    expect(() => pollResultOf(generation({ state: 'completed', assets: {} }), 'gen-1')).toThrow(EngineError);
    expect(() => pollResultOf(generation({ state: 'completed', assets: {} }), 'gen-1')).toThrow(/assets\.video/);
  });

  it('failed: moderation is content_policy, credits are quota, anything else is unavailable', () => {
    const failed = (reason?: string) => {
      const result = pollResultOf(generation({ state: 'failed', failure_reason: reason }), 'gen-1');
      if (result.state !== 'failed') throw new Error('expected failed');
      expect(result.billedMicros).toBeUndefined();
      return result.error as EngineError;
    };
    expect(failed('Advanced moderation failed')).toMatchObject({ kind: 'content_policy' });
    expect(failed('Advanced moderation failed').message).toContain('Advanced moderation failed');
    expect(failed('Insufficient credits').kind).toBe('quota_exhausted');
    expect(failed('Internal error').kind).toBe('unavailable');
    expect(failed(undefined)).toMatchObject({ kind: 'unavailable', message: 'luma job failed: no reason given' });
  });

  it('an unknown state is logged and polled on', () => {
    const lines: string[] = [];
    expect(pollResultOf(generation({ state: 'paused' as LumaGeneration['state'] }), 'gen-1', (line) => lines.push(line))).toEqual({ state: 'running' });
    expect(lines).toEqual(['[luma] generation gen-1 is in unknown state "paused"; polling on']);
  });
});
