/**
 * A real Secret Service for keychain tests on a headless machine: a private D-Bus
 * session bus and gnome-keyring-daemon on it, with a throwaway HOME (the keyring file
 * lives there) and an unlocked login keyring. Child processes given `env` talk to it as
 * a desktop session's apps talk to theirs. Needs dbus-daemon and gnome-keyring-daemon
 * (scripts/system-deps.sh installs them).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export class SecretService {
  readonly home = mkdtempSync(join(tmpdir(), 'shotline keyring '));
  env: Record<string, string> = {};
  private bus?: ChildProcess;
  private keyring?: ChildProcess;

  async start(): Promise<this> {
    const bus = spawn('dbus-daemon', ['--session', '--nofork', '--print-address=1'], { stdio: ['ignore', 'pipe', 'ignore'] });
    this.bus = bus;
    const address = await new Promise<string>((resolve, reject) => {
      bus.once('error', reject);
      bus.once('exit', (code) => reject(new Error(`dbus-daemon exited with ${code}`)));
      createInterface({ input: bus.stdout! }).once('line', (line) => resolve(line.trim()));
    });
    this.env = { HOME: this.home, DBUS_SESSION_BUS_ADDRESS: address, XDG_DATA_HOME: join(this.home, '.local', 'share') };
    const keyring = spawn('gnome-keyring-daemon', ['--foreground', '--unlock', '--components=secrets'], {
      env: { PATH: process.env.PATH, ...this.env },
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    this.keyring = keyring;
    keyring.stdin!.end('test-password');
    // It prints its control variables once it is serving.
    await new Promise<void>((resolve, reject) => {
      keyring.once('error', reject);
      keyring.once('exit', (code) => reject(new Error(`gnome-keyring-daemon exited with ${code}`)));
      createInterface({ input: keyring.stdout! }).once('line', () => resolve());
    });
    return this;
  }

  async stop(): Promise<void> {
    for (const child of [this.keyring, this.bus]) {
      if (child && child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
    }
    rmSync(this.home, { recursive: true, force: true });
  }
}
