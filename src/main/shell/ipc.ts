/**
 * Binds the Studio API to Electron's ipcMain: one handler per channel in the
 * STUDIO_CHANNELS allowlist, and progress events pushed to the window. Written against
 * the small slice of ipcMain it uses, so tests can drive it with a fake.
 */
import { STUDIO_CHANNELS, STUDIO_EVENTS, type ProgressEvent, type StudioApi, type StudioMethod } from '../../shared/api';
import { parseArguments } from '../bridge/api-arguments';

/** The part of Electron's IpcMainInvokeEvent the binding reads. */
export interface InvokeEventLike {
  senderFrame: { url: string } | null;
}

/** The part of Electron's IpcMain the binding uses. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}

/** The part of Electron's WebContents that receives pushed events. */
export interface EventTargetLike {
  isDestroyed(): boolean;
  send(channel: string, ...args: unknown[]): void;
}

export interface BindOptions {
  /** True when a call comes from the app's own page; anything else is refused. */
  isTrustedSender(url: string | null | undefined): boolean;
  /** Where progress events go; null while no window is open. */
  getTarget(): EventTargetLike | null;
}

/**
 * Registers a handler for every channel and forwards progress to the target.
 * Returns a function that removes the handlers and stops forwarding.
 */
export function bindStudioApi(ipcMain: IpcMainLike, api: StudioApi, options: BindOptions): () => void {
  const methods = Object.keys(STUDIO_CHANNELS) as StudioMethod[];
  for (const method of methods) {
    const channel = STUDIO_CHANNELS[method];
    ipcMain.handle(channel, async (event, ...args) => {
      const senderUrl = event.senderFrame?.url;
      if (!options.isTrustedSender(senderUrl)) {
        throw new Error(`${channel}: refused a call from a page that is not Shotline's (${senderUrl ?? 'unknown frame'})`);
      }
      const parsed = parseArguments(method, args);
      // One cast: TypeScript cannot correlate `method` with its own argument tuple.
      return (api[method] as (...a: unknown[]) => Promise<unknown>)(...parsed);
    });
  }
  const stopProgress = api.onProgress((event: ProgressEvent) => {
    const target = options.getTarget();
    if (target && !target.isDestroyed()) target.send(STUDIO_EVENTS.progress, event);
  });
  return () => {
    stopProgress();
    for (const method of methods) ipcMain.removeHandler(STUDIO_CHANNELS[method]);
  };
}
