#!/usr/bin/env node
// The `shotline` command: a thin launcher for the built CLI (out/main/cli.js), which
// runs under plain Node; the desktop app is not needed.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cliUrl = new URL('../out/main/cli.js', import.meta.url);

if (!existsSync(fileURLToPath(cliUrl))) {
  console.error('Shotline is not built yet: run `npm run build` first');
  process.exit(2);
}

const { main } = await import(cliUrl.href);
// exitCode rather than exit(): lets pending output (a piped --json report) flush.
process.exitCode = await main(process.argv.slice(2));
