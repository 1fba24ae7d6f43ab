/**
 * One scenario per way a real provider can hurt the money path: fractional and garbage
 * amounts, create-time estimates above ours, bills above estimates, expired download
 * links, network errors at every call, jobs that vanish. Each ends with the ledger
 * balanced and equal to the provider's invoice.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { EngineError } from '../../src/shared/errors';
import { heldReservations } from '../../src/main/store/reports';
import { PipelineHarness, board } from '../support/pipeline-harness';
import { flatPricing, scriptedSpec } from '../support/scripted-engine';

const netError = (code: string, message = 'fetch failed') => Object.assign(new TypeError(message), { cause: Object.assign(new Error(code), { code }) });

describe('amounts from providers', () => {
  let h: PipelineHarness;
  afterEach(() => h.cleanup());

  it('a fractional cost (0.1 * 3 * 1e6) is charged as 300000, and nothing wedges', async () => {
    h = new PipelineHarness({ engines: ['a'], behaviours: { a: { billedMicros: () => 0.1 * 3 * 1e6 } } });
    const id = h.createEpisode(board(2));
    expect((await h.run(id)).status).toBe('completed');
    expect(h.attempts.forEpisode(id).map((a) => a.actualMicros)).toEqual([300_000, 300_000]);
    expect(h.chargedMicros(id)).toBe(h.provider.billedMicros);
    // And again: a resume of a finished episode has nothing left to settle.
    h.reopen();
    expect((await h.run(id)).status).toBe('completed');
  });

  it.each([['NaN', Number.NaN], ['negative', -5], ['text', 'abc'], ['infinite', Number.POSITIVE_INFINITY], ['object', { usd: 1 }]])(
    'an unusable amount (%s) is charged at list price, with the reason on the ledger',
    async (_name, amount) => {
      h = new PipelineHarness({ engines: ['a'], behaviours: { a: { billedMicros: () => amount } } });
      const id = h.createEpisode(board(1));
      expect((await h.run(id)).status).toBe('completed');
      const charge = h.db.prepare(`SELECT micros, note FROM ledger WHERE episode_id = ? AND entry = 'charge'`).get(id) as { micros: number; note: string };
      expect(charge.micros).toBe(200_000);
      expect(charge.note).toMatch(/the provider reported an unusable amount .*charged the list price/);
      expect(h.chargedMicros(id)).toBe(h.provider.billedMicros);
    },
  );

  it("tops the reservation up to the provider's create-time estimate, within the budget", async () => {
    h = new PipelineHarness({ engines: ['a'], behaviours: { a: { estimateAtCreate: () => 250_000.5, billedMicros: () => 250_000.5, latencyMs: () => 30 } } });
    const id = h.createEpisode(board(1), 1);
    await h.run(id);
    const rows = h.db.prepare(`SELECT entry, micros, note FROM ledger WHERE episode_id = ? ORDER BY id`).all(id);
    expect(rows).toEqual([
      { entry: 'reserve', micros: 200_000, note: null },
      { entry: 'reserve', micros: 50_001, note: "top-up to the provider's estimate at create" },
      { entry: 'release', micros: 250_001, note: 'settled' },
      { entry: 'charge', micros: 250_001, note: 'settled' },
    ]);
    expect(h.chargedMicros(id)).toBe(h.provider.billedMicros);
  });

  it('a create-time estimate that would pass the budget cancels the job at once and moves on to a cheaper engine', async () => {
    const pricey = scriptedSpec('pricey', { pricing: flatPricing(100_000) });
    const cheap = scriptedSpec('cheap', { pricing: flatPricing(10_000) });
    h = new PipelineHarness({ engines: [pricey, cheap], behaviours: { pricey: { estimateAtCreate: () => 900_000, latencyMs: () => 100, cancellable: true } } });
    const id = h.createEpisode(board(1), 0.5);
    const result = await h.run(id);
    expect(result.status).toBe('completed');
    const [first, second] = h.attempts.forEpisode(id);
    expect(first).toMatchObject({ engineId: 'pricey', status: 'cancelled', errorKind: 'cancelled', actualMicros: 0 });
    expect(first!.errorMessage).toMatch(/^over budget: pricey estimated \$0\.900000 .* cancelled at the provider$/);
    expect(second).toMatchObject({ engineId: 'cheap', status: 'accepted' });
    expect([...h.provider.jobs.values()].find((j) => j.engineId === 'pricey')!.cancelled).toBe(true);
    expect(h.attempts.ledger.episodeMoney(id).committedMicros).toBeLessThanOrEqual(500_000);
    expect(h.chargedMicros(id)).toBe(h.provider.billedMicros);
  });

  it('a create-time estimate over the budget on an engine that cannot cancel is held in full, and nothing else spends that money', async () => {
    h = new PipelineHarness({ engines: ['a'], behaviours: { a: { estimateAtCreate: (r) => (r.shotId === 's01' ? 700_000 : undefined), billedMicros: (r) => (r.shotId === 's01' ? 700_000 : undefined), latencyMs: () => 20 } } });
    const id = h.createEpisode(board(3), 0.6);
    const result = await h.run(id, { concurrency: 1 });
    const money = h.attempts.ledger.episodeMoney(id);
    // 0.2 for s01 plus its 0.5 forced top-up: the provider will bill 0.7 whatever we do.
    expect(money.committedMicros).toBe(700_000);
    expect(result.failedShots.map((f) => f.shotId).sort()).toEqual(['s02', 's03']);
    expect(result.failedShots[0]!.reason).toMatch(/over budget/);
    const topUp = h.db.prepare(`SELECT micros, note FROM ledger WHERE episode_id = ? AND entry = 'reserve' AND note IS NOT NULL`).get(id) as { micros: number; note: string };
    expect(topUp).toEqual({ micros: 500_000, note: expect.stringMatching(/^over budget: .*the job could not be cancelled$/) });
    expect(h.chargedMicros(id)).toBe(h.provider.billedMicros);
  });

  it('a cancel the provider cannot confirm assumes nothing: the job that had finished anyway is charged', async () => {
    // The job finishes at once; the cancel "succeeds" (too late), and the poll that should confirm it drops.
    const netDrop = Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('reset'), { code: 'ECONNRESET' }) });
    h = new PipelineHarness({
      engines: ['a'],
      behaviours: { a: { estimateAtCreate: () => 900_000, cancellable: true, pollError: (job) => (job.polls === 1 ? netDrop : undefined) } },
    });
    const id = h.createEpisode(board(1), 0.5);
    await h.run(id);
    expect(h.provider.billedMicros).toBe(200_000);
    expect(h.chargedMicros(id)).toBe(200_000);
    expect(h.ledgerProblems(id)).toEqual([]);
  });

  it('a bill above what was held is charged as billed, and the charge says so', async () => {
    h = new PipelineHarness({ engines: ['a'], behaviours: { a: { billedMicros: () => 260_000 } } });
    const id = h.createEpisode(board(1));
    await h.run(id);
    const charge = h.db.prepare(`SELECT micros, note FROM ledger WHERE entry = 'charge'`).get() as { micros: number; note: string };
    expect(charge).toEqual({ micros: 260_000, note: 'billed $0.260000, above the $0.200000 held' });
  });

  it('a provider estimate refused by the budget was never held: a job that finished before its cancel and bills above our reservation says so', async () => {
    // The job is done before the over-budget cancel reaches it, and bills 0.15 against the 0.10 we held (its 5.00 estimate was refused).
    h = new PipelineHarness({
      engines: [scriptedSpec('a', { pricing: flatPricing(100_000) })],
      behaviours: { a: { latencyMs: () => 0, cancellable: true, estimateAtCreate: () => 5_000_000, billedMicros: () => 150_000 } },
    });
    const id = h.createEpisode(board(1, {}, 1), 0.12);
    await h.run(id);
    const charge = h.db.prepare(`SELECT micros, note FROM ledger WHERE entry = 'charge'`).get() as { micros: number; note: string };
    expect(charge).toEqual({ micros: 150_000, note: 'billed $0.150000, above the $0.100000 held' });
    expect(h.chargedMicros(id)).toBe(h.provider.billedMicros);
  });

  it('observed billing above list price raises later reservations', async () => {
    h = new PipelineHarness({ engines: ['a'], behaviours: { a: { billedMicros: () => 300_000 } } });
    const { observedBillingFactor } = await import('../../src/main/store/billing');
    const id = h.createEpisode(board(4));
    await h.run(id, { concurrency: 1 });
    expect(observedBillingFactor(h.db, ['a'])).toBeCloseTo(1.5, 9);
  });
});

describe('jobs cancelled at the provider', () => {
  let h: PipelineHarness;
  afterEach(() => h.cleanup());

  it('a job cancelled from outside (the provider console) fails that attempt, not the run', async () => {
    h = new PipelineHarness({ engines: ['a'], behaviours: { a: { latencyMs: () => 30 } } });
    const id = h.createEpisode(board(2));
    let cancelledOutside = false;
    const onStep = (step: string) => {
      if (step === 'submitted' && !cancelledOutside) {
        cancelledOutside = true;
        for (const job of h.provider.jobs.values()) job.cancelled = true;
      }
    };
    const result = await h.run(id, { concurrency: 1 }, { onStep });
    expect(result.status).toBe('completed');
    expect(h.attempts.forShot(id, 's01').map((a) => `${a.status}:${a.errorKind}`)).toEqual(['cancelled:unavailable', 'accepted:null']);
    expect(h.attempts.forShot(id, 's01')[0]!.errorMessage).toBe('the job was cancelled at the provider, not by Shotline');
    expect(h.chargedMicros(id)).toBe(h.provider.billedMicros);
  });
});

describe('outputs', () => {
  let h: PipelineHarness;
  afterEach(() => h.cleanup());

  it('an expired download link is renewed from the same job: no new job, paid once', async () => {
    h = new PipelineHarness({ engines: ['a'], behaviours: { a: { deadLinks: 1 } } });
    const id = h.createEpisode(board(2));
    expect((await h.run(id)).status).toBe('completed');
    expect(h.provider.createdJobs).toBe(2);
    expect([...h.provider.jobs.values()].map((j) => j.downloads)).toEqual([2, 2]);
    expect(h.chargedMicros(id)).toBe(h.provider.billedMicros);
    expect(h.chargedMicros(id)).toBe(400_000);
  });

  it('an output the provider no longer has is paid, and a new generation makes the shot', async () => {
    h = new PipelineHarness({ engines: ['a'], behaviours: { a: { deadLinks: 1, outputRetentionMs: -1 } } });
    const id = h.createEpisode(board(1));
    const result = await h.run(id);
    // Every job's link is dead and the output is gone when asked again: each job is paid, none is usable.
    expect(result.status).toBe('failed');
    expect(h.attempts.forEpisode(id).map((a) => `${a.status}:${a.errorKind}`)).toEqual(['failed:expired_output', 'failed:expired_output']);
    expect(h.chargedMicros(id)).toBe(h.provider.billedMicros);
    expect(h.chargedMicros(id)).toBe(400_000);
  });

  it('a clip changed on disk is fetched again from its paid job, not generated again', async () => {
    const { writeFileSync } = await import('node:fs');
    h = new PipelineHarness({ engines: ['a'] });
    const id = h.createEpisode(board(2));
    await h.run(id);
    const clip = h.attempts.forShot(id, 's01')[0]!.clipPath!;
    writeFileSync(clip, 'damaged');
    h.reopen();
    expect((await h.run(id)).status).toBe('completed');
    expect(h.provider.createdJobs).toBe(2);
    expect(h.attempts.forShot(id, 's01')).toHaveLength(1);
    expect(h.chargedMicros(id)).toBe(400_000);
  });
});

describe('network errors at every call', () => {
  let h: PipelineHarness;
  afterEach(() => h.cleanup());

  it('submit refused before connecting (ECONNREFUSED): nothing was made, the same engine is tried again', async () => {
    h = new PipelineHarness({ engines: ['a'], behaviours: { a: { submitError: (_r, n) => (n === 1 ? netError('ECONNREFUSED') : undefined) } } });
    const id = h.createEpisode(board(1));
    expect((await h.run(id)).status).toBe('completed');
    expect(h.attempts.forEpisode(id).map((a) => `${a.status}:${a.errorKind}`)).toEqual(['failed:unavailable', 'accepted:null']);
    expect(h.provider.createdJobs).toBe(1);
  });

  it('submit answer lost after the provider made the job (ECONNRESET): found by lookup and used', async () => {
    h = new PipelineHarness({ engines: ['a'], behaviours: { a: { loseSubmitAnswer: (_r, n) => n === 1, findable: true } } });
    const id = h.createEpisode(board(1));
    expect((await h.run(id)).status).toBe('completed');
    expect(h.provider.createdJobs).toBe(1);
    expect(h.attempts.forEpisode(id)).toHaveLength(1);
    expect(h.chargedMicros(id)).toBe(h.provider.billedMicros);
  });

  it('submit answer lost on a provider without lookup: unknown, never sent again in the run', async () => {
    h = new PipelineHarness({ engines: ['a', 'b'], behaviours: { a: { loseSubmitAnswer: () => true } } });
    const id = h.createEpisode(board(1));
    const result = await h.run(id);
    expect(result.failedShots[0]!.reason).toMatch(/submission outcome unknown \(.*\): a may have made and billed a job/);
    expect(h.provider.createdJobs).toBe(1); // b was not tried: that could pay for the shot twice
    // `shotline costs --held` says what is held, why, and until when.
    const held = heldReservations(h.db);
    expect(held).toEqual([
      expect.objectContaining({ episodeId: id, shotId: 's01', engineId: 'a', status: 'unknown', heldMicros: 200_000, reason: expect.stringMatching(/^submission outcome unknown/) }),
    ]);
    expect(held[0]!.holdUntil).toBeGreaterThan(Date.now() + 23 * 3_600_000);
  });

  it('a plain network error during polls does not kill the render or the job', async () => {
    h = new PipelineHarness({ engines: ['a'], behaviours: { a: { latencyMs: () => 40, pollError: (job) => (job.polls % 2 === 1 ? netError('ECONNRESET') : undefined) } } });
    const id = h.createEpisode(board(3));
    expect((await h.run(id)).status).toBe('completed');
    expect(h.provider.createdJobs).toBe(3);
  });

  it('a download that fails on the network is tried again; the job is not paid twice', async () => {
    h = new PipelineHarness({ engines: ['a'], behaviours: { a: { downloadError: (job) => (job.downloads <= 2 ? netError('ECONNRESET') : undefined) } } });
    const id = h.createEpisode(board(1));
    expect((await h.run(id)).status).toBe('completed');
    expect([...h.provider.jobs.values()][0]!.downloads).toBe(3);
    expect(h.chargedMicros(id)).toBe(200_000);
  }, 20_000);

  it('a download that keeps failing leaves the paid job for resume, which fetches it without a new job', async () => {
    let failDownloads = true;
    h = new PipelineHarness({ engines: ['a', 'b'], behaviours: { a: { downloadError: () => (failDownloads ? netError('ECONNRESET') : undefined) } } });
    const id = h.createEpisode(board(1));
    const first = await h.run(id);
    expect(first.failedShots[0]!.reason).toMatch(/could not be downloaded .*`shotline resume` fetches it/);
    expect(h.provider.createdJobs).toBe(1);
    failDownloads = false;
    h.reopen();
    expect((await h.run(id)).status).toBe('completed');
    expect(h.provider.createdJobs).toBe(1);
  }, 30_000);
});

describe('money held for lost jobs', () => {
  let h: PipelineHarness;
  afterEach(() => h.cleanup());

  it('a timed-out job that vanishes at the provider releases its money after the provider retention', async () => {
    h = new PipelineHarness({ engines: ['a'], behaviours: { a: { outcome: () => 'stall' } }, providerLimits: { outputRetentionHours: 0.3 / 3600 } });
    const id = h.createEpisode(board(1));
    await h.run(id, { stallTimeoutMs: () => 40 });
    const [parked] = h.attempts.forEpisode(id);
    expect(parked!.status).toBe('timed_out');
    expect(h.attempts.ledger.openReservation(parked!.id)).toBe(200_000);
    for (const job of h.provider.jobs.values()) job.outcome = 'vanish';

    // Before its time: still held (a 404 may be a provider's hiccup).
    h.reopen();
    await h.run(id, { stallTimeoutMs: () => 40, maxAttemptsPerShot: 0 });
    expect(h.attempts.get(parked!.id).status).toBe('timed_out');

    await new Promise((resolve) => setTimeout(resolve, 450));
    h.reopen();
    await h.run(id, { stallTimeoutMs: () => 40, maxAttemptsPerShot: 0 });
    expect(h.attempts.get(parked!.id)).toMatchObject({ status: 'expired', actualMicros: 0 });
    expect(h.attempts.get(parked!.id).errorMessage).toMatch(/reservation released/);
    expect(h.attempts.ledger.episodeMoney(id).heldMicros).toBe(0);
    expect(h.ledgerProblems(id)).toEqual([]);
  });

  it('held money is released by the sweep even when nobody resumes the episode', async () => {
    h = new PipelineHarness({ engines: ['a'], behaviours: { a: { loseSubmitAnswer: () => true } }, providerLimits: { outputRetentionHours: 0.2 / 3600 } });
    const id = h.createEpisode(board(1));
    await h.run(id, { stallTimeoutMs: () => 10 });
    expect(h.attempts.ledger.episodeMoney(id).heldMicros).toBe(200_000);
    expect(h.attempts.expireOverdue(() => false)).toHaveLength(0);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(h.attempts.expireOverdue(() => true)).toHaveLength(0); // a live runner's episode is left alone
    expect(h.attempts.expireOverdue(() => false).map((a) => a.status)).toEqual(['expired']);
    expect(h.attempts.ledger.episodeMoney(id).heldMicros).toBe(0);
  });
});
