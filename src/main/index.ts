/**
 * The Electron shell, kept thin: it builds the studio, opens one locked-down window and
 * binds the Studio API to IPC. Everything else runs under plain Node (see studio.ts);
 * this is the only module in src/main that imports 'electron'.
 */
import { app, BrowserWindow, dialog, ipcMain, protocol, session, shell, type WebContents } from 'electron';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bindStudioApi } from './shell/ipc';
import { utilityWorker } from './shell/utility-worker';
import { utilityC2paWorker } from './shell/utility-c2pa-worker';
import {
  createAppUrlMatcher,
  externalLinkTarget,
  withContentSecurityPolicy,
} from './shell/security';
import { createStudio, defaultDataDir, type Studio } from './studio';
import { MEDIA_SCHEME } from '../shared/media-url';
import { MEDIA_SCHEME_PRIVILEGES, mediaProtocolHandler } from './shell/media-protocol';
import { mainWindowOptions } from './shell/window-options';
import { bundledFfmpegEnv } from './shell/bundled-ffmpeg';

const PRELOAD_PATH = fileURLToPath(new URL('../preload/index.cjs', import.meta.url));

/** electron-vite sets ELECTRON_RENDERER_URL to its dev server during `npm run dev`. */
const APP_URL =
  !app.isPackaged && process.env.ELECTRON_RENDERER_URL
    ? process.env.ELECTRON_RENDERER_URL
    : pathToFileURL(fileURLToPath(new URL('../renderer/index.html', import.meta.url))).href;
const isAppUrl = createAppUrlMatcher(APP_URL);

let mainWindow: BrowserWindow | null = null;
let studio: Studio | null = null;
let unbindStudioApi: (() => void) | null = null;

function hardenSession(): void {
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: withContentSecurityPolicy(details.responseHeaders) });
  });
  // The shot board needs no camera, microphone, notifications or geolocation.
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  // WebHID, WebUSB and Web Serial: no device is ever handed to the page. (Screen capture
  // stays refused because no setDisplayMediaRequestHandler is installed.)
  session.defaultSession.setDevicePermissionHandler(() => false);
  // Nothing is downloaded into the user's folders by a page: exports are written by the studio.
  session.defaultSession.on('will-download', (event) => event.preventDefault());
}

/** Applied to every web contents, including any a bug might create later. */
function hardenWebContents(contents: WebContents): void {
  contents.on('will-navigate', (event) => {
    if (!isAppUrl(event.url)) event.preventDefault();
  });
  contents.on('will-redirect', (event) => {
    if (!isAppUrl(event.url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    const external = externalLinkTarget(url);
    if (external) void shell.openExternal(external);
    return { action: 'deny' };
  });
}

function createMainWindow(): BrowserWindow {
  const window = new BrowserWindow(mainWindowOptions(PRELOAD_PATH));
  window.once('ready-to-show', () => window.show());
  window.on('closed', () => {
    if (mainWindow === window) mainWindow = null;
  });
  void window.loadURL(APP_URL);
  return window;
}

async function start(): Promise<void> {
  hardenSession();
  // SHOTLINE_HOME lets the app and the CLI share one data folder on purpose.
  const dataDir = process.env.SHOTLINE_HOME ? defaultDataDir(process.env) : app.getPath('userData');
  // Clips reach the page only through this protocol, and only from the data folder.
  protocol.handle(MEDIA_SCHEME, mediaProtocolHandler(dataDir));
  // Set before the studio starts: the media worker inherits this process's environment.
  if (app.isPackaged) Object.assign(process.env, bundledFfmpegEnv(process.resourcesPath, process.env, process.platform, existsSync));
  studio = await createStudio({ dataDir, spawnMediaWorker: utilityWorker, spawnC2paWorker: utilityC2paWorker, ...nativeDatabaseBinding() });
  unbindStudioApi = bindStudioApi(ipcMain, studio.api, {
    isTrustedSender: isAppUrl,
    getTarget: () => mainWindow?.webContents ?? null,
  });
  mainWindow = createMainWindow();
}

/**
 * In development the app runs on the project's node_modules, whose better-sqlite3 is
 * built for Node (the CLI and the tests need it so); scripts/postinstall.mjs keeps an
 * Electron build beside it. A packaged app has its node_modules rebuilt for Electron by
 * electron-builder and needs nothing here.
 */
function nativeDatabaseBinding(): { databaseBinding?: string } {
  if (app.isPackaged) return {};
  const file = fileURLToPath(new URL('../../native/electron/better_sqlite3.node', import.meta.url));
  return existsSync(file) ? { databaseBinding: file } : {};
}

function shutdown(): void {
  unbindStudioApi?.();
  unbindStudioApi = null;
  studio?.close();
  studio = null;
}

// Two instances would share one SQLite ledger and race on the same renders.
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.enableSandbox();
  // Before ready: the page's media scheme must be standard and secure to stream video.
  protocol.registerSchemesAsPrivileged([MEDIA_SCHEME_PRIVILEGES]);
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents));
  app.on('second-instance', () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });
  app.on('window-all-closed', () => app.quit());
  app.on('before-quit', shutdown);
  app.whenReady().then(start).catch((error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    dialog.showErrorBox('Shotline could not start', message);
    shutdown();
    app.exit(1);
  });
}
