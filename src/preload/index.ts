/**
 * The preload: exposes the Studio API as `window.studio` and nothing else. Every call
 * goes through a channel in the STUDIO_CHANNELS allowlist; the page never sees
 * ipcRenderer or the IPC event objects (their `sender` would hand it ipcRenderer).
 * Built as CommonJS: sandboxed preloads cannot be ES modules.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { STUDIO_CHANNELS, STUDIO_EVENTS, type ProgressEvent, type StudioApi } from '../shared/api';

type Invokers = Omit<StudioApi, 'onProgress'>;

/**
 * Electron wraps errors thrown in main as "Error invoking remote method '<channel>':
 * Error: <message>"; the page gets the studio's own message back.
 */
const REMOTE_ERROR_PREFIX = /^Error invoking remote method '[^']*': (?:\w*Error: )?/;

function invoker(channel: string) {
  return async (...args: unknown[]): Promise<unknown> => {
    try {
      return await ipcRenderer.invoke(channel, ...args);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(message.replace(REMOTE_ERROR_PREFIX, ''));
    }
  };
}

const invokers = Object.fromEntries(
  Object.entries(STUDIO_CHANNELS).map(([method, channel]) => [method, invoker(channel)]),
) as unknown as Invokers;

const studio: StudioApi = {
  ...invokers,
  onProgress(listener) {
    const forward = (_event: IpcRendererEvent, progress: ProgressEvent) => listener(progress);
    ipcRenderer.on(STUDIO_EVENTS.progress, forward);
    return () => {
      ipcRenderer.removeListener(STUDIO_EVENTS.progress, forward);
    };
  },
};

contextBridge.exposeInMainWorld('studio', studio);
