#!/usr/bin/env node
/**
 * `npm run package`: electron-builder with the project's Node build of better-sqlite3
 * kept. electron-builder rebuilds native modules for Electron's ABI inside the project's
 * own node_modules (npmRebuild), which would leave the CLI and the tests unable to open
 * the ledger afterwards; Node's build is put back once it is done, success or not.
 * Extra arguments go to electron-builder (`npm run package -- --linux AppImage`).
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { keepingNodeBuild } from './postinstall.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const status = keepingNodeBuild(root, () => {
  const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
  const result = spawnSync(npx, ['--no-install', 'electron-builder', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (result.error) console.error(`shotline package: could not run electron-builder (${result.error.message})`);
  return result.status ?? 1;
});
process.exit(status);
