/**
 * The worker's side of its channel to main: Node's IPC when forked by the CLI or the
 * tests, Electron's parentPort when started as a utilityProcess by the app.
 */
import type { FromWorker, ToWorker } from './protocol';

export interface ParentChannel {
  send(message: FromWorker): void;
  onMessage(listener: (message: ToWorker) => void): void;
  onClose(listener: () => void): void;
}

interface ElectronParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
  on(event: 'close', listener: () => void): void;
}

export function parentChannel(): ParentChannel {
  const port = (process as unknown as { parentPort?: ElectronParentPort }).parentPort;
  if (port) {
    return {
      send: (message) => port.postMessage(message),
      onMessage: (listener) => port.on('message', (event) => listener(event.data as ToWorker)),
      onClose: (listener) => port.on('close', listener),
    };
  }
  if (!process.send) throw new Error('the media worker must be started by Shotline (no IPC channel to its parent)');
  return {
    send: (message) => {
      // A send after main went away throws ERR_IPC_CHANNEL_CLOSED; the close handler exits.
      if (process.connected) process.send?.(message);
    },
    onMessage: (listener) => process.on('message', (message) => listener(message as ToWorker)),
    onClose: (listener) => process.on('disconnect', listener),
  };
}
