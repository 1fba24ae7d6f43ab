/**
 * The shot board with 500 shots in Chromium. Prints, with the targets beside them:
 *  1. time to first render: from the click that opens a 500-shot storyboard to the first
 *     animation frame after its cards are in the page (target < 300 ms), and the page's own
 *     start (navigation to the app shell) for reference;
 *  2. the median, p95 and worst time to apply each of 100 status updates: from handing a
 *     progress event to the store to the first animation frame after the card's status
 *     line changed (target median < 16 ms, one frame at 60 Hz).
 * The studio here is an in-page fake of the Studio API (window.studio, as the app's
 * preload provides it), so the figures are the renderer's own. A screenshot of the board
 * goes to test-results/bench-ui-board.png.
 * Run: npm run build && npm run bench:ui
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startBridge } from '../src/main/bridge/server';
import { launchChromium } from '../test/support/e2e-studio';
import { fakeStudio } from '../test/support/fake-studio-api';

// These functions run in the page (Chromium), where the DOM exists; this file is type-checked for Node.
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const window: any;
declare const document: any;
declare const MutationObserver: any;
declare const requestAnimationFrame: (callback: () => void) => number;

const SHOTS = 500;
const UPDATES = 100;

/** Runs in the page before the app: a StudioApi with one 500-shot storyboard, its plan and a running episode. */
function installFakeStudio(shots: number): void {
  const ids = Array.from({ length: shots }, (_, i) => `s${String(i + 1).padStart(3, '0')}`);
  const kinds = ['establishing', 'dialogue', 'action', 'closeup', 'stylized', 'insert'];
  const storyboard = {
    title: 'Five hundred shots',
    mode: 'preview',
    output: { resolution: '720p' },
    shots: ids.map((id, i) => ({ id, kind: kinds[i % kinds.length], prompt: `Shot ${id}: a harbour at dawn, take ${i}, gulls over the water`, duration: 4 })),
  };
  const path = '/bench/five hundred.yaml';
  const candidates = (id: string) => [
    { engineId: 'animatic', score: 0.9, estimatedMicros: 0, durationSeconds: 4, reason: `animatic: #1 for ${id}` },
    { engineId: 'runway-gen4.5', score: 0.8, estimatedMicros: 480000, durationSeconds: 4, reason: 'runway-gen4.5: #2' },
  ];
  const plan = { title: storyboard.title, mode: 'preview', estimatedMicros: 0, budgetMicros: null, shots: ids.map((id) => ({ shotId: id, candidates: candidates(id), rejections: [{ engineId: 'sora-2', reason: 'sora-2: retired' }] })) };
  const episode = {
    episodeId: 'ep-bench',
    title: storyboard.title,
    mode: 'preview',
    status: 'running',
    outputPath: '/bench/out.mp4',
    budgetMicros: null,
    spentMicros: 0,
    heldMicros: 0,
    shots: ids.map((id) => ({ shotId: id, status: 'pending', engineId: null, failureReason: null, attempts: [], version: 1, approved: false, selectedTakeId: null, selectedBy: null, takes: [] })),
  };
  const listeners = new Set<(event: unknown) => void>();
  const ok = <T>(value: T) => () => Promise.resolve(value);
  (window as unknown as { studio: unknown }).studio = {
    listEngines: ok([]),
    planEpisode: ok(plan),
    startRender: ok({ episodeId: 'ep-bench' }),
    resumeRender: ok({ episodeId: 'ep-bench' }),
    cancelRender: ok(undefined),
    getEpisode: ok(episode),
    listEpisodes: ok([]),
    approveShots: ok({ approved: [], unchanged: [], skipped: [] }),
    unapproveShots: ok({ unapproved: [], unchanged: [] }),
    selectTake: ok(undefined),
    regenerateShots: ok({ episodeId: 'ep-bench' }),
    restitchEpisode: ok({ episodeId: 'ep-bench' }),
    costSummary: ok({ byEngine: [], byEpisode: [], byMode: [], byDay: [], totalMicros: 0, previewSaving: { previewSpentMicros: 0, finalEstimateMicros: 0, savedMicros: 0, episodes: 0 }, fallbacks: [] }),
    heldReservations: ok([]),
    openStoryboard: ok({ path, storyboard, problems: [], episodeId: 'ep-bench', modifiedAt: 0 }),
    saveStoryboard: ok({ path, storyboard, problems: [], episodeId: 'ep-bench', modifiedAt: 0 }),
    listStoryboards: ok([{ path, title: storyboard.title, shots, episodeId: 'ep-bench', openedAt: 0, exists: true }]),
    verifyCredentials: ok({ state: 'none', reason: null, report: null }),
    getAppInfo: ok({ version: '0', dataDir: '/bench', storyboardsDir: '/bench', exportsDir: '/bench', online: true, media: null, signing: { available: false, subject: null, expiresAt: null, reason: 'bench' } }),
    listProviderKeys: ok({ keys: [], keychainProblem: null }),
    setProviderKey: ok({ keys: [], keychainProblem: null }),
    deleteProviderKey: ok({ keys: [], keychainProblem: null }),
    updateEngine: ok(undefined),
    onProgress(listener: (event: unknown) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  (window as unknown as { benchPush: (event: unknown) => void }).benchPush = (event) => listeners.forEach((listener) => listener(event));
}

async function main(): Promise<void> {
  const rendererDir = join(process.cwd(), 'out', 'renderer');
  if (!existsSync(join(rendererDir, 'index.html'))) throw new Error('build the renderer first: npm run build');
  // The bridge only serves the built page here; the page uses the in-page fake, not this API.
  const { api } = fakeStudio();
  const bridge = await startBridge({ api, dataDir: process.cwd(), rendererDir });
  const browser = await launchChromium();
  try {
    const page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
    // tsx (esbuild) wraps functions in __name(...) to keep their names; the page has no such helper.
    await page.addInitScript({ content: 'window.__name = (target) => target;' });
    await page.addInitScript(installFakeStudio, SHOTS);
    page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
    await page.goto(`http://127.0.0.1:${bridge.port}/`);
    await page.getByRole('button', { name: /Five hundred shots/ }).waitFor();
    const shell = await page.evaluate(() => performance.now());

    const firstRender = await page.evaluate(
      () =>
        new Promise<number>((resolve) => {
          const button = [...document.querySelectorAll('button')].find((b: any) => b.textContent?.includes('Five hundred shots'));
          const start = performance.now();
          const observer = new MutationObserver(() => {
            if (!document.querySelector('[data-testid="shot-s001"]')) return;
            observer.disconnect();
            requestAnimationFrame(() => resolve(performance.now() - start));
          });
          observer.observe(document.body, { childList: true, subtree: true });
          button.click();
        }),
    );
    await page.getByTestId('shot-s001').waitFor();
    const rendered = await page.locator('article.shot-card').count();

    const timings = await page.evaluate(async (updates) => {
      const push = (window as unknown as { benchPush: (event: unknown) => void }).benchPush;
      const results: number[] = [];
      const shown: string[] = [...document.querySelectorAll('article.shot-card')].map((card: any) => card.getAttribute('aria-label').replace('Shot ', ''));
      for (let i = 0; i < updates; i += 1) {
        const shotId = shown[i % shown.length]!;
        const status = document.querySelector(`[data-testid="shot-${shotId}"] [role="status"]`);
        const before = status.textContent;
        const time = await new Promise<number>((resolve) => {
          const start = performance.now();
          const observer = new MutationObserver(() => {
            if (status.textContent === before) return;
            observer.disconnect();
            requestAnimationFrame(() => resolve(performance.now() - start));
          });
          observer.observe(status, { childList: true, characterData: true, subtree: true });
          push({ episodeId: 'ep-bench', shotId, type: 'shot', state: 'polling', engineId: 'runway-gen4.5', progress: ((i % 99) + 1) / 100 });
        });
        results.push(time);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      return results;
    }, UPDATES);

    const sorted = [...timings].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)]!;
    const p95 = sorted[Math.floor(sorted.length * 0.95)]!;
    const worst = sorted[sorted.length - 1]!;
    mkdirSync('test-results', { recursive: true });
    await page.screenshot({ path: 'test-results/bench-ui-board.png' });
    const ms = (n: number) => `${n.toFixed(1)} ms`;
    console.log(`board: ${SHOTS} shots, ${rendered} cards in the page (virtualized), Chromium ${browser.version()}`);
    console.log(`page start to app shell:               ${ms(shell)}`);
    console.log(`first render of the 500-shot board:    ${ms(firstRender)}   (target < 300 ms: ${firstRender < 300 ? 'met' : 'NOT met'})`);
    console.log(`status update, ${UPDATES} of them: median ${ms(median)}, p95 ${ms(p95)}, worst ${ms(worst)}   (target median < 16 ms: ${median < 16 ? 'met' : 'NOT met'})`);
  } finally {
    await browser.close();
    await bridge.close();
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
