/**
 * The cost dashboard's figures: chart rows from the studio's summary, each chart's text
 * alternative, money to the cent (and exact in titles), held money; and the slice keeps
 * the newest answer when reloads overlap.
 */
import { describe, expect, it } from 'vitest';
import type { CostSummary, HeldReservation, StudioClient } from '../../src/shared/api';
import { axisMoney, dayRows, engineRows, episodeRows, exactMoney, figuresText, heldTotalMicros, holdUntilText, modeRows, money, previewSavingDetail } from '../../src/renderer/src/costs/cost-figures';
import { createStudioStore } from '../../src/renderer/src/store';

const episodeCosts = { heldMicros: 0, previewSpentMicros: 0, finalSpentMicros: 0, qualityCheckMicros: 0, fullFinalMicros: null, savedMicros: null };

const summary = (over: Partial<CostSummary> = {}): CostSummary => ({
  byEngine: [
    { engineId: 'luma-ray2', spentMicros: 400_000, attempts: 2 },
    { engineId: 'runway-gen4.5', spentMicros: 1_234_567, attempts: 5 },
  ],
  byEpisode: [
    { episodeId: 'ep-aaaaaaaa-1', title: 'Tidewater: Pilot', mode: 'preview', spentMicros: 300_000, ...episodeCosts },
    { episodeId: 'ep-bbbbbbbb-2', title: 'Tidewater: Pilot', mode: 'final', spentMicros: 1_334_567, ...episodeCosts },
    { episodeId: 'ep-cccccccc-3', title: 'Gulls', mode: 'final', spentMicros: 0, ...episodeCosts },
  ],
  byMode: [
    { mode: 'preview', spentMicros: 300_000 },
    { mode: 'final', spentMicros: 1_334_567 },
  ],
  byDay: [
    { day: '2026-11-20', spentMicros: 300_000 },
    { day: '2026-11-22', spentMicros: 1_334_567 },
  ],
  totalMicros: 1_634_567,
  previewSaving: { previewSpentMicros: 300_000, finalEstimateMicros: 4_000_000, savedMicros: 2_365_433, episodes: 1 },
  fallbacks: [],
  ...over,
});

describe('cost figures', () => {
  it('engines and episodes by spend, highest first; a repeated title gets the start of its id', () => {
    expect(engineRows(summary()).map((row) => row.label)).toEqual(['runway-gen4.5', 'luma-ray2']);
    expect(episodeRows(summary()).map((row) => row.label)).toEqual(['Tidewater: Pilot (ep-bbbbb)', 'Tidewater: Pilot (ep-aaaaa)', 'Gulls']);
    expect(new Set(episodeRows(summary()).map((row) => row.key)).size).toBe(3);
  });

  it('modes as sent and days oldest first; the scale in dollars, the figures kept in micro-dollars', () => {
    expect(modeRows(summary()).map((row) => [row.label, row.micros])).toEqual([
      ['preview', 300_000],
      ['final', 1_334_567],
    ]);
    const days = dayRows(summary());
    expect(days.map((row) => row.label)).toEqual(['2026-11-20', '2026-11-22']);
    expect(days[1]?.usd).toBeCloseTo(1.334567, 9);
  });

  it('money to the cent on screen, to the micro-dollar in titles', () => {
    expect(money(1_234_567)).toBe('$1.23');
    expect(exactMoney(1_234_567)).toBe('$1.234567');
    expect(money(0)).toBe('$0.00');
  });

  it('each chart has a sentence of its figures for its accessible name', () => {
    expect(figuresText(engineRows(summary()))).toBe('runway-gen4.5 $1.23, luma-ray2 $0.40');
    expect(figuresText([])).toBe('nothing spent yet');
  });

  it('axis ticks never round a fraction to a wrong whole dollar', () => {
    expect(axisMoney(2)).toBe('$2');
    expect(axisMoney(1.5)).toBe('$1.50');
    expect(axisMoney(0.25)).toBe('$0.25');
  });

  it('held money adds up, and says when it is let go', () => {
    const held = [{ heldMicros: 250_000, holdUntil: null }, { heldMicros: 125_001, holdUntil: Date.UTC(2026, 10, 23, 9, 30) }] as HeldReservation[];
    expect(heldTotalMicros(held)).toBe(375_001);
    expect(heldTotalMicros([])).toBe(0);
    expect(holdUntilText(null)).toBe('while the job runs');
    expect(holdUntilText(Date.UTC(2026, 10, 23, 9, 30))).toBe('2026-11-23 09:30 UTC');
  });

  it('the preview saving in words', () => {
    expect(previewSavingDetail(summary().previewSaving)).toBe('Over 1 episode: previews cost $0.30; a final render of every shot would have cost $4.00.');
    expect(previewSavingDetail({ previewSpentMicros: 0, finalEstimateMicros: 0, savedMicros: 0, episodes: 0 })).toMatch(/No episode has been previewed/);
  });
});

describe('the costs slice', () => {
  it('loads the summary and the held money together; a held list that fails leaves the figures', async () => {
    const store = createStudioStore({
      costSummary: async () => summary(),
      heldReservations: () => Promise.reject(new Error('ledger busy')),
      onProgress: () => () => undefined,
    } as unknown as StudioClient);
    await store.getState().loadCosts();
    expect(store.getState().costsLoad).toEqual({ status: 'ready' });
    expect(store.getState().costs?.totalMicros).toBe(1_634_567);
    expect(store.getState().heldProblem).toBe('ledger busy');
  });

  it('of two overlapping reloads, the newer answer stays', async () => {
    const answers: ((value: CostSummary) => void)[] = [];
    const store = createStudioStore({
      costSummary: () => new Promise<CostSummary>((resolve) => answers.push(resolve)),
      heldReservations: async () => [],
      onProgress: () => () => undefined,
    } as unknown as StudioClient);
    const first = store.getState().loadCosts();
    const second = store.getState().loadCosts();
    answers[1]?.(summary({ totalMicros: 2 }));
    await second;
    answers[0]?.(summary({ totalMicros: 1 }));
    await first;
    expect(store.getState().costs?.totalMicros).toBe(2);
  });
});
