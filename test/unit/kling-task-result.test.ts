import { describe, expect, it } from 'vitest';
import { EngineError } from '../../src/shared/errors';
import { billedMicrosFor, KLING_MICROS_PER_UNIT, KLING_OUTPUT_RETENTION_MS, pollResultFromTask } from '../../src/main/engines/kling/task-result';

const context = { secrets: ['SK-secret-value-123'] };

describe('pollResultFromTask', () => {
  it('submitted is queued, processing is running', () => {
    expect(pollResultFromTask({ task_id: '1', task_status: 'submitted' }, context)).toEqual({ state: 'queued' });
    expect(pollResultFromTask({ task_id: '1', task_status: 'processing' }, context)).toEqual({ state: 'running' });
  });

  it('succeed: the first video, its duration, the 30-day expiry and the units deducted as money', () => {
    const result = pollResultFromTask(
      {
        task_id: '8672',
        task_status: 'succeed',
        task_result: { videos: [{ id: 'v1', url: 'https://cdn.example/v1.mp4', watermark_url: 'https://cdn.example/w.mp4', duration: '5.042' }] },
        final_unit_deduction: '2.5',
        updated_at: 1_774_805_076_166,
      },
      context,
    );
    expect(result).toEqual({
      state: 'succeeded',
      output: { location: 'https://cdn.example/v1.mp4', durationSeconds: 5.042, expiresAt: 1_774_805_076_166 + KLING_OUTPUT_RETENTION_MS },
      billedMicros: 2.5 * KLING_MICROS_PER_UNIT,
    });
  });

  it('succeed without units reported: no billed figure (the list price is charged)', () => {
    const result = pollResultFromTask({ task_id: '1', task_status: 'succeed', task_result: { videos: [{ url: 'https://cdn/x.mp4' }] } }, context);
    expect(result).toEqual({ state: 'succeeded', output: { location: 'https://cdn/x.mp4' } });
  });

  it('succeed without a video URL is an error, not a success', () => {
    expect(() => pollResultFromTask({ task_id: '9', task_status: 'succeed', task_result: { videos: [] } }, context)).toThrow(/task 9 succeeded but task_result.videos\[0\].url is missing/);
  });

  it('failed with a risk-control message: content_policy, and the reported zero units', () => {
    const result = pollResultFromTask({ task_id: '2', task_status: 'failed', task_status_msg: 'Failure to pass the risk control system', final_unit_deduction: '0' }, context);
    expect(result.state).toBe('failed');
    const { error, billedMicros } = result as { error: EngineError; billedMicros?: number };
    expect(error).toBeInstanceOf(EngineError);
    expect(error.kind).toBe('content_policy');
    expect(error.message).toContain('risk control');
    expect(billedMicros).toBe(0);
  });

  it('failed for another reason: unavailable, and its words never carry a secret', () => {
    const result = pollResultFromTask({ task_id: '3', task_status: 'failed', task_status_msg: 'internal error for SK-secret-value-123' }, context) as { error: EngineError };
    expect(result.error.kind).toBe('unavailable');
    expect(result.error.message).not.toContain('SK-secret-value-123');
  });

  it('an unknown status is logged and polled on', () => {
    const lines: string[] = [];
    expect(pollResultFromTask({ task_id: '4', task_status: 'paused' }, { ...context, log: (line) => lines.push(line) })).toEqual({ state: 'running' });
    expect(lines).toEqual(['[kling] task 4 has unknown task_status "paused"; polling on']);
  });
});

describe('billedMicrosFor', () => {
  it.each([
    ['1', 140_000],
    ['0.1', 14_000],
    [3.5, 490_000],
    ['0', 0],
  ] as const)('%j units', (units, micros) => {
    expect(billedMicrosFor({ final_unit_deduction: units })).toBe(micros);
  });

  it.each([undefined, null, '', 'two', '-1', '1e3', Number.NaN])('%j is no figure', (units) => {
    expect(billedMicrosFor({ final_unit_deduction: units })).toBeUndefined();
  });
});
