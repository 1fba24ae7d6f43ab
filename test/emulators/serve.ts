/**
 * `npm run emulators`: every provider emulator on loopback, for trying the real adapters
 * with no account. Prints the environment variables that point Shotline at them; stops
 * on Ctrl-C. Ports: --port N (default 4100) and the five after it.
 *
 *   npm run emulators
 *   # in another shell, paste the printed exports, then:
 *   npm run shotline -- render resources/examples/pilot.yaml --out pilot.mp4
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { EmulatorFleet } from './fleet';

const { values } = parseArgs({ options: { port: { type: 'string', default: '4100' } } });
const basePort = Number(values.port);
if (!Number.isInteger(basePort) || basePort < 1024 || basePort > 65_000) {
  console.error(`--port: must be a whole number from 1024 to 65000, got "${values.port}"`);
  process.exit(2);
}

const clipDirectory = mkdtempSync(join(tmpdir(), 'shotline-emulator-clips-'));
// Jobs take 2-8 s, like a fast provider on a quiet day.
const fleet = new EmulatorFleet({ clipDirectory, basePort, common: { timing: { minMs: 2_000, maxMs: 8_000, queuedShare: 0.2 } } });
await fleet.start();

console.log('Provider emulators on 127.0.0.1 (test keys; nothing leaves this machine):');
for (const { name, emulator } of fleet.all) console.log(`  ${name.padEnd(8)} ${emulator.url}`);
console.log('\nPoint Shotline at them (paste into the shell you run shotline from):\n');
for (const [name, value] of Object.entries(fleet.env)) console.log(`export ${name}='${value}'`);
console.log('\nCtrl-C stops them.');

const stop = async () => {
  await fleet.close();
  rmSync(clipDirectory, { recursive: true, force: true });
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
