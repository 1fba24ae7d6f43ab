/**
 * Starting the C2PA worker. Under Node (the CLI, the tests) it is a child_process.fork of
 * c2pa-worker-main; the Electron shell may pass its own spawner built on utilityProcess,
 * so this module never imports electron. The child starts without provider keys or
 * anything named like a secret in its environment (childProcessEnv).
 */
import { fork } from 'node:child_process';
import { childProcessEnv } from '../../../media/child-env';
import { keepStderrTail, workerEntryFor, type WorkerEntry } from '../../../workers/child-process';
import type { FromC2paWorker, ToC2paWorker } from './protocol';

export interface C2paWorkerHandle {
  readonly pid: number | undefined;
  send(message: ToC2paWorker): void;
  onMessage(listener: (message: FromC2paWorker) => void): void;
  /** Once, when the process is gone: its exit code, or the signal that killed it, and the end of its stderr. */
  onExit(listener: (code: number | null, signal: string | null, stderrTail: string) => void): void;
  kill(signal: NodeJS.Signals): void;
}

export type C2paWorkerSpawner = () => C2paWorkerHandle;

/** The worker's entry: the bundled out/main/c2pa-worker.js, or its TypeScript source under tsx (tests, dev). */
export function c2paWorkerEntry(): WorkerEntry {
  return workerEntryFor(import.meta.url, 'c2pa-worker-main.ts', 'c2pa-worker.js');
}

export const forkC2paWorker: C2paWorkerSpawner = () => forkC2paWorkerFrom(c2paWorkerEntry());

/** A worker from a given entry (the bench starts the built one while it runs from source). */
export function forkC2paWorkerFrom(entry: WorkerEntry): C2paWorkerHandle {
  const child = fork(entry.file, [], {
    execArgv: entry.execArgv,
    env: childProcessEnv(process.env),
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    // Uint8Arrays (certificates, timestamp tokens) cross as bytes, not as JSON objects.
    serialization: 'advanced',
  });
  const stderrTail = keepStderrTail(child.stderr);
  let forkError = '';
  return {
    pid: child.pid,
    send: (message) => {
      if (child.connected) child.send(message);
    },
    onMessage: (listener) => child.on('message', (message) => listener(message as FromC2paWorker)),
    onExit: (listener) => {
      // 'error' without 'close' happens when the fork itself fails (no such file).
      let reported = false;
      const report = (code: number | null, signal: string | null) => {
        if (reported) return;
        reported = true;
        listener(code, signal, stderrTail() + forkError);
      };
      child.once('close', report);
      child.once('error', (error) => {
        forkError += `\n${error.message}`;
        if (child.exitCode === null && child.signalCode === null && !child.pid) report(null, null);
      });
    },
    kill: (signal) => {
      child.kill(signal);
    },
  };
}
