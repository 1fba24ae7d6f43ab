/** Runway task objects (GET /v1/tasks/{id}) as poll answers, pure. */
import { describe, expect, it } from 'vitest';
import { EngineError } from '../../src/shared/errors';
import { creditsToMicros, OUTPUT_URL_LIFETIME_MS, readRunwayTask } from '../../src/main/engines/runway/task-status';

const NOW = Date.UTC(2026, 10, 21);
const read = (task: unknown) => readRunwayTask(task, 'task-1', NOW);

describe('readRunwayTask', () => {
  it('PENDING and THROTTLED (Runway queued it over the concurrency limit) are queued; RUNNING reports progress', () => {
    expect(read({ id: 'task-1', status: 'PENDING', estimatedCost: { credits: 24 } })).toEqual({ result: { state: 'queued' } });
    expect(read({ id: 'task-1', status: 'THROTTLED', estimatedCost: { credits: 24 } })).toEqual({ result: { state: 'queued' } });
    expect(read({ id: 'task-1', status: 'RUNNING', progress: 0.42 })).toEqual({ result: { state: 'running', progress: 0.42 } });
    expect(read({ id: 'task-1', status: 'RUNNING' })).toEqual({ result: { state: 'running' } });
  });

  it('SUCCEEDED: the first output URL, valid for the shorter of 24-48 h, and the credits charged as micro-dollars', () => {
    expect(read({ id: 'task-1', status: 'SUCCEEDED', output: ['https://cdn/video.mp4', 'https://cdn/audio.wav'], cost: { credits: 50 } })).toEqual({
      result: { state: 'succeeded', output: { location: 'https://cdn/video.mp4', expiresAt: NOW + OUTPUT_URL_LIFETIME_MS }, billedMicros: 500_000 },
    });
  });

  it('SUCCEEDED with no output URL is a malformed answer, not a success', () => {
    expect(() => read({ status: 'SUCCEEDED', output: [], cost: { credits: 50 } })).toThrow(EngineError);
    expect(() => read({ status: 'SUCCEEDED' })).toThrow(/task-1 reads SUCCEEDED but lists no output URL/);
  });

  it('FAILED is classified by failureCode: SAFETY.* is content_policy, INTERNAL.BAD_OUTPUT unavailable, ASSET.INVALID invalid_request', () => {
    const refused = read({ status: 'FAILED', failure: 'Prompt flagged', failureCode: 'SAFETY.INPUT.TEXT', cost: { credits: 0 } }).result;
    expect(refused).toMatchObject({ state: 'failed', billedMicros: 0 });
    expect(refused.state === 'failed' && refused.error).toMatchObject({ kind: 'content_policy', details: { providerCode: 'SAFETY.INPUT.TEXT' } });
    expect((refused as { error: EngineError }).error.message).toContain('Prompt flagged');
    const output = read({ status: 'FAILED', failure: 'bad frames', failureCode: 'SAFETY.OUTPUT.VIDEO' }).result as { error: EngineError };
    expect(output.error.kind).toBe('content_policy');
    expect((read({ status: 'FAILED', failureCode: 'INTERNAL.BAD_OUTPUT.CODE01' }).result as { error: EngineError }).error.kind).toBe('unavailable');
    expect((read({ status: 'FAILED', failureCode: 'ASSET.INVALID' }).result as { error: EngineError }).error.kind).toBe('invalid_request');
    expect((read({ status: 'FAILED', failureCode: 'INPUT_PREPROCESSING.SAFETY.TEXT' }).result as { error: EngineError }).error.kind).toBe('content_policy');
    expect(read({ status: 'FAILED', failure: 'no code' }).result).not.toHaveProperty('billedMicros');
  });

  it('CANCELLED is a cancelled failure with what it cost', () => {
    const result = read({ status: 'CANCELLED', cost: { credits: 0 } }).result;
    expect(result).toMatchObject({ state: 'failed', billedMicros: 0 });
    expect(result.state === 'failed' && (result.error as EngineError).kind).toBe('cancelled');
  });

  it('an undocumented or missing status is reported and read as running, never as an end', () => {
    expect(read({ status: 'ARCHIVED' })).toEqual({ result: { state: 'running' }, unknownStatus: 'ARCHIVED' });
    expect(read({})).toEqual({ result: { state: 'running' }, unknownStatus: 'null' });
    expect(read(null)).toEqual({ result: { state: 'running' }, unknownStatus: 'null' });
  });
});

describe('creditsToMicros', () => {
  it('one credit is 10,000 micro-dollars; no figure is undefined; a figure that is not a number is NaN for the boundary to report', () => {
    expect(creditsToMicros({ credits: 24 })).toBe(240_000);
    expect(creditsToMicros({ credits: 0.5 })).toBe(5_000);
    expect(creditsToMicros(undefined)).toBeUndefined();
    expect(creditsToMicros({})).toBeUndefined();
    expect(creditsToMicros({ credits: 'lots' })).toBeNaN();
  });
});
