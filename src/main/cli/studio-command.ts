/**
 * `shotline studio [--port N] [--data-dir DIR] [--no-open]`: the shot board in a browser.
 * Serves the built renderer and the Studio API on 127.0.0.1 (src/main/bridge) and prints
 * the address with this session's token; runs until Ctrl+C or SIGTERM.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { UserError } from '../../shared/errors';
import { startBridge } from '../bridge/server';
import { openProviderKeys } from '../secrets/open-keys';
import { createStudio, defaultDataDir, type StudioConfig } from '../studio';

export const STUDIO_USAGE = `Usage: shotline studio [--port N] [--data-dir DIR] [--no-open]
  Serves the shot board on http://127.0.0.1 (this machine only) and prints its address with
  a session token; --port 0 (default) picks a free port. Ctrl+C stops it.`;

export interface StudioCommand {
  port: number;
  dataDir: string | undefined;
  open: boolean;
}

export function parseStudioArgs(args: string[]): StudioCommand {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, strict: true, options: { port: { type: 'string' }, 'data-dir': { type: 'string' }, 'no-open': { type: 'boolean', default: false } } });
  } catch (error) {
    throw new UserError(`${(error as Error).message.replace(/\. To specify a positional.*$/s, '')}\n${STUDIO_USAGE}`);
  }
  if (parsed.positionals.length > 0) throw new UserError(`studio: unexpected argument "${parsed.positionals[0]}"\n${STUDIO_USAGE}`);
  const portText = parsed.values.port ?? '0';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65_535) throw new UserError(`--port: must be a whole number from 0 to 65535, got "${portText}"`);
  return { port, dataDir: parsed.values['data-dir'], open: !parsed.values['no-open'] };
}

export interface StudioCommandIo {
  stdout: { write(text: string): void };
  stderr: { write(text: string): void };
  /** Resolves when the user asks the studio to stop (Ctrl+C, SIGTERM). */
  stopped: Promise<void>;
}

export async function runStudioCommand(args: string[], config: Partial<Omit<StudioConfig, 'dataDir'>>, io: StudioCommandIo): Promise<number> {
  const command = parseStudioArgs(args);
  const dataDir = resolve(command.dataDir ?? defaultDataDir());
  const env = config.env ?? process.env;
  const keys = config.keys ?? (await openProviderKeys(env));
  const studio = await createStudio({ ...config, keys, dataDir });
  try {
    const bridge = await startBridge({ api: studio.api, dataDir, port: command.port });
    try {
      io.stdout.write(`Shotline studio: ${bridge.url}\nData folder: ${dataDir}\nCtrl+C stops it.\n`);
      if (command.open) openBrowser(bridge.url, io.stderr);
      await io.stopped;
    } finally {
      await bridge.close();
    }
  } finally {
    studio.close();
  }
  return 0;
}

/** The system's way to open a URL; failing to is no error (the address is printed). */
function openBrowser(url: string, stderr: { write(text: string): void }): void {
  const [command, ...args] = process.platform === 'darwin' ? ['open', url] : process.platform === 'win32' ? ['cmd', '/c', 'start', '""', url] : ['xdg-open', url];
  try {
    const child = spawn(command!, args, { detached: true, stdio: 'ignore' });
    child.once('error', () => stderr.write('(could not open a browser: open the address above yourself)\n'));
    child.unref();
  } catch {
    stderr.write('(could not open a browser: open the address above yourself)\n');
  }
}
