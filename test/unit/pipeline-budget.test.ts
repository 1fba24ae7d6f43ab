/**
 * The budget property: 50 shots in parallel, under many seeds, against providers that
 * bill above their estimates, estimate above ours at create, report fractional and
 * garbage amounts, drop connections mid-poll and lose submit answers. Committed money
 * never passes the budget except by what a provider billed beyond what was held (its
 * own create-time estimate or ours), each such charge says so, and the ledger equals
 * the providers' invoice to the micro-dollar.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { EngineError, type ErrorKind } from '../../src/shared/errors';
import { toMicros } from '../../src/shared/money';
import { PipelineHarness, board } from '../support/pipeline-harness';
import { flatPricing, scriptedSpec, type ScriptedBehaviour } from '../support/scripted-engine';
import { seededRandom } from '../support/seeded-random';

const FAILURES: ErrorKind[] = ['unavailable', 'content_policy', 'invalid_request', 'rate_limited'];
const SEEDS = Array.from({ length: 12 }, (_, i) => i + 1);

interface SeedResult {
  seed: number;
  budgetMicros: number;
  committedMicros: number;
  overshootMicros: number;
  overshootsWithoutNote: number;
  heldMicros: number;
  heldByParkedMicros: number;
  chargedMicros: number;
  invoiceMicros: number;
  unknownJobsInvoicedMicros: number;
  ledgerProblems: string[];
  shotsWithoutReason: number;
  budgetBound: boolean;
  overBilled: number;
}

async function runSeed(seed: number): Promise<SeedResult> {
  const random = seededRandom(seed);
  const prices = [50_000, 120_000, 400_000].map((base) => Math.round(base * (0.5 + random())));
  const engines = prices.map((price, i) => scriptedSpec(`e${i}`, { concurrency: 4 + i * 3, pricing: flatPricing(price) }));
  const failureRate = 0.15 + random() * 0.3;
  const behaviour = (price: number, i: number): ScriptedBehaviour => ({
    latencyMs: () => Math.floor(random() * 8),
    cancellable: true,
    findable: i !== 2, // e2 offers no lookup: a lost answer there is an unknown outcome
    outcome: () => (random() < failureRate ? new EngineError(FAILURES[Math.floor(random() * FAILURES.length)]!, 'scripted failure', { retryAfterMs: 5 }) : 'succeed'),
    loseSubmitAnswer: () => random() < 0.05,
    pollError: () => (random() < 0.1 ? Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }) }) : undefined),
    // Sometimes the provider's own estimate at create is above ours (and fractional).
    estimateAtCreate: (r) => (random() < 0.3 ? price * r.durationSeconds * (1 + random() * 0.4) + 0.37 : undefined),
    // Billing: unreported, at list, above it, fractional, or garbage that must not reach the ledger.
    billedMicros: (r) => {
      const pick = random();
      if (pick < 0.3) return undefined;
      if (pick < 0.4) return Number.NaN;
      if (pick < 0.45) return 'twelve dollars';
      return price * r.durationSeconds * (0.6 + random() * 0.9) + (pick < 0.6 ? 0.25 : 0);
    },
  });
  const h = new PipelineHarness({ engines, behaviours: Object.fromEntries(engines.map((e, i) => [e.id, behaviour(prices[i]!, i)])) });
  try {
    const budgetUsd = 0.5 + random() * 6;
    const id = h.createEpisode(board(50, {}, 1 + Math.floor(random() * 6)), budgetUsd);
    await h.run(id, { concurrency: 50, backoff: { baseMs: 1, capMs: 4 } });

    const money = h.attempts.ledger.episodeMoney(id);
    const attempts = h.attempts.forEpisode(id);
    let overshoot = 0;
    let overshootsWithoutNote = 0;
    let overBilled = 0;
    for (const attempt of attempts) {
      const reserved = h.attempts.ledger.totalReserved(attempt.id);
      const charged = attempt.actualMicros ?? 0;
      if (charged > reserved) {
        overBilled++;
        overshoot += charged - reserved;
        const note = (h.db.prepare(`SELECT note FROM ledger WHERE attempt_id = ? AND entry = 'charge'`).get(attempt.id) as { note: string }).note;
        if (!/above the \$[\d.]+ held/.test(note)) overshootsWithoutNote++;
      }
    }
    const parked = attempts.filter((a) => a.status === 'unknown' || a.status === 'timed_out');
    const parkedHeld = parked.reduce((sum, a) => sum + h.attempts.ledger.openReservation(a.id), 0);
    const unknownRefs = new Set(attempts.filter((a) => a.status === 'unknown').map((a) => a.clientReference));
    const unknownInvoiced = [...h.provider.jobs.values()].filter((j) => unknownRefs.has(j.clientReference)).reduce((sum, j) => sum + h.provider.invoiced(j), 0);
    const records = h.episodes.shots(id);
    return {
      seed,
      budgetMicros: toMicros(budgetUsd * 1e6),
      committedMicros: money.committedMicros,
      overshootMicros: overshoot,
      overshootsWithoutNote,
      heldMicros: money.heldMicros,
      heldByParkedMicros: parkedHeld,
      chargedMicros: h.chargedMicros(id),
      invoiceMicros: h.provider.billedMicros,
      unknownJobsInvoicedMicros: unknownInvoiced,
      ledgerProblems: h.ledgerProblems(id),
      shotsWithoutReason: records.filter((s) => !(s.status === 'accepted' || (s.status === 'failed' && s.failureReason))).length,
      budgetBound: records.some((s) => /over budget/.test(s.failureReason ?? '')),
      overBilled,
    };
  } finally {
    h.cleanup();
  }
}

describe('budget: 50 shots in parallel against unkind providers', () => {
  const results = new Map<number, SeedResult>();
  // All seeds run first, so no test below depends on the order tests run in.
  beforeAll(async () => {
    for (const seed of SEEDS) results.set(seed, await runSeed(seed));
  }, 120_000);

  it.each(SEEDS)('seed %i: committed stays within budget, but for what providers billed beyond what was held', (seed) => {
    const r = results.get(seed)!;
    expect(r.committedMicros).toBeLessThanOrEqual(r.budgetMicros + r.overshootMicros);
    expect(r.overshootsWithoutNote).toBe(0);
  });

  it.each(SEEDS)('seed %i: the ledger balances and equals the invoice, but for jobs whose submit outcome is unknown', (seed) => {
    const r = results.get(seed)!;
    expect(r.ledgerProblems).toEqual([]);
    // Money still held belongs to parked attempts only (unknown outcomes, stalled jobs), each with a time limit.
    expect(r.heldMicros).toBe(r.heldByParkedMicros);
    expect(r.chargedMicros + r.unknownJobsInvoicedMicros).toBe(r.invoiceMicros);
    expect(r.shotsWithoutReason).toBe(0);
  });

  it('the property is exercised: budgets bound, providers overbilled, fractional and garbage amounts arrived', () => {
    const all = [...results.values()];
    expect(all.filter((r) => r.budgetBound).length).toBeGreaterThanOrEqual(6);
    expect(all.reduce((n, r) => n + r.overBilled, 0)).toBeGreaterThan(0);
  });
});
