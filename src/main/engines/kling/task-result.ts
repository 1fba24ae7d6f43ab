/**
 * A Kling task as a poll answer (pure). Kling's `data` for a task (reference/provider-facts.md §4):
 *   {task_id, task_status: submitted|processing|succeed|failed, task_status_msg,
 *    task_result: {videos: [{id, url, duration: "5.042"}]}, final_unit_deduction: "2.5",
 *    created_at, updated_at (epoch ms)}
 * A failed task carries only words (task_status_msg, e.g. a content-risk hit), so the
 * kind is decided from them by the shared job-failure table.
 */
import { EngineError } from '../../../shared/errors';
import type { PollResult } from '../engine';
import { engineErrorFromJobFailure } from '../errors';

/**
 * What one resource-pack unit costs, in micro-dollars: Kling bills prepaid units, not
 * dollars, and reports a task's cost only as `final_unit_deduction`. Source: Kling's
 * "Prepaid Resource Packs" page ("the standard price for each video generation credit is
 * $0.14 USD"), seen only through a third-party mirror (docs.klingai2.org); unconfirmed,
 * and a pack bought at a discount costs less per unit.
 */
export const KLING_MICROS_PER_UNIT = 140_000;

/** Kling clears output URLs 30 days after the task finished. */
export const KLING_OUTPUT_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;

export interface KlingTaskContext {
  secrets: readonly string[];
  log?: (line: string) => void;
}

type Loose = Record<string, unknown>;

function asRecord(value: unknown): Loose | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Loose) : undefined;
}

/** A decimal as Kling sends figures (a string, sometimes a number); undefined for anything else. */
function decimal(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string' || !/^\s*\d+(\.\d+)?\s*$/.test(value)) return undefined;
  return Number(value);
}

/** Micro-dollars for the units a task reports deducted; undefined when it reports none. */
export function billedMicrosFor(task: unknown): number | undefined {
  const units = decimal(asRecord(task)?.final_unit_deduction);
  // Rounded to a thousandth of a micro-dollar so that 0.1 unit is 14000, not 14000.000000000002.
  return units === undefined ? undefined : Math.round(units * KLING_MICROS_PER_UNIT * 1000) / 1000;
}

export function pollResultFromTask(task: unknown, context: KlingTaskContext): PollResult {
  const record = asRecord(task) ?? {};
  const taskId = String(record.task_id ?? '?');
  const status = record.task_status;
  const billedMicros = billedMicrosFor(record);
  const billed = billedMicros === undefined ? {} : { billedMicros };

  switch (status) {
    case 'submitted':
      return { state: 'queued' };
    case 'processing':
      return { state: 'running' };
    case 'succeed': {
      const videos = asRecord(record.task_result)?.videos;
      const video = Array.isArray(videos) ? asRecord(videos[0]) : undefined;
      const url = typeof video?.url === 'string' && video.url.length > 0 ? video.url : undefined;
      if (!url) throw new EngineError('unavailable', `kling task ${taskId} succeeded but task_result.videos[0].url is missing`);
      const durationSeconds = decimal(video?.duration);
      const finishedAt = typeof record.updated_at === 'number' && Number.isFinite(record.updated_at) ? record.updated_at : undefined;
      return {
        state: 'succeeded',
        output: {
          location: url,
          ...(durationSeconds !== undefined && durationSeconds > 0 ? { durationSeconds } : {}),
          ...(finishedAt !== undefined ? { expiresAt: finishedAt + KLING_OUTPUT_RETENTION_MS } : {}),
        },
        ...billed,
      };
    }
    case 'failed': {
      const message = typeof record.task_status_msg === 'string' ? record.task_status_msg : undefined;
      return { state: 'failed', error: engineErrorFromJobFailure({ message }, { provider: 'kling', operation: 'poll', secrets: context.secrets }), ...billed };
    }
    default:
      // A status added after this was written: keep polling, the pipeline's stall deadline bounds it.
      context.log?.(`[kling] task ${taskId} has unknown task_status ${JSON.stringify(status ?? null)}; polling on`);
      return { state: 'running' };
  }
}
