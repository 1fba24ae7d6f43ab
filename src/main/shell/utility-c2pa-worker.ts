/**
 * The C2PA signing worker as an Electron utilityProcess (one per file, like under Node):
 * c2pa-wasm's memory goes back when it exits, and a wasm trap never reaches the window.
 * Only the Electron shell imports this module.
 */
import { utilityProcess } from 'electron';
import { childProcessEnv } from '../media/child-env';
import { keepStderrTail } from '../workers/child-process';
import type { FromC2paWorker } from '../provenance/c2pa/worker/protocol';
import { c2paWorkerEntry, type C2paWorkerSpawner } from '../provenance/c2pa/worker/spawn';

export const utilityC2paWorker: C2paWorkerSpawner = () => {
  const child = utilityProcess.fork(c2paWorkerEntry().file, [], { env: childProcessEnv(process.env), serviceName: 'Shotline signing', stdio: 'pipe' });
  const stderrTail = keepStderrTail(child.stderr);
  return {
    get pid() {
      return child.pid;
    },
    // Structured clone: certificates and timestamp tokens cross as bytes.
    send: (message) => child.postMessage(message),
    onMessage: (listener) => child.on('message', (message: unknown) => listener(message as FromC2paWorker)),
    // utilityProcess reports only an exit code; a trap or the OOM killer shows as a non-zero code.
    onExit: (listener) => child.once('exit', (code) => listener(code, null, stderrTail())),
    kill: () => {
      child.kill();
    },
  };
};
