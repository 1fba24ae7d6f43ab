/**
 * A Runway task (GET /v1/tasks/{id}) as a poll answer. Pure. Runway's statuses:
 * PENDING and THROTTLED (the account's concurrency is full; Runway queues the task
 * itself) are queued, RUNNING carries progress 0..1, and the terminal ones carry
 * `cost.credits`, what the task was charged (0 when refunded).
 */
import { EngineError } from '../../../shared/errors';
import type { PollResult } from '../engine';
import { engineErrorFromJobFailure } from '../errors';
import { MICROS_PER_CREDIT } from './models';

/** Runway's output URLs expire within 24-48 h of the retrieval that issued them: plan on the shorter. */
export const OUTPUT_URL_LIFETIME_MS = 24 * 60 * 60 * 1000;

export interface TaskReading {
  result: PollResult;
  /** Set when the status is none Runway documents: the adapter logs it and keeps polling. */
  unknownStatus?: string;
}

type Loose = Record<string, unknown>;

export function readRunwayTask(task: unknown, jobId: string, now: number = Date.now()): TaskReading {
  const fields: Loose = typeof task === 'object' && task !== null ? (task as Loose) : {};
  const status = fields.status;
  switch (status) {
    case 'PENDING':
    case 'THROTTLED':
      return { result: { state: 'queued' } };
    case 'RUNNING': {
      const progress = typeof fields.progress === 'number' && Number.isFinite(fields.progress) ? fields.progress : undefined;
      return { result: progress === undefined ? { state: 'running' } : { state: 'running', progress } };
    }
    case 'SUCCEEDED':
      return { result: { state: 'succeeded', output: { location: firstOutputUrl(fields, jobId), expiresAt: now + OUTPUT_URL_LIFETIME_MS }, ...billed(fields) } };
    case 'FAILED': {
      const error = engineErrorFromJobFailure(
        { code: typeof fields.failureCode === 'string' ? fields.failureCode : undefined, message: typeof fields.failure === 'string' ? fields.failure : undefined },
        { provider: 'runway', operation: 'poll' },
      );
      return { result: { state: 'failed', error, ...billed(fields) } };
    }
    case 'CANCELLED':
      return { result: { state: 'failed', error: new EngineError('cancelled', `runway task ${jobId} was cancelled at Runway`), ...billed(fields) } };
    default:
      return { result: { state: 'running' }, unknownStatus: typeof status === 'string' ? status : JSON.stringify(status ?? null) };
  }
}

/** The first output URL, which is the video for the text- and image-to-video endpoints. */
export function firstOutputUrl(task: Loose, jobId: string): string {
  const output = task.output;
  const url = Array.isArray(output) ? output.find((item): item is string => typeof item === 'string' && item.length > 0) : undefined;
  if (url === undefined) throw new EngineError('unavailable', `runway task ${jobId} reads SUCCEEDED but lists no output URL`);
  return url;
}

/** Credits as micro-dollars: undefined when Runway gave no figure, NaN when it gave one that is not a number (the boundary reports that and charges the list price). */
export function creditsToMicros(cost: unknown): number | undefined {
  if (cost === undefined || cost === null) return undefined;
  const credits = (cost as { credits?: unknown }).credits;
  if (credits === undefined || credits === null) return undefined;
  return typeof credits === 'number' ? credits * MICROS_PER_CREDIT : Number.NaN;
}

function billed(task: Loose): { billedMicros?: number } {
  const micros = creditsToMicros(task.cost);
  return micros === undefined ? {} : { billedMicros: micros };
}
