import { beforeEach, describe, expect, it, vi } from 'vitest';
import { STUDIO_CHANNELS, STUDIO_EVENTS, type ProgressEvent, type StudioApi } from '../../src/shared/api';

/** Stands in for Electron's preload modules (the real package needs the Electron binary). */
const electron = vi.hoisted(() => {
  const exposed = new Map<string, unknown>();
  const listeners = new Map<string, Set<(event: unknown, ...args: unknown[]) => void>>();
  const invocations: { channel: string; args: unknown[] }[] = [];
  let answer: (channel: string, args: unknown[]) => Promise<unknown> = async () => undefined;
  return {
    exposed,
    listeners,
    invocations,
    answerWith(fn: typeof answer) {
      answer = fn;
    },
    module: {
      contextBridge: {
        exposeInMainWorld(key: string, value: unknown) {
          exposed.set(key, value);
        },
      },
      ipcRenderer: {
        invoke(channel: string, ...args: unknown[]) {
          invocations.push({ channel, args });
          return answer(channel, args);
        },
        on(channel: string, listener: (event: unknown, ...args: unknown[]) => void) {
          if (!listeners.has(channel)) listeners.set(channel, new Set());
          listeners.get(channel)!.add(listener);
        },
        removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void) {
          listeners.get(channel)?.delete(listener);
        },
      },
    },
  };
});
vi.mock('electron', () => electron.module);

async function loadPreload(): Promise<StudioApi> {
  vi.resetModules();
  electron.exposed.clear();
  await import('../../src/preload/index');
  return electron.exposed.get('studio') as StudioApi;
}

describe('preload', () => {
  beforeEach(() => {
    electron.invocations.length = 0;
    electron.listeners.clear();
  });

  it('exposes only window.studio, with one method per allowlisted channel plus onProgress', async () => {
    const studio = await loadPreload();
    expect([...electron.exposed.keys()]).toEqual(['studio']);
    expect(Object.keys(studio).sort()).toEqual([...Object.keys(STUDIO_CHANNELS), 'onProgress'].sort());
    expect(Object.values(studio).every((value) => typeof value === 'function')).toBe(true);
  });

  it('invokes the matching channel with the arguments unchanged', async () => {
    const studio = await loadPreload();
    electron.answerWith(async (channel) => (channel === STUDIO_CHANNELS.startRender ? { episodeId: 'ep-7' } : []));
    await expect(studio.startRender('/b/ep "1".yaml', { outputPath: '/o/ü.mp4', mode: 'preview' })).resolves.toEqual({
      episodeId: 'ep-7',
    });
    await studio.listEngines();
    expect(electron.invocations).toEqual([
      { channel: STUDIO_CHANNELS.startRender, args: ['/b/ep "1".yaml', { outputPath: '/o/ü.mp4', mode: 'preview' }] },
      { channel: STUDIO_CHANNELS.listEngines, args: [] },
    ]);
  });

  it('every allowlisted method invokes its own channel and nothing else', async () => {
    const studio = await loadPreload();
    electron.answerWith(async (channel) => ({ from: channel }));
    const methods = Object.keys(STUDIO_CHANNELS) as (keyof typeof STUDIO_CHANNELS)[];
    for (const method of methods) {
      const call = studio[method] as (...args: unknown[]) => Promise<unknown>;
      await expect(call('a', { b: 1 })).resolves.toEqual({ from: STUDIO_CHANNELS[method] });
    }
    expect(electron.invocations).toEqual(methods.map((method) => ({ channel: STUDIO_CHANNELS[method], args: ['a', { b: 1 }] })));
    // Only the studio:* allowlist is reachable: no other channel was ever asked for.
    expect(new Set(electron.invocations.map((i) => i.channel))).toEqual(new Set(Object.values(STUDIO_CHANNELS)));
  });

  it("gives the page the studio's message without Electron's remote-method wrapper", async () => {
    const studio = await loadPreload();
    electron.answerWith(async (channel) => {
      throw new Error(`Error invoking remote method '${channel}': UserError: storyboard.yaml: shots.0.duration: must be positive`);
    });
    await expect(studio.planEpisode('storyboard.yaml')).rejects.toThrow(/^storyboard\.yaml: shots\.0\.duration: must be positive$/);
  });

  it('delivers progress payloads without the IPC event, and unsubscribes', async () => {
    const studio = await loadPreload();
    const received: unknown[][] = [];
    const stop = studio.onProgress((...args) => received.push(args));
    const channelListeners = electron.listeners.get(STUDIO_EVENTS.progress);
    expect(channelListeners?.size).toBe(1);

    const progress: ProgressEvent = { episodeId: 'ep-1', type: 'stitch', progress: 0.25 };
    const ipcEvent = { sender: 'ipcRenderer itself' };
    channelListeners!.forEach((listener) => listener(ipcEvent, progress));
    expect(received).toEqual([[progress]]);

    stop();
    expect(channelListeners?.size).toBe(0);
  });
});
