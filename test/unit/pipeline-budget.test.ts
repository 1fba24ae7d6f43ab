import { afterEach, describe, expect, it } from 'vitest';
import { EngineError, type ErrorKind } from '../../src/shared/errors';
import { PipelineHarness, board } from '../support/pipeline-harness';
import { scriptedSpec } from '../support/scripted-engine';
import { seededRandom } from '../support/seeded-random';

const FAILURES: ErrorKind[] = ['unavailable', 'content_policy', 'invalid_request', 'rate_limited'];

describe('budget: 50 shots in parallel never overspend', () => {
  let h: PipelineHarness | undefined;
  let seedsWhereBudgetBound = 0;
  afterEach(() => h?.cleanup());

  it.each(Array.from({ length: 12 }, (_, i) => i + 1))('seed %i', async (seed) => {
    const random = seededRandom(seed);
    const prices = [50_000, 120_000, 400_000].map((base) => Math.round(base * (0.5 + random())));
    const engines = prices.map((price, i) =>
      scriptedSpec(`e${i}`, { concurrency: 4 + i * 3, pricing: (['720p'] as const).flatMap((r) => [false, true].map((audio) => ({ resolution: r, audio, microsPerSecond: price }))) }),
    );
    const failureRate = 0.15 + random() * 0.3;
    const behaviour = () => ({
      latencyMs: () => Math.floor(random() * 8),
      outcome: () => (random() < failureRate ? new EngineError(FAILURES[Math.floor(random() * FAILURES.length)]!, 'scripted failure', { retryAfterMs: 5 }) : ('succeed' as const)),
      // Providers bill a little more or less than the estimate; never more than the reservation.
      reportedCostMicros: (r: { durationSeconds: number }) => (random() < 0.5 ? undefined : Math.floor(prices[0]! * r.durationSeconds * random())),
    });
    h = new PipelineHarness({ engines, behaviours: Object.fromEntries(engines.map((e) => [e.id, behaviour()])) });
    const budgetUsd = 0.5 + random() * 6;
    const shots = board(50, {}, 1 + Math.floor(random() * 6));
    const id = h.createEpisode(shots, budgetUsd);
    await h.run(id, { concurrency: 50, backoff: { baseMs: 1, capMs: 4 } });

    const money = h.attempts.ledger.episodeMoney(id);
    expect(money.committedMicros).toBeLessThanOrEqual(Math.round(budgetUsd * 1e6));
    expect(money.heldMicros).toBe(0);
    expect(h.ledgerProblems(id)).toEqual([]);
    // Every shot ended accepted or failed, every failure says why, and over-budget ones say so.
    const records = h.episodes.shots(id);
    expect(records.every((s) => s.status === 'accepted' || (s.status === 'failed' && s.failureReason))).toBe(true);
    if (records.some((s) => s.failureReason?.includes('over budget'))) seedsWhereBudgetBound++;
    const spentBySettlement = h.attempts.forEpisode(id).reduce((sum, a) => sum + (a.actualMicros ?? 0), 0);
    expect(spentBySettlement).toBe(money.spentMicros);
  });

  it('the budget actually bound in most seeds (the property above is not vacuous)', () => {
    expect(seedsWhereBudgetBound).toBeGreaterThanOrEqual(6);
  });

  it('refuses a reservation that would cross the budget and moves the shot to a cheaper engine', async () => {
    const pricey = scriptedSpec('pricey', { pricing: [{ resolution: '720p', audio: false, microsPerSecond: 1_000_000 }] });
    const cheap = scriptedSpec('cheap', { pricing: [{ resolution: '720p', audio: false, microsPerSecond: 10_000 }] });
    h = new PipelineHarness({ engines: [pricey, cheap] });
    const id = h.createEpisode(board(3, {}, 2), 4.5); // room for two shots on 'pricey' only
    const result = await h.run(id, { concurrency: 1 });
    expect(result.status).toBe('completed');
    const accepted = h.attempts.forEpisode(id).filter((a) => a.status === 'accepted').map((a) => a.engineId).sort();
    expect(accepted).toEqual(['cheap', 'pricey', 'pricey']);
    expect(h.attempts.ledger.episodeMoney(id).spentMicros).toBe(4_020_000);
  });

  it('fails a shot with "over budget" when nothing affordable is left', async () => {
    const pricey = scriptedSpec('pricey', { pricing: [{ resolution: '720p', audio: false, microsPerSecond: 1_000_000 }] });
    h = new PipelineHarness({ engines: [pricey] });
    const id = h.createEpisode(board(2, {}, 2), 3);
    const result = await h.run(id, { concurrency: 1 });
    expect(result.failedShots).toHaveLength(1);
    expect(result.failedShots[0]!.reason).toBe('pricey: over budget ($2.00 needed, $1.00 left)');
  });

  it('releases the reservation of a failed attempt and settles a successful one at its actual cost', async () => {
    h = new PipelineHarness({ engines: ['a', 'b'], behaviours: { a: { outcome: () => new EngineError('content_policy', 'no') }, b: { reportedCostMicros: () => 150_000 } } });
    const id = h.createEpisode(board(1, {}, 2));
    await h.run(id);
    const entries = h.db.prepare(`SELECT engine_id AS engine, entry, micros FROM ledger WHERE episode_id = ? ORDER BY id`).all(id);
    expect(entries).toEqual([
      { engine: 'a', entry: 'reserve', micros: 200_000 },
      { engine: 'a', entry: 'release', micros: 200_000 },
      { engine: 'b', entry: 'reserve', micros: 200_000 },
      { engine: 'b', entry: 'release', micros: 200_000 },
      { engine: 'b', entry: 'charge', micros: 150_000 },
    ]);
  });
});
