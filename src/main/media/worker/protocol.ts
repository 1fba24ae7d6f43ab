/**
 * Messages between main and the media worker. Plain data only: the channel is Node's
 * IPC (child_process.fork) in the CLI and Electron's utilityProcess port in the app.
 */
import { CancelledError, ShotlineError, UserError } from '../../../shared/errors';
import { MediaJobError, NotPlayableError } from '../backend/errors';
import type { BackendName, JobProgress, MediaBackend } from '../backend/types';

export type MediaOp = 'info' | 'probe' | 'runGraph' | 'concatCopy' | 'mux' | 'tryEncoder';

/** The argument each op takes, by the backend's own signatures. */
export type OpArgument<Op extends MediaOp> = Op extends 'info' ? undefined : Parameters<MediaBackend[Op]>[0];
export type OpResult<Op extends MediaOp> = Awaited<ReturnType<MediaBackend[Op]>>;

export type ToWorker = { type: 'job'; id: number; op: MediaOp; argument: unknown } | { type: 'cancel'; id: number };

export type FromWorker =
  | { type: 'ready'; backend: BackendName; fallbackReason: string | null }
  | { type: 'unusable'; reason: string }
  | { type: 'progress'; id: number; progress: JobProgress }
  | { type: 'log'; id: number; line: string }
  /** A child process (the CLI backend's ffmpeg) started or ended: main kills leftovers if the worker dies. */
  | { type: 'child'; pid: number; running: boolean }
  | { type: 'done'; id: number; result: unknown }
  | { type: 'failed'; id: number; error: SerializedError };

/** What the worker is told at start, through an environment variable. */
export interface WorkerSettings {
  /** auto: node-av when it loads, else the CLI. */
  backend: 'auto' | 'node-av' | 'cli';
  /** The ffmpeg binary chosen in settings or with --ffmpeg PATH (CLI backend). */
  ffmpegPath?: string;
}
export const WORKER_SETTINGS_ENV = 'SHOTLINE_MEDIA_WORKER';

export interface SerializedError {
  name: string;
  message: string;
  file?: string;
  reason?: string;
  detail?: string;
  command?: string | null;
  problems?: string[];
}

export function serializeError(error: unknown): SerializedError {
  if (error instanceof NotPlayableError) return { name: error.name, message: error.message, file: error.file, reason: error.reason };
  if (error instanceof MediaJobError) return { name: error.name, message: error.message, detail: error.detail, command: error.command };
  if (error instanceof UserError) return { name: error.name, message: error.message, problems: error.problems };
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'Error', message: String(error) };
}

/** The typed error again, so callers catch NotPlayableError whichever process threw it. */
export function deserializeError(error: SerializedError): Error {
  switch (error.name) {
    case 'NotPlayableError':
      return new NotPlayableError(error.file ?? '(unknown file)', error.reason ?? error.message);
    case 'MediaJobError': {
      const summary = error.message.split('\n  ffmpeg said:')[0] ?? error.message;
      return new MediaJobError(summary, error.detail ?? '', error.command ?? null);
    }
    case 'CancelledError':
    case 'AbortError':
      return new CancelledError(error.message);
    case 'UserError':
      return Object.assign(new UserError(error.message), { problems: error.problems ?? [] });
    default:
      return new ShotlineError(`media worker: ${error.message}`);
  }
}
