/**
 * The media worker: a child process that owns every FFmpeg call. main forks it
 * (Electron's utilityProcess in the app), so a native crash inside FFmpeg comes back to
 * main as a signal, a cancel can kill it outright, and main's event loop never waits on
 * media work. When main goes away (even by kill -9) the worker stops its FFmpeg work
 * and exits: nothing keeps encoding under PID 1.
 */
import { CancelledError } from '../../../shared/errors';
import { killAllFfmpeg } from '../ffmpeg';
import type { MediaBackend } from '../backend/types';
import { chooseBackend } from './backend-choice';
import { serializeError, WORKER_SETTINGS_ENV, type FromWorker, type ToWorker, type WorkerSettings } from './protocol';
import { parentChannel } from './parent-channel';

const channel = parentChannel();
const running = new Map<number, AbortController>();

function send(message: FromWorker): void {
  channel.send(message);
}

function shutdown(why: string): never {
  for (const controller of running.values()) controller.abort(new CancelledError(why));
  killAllFfmpeg();
  process.exit(0);
}

channel.onClose(() => shutdown('the media worker stopped: its parent process is gone'));
// Belt and braces: if the channel's close is ever missed, a new parent pid means main is gone.
const parentPid = process.ppid;
setInterval(() => {
  if (process.ppid !== parentPid) shutdown('the media worker stopped: its parent process is gone');
}, 500).unref();
process.on('SIGTERM', () => shutdown('the media worker was asked to stop'));

async function main(): Promise<void> {
  const settings = JSON.parse(process.env[WORKER_SETTINGS_ENV] ?? '{"backend":"auto"}') as WorkerSettings;
  let backend: MediaBackend;
  try {
    const chosen = await chooseBackend(settings);
    backend = chosen.backend;
    send({ type: 'ready', backend: chosen.name, fallbackReason: chosen.fallbackReason });
  } catch (error) {
    send({ type: 'unusable', reason: error instanceof Error ? error.message : String(error) });
    return;
  }

  channel.onMessage((message: ToWorker) => {
    if (message.type === 'cancel') {
      running.get(message.id)?.abort(new CancelledError('media job cancelled'));
      return;
    }
    void runJob(backend, message);
  });
}

async function runJob(backend: MediaBackend, job: Extract<ToWorker, { type: 'job' }>): Promise<void> {
  const controller = new AbortController();
  running.set(job.id, controller);
  const context = {
    signal: controller.signal,
    onProgress: (progress: { seconds: number; fraction: number }) => send({ type: 'progress', id: job.id, progress }),
    log: (line: string) => send({ type: 'log', id: job.id, line }),
    onChild: (pid: number, isRunning: boolean) => send({ type: 'child', pid, running: isRunning }),
  };
  try {
    const argument = job.argument as never;
    const result =
      job.op === 'info'
        ? await backend.info()
        : job.op === 'probe'
          ? await backend.probe(argument, context)
          : await backend[job.op](argument, context);
    send({ type: 'done', id: job.id, result: result ?? null });
  } catch (error) {
    send({ type: 'failed', id: job.id, error: serializeError(error) });
  } finally {
    running.delete(job.id);
  }
}

void main();
