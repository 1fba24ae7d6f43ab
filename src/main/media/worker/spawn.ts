/**
 * Starting the media worker. Under Node (the CLI, the tests, the benchmarks) it is a
 * child_process.fork; the Electron shell passes its own spawner built on utilityProcess,
 * so this module never imports electron. The worker starts without provider keys.
 */
import { fork } from 'node:child_process';
import { keepStderrTail, workerEntryFor, type WorkerEntry } from '../../workers/child-process';
import { childProcessEnv } from '../child-env';
import { WORKER_SETTINGS_ENV, type FromWorker, type ToWorker, type WorkerSettings } from './protocol';

export interface WorkerHandle {
  readonly pid: number | undefined;
  send(message: ToWorker): void;
  onMessage(listener: (message: FromWorker) => void): void;
  /** Once, when the process is gone: its exit code, or the signal that killed it. */
  onExit(listener: (code: number | null, signal: string | null, stderrTail: string) => void): void;
  kill(signal: NodeJS.Signals): void;
  /** Whether an idle worker may keep main's event loop alive (the CLI must be able to exit). */
  setActive(active: boolean): void;
}

export type WorkerSpawner = (settings: WorkerSettings, env: NodeJS.ProcessEnv) => WorkerHandle;

/** The worker's entry: the bundled out/main/media-worker.js, or its TypeScript source under tsx (tests). */
export function workerEntry(): WorkerEntry {
  return workerEntryFor(import.meta.url, 'worker-main.ts', 'media-worker.js');
}

export const forkWorker: WorkerSpawner = (settings, env) => {
  const entry = workerEntry();
  const child = fork(entry.file, [], {
    execArgv: entry.execArgv,
    env: { ...childProcessEnv(env), [WORKER_SETTINGS_ENV]: JSON.stringify(settings) },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    serialization: 'advanced',
  });
  const stderrTail = keepStderrTail(child.stderr);
  return {
    pid: child.pid,
    send: (message) => {
      if (child.connected) child.send(message);
    },
    onMessage: (listener) => child.on('message', (message) => listener(message as FromWorker)),
    onExit: (listener) => child.once('close', (code, signal) => listener(code, signal, stderrTail())),
    kill: (signal) => {
      child.kill(signal);
    },
    setActive: (active) => {
      const channel = child.channel as { ref?: () => void; unref?: () => void } | undefined;
      if (active) {
        child.ref();
        channel?.ref?.();
      } else {
        child.unref();
        channel?.unref?.();
      }
    },
  };
};
