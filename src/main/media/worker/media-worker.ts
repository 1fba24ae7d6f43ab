/**
 * main's handle on one media worker process: one job at a time, progress and logs
 * forwarded, typed errors rebuilt. Cancel asks the worker to stop the job and, if it has
 * not stopped within CANCEL_GRACE_MS (a native call that cannot be interrupted), kills
 * the process and every ffmpeg it had started.
 */
import { CancelledError, ShotlineError, UserError } from '../../../shared/errors';
import { MediaJobError } from '../backend/errors';
import type { BackendName, JobProgress } from '../backend/types';
import { deserializeError, type FromWorker, type MediaOp } from './protocol';
import type { WorkerHandle } from './spawn';

const CANCEL_GRACE_MS = 250;

/** The worker process died while running a job (a native crash, the OOM killer). */
export class MediaWorkerCrashedError extends MediaJobError {
  override name = 'MediaWorkerCrashedError';
}

export interface JobOptions {
  signal?: AbortSignal;
  onProgress?: (progress: JobProgress) => void;
  log?: (line: string) => void;
  /** Names the job in errors ("probing clip.mp4"). */
  what: string;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  options: JobOptions;
}

export class MediaWorker {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly children = new Set<number>();
  private exited = false;
  readonly ready: Promise<{ backend: BackendName; fallbackReason: string | null }>;

  constructor(private readonly handle: WorkerHandle) {
    let settleReady!: { resolve: (v: { backend: BackendName; fallbackReason: string | null }) => void; reject: (e: Error) => void };
    this.ready = new Promise((resolve, reject) => (settleReady = { resolve, reject }));
    // Nobody may be waiting yet; the rejection is observed through `ready` later.
    this.ready.catch(() => undefined);

    handle.onMessage((message) => this.receive(message, settleReady));
    handle.onExit((code, signal, stderrTail) => {
      this.exited = true;
      this.killChildren();
      const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      const crash = new MediaWorkerCrashedError(`the media worker ${how}`, stderrTail.trim().split('\n').slice(-8).join('\n'));
      settleReady.reject(crash);
      for (const [id, job] of this.pending) {
        this.pending.delete(id);
        job.reject(job.options.signal?.aborted ? cancelled(job.options.signal) : new MediaWorkerCrashedError(`${job.options.what}: the media worker ${how}`, crash.detail));
      }
    });
  }

  get pid(): number | undefined {
    return this.handle.pid;
  }

  get alive(): boolean {
    return !this.exited;
  }

  get busy(): boolean {
    return this.pending.size > 0;
  }

  run<T>(op: MediaOp, argument: unknown, options: JobOptions): Promise<T> {
    if (this.exited) return Promise.reject(new MediaWorkerCrashedError(`${options.what}: the media worker is not running`, ''));
    if (options.signal?.aborted) return Promise.reject(cancelled(options.signal));
    const id = this.nextId++;
    this.handle.setActive(true);
    return new Promise<T>((resolve, reject) => {
      let killTimer: NodeJS.Timeout | undefined;
      const onAbort = () => {
        this.handle.send({ type: 'cancel', id });
        killTimer = setTimeout(() => this.kill(), CANCEL_GRACE_MS);
      };
      options.signal?.addEventListener('abort', onAbort, { once: true });
      const settle = () => {
        clearTimeout(killTimer);
        options.signal?.removeEventListener('abort', onAbort);
        if (!this.busy) this.handle.setActive(false);
      };
      this.pending.set(id, {
        options,
        resolve: (value) => {
          this.pending.delete(id);
          settle();
          resolve(value as T);
        },
        reject: (error) => {
          this.pending.delete(id);
          settle();
          // A job that failed because it was cancelled reports the cancel, not FFmpeg's complaint.
          reject(options.signal?.aborted ? cancelled(options.signal) : error);
        },
      });
      this.handle.send({ type: 'job', id, op, argument });
    });
  }

  /** Kills the worker and every ffmpeg it started; pending jobs fail. */
  kill(): void {
    this.killChildren();
    if (!this.exited) this.handle.kill('SIGKILL');
  }

  private receive(message: FromWorker, ready: { resolve: (v: { backend: BackendName; fallbackReason: string | null }) => void; reject: (e: Error) => void }): void {
    switch (message.type) {
      case 'ready':
        this.handle.setActive(false);
        return ready.resolve({ backend: message.backend, fallbackReason: message.fallbackReason });
      case 'unusable':
        return ready.reject(new UserError(message.reason));
      case 'child':
        if (message.running) this.children.add(message.pid);
        else this.children.delete(message.pid);
        return;
      case 'progress':
        return safely(() => this.pending.get(message.id)?.options.onProgress?.(message.progress));
      case 'log':
        return safely(() => this.pending.get(message.id)?.options.log?.(message.line));
      case 'done':
        return this.pending.get(message.id)?.resolve(message.result);
      case 'failed':
        return this.pending.get(message.id)?.reject(deserializeError(message.error));
    }
  }

  private killChildren(): void {
    for (const pid of this.children) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    this.children.clear();
  }
}

function cancelled(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof CancelledError ? reason : new CancelledError('media job cancelled');
}

function safely(callback: () => void): void {
  try {
    callback();
  } catch (error) {
    // A listener's bug must not break the channel.
    console.error(new ShotlineError(`media progress listener failed: ${error instanceof Error ? error.message : String(error)}`));
  }
}
