/**
 * Starting the C2PA worker. Under Node (the CLI, the tests) it is a child_process.fork of
 * c2pa-worker-main; the Electron shell may pass its own spawner built on utilityProcess,
 * so this module never imports electron. The child starts without provider keys or
 * anything named like a secret in its environment (childProcessEnv).
 */
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { childProcessEnv } from '../../../media/child-env';
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

const STDERR_TAIL_BYTES = 4096;

/** The worker's entry: the bundled out/main/c2pa-worker.js, or its TypeScript source under tsx (tests, dev). */
export function c2paWorkerEntry(): { file: string; execArgv: string[] } {
  const here = import.meta.url;
  if (here.endsWith('.ts')) return { file: fileURLToPath(new URL('./c2pa-worker-main.ts', here)), execArgv: ['--import', 'tsx'] };
  // Bundled, this module sits in out/main/ (index.js, cli.js) or out/main/chunks/.
  for (const candidate of ['./c2pa-worker.js', '../c2pa-worker.js']) {
    const file = fileURLToPath(new URL(candidate, here));
    if (existsSync(file)) return { file, execArgv: [] };
  }
  throw new Error(`c2pa-worker.js was not found beside ${fileURLToPath(here)}: run \`npm run build\``);
}

export const forkC2paWorker: C2paWorkerSpawner = () => forkC2paWorkerFrom(c2paWorkerEntry());

/** A worker from a given entry (the bench starts the built one while it runs from source). */
export function forkC2paWorkerFrom(entry: { file: string; execArgv: string[] }): C2paWorkerHandle {
  const child = fork(entry.file, [], {
    execArgv: entry.execArgv,
    env: childProcessEnv(process.env),
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    // Uint8Arrays (certificates, timestamp tokens) cross as bytes, not as JSON objects.
    serialization: 'advanced',
  });
  let stderrTail = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderrTail = (stderrTail + chunk).slice(-STDERR_TAIL_BYTES);
  });
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
        listener(code, signal, stderrTail);
      };
      child.once('close', report);
      child.once('error', (error) => {
        stderrTail += `\n${error.message}`;
        if (child.exitCode === null && child.signalCode === null && !child.pid) report(null, null);
      });
    },
    kill: (signal) => {
      child.kill(signal);
    },
  };
}
