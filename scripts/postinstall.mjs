#!/usr/bin/env node
/**
 * After `npm install` / `npm ci`: build better-sqlite3 for Electron's ABI so `npm start`
 * can open the ledger, without breaking the CLI and the tests, which run on Node and need
 * Node's build. electron-builder's install-app-deps rebuilds in place; the Electron build
 * is then kept in native/electron/ (the app loads it from there, src/main/index.ts) and
 * Node's build is put back. Nothing here may fail an install: with no Electron binary (it
 * cannot be downloaded on some machines), no network or no compiler, it says so and leaves
 * Node's build as it was.
 *
 * Electron's own install script (the binary download) is switched off in package.json's
 * allowScripts, because on machines without GitHub access it would fail `npm ci`. So it
 * is run from here instead, where a failed download is only a warning.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ADDON = join('node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
export const ELECTRON_ADDON = join('native', 'electron', 'better_sqlite3.node');

/** Electron's executable when its binary was downloaded, else null. */
export function electronBinary(root) {
  const pathFile = join(root, 'node_modules', 'electron', 'path.txt');
  if (!existsSync(pathFile)) return null;
  const binary = join(root, 'node_modules', 'electron', 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : null;
}

/**
 * Rebuilds for Electron and keeps the result beside Node's build. `run` runs the rebuild
 * (returns true on success); injected so a test can make it fail.
 */
export function rebuildForElectron(root, run, log = console.log, installElectron = () => false) {
  if (!electronBinary(root) && !(installElectron(root) && electronBinary(root))) {
    log("shotline postinstall: Electron's binary is not installed here (its download failed or was skipped), so the desktop app cannot start on this machine; the CLI, `shotline studio` and the tests use Node's better-sqlite3 as installed.");
    return 'skipped';
  }
  const nodeAddon = join(root, ADDON);
  if (!existsSync(nodeAddon)) {
    log('shotline postinstall: better-sqlite3 has no build to keep; nothing rebuilt.');
    return 'skipped';
  }
  return keepingNodeBuild(root, () => {
    if (!run(root)) {
      log('shotline postinstall: could not rebuild better-sqlite3 for Electron (no network or no compiler?); `npm start` will fail to open the ledger until `node scripts/postinstall.mjs` succeeds. The CLI and tests are unaffected.');
      return 'failed';
    }
    mkdirSync(dirname(join(root, ELECTRON_ADDON)), { recursive: true });
    copyFileSync(nodeAddon, join(root, ELECTRON_ADDON));
    log(`shotline postinstall: better-sqlite3 for Electron kept in ${ELECTRON_ADDON}.`);
    return 'rebuilt';
  });
}

/**
 * Runs `action` and then puts Node's better-sqlite3 build back, whatever the action did
 * to it (rebuilt it for Electron, half-wrote it, threw). scripts/package.mjs uses it too:
 * electron-builder rebuilds native modules in the project's own node_modules.
 */
export function keepingNodeBuild(root, action) {
  const nodeAddon = join(root, ADDON);
  if (!existsSync(nodeAddon)) return action();
  const saved = join(tmpdir(), `shotline-node-better-sqlite3-${process.pid}.node`);
  copyFileSync(nodeAddon, saved);
  try {
    return action();
  } finally {
    copyFileSync(saved, nodeAddon);
    rmSync(saved, { force: true });
  }
}

/** Electron's binary download (its package's install.js); quiet, since a failure here is expected offline. */
function runElectronInstaller(root) {
  const installer = join(root, 'node_modules', 'electron', 'install.js');
  if (!existsSync(installer)) return false;
  const result = spawnSync(process.execPath, [installer], { cwd: join(root, 'node_modules', 'electron'), stdio: 'pipe', timeout: 5 * 60_000 });
  return result.status === 0;
}

function runInstallAppDeps(root) {
  const result = spawnSync(process.platform === 'win32' ? 'npx.cmd' : 'npx', ['--no-install', 'electron-builder', 'install-app-deps'], {
    cwd: root,
    stdio: 'inherit',
    timeout: 10 * 60_000,
    // Node refuses to spawn a .cmd without a shell on Windows.
    shell: process.platform === 'win32',
  });
  return result.status === 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    rebuildForElectron(join(dirname(fileURLToPath(import.meta.url)), '..'), runInstallAppDeps, console.log, runElectronInstaller);
  } catch (error) {
    console.log(`shotline postinstall: skipped the Electron rebuild (${error instanceof Error ? error.message : String(error)}).`);
  }
}
