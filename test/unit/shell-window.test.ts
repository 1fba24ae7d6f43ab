import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MEDIA_SCHEME_PRIVILEGES, mediaProtocolHandler, type MediaServer } from '../../src/main/shell/media-protocol';
import { mainWindowOptions } from '../../src/main/shell/window-options';
import { bundledFfmpegEnv } from '../../src/main/shell/bundled-ffmpeg';
import { electronMediaUrl } from '../../src/shared/media-url';
import type { MediaRequest } from '../../src/main/bridge/media-files';

describe('the main window', () => {
  it('is isolated and sandboxed, with no Node in the page and the preload set', () => {
    const options = mainWindowOptions('/app/out/preload/index.cjs');
    expect(options.webPreferences).toEqual({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
      preload: '/app/out/preload/index.cjs',
    });
    expect(options.show).toBe(false);
  });
});

describe('the shotline-media: protocol', () => {
  it('is a standard, secure, streaming scheme that does not bypass the CSP', () => {
    expect(MEDIA_SCHEME_PRIVILEGES).toMatchObject({ scheme: 'shotline-media', privileges: { standard: true, secure: true, stream: true, bypassCSP: false } });
  });

  it('hands the file path, the Range header and the verb to the data-folder server', async () => {
    const seen: { dataDir: string; request: MediaRequest }[] = [];
    const serve: MediaServer = async (dataDir, request) => {
      seen.push({ dataDir, request });
      return new Response('ok', { status: 206 });
    };
    const handle = mediaProtocolHandler('/data folder', serve);
    const path = '/data folder/media/clip «1» "q" ☂.mp4';
    const response = await handle(new Request(electronMediaUrl(path), { headers: { Range: 'bytes=0-9' } }));
    expect(response.status).toBe(206);
    expect(seen).toEqual([{ dataDir: '/data folder', request: { path, range: 'bytes=0-9', method: 'GET' } }]);
    expect((await handle(new Request('https://example.com/?path=/etc/passwd'))).status).toBe(400);
    expect(seen).toHaveLength(1);
  });
});

/**
 * Electron cannot launch here, so the shell's wiring is checked in its source: a guard
 * against a refactor that drops one of the denials (the policies themselves are tested
 * above and in shell-security/shell-ipc).
 */
describe('the Electron shell wires every policy', () => {
  const shell = readFileSync(new URL('../../src/main/index.ts', import.meta.url), 'utf8');
  it.each([
    ['the window options', 'new BrowserWindow(mainWindowOptions(PRELOAD_PATH))'],
    ['sandboxing every renderer', 'app.enableSandbox()'],
    ['the CSP header', 'withContentSecurityPolicy(details.responseHeaders)'],
    ['permission requests denied', 'setPermissionRequestHandler((_contents, _permission, callback) => callback(false))'],
    ['permission checks denied', 'setPermissionCheckHandler(() => false)'],
    ['devices denied', 'setDevicePermissionHandler(() => false)'],
    ['downloads denied', "on('will-download', (event) => event.preventDefault())"],
    ['navigation away denied', "contents.on('will-navigate'"],
    ['redirects away denied', "contents.on('will-redirect'"],
    ['webviews denied', "contents.on('will-attach-webview', (event) => event.preventDefault())"],
    ['window.open denied', "return { action: 'deny' }"],
    ['the media scheme privileged before ready', 'protocol.registerSchemesAsPrivileged([MEDIA_SCHEME_PRIVILEGES])'],
    ['the media scheme served from the data folder', 'protocol.handle(MEDIA_SCHEME, mediaProtocolHandler(dataDir))'],
    ['IPC only from the app page', 'isTrustedSender: isAppUrl'],
  ])('%s', (_what, code) => {
    expect(shell).toContain(code);
  });

  it('never registers file: handlers or turns web security off', () => {
    expect(shell).not.toMatch(/registerFileProtocol|interceptFileProtocol|protocol\.handle\(['"]file|webSecurity:\s*false/);
  });
});

describe("the packaged app's FFmpeg", () => {
  const res = '/opt/Shotline/resources';
  it('points the media code at the binaries the packager bundled', () => {
    const present = new Set([join(res, 'ffmpeg', 'ffmpeg'), join(res, 'ffmpeg', 'ffprobe')]);
    expect(bundledFfmpegEnv(res, {}, 'linux', (f) => present.has(f))).toEqual({
      FFMPEG_PATH: join(res, 'ffmpeg', 'ffmpeg'),
      FFPROBE_PATH: join(res, 'ffmpeg', 'ffprobe'),
    });
    expect(bundledFfmpegEnv(res, {}, 'win32', (f) => f.endsWith('ffmpeg.exe'))).toEqual({ FFMPEG_PATH: join(res, 'ffmpeg', 'ffmpeg.exe') });
  });

  it("leaves the user's own variables alone, and sets nothing when none was bundled", () => {
    expect(bundledFfmpegEnv(res, { FFMPEG_PATH: '/usr/local/bin/ffmpeg' }, 'linux', () => true)).toEqual({ FFPROBE_PATH: join(res, 'ffmpeg', 'ffprobe') });
    expect(bundledFfmpegEnv(res, {}, 'darwin', () => false)).toEqual({});
  });
});
