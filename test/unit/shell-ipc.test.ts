import { describe, expect, it } from 'vitest';
import { STUDIO_CHANNELS, STUDIO_EVENTS, type ProgressEvent, type StudioMethod } from '../../src/shared/api';
import { UserError } from '../../src/shared/errors';
import { createAppUrlMatcher } from '../../src/main/shell/security';
import { bindStudioApi, type EventTargetLike, type InvokeEventLike, type IpcMainLike } from '../../src/main/shell/ipc';
import { parseArguments } from '../../src/main/bridge/api-arguments';
import { fakeStudio } from '../support/fake-studio-api';

type Handler = (event: InvokeEventLike, ...args: unknown[]) => unknown;

/** Records handlers the way Electron's ipcMain does, one per channel. */
class FakeIpcMain implements IpcMainLike {
  readonly handlers = new Map<string, Handler>();
  handle(channel: string, listener: Handler): void {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  invoke(channel: string, frameUrl: string | null, ...args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (!handler) return Promise.reject(new Error(`No handler registered for '${channel}'`));
    return Promise.resolve().then(() => handler({ senderFrame: frameUrl === null ? null : { url: frameUrl } }, ...args));
  }
}

function fakeTarget() {
  const sent: { channel: string; args: unknown[] }[] = [];
  let destroyed = false;
  const target: EventTargetLike = {
    isDestroyed: () => destroyed,
    send: (channel, ...args) => sent.push({ channel, args }),
  };
  return { target, sent, destroy: () => (destroyed = true) };
}

const APP = 'file:///opt/Shotline/out/renderer/index.html';
const trustApp = (url: string | null | undefined) => url === APP;

describe('bindStudioApi', () => {
  it('registers exactly the channels in the allowlist', () => {
    const ipc = new FakeIpcMain();
    bindStudioApi(ipc, fakeStudio().api, { isTrustedSender: trustApp, getTarget: () => null });
    expect([...ipc.handlers.keys()].sort()).toEqual(Object.values(STUDIO_CHANNELS).sort());
  });

  it('passes validated arguments to the studio and returns its answer', async () => {
    const ipc = new FakeIpcMain();
    const studio = fakeStudio();
    bindStudioApi(ipc, studio.api, { isTrustedSender: trustApp, getTarget: () => null });

    const path = '/home/ana/My Films/épisode "1".yaml';
    const result = await ipc.invoke(STUDIO_CHANNELS.startRender, APP, path, {
      outputPath: '/tmp/out file.mp4',
      mode: 'preview',
      budgetUsd: 2.5,
      injected: 'dropped',
    });
    expect(result).toEqual({ episodeId: 'ep-1' });
    expect(studio.calls).toEqual([
      { method: 'startRender', args: [path, { outputPath: '/tmp/out file.mp4', mode: 'preview', budgetUsd: 2.5 }] },
    ]);

    const episodes = await ipc.invoke(STUDIO_CHANNELS.listEpisodes, APP);
    expect(episodes).toEqual([expect.objectContaining({ episodeId: 'ep-1', title: 'Pilot' })]);
  });

  it('accepts an omitted optional argument', async () => {
    const ipc = new FakeIpcMain();
    const studio = fakeStudio();
    bindStudioApi(ipc, studio.api, { isTrustedSender: trustApp, getTarget: () => null });
    await ipc.invoke(STUDIO_CHANNELS.planEpisode, APP, 'board.yaml');
    expect(studio.calls).toEqual([{ method: 'planEpisode', args: ['board.yaml'] }]);
  });

  it('refuses calls from frames that are not the app, before reaching the studio', async () => {
    const ipc = new FakeIpcMain();
    const studio = fakeStudio();
    bindStudioApi(ipc, studio.api, { isTrustedSender: trustApp, getTarget: () => null });

    await expect(ipc.invoke(STUDIO_CHANNELS.listEngines, 'https://evil.example/')).rejects.toThrow(
      /studio:list-engines: refused a call from a page that is not Shotline's \(https:\/\/evil\.example\/\)/,
    );
    await expect(ipc.invoke(STUDIO_CHANNELS.listEngines, null)).rejects.toThrow(/unknown frame/);
    expect(studio.calls).toEqual([]);
  });

  it('rejects malformed arguments with the channel and argument named', async () => {
    const ipc = new FakeIpcMain();
    const studio = fakeStudio();
    bindStudioApi(ipc, studio.api, { isTrustedSender: trustApp, getTarget: () => null });

    await expect(ipc.invoke(STUDIO_CHANNELS.cancelRender, APP, '')).rejects.toThrow(
      'studio:cancel-render: episodeId: must be a non-empty string',
    );
    await expect(ipc.invoke(STUDIO_CHANNELS.startRender, APP, 'board.yaml', { mode: 'draft' })).rejects.toThrow(
      /studio:start-render: .*options\.mode.*options\.outputPath|studio:start-render: .*options\.outputPath.*options\.mode/,
    );
    await expect(ipc.invoke(STUDIO_CHANNELS.listEngines, APP, 'extra')).rejects.toThrow(/studio:list-engines: arguments: /);
    expect(studio.calls).toEqual([]);
  });

  it("passes the studio's own errors through", async () => {
    const ipc = new FakeIpcMain();
    bindStudioApi(ipc, fakeStudio().api, { isTrustedSender: trustApp, getTarget: () => null });
    await expect(ipc.invoke(STUDIO_CHANNELS.getEpisode, APP, 'ep-9')).rejects.toThrow('no episode ep-9');
  });

  it('forwards progress to the window while it lives, and not after it is destroyed', () => {
    const studio = fakeStudio();
    const window = fakeTarget();
    let target: EventTargetLike | null = null;
    bindStudioApi(new FakeIpcMain(), studio.api, { isTrustedSender: trustApp, getTarget: () => target });

    const event: ProgressEvent = { episodeId: 'ep-1', shotId: 's01', type: 'shot', state: 'running', progress: 0.5 };
    studio.emit(event); // no window yet: dropped, not thrown
    target = window.target;
    studio.emit(event);
    window.destroy();
    studio.emit(event);
    expect(window.sent).toEqual([{ channel: STUDIO_EVENTS.progress, args: [event] }]);
  });

  it('unbinding removes every handler and the progress subscription', () => {
    const ipc = new FakeIpcMain();
    const studio = fakeStudio();
    const unbind = bindStudioApi(ipc, studio.api, { isTrustedSender: trustApp, getTarget: () => null });
    expect(studio.listeners.size).toBe(1);
    unbind();
    expect(ipc.handlers.size).toBe(0);
    expect(studio.listeners.size).toBe(0);
  });
});

/**
 * The channels the board added: a well-formed call reaches the studio unchanged; a bad one
 * is refused in main, before the studio, with the channel and the argument named.
 */
describe('the board channels over IPC', () => {
  const good: [StudioMethod, unknown[]][] = [
    ['openStoryboard', [{ path: '/films/pilot.yaml' }]],
    ['openStoryboard', [{ fileName: 'pilot.yaml', text: 'title: Pilot\n' }]],
    ['saveStoryboard', ['/films/pilot.yaml', { title: 'Pilot', shots: [], unknownKept: 1 }]],
    ['listStoryboards', []],
    ['verifyCredentials', [{ episodeId: 'ep-1', shotId: 's01', takeNo: 2 }]],
    ['verifyCredentials', [{ episodeId: 'ep-1' }]],
    ['getAppInfo', []],
    ['listProviderKeys', []],
    ['setProviderKey', ['kling', { accessKey: 'ak', secretKey: 'sk' }]],
    ['deleteProviderKey', ['runway']],
    ['updateEngine', ['runway-gen4.5', { enabled: false, price: '', concurrency: '2' }]],
  ];
  const bad: [StudioMethod, unknown[], string][] = [
    ['openStoryboard', [{ path: '/films/pilot.yaml', text: 'title: x' }], 'studio:open-storyboard: source: Unrecognized key: "text"'],
    ['openStoryboard', [{ fileName: '', text: 'title: x' }], 'studio:open-storyboard: source'],
    ['openStoryboard', ['/films/pilot.yaml'], 'studio:open-storyboard: source'],
    ['saveStoryboard', ['', { title: 'Pilot' }], 'studio:save-storyboard: path: must be a non-empty string'],
    ['saveStoryboard', ['/films/pilot.yaml', 'title: Pilot'], 'studio:save-storyboard: storyboard: '],
    ['listStoryboards', ['/films'], 'studio:list-storyboards: arguments: '],
    ['verifyCredentials', [{ episodeId: 'ep-1', shotId: 's01', takeNo: 0 }], 'studio:verify-credentials: target.takeNo: '],
    ['verifyCredentials', [{ shotId: 's01' }], 'studio:verify-credentials: target.episodeId: '],
    ['verifyCredentials', [{ episodeId: 'ep-1', path: '/etc/passwd' }], 'studio:verify-credentials: target: Unrecognized key: "path"'],
    ['getAppInfo', [{}], 'studio:get-app-info: arguments: '],
    ['listProviderKeys', [1], 'studio:list-provider-keys: arguments: '],
    ['setProviderKey', ['runway', { apiKey: '' }], 'studio:set-provider-key: values.apiKey: must not be empty'],
    ['setProviderKey', ['', { apiKey: 'key' }], 'studio:set-provider-key: provider: must be a non-empty string'],
    ['setProviderKey', ['runway', 'key'], 'studio:set-provider-key: values: '],
    ['deleteProviderKey', [''], 'studio:delete-provider-key: provider: must be a non-empty string'],
    ['deleteProviderKey', [], 'studio:delete-provider-key: arguments: '],
    ['updateEngine', ['runway-gen4.5', { speed: 3 }], 'studio:update-engine: edit: Unrecognized key: "speed"'],
    ['updateEngine', ['runway-gen4.5', { enabled: 'yes' }], 'studio:update-engine: edit.enabled: '],
    ['updateEngine', ['', {}], 'studio:update-engine: engineId: must be a non-empty string'],
  ];

  it.each(good)('%s passes a well-formed call through', async (method, args) => {
    const ipc = new FakeIpcMain();
    const studio = fakeStudio();
    bindStudioApi(ipc, studio.api, { isTrustedSender: trustApp, getTarget: () => null });
    await ipc.invoke(STUDIO_CHANNELS[method], APP, ...args);
    expect(studio.calls).toEqual([{ method, args }]);
  });

  it.each(bad)('%s refuses %j before the studio sees it', async (method, args, message) => {
    const ipc = new FakeIpcMain();
    const studio = fakeStudio();
    bindStudioApi(ipc, studio.api, { isTrustedSender: trustApp, getTarget: () => null });
    const error = await ipc.invoke(STUDIO_CHANNELS[method], APP, ...args).then(
      () => null,
      (thrown: unknown) => thrown,
    );
    // A UserError: its message is what the page shows (the preload strips Electron's wrapper).
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message.startsWith(message)).toBe(true);
    expect(studio.calls).toEqual([]);
  });

  it('every channel refuses a page that is not the app, whatever its arguments', async () => {
    const ipc = new FakeIpcMain();
    const studio = fakeStudio();
    bindStudioApi(ipc, studio.api, { isTrustedSender: createAppUrlMatcher(APP), getTarget: () => null });
    const strangers = ['https://evil.example/', 'file:///tmp/index.html', `${APP.replace('index.html', '')}other.html`, 'shotline-media://file/?path=/x'];
    for (const method of Object.keys(STUDIO_CHANNELS) as StudioMethod[]) {
      for (const url of strangers) {
        await expect(ipc.invoke(STUDIO_CHANNELS[method], url)).rejects.toThrow(`${STUDIO_CHANNELS[method]}: refused a call from a page that is not Shotline's`);
      }
    }
    expect(studio.calls).toEqual([]);
  });

  it('pushes shot status, progress and cost events to the window until unbound', () => {
    const studio = fakeStudio();
    const window = fakeTarget();
    const unbind = bindStudioApi(new FakeIpcMain(), studio.api, { isTrustedSender: trustApp, getTarget: () => window.target });
    const events: ProgressEvent[] = [
      { episodeId: 'ep-1', shotId: 's01', type: 'shot', state: 'accepted', engineId: 'runway-gen4.5' },
      { episodeId: 'ep-1', type: 'stitch', progress: 0.4, etaSeconds: 12 },
      { episodeId: '', type: 'network', online: false },
    ];
    events.forEach((event) => studio.emit(event));
    unbind();
    studio.emit({ episodeId: 'ep-1', type: 'episode', state: 'done' });
    expect(window.sent).toEqual(events.map((event) => ({ channel: STUDIO_EVENTS.progress, args: [event] })));
  });
});

describe('parseArguments', () => {
  it('names nested option fields', () => {
    expect(() => parseArguments('planEpisode', ['board.yaml', { budgetUsd: -1 }])).toThrow(/options\.budgetUsd: /);
    expect(() => parseArguments('startRender', ['board.yaml', { outputPath: 'o.mp4', concurrency: 1.5 }])).toThrow(
      /options\.concurrency: /,
    );
  });

  it('validates the takes channels: shots named or all, take numbers, regenerate options', () => {
    expect(parseArguments('approveShots', ['ep-1', 'all'])).toEqual(['ep-1', 'all']);
    expect(parseArguments('approveShots', ['ep-1', ['s01', 's02']])).toEqual(['ep-1', ['s01', 's02']]);
    expect(() => parseArguments('approveShots', ['ep-1', []])).toThrow(/studio:approve-shots: shots: /);
    expect(() => parseArguments('unapproveShots', ['ep-1', 'some'])).toThrow(/studio:unapprove-shots: shots/);
    expect(() => parseArguments('selectTake', ['ep-1', 's01', 0])).toThrow(/studio:select-take: takeNo: /);
    expect(() => parseArguments('selectTake', ['ep-1', 's01', 1.5])).toThrow(/takeNo: /);
    expect(() => parseArguments('regenerateShots', ['ep-1', { shotIds: [] }])).toThrow(/options\.shotIds: must name at least one shot/);
    expect(() => parseArguments('regenerateShots', ['ep-1', { shotIds: ['s01'], seed: 'x' }])).toThrow(/options\.seed: /);
    const prompt = 'Zoë says "it\'s 50%"\n🎬';
    expect(parseArguments('regenerateShots', ['ep-1', { shotIds: ['s01'], prompt, engineId: 'runway-gen4.5' }])).toEqual(['ep-1', { shotIds: ['s01'], prompt, engineId: 'runway-gen4.5' }]);
    expect(() => parseArguments('restitchEpisode', ['ep-1', {}])).toThrow(/options\.outputPath: /);
  });

  it('keeps prompts and paths byte for byte', () => {
    const odd = "C:\\Users\\Zoë\\shots 'final'\n\u{1F3AC}.yaml";
    expect(parseArguments('planEpisode', [odd, { mode: 'final' }])).toEqual([odd, { mode: 'final' }]);
  });
});
