/**
 * The shot board end to end in Chromium, against browser mode (`startBridge`, the same
 * server as `shotline studio`) on a real studio with the provider emulators: import the
 * 12-shot pilot, read the routing reasons, preview, approve, a final render whose first
 * engine fails mid-run (the fallback shows on the card), compare two takes, export, and the
 * provenance panel. Each step is screenshotted and scanned by axe-core.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { expectNoSeriousA11yViolations, openE2eStudio, screenshot, type E2eStudio } from '../support/e2e-studio';

let e2e: E2eStudio;
let page: Page;
// Shots with no reference image or character: Luma (text only) can take them when Runway fails.
const APPROVED = ['s05', 's07', 's08', 's11'];
const ALL = Array.from({ length: 12 }, (_, i) => `s${String(i + 1).padStart(2, '0')}`);

beforeAll(async () => {
  e2e = await openE2eStudio({ providers: ['runway', 'luma'] });
  page = e2e.page;
}, 60_000);
afterAll(async () => {
  await e2e?.close();
});

const card = (shotId: string) => page.getByTestId(`shot-${shotId}`);

/** The list is virtualized: scroll a card into view before looking at it. */
/** The scrolling the tests do, on whatever element type Playwright hands the callback. */
type Scrollable = { scrollTo(x: number, y: number): void; scrollBy(x: number, y: number): void; scrollIntoView(options: { block: string }): void };

async function cardInView(shotId: string) {
  for (let attempt = 0; attempt < 6; attempt += 1) {
    if ((await card(shotId).count()) === 0) await page.locator('.shot-scroller').evaluate((element) => (element as unknown as Scrollable).scrollTo(0, 0));
    for (let tries = 0; tries < 60 && (await card(shotId).count()) === 0; tries += 1) {
      await page.locator('.shot-scroller').evaluate((element) => (element as unknown as Scrollable).scrollBy(0, 400));
      await page.waitForTimeout(30);
    }
    // The board re-measures cards as they change: one found a moment ago may have scrolled out of the rendered window.
    const shown = await card(shotId)
      .evaluate((element) => (element as unknown as Scrollable).scrollIntoView({ block: 'center' }), undefined, { timeout: 2_000 })
      .then(() => true, () => false);
    if (shown) return card(shotId);
  }
  await screenshot(page, `lost-${shotId}`);
  throw new Error(`card ${shotId} could not be brought into view`);
}

async function statusOf(shotId: string): Promise<string> {
  return ((await (await cardInView(shotId)).getByRole('status').textContent()) ?? '').trim();
}

async function waitForStatuses(shotIds: string[], expected: RegExp, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const statuses: string[] = [];
    for (const id of shotIds) statuses.push(await statusOf(id));
    if (statuses.every((status) => expected.test(status))) return;
    if (Date.now() > deadline) throw new Error(`statuses after ${timeoutMs} ms: ${shotIds.map((id, i) => `${id}=${statuses[i]}`).join(', ')}`);
    await page.waitForTimeout(250);
  }
}

describe('the shot board in Chromium', () => {
  it('a page without the session token shows no data', async () => {
    const stranger = await (await e2e.browser.newContext()).newPage();
    await stranger.goto(`http://127.0.0.1:${e2e.bridge.port}/`);
    await expect.poll(() => stranger.getByText('The studio is not connected').count()).toBe(1);
    expect(await stranger.getByRole('heading', { name: 'Episodes' }).count()).toBe(0);
    await stranger.close();
  });

  it('opens the 12-shot pilot by path and shows each shot with its routing reasons', async () => {
    await page.goto(e2e.bridge.url);
    // The token leaves the address bar once read.
    await expect.poll(() => page.url()).not.toContain('token=');
    await page.getByRole('button', { name: 'Open storyboard…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Open a storyboard' });
    await dialog.getByLabel('Storyboard file path').fill(e2e.pilotPath);
    await dialog.getByRole('button', { name: 'Open' }).click();
    await page.getByRole('heading', { name: 'Tidewater: Pilot' }).waitFor();
    const first = await cardInView('s01');
    await first.getByText('Why this engine').click();
    await expect.poll(() => first.locator('details li').count()).toBeGreaterThan(1);
    const reasons = (await first.locator('details').textContent()) ?? '';
    expect(reasons).toMatch(/animatic/);
    expect(reasons).toMatch(/score \d\.\d\d/);
    await screenshot(page, 'board-opened');
    await expectNoSeriousA11yViolations(page, 'board');
  }, 60_000);

  it('runs the preview: every card ends Accepted with an animatic take, nothing billed', async () => {
    await page.getByRole('button', { name: 'Run preview' }).click();
    await waitForStatuses(ALL, /^Accepted$/, 120_000);
    expect(e2e.fleet.invoiceMicros).toBe(0);
    const s01 = await cardInView('s01');
    expect(await s01.getByText('Engine: animatic').count()).toBe(1);
    await expect.poll(() => s01.getByLabel('Clip of s01').count()).toBe(1);
    await screenshot(page, 'preview-done');
  }, 150_000);

  it('approves four shots from their cards', async () => {
    for (const shotId of APPROVED) {
      const shotCard = await cardInView(shotId);
      await shotCard.getByRole('button', { name: `Approve ${shotId}` }).click();
      await expect.poll(() => shotCard.getByRole('button', { name: `Unapprove ${shotId}` }).count(), { timeout: 10_000 }).toBe(1);
    }
    await screenshot(page, 'approved');
  }, 60_000);

  it('final for the approved shots: Runway fails mid-run, the card shows the fallback, the shot ends on Luma', async () => {
    // Every Runway call answers 503 for a while: after its retries the shots move to Luma.
    e2e.fleet.runway.faults.set({ serverErrors: 40 });
    await page.getByRole('button', { name: 'Render final for approved shots' }).click();
    await waitForStatuses(APPROVED, /^Accepted$/, 180_000);
    const fallbacks: string[] = [];
    for (const shotId of APPROVED) {
      const text = (await (await cardInView(shotId)).locator('.fallback').allTextContents()).join('\n');
      if (text) fallbacks.push(`${shotId}: ${text}`);
    }
    expect(fallbacks.join('\n')).toMatch(/Failed over from runway-[\w.-]+: .*503/);
    const moved = await cardInView(APPROVED[0]!);
    await expect.poll(async () => (await moved.textContent()) ?? '').toMatch(/Engine: luma-/);
    expect(e2e.fleet.luma.counts.creates).toBeGreaterThanOrEqual(1);
    await screenshot(page, 'final-with-fallback');
  }, 240_000);

  it('compares the two takes of an approved shot side by side and selects the preview again', async () => {
    const shotId = APPROVED[0]!;
    await (await cardInView(shotId)).getByRole('button', { name: `Takes of ${shotId}` }).click();
    const dialog = page.getByRole('dialog', { name: `Takes of ${shotId}` });
    await dialog.waitFor();
    expect(await dialog.locator('figure').count()).toBe(2);
    const captions = (await dialog.locator('figcaption').allTextContents()).join('\n');
    expect(captions).toMatch(/Take 1 · preview[\s\S]*animatic[\s\S]*Cost \$0\.00 · Gate \d\.\d\d/);
    expect(captions).toMatch(/Take 2 · final[\s\S]*luma-[\s\S]*Cost \$\d+\.\d\d · Gate \d\.\d\d/);
    await screenshot(page, 'takes');
    await expectNoSeriousA11yViolations(page, 'takes dialog');
    await dialog.getByRole('button', { name: 'Select take 1' }).click();
    await expect.poll(() => dialog.getByRole('button', { name: 'Select take 2' }).count(), { timeout: 10_000 }).toBe(1);
    await dialog.getByRole('button', { name: 'Select take 2' }).click();
    await expect.poll(() => dialog.getByRole('button', { name: 'Select take 1' }).count(), { timeout: 10_000 }).toBe(1);
    await dialog.getByRole('button', { name: 'Close' }).click();
  }, 60_000);

  it('exports the episode with progress, then the provenance panel reads it Trusted with one ingredient per shot', async () => {
    await page.getByRole('button', { name: 'Stitch and export…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Stitch and export' });
    await dialog.waitFor();
    expect(await dialog.getByText(/^Encoder: \S+/).count()).toBe(1);
    expect(await dialog.getByText(/^Scaling: (FFmpeg's scaler|libplacebo on)/).count()).toBe(1);
    await dialog.getByLabel('Loudness target').selectOption('-23');
    await expectNoSeriousA11yViolations(page, 'export dialog');
    await dialog.getByRole('button', { name: 'Export' }).click();
    await dialog.getByText(/^Exported to /).waitFor({ timeout: 180_000 });
    await screenshot(page, 'exported');
    await dialog.getByRole('button', { name: 'Close' }).click();

    await page.getByRole('button', { name: 'Credentials of the export' }).click();
    const panel = page.getByRole('dialog', { name: 'Content credentials' });
    await panel.getByText('Trusted', { exact: true }).waitFor({ timeout: 60_000 });
    const ingredients = panel.getByRole('list', { name: 'Ingredients' }).getByRole('listitem');
    expect(await ingredients.count()).toBe(12);
    expect((await ingredients.allTextContents()).filter((line) => /— Trusted —/.test(line))).toHaveLength(12);
    await screenshot(page, 'credentials');
    await expectNoSeriousA11yViolations(page, 'credentials dialog');
    await panel.getByRole('button', { name: 'Close' }).click();
  }, 240_000);

  it('the costs and settings screens show real figures and pass the scan', async () => {
    await page.getByRole('button', { name: 'Costs' }).click();
    await page.getByRole('heading', { name: 'Costs' }).waitFor();
    for (const chart of ['Spend by engine', 'Spend by episode', 'Spend by mode', 'Spend over time']) expect(await page.getByText(chart, { exact: true }).count()).toBe(1);
    expect(await page.getByRole('table').filter({ hasText: 'Fallbacks' }).getByText(/runway-/).count()).toBeGreaterThan(0);
    await screenshot(page, 'costs');
    await expectNoSeriousA11yViolations(page, 'costs');
    await page.getByRole('button', { name: 'Settings' }).click();
    await page.getByRole('heading', { name: 'Settings' }).waitFor();
    await expect.poll(() => page.getByText(/Set by environment variable LUMAAI_API_KEY/).count()).toBe(1);
    expect(await page.getByLabel('Enable runway-gen4.5').count()).toBe(1);
    await screenshot(page, 'settings');
    await expectNoSeriousA11yViolations(page, 'settings');
    expect(await page.content()).not.toContain('luma-emulated-8c04f1b2a9e7');
  }, 60_000);
});
