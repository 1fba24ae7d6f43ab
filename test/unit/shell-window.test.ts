import { describe, expect, it } from 'vitest';
import { MEDIA_SCHEME_PRIVILEGES, mediaProtocolHandler, type MediaServer } from '../../src/main/shell/media-protocol';
import { mainWindowOptions } from '../../src/main/shell/window-options';
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
