/**
 * The board end to end: a real studio (SQLite, the media worker, signing with a throwaway
 * identity) whose providers are the loopback emulators, behind the loopback bridge, driven
 * in Debian's Chromium through playwright-core. Screenshots go to test-results/e2e/; the
 * accessibility scan is axe-core's, failing on serious and critical findings.
 */
import { X509Certificate } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startBridge, type Bridge } from '../../src/main/bridge/server';
import { createStudio, type Studio } from '../../src/main/studio';
import { EmulatorFleet, type FleetOptions } from '../emulators/fleet';
import { makeTestIdentity, type TestIdentity } from './c2pa-test-identity';
import { projectRoot } from './cli-process';
import { stopRenders } from './stop-renders';
import { fastResources, fleetCliEnv } from './fleet-cli';

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
export const SCREENSHOTS = join(projectRoot, 'test-results', 'e2e');

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.SHOTLINE_CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

export interface E2eStudio {
  dir: string;
  dataDir: string;
  /** The 12-shot pilot (720p) with its reference images, in a folder with spaces and unicode. */
  pilotPath: string;
  fleet: EmulatorFleet;
  studio: Studio;
  bridge: Bridge;
  browser: Browser;
  page: Page;
  close(): Promise<void>;
}

export interface E2eStudioOptions {
  /** Providers with a key: the others' variables are blanked, so routing sees only these. */
  providers: ('runway' | 'luma')[];
  /**
   * For a test that closes an emulator and later revives it on the same port: the fleet
   * listens below the kernel's ephemeral range, where listen(0) of another test's server
   * cannot be handed the closed port in between.
   */
  revivablePorts?: boolean;
}

export async function openE2eStudio(options: E2eStudioOptions): Promise<E2eStudio> {
  const dir = mkdtempSync(join(tmpdir(), 'shotline e2e «board» '));
  const dataDir = join(dir, 'data ☂');
  const fleetOptions = { clipDirectory: join(dir, 'clips'), common: { timing: { minMs: 200, maxMs: 500, queuedShare: 0.2 } } };
  const fleet = options.revivablePorts ? await startBelowEphemeralPorts(fleetOptions) : await new EmulatorFleet(fleetOptions).start();
  const keep = options.providers.map((provider) => ({ runway: 'RUNWAYML_', luma: 'LUMAAI_' })[provider]);
  const providerVariable = /^(RUNWAYML_|LUMAAI_|GEMINI_|GOOGLE_|OPENAI_|KLING_|COMFYUI_)/;
  // Only the chosen providers have keys: the rest are blanked, as on a machine with no other key.
  const env = Object.fromEntries(Object.entries(fleetCliEnv(fleet, fastResources(dir))).map(([name, value]) => [name, providerVariable.test(name) && !keep.some((prefix) => name.startsWith(prefix)) ? '' : value]));
  const pilotDir = join(dir, 'pilot «épisode»');
  mkdirSync(pilotDir, { recursive: true });
  cpSync(join(projectRoot, 'resources/examples/refs'), join(pilotDir, 'refs'), { recursive: true });
  const pilotPath = join(pilotDir, 'pilot.yaml');
  writeFileSync(pilotPath, readFileSync(join(projectRoot, 'resources/examples/pilot.yaml'), 'utf8').replace('resolution: 1080p', 'resolution: 720p'));
  const identity: TestIdentity = await makeTestIdentity({ label: 'e2e' });
  const fingerprint = new X509Certificate(identity.leafPem).fingerprint256;
  const studio = await createStudio({
    dataDir,
    env: { PATH: process.env.PATH, ...env },
    identity: async () => ({ signer: { certificateChain: identity.chainPem, privateKey: identity.leafKeyPem }, rootPem: identity.rootPem, fingerprint, operator: 'E2E Operator' }),
  });
  const bridge = await startBridge({ api: studio.api, dataDir });
  const browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  mkdirSync(SCREENSHOTS, { recursive: true });
  return {
    dir,
    dataDir,
    pilotPath,
    fleet,
    studio,
    bridge,
    browser,
    page,
    async close() {
      await browser.close().catch(() => undefined);
      await bridge.close();
      // A render still running (a step that failed early) is let finish: closing the studio under it would only add noise.
      await stopRenders(studio.api, { cancel: false, timeoutMs: 60_000 });
      studio.close();
      await fleet.close();
      rmSync(identity.dir, { recursive: true, force: true });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Linux hands out 32768-60999 to listen(0) by default; six consecutive ports are drawn below that, retried when taken. */
async function startBelowEphemeralPorts(options: Omit<FleetOptions, 'basePort'>): Promise<EmulatorFleet> {
  for (let attempt = 1; ; attempt++) {
    const fleet = new EmulatorFleet({ ...options, basePort: 20_000 + 6 * Math.floor(Math.random() * 2_000) });
    try {
      return await fleet.start();
    } catch (error) {
      await fleet.close();
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt === 5) throw error;
    }
  }
}

let shot = 0;
export async function screenshot(page: Page, name: string): Promise<string> {
  shot += 1;
  const file = join(SCREENSHOTS, `${String(shot).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file, fullPage: false });
  return file;
}

/** axe-core on the page as it is now; throws listing every serious or critical finding. */
export async function expectNoSeriousA11yViolations(page: Page, screen: string): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
  if (serious.length > 0) {
    const lines = serious.map((violation) => `${violation.impact} ${violation.id}: ${violation.help} at ${violation.nodes.slice(0, 3).map((node) => node.target.join(' ')).join(' | ')}`);
    throw new Error(`accessibility (${screen}): ${serious.length} serious or critical violation(s)\n${lines.join('\n')}`);
  }
}
