/**
 * Offline-first on the board: with the only provider unreachable, a final render's cards
 * say "Waiting for network" and the header says the studio is offline; nothing fails and
 * nothing is billed. When the provider answers again the shots are made and the header
 * says so.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunwayEmulator } from '../emulators/runway/server';
import { FLEET_KEYS } from '../emulators/fleet';
import { expectNoSeriousA11yViolations, openE2eStudio, screenshot, type E2eStudio } from '../support/e2e-studio';

let e2e: E2eStudio;
let revived: RunwayEmulator | undefined;

beforeAll(async () => {
  e2e = await openE2eStudio({ providers: ['runway'], revivablePorts: true });
}, 60_000);
afterAll(async () => {
  await revived?.close();
  await e2e?.close();
}, 90_000);

describe('the board offline', () => {
  it('cards wait for the network, the header says offline, and both recover when the provider is back', async () => {
    const { page } = e2e;
    const board = join(e2e.dir, 'offline «board».yaml');
    writeFileSync(board, 'title: Offline night shoot\nmode: final\noutput: { resolution: 720p, fps: 12 }\nshots:\n  - { id: n1, kind: establishing, prompt: "a harbour at night", duration: 2, engine: runway-gen4.5 }\n  - { id: n2, kind: insert, prompt: "a lantern", duration: 2, engine: runway-gen4.5 }\n');
    const port = Number(new URL(e2e.fleet.runway.url).port);
    await e2e.fleet.runway.close();

    await page.goto(e2e.bridge.url);
    await page.getByRole('button', { name: 'Open storyboard…' }).click();
    await page.getByLabel('Storyboard file path').fill(board);
    await page.getByRole('dialog', { name: 'Open a storyboard' }).getByRole('button', { name: 'Open' }).click();
    await page.getByRole('heading', { name: 'Offline night shoot' }).waitFor();
    await page.getByRole('button', { name: 'Render final (all shots)' }).click();
    await page.getByText('Offline: generation waits until the providers can be reached').waitFor({ timeout: 30_000 });
    await page.getByTestId('shot-n1').getByText('Waiting for network').waitFor({ timeout: 30_000 });
    await screenshot(page, 'offline-waiting');
    await expectNoSeriousA11yViolations(page, 'board offline');
    expect(await page.getByTestId('shot-n1').getByText(/^Failed/).count()).toBe(0);

    revived = new RunwayEmulator({ clipDirectory: join(e2e.dir, 'clips-revived'), apiKey: FLEET_KEYS.runway, port, timing: { minMs: 200, maxMs: 400, queuedShare: 0.2 } });
    await revived.start();
    await page.getByText('Providers reachable').waitFor({ timeout: 30_000 });
    await page.getByTestId('shot-n1').getByText('Accepted').waitFor({ timeout: 60_000 });
    await page.getByTestId('shot-n2').getByText('Accepted').waitFor({ timeout: 60_000 });
    expect(revived.jobs).toHaveLength(2);
    await screenshot(page, 'offline-recovered');
  }, 150_000);
});
