/**
 * The media worker as an Electron utilityProcess: Chromium's own child-process type, so
 * a crash inside FFmpeg is reported to main and never takes the window down. Only the
 * Electron shell imports this module.
 */
import { utilityProcess } from 'electron';
import { childProcessEnv } from '../media/child-env';
import { keepStderrTail } from '../workers/child-process';
import { WORKER_SETTINGS_ENV, type FromWorker } from '../media/worker/protocol';
import { workerEntry, type WorkerSpawner } from '../media/worker/spawn';

export const utilityWorker: WorkerSpawner = (settings, env) => {
  const child = utilityProcess.fork(workerEntry().file, [], {
    env: { ...childProcessEnv(env), [WORKER_SETTINGS_ENV]: JSON.stringify(settings) },
    serviceName: 'Shotline media',
    stdio: 'pipe',
  });
  const stderrTail = keepStderrTail(child.stderr);
  return {
    get pid() {
      return child.pid;
    },
    send: (message) => child.postMessage(message),
    onMessage: (listener) => child.on('message', (message: unknown) => listener(message as FromWorker)),
    // utilityProcess reports only an exit code; a native crash shows as a non-zero code.
    onExit: (listener) => child.once('exit', (code) => listener(code, null, stderrTail())),
    kill: () => {
      child.kill();
    },
    // The app's lifetime is the window's, not the event loop's: nothing to release.
    setActive: () => undefined,
  };
};
