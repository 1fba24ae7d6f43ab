/**
 * scripts/postinstall.mjs: the Electron rebuild of better-sqlite3 never costs the CLI its
 * Node build, and never fails an install.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module script without types
import { ELECTRON_ADDON, electronBinary, keepingNodeBuild, rebuildForElectron } from '../../scripts/postinstall.mjs';

const roots: string[] = [];
afterEach(() => roots.splice(0).forEach((root) => rmSync(root, { recursive: true, force: true })));

function project(options: { electron: boolean }): string {
  const root = mkdtempSync(join(tmpdir(), 'shotline postinstall '));
  roots.push(root);
  mkdirSync(join(root, 'node_modules/better-sqlite3/build/Release'), { recursive: true });
  writeFileSync(join(root, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node'), 'node-abi');
  if (options.electron) {
    mkdirSync(join(root, 'node_modules/electron/dist'), { recursive: true });
    writeFileSync(join(root, 'node_modules/electron/path.txt'), 'electron');
    writeFileSync(join(root, 'node_modules/electron/dist/electron'), '');
  }
  return root;
}
const addon = (root: string) => readFileSync(join(root, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node'), 'utf8');

describe('postinstall', () => {
  it('without Electron\'s binary: says so, rebuilds nothing', () => {
    const root = project({ electron: false });
    const lines: string[] = [];
    expect(electronBinary(root)).toBeNull();
    expect(rebuildForElectron(root, () => { throw new Error('must not run'); }, (line: string) => lines.push(line))).toBe('skipped');
    expect(lines.join()).toMatch(/Electron's binary is not installed/);
    expect(addon(root)).toBe('node-abi');
  });

  it("fetches Electron's binary itself (npm's allowScripts leaves it off), then rebuilds", () => {
    const root = project({ electron: false });
    const steps: string[] = [];
    const outcome = rebuildForElectron(
      root,
      (dir: string) => {
        steps.push('rebuild');
        writeFileSync(join(dir, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node'), 'electron-abi');
        return true;
      },
      () => undefined,
      (dir: string) => {
        steps.push('download');
        mkdirSync(join(dir, 'node_modules/electron/dist'), { recursive: true });
        writeFileSync(join(dir, 'node_modules/electron/path.txt'), 'electron');
        writeFileSync(join(dir, 'node_modules/electron/dist/electron'), '');
        return true;
      },
    );
    expect(steps).toEqual(['download', 'rebuild']);
    expect(outcome).toBe('rebuilt');
    expect(addon(root)).toBe('node-abi');
  });

  it("a failed Electron download (no network) is one line and a green install", () => {
    const root = project({ electron: false });
    const lines: string[] = [];
    const outcome = rebuildForElectron(root, () => { throw new Error('must not run'); }, (line: string) => lines.push(line), () => false);
    expect(outcome).toBe('skipped');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/Electron's binary is not installed here/);
    expect(addon(root)).toBe('node-abi');
  });

  it('a rebuild that succeeds is kept for the app, and Node\'s build is put back', () => {
    const root = project({ electron: true });
    const outcome = rebuildForElectron(root, (dir: string) => {
      writeFileSync(join(dir, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node'), 'electron-abi');
      return true;
    }, () => undefined);
    expect(outcome).toBe('rebuilt');
    expect(readFileSync(join(root, ELECTRON_ADDON), 'utf8')).toBe('electron-abi');
    expect(addon(root)).toBe('node-abi');
  });

  it('a rebuild that fails half-way (no network) leaves Node\'s build intact and the install green', () => {
    const root = project({ electron: true });
    const lines: string[] = [];
    const outcome = rebuildForElectron(root, (dir: string) => {
      writeFileSync(join(dir, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node'), 'half-written');
      return false;
    }, (line: string) => lines.push(line));
    expect(outcome).toBe('failed');
    expect(addon(root)).toBe('node-abi');
    expect(lines.join()).toMatch(/could not rebuild better-sqlite3 for Electron/);
  });

  it("packaging (electron-builder rebuilds in place) gives Node's build back even when it fails", () => {
    const root = project({ electron: true });
    const overwrite = () => writeFileSync(join(root, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node'), 'electron-abi');
    expect(keepingNodeBuild(root, () => (overwrite(), 0))).toBe(0);
    expect(addon(root)).toBe('node-abi');
    expect(() => keepingNodeBuild(root, () => { overwrite(); throw new Error('electron-builder crashed'); })).toThrow('electron-builder crashed');
    expect(addon(root)).toBe('node-abi');
  });
});
