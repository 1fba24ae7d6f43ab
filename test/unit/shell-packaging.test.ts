/**
 * The packaging and install wiring, which cannot be exercised here (no Electron binary):
 * what the installer unpacks from the asar, what it must never carry, and the npm scripts
 * that launch, package and prepare the app.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = new URL('../../', import.meta.url);
const builder = parse(readFileSync(new URL('electron-builder.yml', root), 'utf8')) as {
  files: string[];
  asar: boolean;
  asarUnpack: string[];
  npmRebuild: boolean;
  extraResources: { from: string; to: string }[];
};
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as {
  scripts: Record<string, string>;
  allowScripts: Record<string, boolean>;
  build?: unknown;
};

describe('electron-builder.yml', () => {
  it('packs the bundles into an asar and unpacks every native module', () => {
    expect(builder.asar).toBe(true);
    expect(builder.files).toEqual(expect.arrayContaining(['out/main/**', 'out/preload/**', 'out/renderer/**']));
    expect(builder.asarUnpack).toEqual(expect.arrayContaining(['**/*.node', 'node_modules/better-sqlite3/**', 'node_modules/@napi-rs/**']));
    expect(builder.npmRebuild).toBe(true);
  });

  it("ships FFmpeg as an extra resource and never node-av's GPL/nonfree build", () => {
    expect(builder.extraResources).toEqual([expect.objectContaining({ from: 'packaging/ffmpeg', to: 'ffmpeg' })]);
    expect(builder.files).toEqual(expect.arrayContaining(['!node_modules/node-av/**', '!node_modules/@seydx/**']));
  });

  it('is the only packaging config (no "build" section in package.json)', () => {
    expect(pkg.build).toBeUndefined();
  });
});

describe('npm scripts', () => {
  it('start launches the app, package builds installers keeping Node\'s build, postinstall prepares Electron', () => {
    expect(pkg.scripts.start).toBe('electron-vite preview');
    expect(pkg.scripts.package).toBe('npm run build && node scripts/package.mjs');
    expect(pkg.scripts.postinstall).toBe('node scripts/postinstall.mjs');
    // Electron's download runs from postinstall (tolerant of no network), not from npm.
    expect(pkg.allowScripts).toMatchObject({ 'better-sqlite3': true, electron: false });
  });
});
