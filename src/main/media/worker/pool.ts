/**
 * The media service main uses: a small pool of media workers, each running one job at
 * a time, so a cancel can kill a worker without touching the others' jobs and a crash
 * loses one job, never the app. Implements MediaOps, the same jobs a backend runs.
 */
import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import type { BackendName, BackendInfo, ConcatCopyJob, EncoderTrial, EncoderTrialResult, GraphJob, GraphRunResult, MediaOps, MediaProbe, MuxJob, OpOptions } from '../backend/types';
import { MediaWorker } from './media-worker';
import type { MediaOp, WorkerSettings } from './protocol';
import { forkWorker, type WorkerSpawner } from './spawn';

const MAX_REMEMBERED_PROBES = 4096;

export interface MediaPoolOptions {
  settings?: WorkerSettings;
  env?: NodeJS.ProcessEnv;
  /** Most workers at once; default: the CPU count, at most 4 (FFmpeg itself is multi-threaded). */
  size?: number;
  spawn?: WorkerSpawner;
  log?: (line: string) => void;
}

export class MediaPool implements MediaOps {
  private readonly idle: MediaWorker[] = [];
  private readonly all = new Set<MediaWorker>();
  /** Jobs waiting for a worker; `urgent` ones (short jobs others wait on) go first. */
  private readonly waiting: { take: (worker: MediaWorker) => void; urgent: boolean }[] = [];
  private readonly size: number;
  private closed = false;
  private readonly probes = new Map<string, MediaProbe>();
  private backendName: Promise<{ backend: BackendName; fallbackReason: string | null }> | undefined;

  constructor(private readonly options: MediaPoolOptions = {}) {
    this.size = Math.max(1, options.size ?? Math.min(4, availableParallelism()));
  }

  /** Which FFmpeg the workers drive, and why the bundled one was not used if it was not. */
  backend(): Promise<{ backend: BackendName; fallbackReason: string | null }> {
    return (this.backendName ??= this.withWorker((worker) => worker.ready));
  }

  info(options?: OpOptions): Promise<BackendInfo> {
    return this.job('info', undefined, options, 'reading the FFmpeg version and encoders');
  }
  /**
   * Probes are memoised by file identity (path, inode, size, modification time): the gate
   * probes every clip and the stitch needs the same facts, 500 times for a 500-shot
   * episode. A file rewritten in place is probed again.
   */
  async probe(file: string, options?: OpOptions): Promise<MediaProbe> {
    const info = await stat(file).catch(() => undefined);
    // A missing file goes to the worker, which says so in the usual words.
    if (!info) return this.job('probe', file, options, `probing ${file}`);
    const key = `${path.resolve(file)}\0${info.ino}\0${info.size}\0${info.mtimeMs}`;
    const known = this.probes.get(key);
    if (known) return known;
    const probe = await this.job<MediaProbe>('probe', file, options, `probing ${file}`);
    if (this.probes.size >= MAX_REMEMBERED_PROBES) this.probes.delete(this.probes.keys().next().value as string);
    this.probes.set(key, probe);
    return probe;
  }
  runGraph(job: GraphJob, options?: OpOptions): Promise<GraphRunResult> {
    return this.job('runGraph', job, options, job.output.container === 'null' ? `analysing ${job.inputs.map((i) => i.path).join(', ')}` : `writing ${job.output.path}`);
  }
  concatCopy(job: ConcatCopyJob, options?: OpOptions): Promise<void> {
    return this.job('concatCopy', job, options, `joining ${job.parts.length} pieces into ${job.output.path}`);
  }
  mux(job: MuxJob, options?: OpOptions): Promise<void> {
    return this.job('mux', job, options, `muxing ${job.output.path}`);
  }
  tryEncoder(trial: EncoderTrial, options?: OpOptions): Promise<EncoderTrialResult> {
    return this.job('tryEncoder', trial, options, `trying the ${trial.encoder} encoder`);
  }

  /** Starts every worker now and waits until each has its FFmpeg loaded (the first jobs then start at once). */
  async warm(): Promise<void> {
    const workers = await Promise.all(Array.from({ length: this.size - this.all.size + this.idle.length }, () => this.acquire()));
    try {
      await Promise.all(workers.map((worker) => worker.ready));
    } finally {
      for (const worker of workers) this.release(worker);
    }
  }

  /** Pids of the worker processes (diagnostics and tests). */
  workerPids(): number[] {
    return [...this.all].flatMap((worker) => (worker.pid === undefined ? [] : [worker.pid]));
  }

  /** Kills every worker and the ffmpeg processes they started. */
  close(): void {
    this.closed = true;
    for (const worker of this.all) worker.kill();
    this.all.clear();
    this.idle.length = 0;
  }

  private job<T>(op: MediaOp, argument: unknown, options: OpOptions = {}, what: string): Promise<T> {
    const { urgent, ...runOptions } = options;
    return this.withWorker(async (worker) => {
      await worker.ready;
      return worker.run<T>(op, argument, { ...runOptions, what });
    }, urgent ?? false);
  }

  private async withWorker<T>(use: (worker: MediaWorker) => Promise<T>, urgent = false): Promise<T> {
    const worker = await this.acquire(urgent);
    try {
      return await use(worker);
    } finally {
      this.release(worker);
    }
  }

  private acquire(urgent = false): Promise<MediaWorker> {
    if (this.closed) return Promise.reject(new Error('the media service is closed'));
    for (;;) {
      const worker = this.idle.pop();
      if (!worker) break;
      if (worker.alive) return Promise.resolve(worker);
      this.all.delete(worker);
    }
    if (this.all.size < this.size) {
      const worker = new MediaWorker((this.options.spawn ?? forkWorker)(this.options.settings ?? { backend: 'auto' }, this.options.env ?? process.env));
      this.all.add(worker);
      return Promise.resolve(worker);
    }
    return new Promise((take) => {
      const entry = { take, urgent };
      // Urgent jobs queue after earlier urgent ones but ahead of every ordinary one.
      const firstOrdinary = this.waiting.findIndex((waiting) => !waiting.urgent);
      if (urgent && firstOrdinary >= 0) this.waiting.splice(firstOrdinary, 0, entry);
      else this.waiting.push(entry);
    });
  }

  private release(worker: MediaWorker): void {
    if (!worker.alive) {
      this.all.delete(worker);
      // Someone waiting gets a fresh worker in the dead one's place.
      const next = this.waiting.shift();
      if (next) void this.acquire(next.urgent).then(next.take);
      return;
    }
    const next = this.waiting.shift();
    if (next) next.take(worker);
    else this.idle.push(worker);
  }
}
