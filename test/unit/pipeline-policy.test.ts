import { afterEach, describe, expect, it } from 'vitest';
import { EngineError } from '../../src/shared/errors';
import { decide } from '../../src/main/pipeline/policy';
import { backoffDelayMs } from '../../src/main/pipeline/backoff';
import { PipelineHarness, board } from '../support/pipeline-harness';
import { scriptedSpec } from '../support/scripted-engine';

const backoff = { baseMs: 100, capMs: 1_000 };

describe('the error policy table', () => {
  it('honours Retry-After for rate limits and cools the engine down', () => {
    const d = decide({ kind: 'rate_limited', failuresOfKind: 1, retryAfterMs: 7_000, backoff, random: () => 0.5 });
    expect(d).toEqual({ action: 'retry_same', delayMs: 7_000, engineEffect: 'cool_down' });
  });

  it('backs off exponentially with jitter for outages, capped, then moves on', () => {
    const first = decide({ kind: 'unavailable', failuresOfKind: 1, backoff, random: () => 1 });
    const second = decide({ kind: 'unavailable', failuresOfKind: 2, backoff, random: () => 1 });
    expect(first).toMatchObject({ action: 'retry_same', delayMs: 100 });
    expect(second).toMatchObject({ action: 'retry_same', delayMs: 200 });
    expect(decide({ kind: 'unavailable', failuresOfKind: 3, backoff, random: () => 1 })).toMatchObject({ action: 'next_engine' });
    for (let retry = 1; retry < 20; retry++) {
      const delay = backoffDelayMs(retry, backoff, Math.random);
      expect(delay).toBeGreaterThanOrEqual(Math.min(1_000, 100 * 2 ** (retry - 1)) / 2);
      expect(delay).toBeLessThanOrEqual(1_000);
    }
  });

  it.each(['content_policy', 'invalid_request', 'timeout'] as const)('%s moves to the next engine without retrying', (kind) => {
    expect(decide({ kind, failuresOfKind: 1, backoff, random: Math.random })).toEqual({ action: 'next_engine', engineEffect: 'none' });
  });

  it.each(['auth', 'quota_exhausted'] as const)('%s switches the provider account off for the run', (kind) => {
    expect(decide({ kind, failuresOfKind: 1, backoff, random: Math.random })).toEqual({ action: 'next_engine', engineEffect: 'disable_provider_for_run' });
  });

  it('cancellation stops the shot', () => {
    expect(decide({ kind: 'cancelled', failuresOfKind: 1, backoff, random: Math.random })).toEqual({ action: 'stop_shot' });
  });

  it('gives quality rejections and expired outputs one more try on the same engine', () => {
    for (const kind of ['quality_rejected', 'expired_output'] as const) {
      expect(decide({ kind, failuresOfKind: 1, backoff, random: Math.random }).action).toBe('retry_same');
      expect(decide({ kind, failuresOfKind: 2, backoff, random: Math.random }).action).toBe('next_engine');
    }
  });
});

describe('the shot runner carries out the policy', () => {
  let h: PipelineHarness;
  afterEach(() => h.cleanup());

  const submitsTo = (engineId: string) => h.provider.submitCalls.filter((c) => c.engineId === engineId);

  it('content_policy on the first engine falls back to the second, once', async () => {
    h = new PipelineHarness({ engines: ['a', 'b'], behaviours: { a: { outcome: () => new EngineError('content_policy', 'refused') } } });
    const id = h.createEpisode(board(1));
    const result = await h.run(id);
    expect(result.status).toBe('completed');
    expect(submitsTo('a')).toHaveLength(1);
    expect(submitsTo('b')).toHaveLength(1);
    const attempts = h.attempts.forEpisode(id);
    expect(attempts.map((a) => [a.engineId, a.status, a.errorKind])).toEqual([
      ['a', 'failed', 'content_policy'],
      ['b', 'accepted', null],
    ]);
    expect(h.ledgerProblems(id)).toEqual([]);
  });

  it('invalid_request is not retried on the same engine', async () => {
    h = new PipelineHarness({ engines: ['a', 'b'], behaviours: { a: { submitError: () => new EngineError('invalid_request', 'bad ratio') } } });
    const id = h.createEpisode(board(2));
    await h.run(id);
    expect(submitsTo('a')).toHaveLength(2); // once per shot, never twice for one shot
    expect(h.attempts.forEpisode(id).filter((a) => a.status === 'accepted').every((a) => a.engineId === 'b')).toBe(true);
  });

  it('unavailable retries the same engine with backoff, then moves on', async () => {
    h = new PipelineHarness({ engines: ['a', 'b'], behaviours: { a: { submitError: () => new EngineError('unavailable', '503') } } });
    const id = h.createEpisode(board(1));
    await h.run(id);
    expect(submitsTo('a')).toHaveLength(3); // first try + 2 retries
    expect(submitsTo('b')).toHaveLength(1);
    const [first, second, third] = submitsTo('a');
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(2);
    expect(third!.at - second!.at).toBeGreaterThanOrEqual(5);
  });

  it('a transient outage recovers on the same engine', async () => {
    h = new PipelineHarness({ engines: ['a', 'b'], behaviours: { a: { submitError: (_r, n) => (n === 1 ? new EngineError('unavailable', '502') : undefined) } } });
    const id = h.createEpisode(board(1));
    await h.run(id);
    expect(h.attempts.forEpisode(id).map((a) => `${a.engineId}:${a.status}`)).toEqual(['a:failed', 'a:accepted']);
  });

  it('auth failure switches off every model of the provider account for the rest of the run', async () => {
    // a and a2 share an account (provider runway); b is another provider.
    const engines = [scriptedSpec('a', { provider: 'runway' }), scriptedSpec('a2', { provider: 'runway' }), scriptedSpec('b', { provider: 'luma' })];
    h = new PipelineHarness({ engines, behaviours: { a: { submitError: () => new EngineError('auth', 'bad key') } } });
    const id = h.createEpisode(board(6));
    const result = await h.run(id, { concurrency: 1 });
    expect(result.status).toBe('completed');
    expect(submitsTo('a')).toHaveLength(1);
    expect(submitsTo('a2')).toHaveLength(0);
    expect(submitsTo('b')).toHaveLength(6);
    // Not the engine's health: the key was bad.
    expect(h.health.getHealth('a').failures).toBe(0);
  });

  it("models of one provider account share its concurrency limit", async () => {
    const engines = [scriptedSpec('a', { provider: 'runway' }), scriptedSpec('a2', { provider: 'runway' })];
    h = new PipelineHarness({ engines, behaviours: { a: { latencyMs: () => 30 }, a2: { latencyMs: () => 30 } }, chains: { s01: ['a'], s02: ['a2'], s03: ['a'], s04: ['a2'] }, providerLimits: { concurrency: 1 } });
    const id = h.createEpisode(board(4));
    await h.run(id, { concurrency: 4 });
    const jobs = [...h.provider.jobs.values()].sort((x, y) => x.submittedAt - y.submittedAt);
    expect(jobs).toHaveLength(4);
    // Each job was submitted only after the one before it had finished.
    for (let i = 1; i < jobs.length; i++) expect(jobs[i]!.submittedAt).toBeGreaterThanOrEqual(jobs[i - 1]!.readyAt);
  });

  it('quota_exhausted is never retried and switches the account off', async () => {
    const engines = [scriptedSpec('a', { provider: 'runway' }), scriptedSpec('b', { provider: 'luma' })];
    h = new PipelineHarness({ engines, behaviours: { a: { submitError: () => new EngineError('quota_exhausted', 'billing cap') } } });
    const id = h.createEpisode(board(4));
    await h.run(id, { concurrency: 1 });
    expect(submitsTo('a')).toHaveLength(1);
  });

  it("health counts the engine's own faults only: a refused prompt or a cancel says nothing about it", async () => {
    h = new PipelineHarness({
      engines: ['a', 'b'],
      behaviours: { a: { outcome: (r) => (r.shotId === 's01' ? new EngineError('content_policy', 'refused') : r.shotId === 's02' ? new EngineError('unavailable', '500') : 'succeed') } },
      chains: { s01: ['a', 'b'], s02: ['a', 'b'], s03: ['a'] },
    });
    const id = h.createEpisode(board(3));
    await h.run(id, { concurrency: 1, backoff: { baseMs: 1, capMs: 2 } });
    // s02's three unavailable attempts count; s01's content_policy does not.
    expect(h.health.getHealth('a')).toMatchObject({ failures: 3, successes: 1 });
  });

  it('rate_limited honours Retry-After before retrying the same engine', async () => {
    h = new PipelineHarness({
      engines: ['a'],
      behaviours: { a: { submitError: (_r, n) => (n === 1 ? new EngineError('rate_limited', '429', { retryAfterMs: 300 }) : undefined) } },
    });
    const id = h.createEpisode(board(1));
    await h.run(id);
    const [first, second] = submitsTo('a');
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(300);
    expect(h.health.getHealth('a').coolingUntil).toBeGreaterThanOrEqual(first!.at + 300);
  });

  it('rate_limited cools the engine down so other shots route around it', async () => {
    h = new PipelineHarness({
      engines: ['a', 'b'],
      behaviours: { a: { submitError: (_r, n) => (n === 1 ? new EngineError('rate_limited', '429', { retryAfterMs: 5_000 }) : undefined) } },
    });
    const id = h.createEpisode(board(4));
    const started = Date.now();
    await h.run(id, { concurrency: 1 });
    expect(Date.now() - started).toBeLessThan(4_000); // nobody waited for the cooldown
    expect(submitsTo('a')).toHaveLength(1);
    expect(submitsTo('b')).toHaveLength(4);
  });

  it('a stalled job times out, keeps its job id and reservation, and its late result is collected', async () => {
    h = new PipelineHarness({ engines: ['a', 'b'], behaviours: { a: { outcome: () => 'stall' }, b: { submitError: () => new EngineError('unavailable', 'down') } } });
    const id = h.createEpisode(board(1));
    const first = await h.run(id, { stallTimeoutMs: () => 50 });
    expect(first.status).toBe('failed');
    const [timedOut] = h.attempts.forEpisode(id).filter((a) => a.engineId === 'a');
    expect(timedOut!.status).toBe('timed_out');
    expect(timedOut!.providerJobId).toMatch(/^job_a_/);
    expect(h.attempts.ledger.openReservation(timedOut!.id)).toBeGreaterThan(0);

    // The provider finishes the job later; the next run collects it without a new submit.
    for (const job of h.provider.jobs.values()) if (job.engineId === 'a') job.outcome = 'succeed';
    const second = await h.run(id, { stallTimeoutMs: () => 50 });
    expect(second.status).toBe('completed');
    expect(submitsTo('a')).toHaveLength(1);
    expect(h.attempts.get(timedOut!.id).status).toBe('accepted');
    expect(h.ledgerProblems(id)).toEqual([]);
  });

  it('a stalled job on an engine that can cancel is cancelled and released', async () => {
    h = new PipelineHarness({ engines: ['a', 'b'], behaviours: { a: { outcome: () => 'stall', cancellable: true } } });
    const id = h.createEpisode(board(1));
    await h.run(id, { stallTimeoutMs: () => 50 });
    const attempts = h.attempts.forEpisode(id);
    expect(attempts.map((a) => `${a.engineId}:${a.status}:${a.errorKind}`)).toEqual(['a:cancelled:timeout', 'b:accepted:null']);
    expect([...h.provider.jobs.values()].find((j) => j.engineId === 'a')!.cancelled).toBe(true);
    expect(h.ledgerProblems(id)).toEqual([]);
  });

  it('a clip rejected by the gate gets one more take, is paid, then falls back', async () => {
    h = new PipelineHarness({ engines: ['a', 'b'], behaviours: { a: { badClip: () => true } } });
    const id = h.createEpisode(board(1));
    await h.run(id);
    const attempts = h.attempts.forEpisode(id);
    expect(attempts.map((a) => `${a.engineId}:${a.status}`)).toEqual(['a:rejected', 'a:rejected', 'b:accepted']);
    expect(h.attempts.ledger.episodeMoney(id).spentMicros).toBe(3 * 200_000); // rejected clips were still made and billed
  });

  it('an output whose links keep expiring is renewed from the same job, then counts as gone: one fresh try, then the next engine', async () => {
    h = new PipelineHarness({ engines: ['a', 'b'], behaviours: { a: { downloadError: () => new EngineError('expired_output', 'link expired') } } });
    const id = h.createEpisode(board(1));
    await h.run(id);
    expect(h.attempts.forEpisode(id).map((a) => `${a.engineId}:${a.status}:${a.errorKind}`)).toEqual([
      'a:failed:expired_output',
      'a:failed:expired_output',
      'b:accepted:null',
    ]);
    // Each job of a was polled again for fresh links (1 + 2 renewals) before it counted as gone, and each was paid.
    const aJobs = [...h.provider.jobs.values()].filter((j) => j.engineId === 'a');
    expect(aJobs.map((j) => j.downloads)).toEqual([3, 3]);
    expect(h.chargedMicros(id)).toBe(h.provider.billedMicros);
    expect(h.chargedMicros(id)).toBe(3 * 200_000);
  });

  it('flaky polls do not fail the job', async () => {
    h = new PipelineHarness({ engines: ['a'], behaviours: { a: { latencyMs: () => 30, pollError: (job) => (job.polls % 2 === 1 ? new EngineError('unavailable', 'poll 503') : undefined) } } });
    const id = h.createEpisode(board(2));
    const result = await h.run(id);
    expect(result.status).toBe('completed');
    expect(h.provider.createdJobs).toBe(2);
  });

  it('a shot whose chain is spent fails with every reason, the rest are stitched and reported', async () => {
    h = new PipelineHarness({ engines: ['a', 'b'], chains: { s02: ['a'] }, behaviours: { a: { outcome: (r) => (r.shotId === 's02' ? new EngineError('content_policy', 'nope') : 'succeed') } } });
    const id = h.createEpisode(board(3));
    const result = await h.run(id);
    expect(result.status).toBe('partial');
    expect(result.stitched).toBe(true);
    expect(result.failedShots).toEqual([{ shotId: 's02', reason: 'a: content_policy: nope' }]);
  });

  it('--strict stops before stitching when a shot failed', async () => {
    h = new PipelineHarness({ engines: ['a'], behaviours: { a: { outcome: (r) => (r.shotId === 's02' ? new EngineError('content_policy', 'nope') : 'succeed') } } });
    const id = h.createEpisode(board(3));
    const result = await h.run(id, { strict: true });
    expect(result).toMatchObject({ status: 'failed', stitched: false });
    expect(h.stitchCalls).toBe(0);
  });

  it('the provider-reported cost is what gets settled; otherwise the list price', async () => {
    h = new PipelineHarness({ engines: ['a', 'b'], chains: { s01: ['a'], s02: ['b'] }, behaviours: { a: { billedMicros: () => 123_456 } } });
    const id = h.createEpisode(board(2));
    await h.run(id);
    const [a, b] = h.attempts.forEpisode(id);
    expect(a!.actualMicros).toBe(123_456);
    expect(b!.actualMicros).toBe(200_000);
    expect(h.attempts.ledger.episodeMoney(id)).toEqual({ heldMicros: 0, spentMicros: 323_456, committedMicros: 323_456 });
    expect(h.chargedMicros(id)).toBe(h.provider.billedMicros);
  });
});

describe('a dead engine and a late job during the run', () => {
  let h: PipelineHarness;
  afterEach(() => h?.cleanup());

  const submitsTo = (engineId: string) => h.provider.submitCalls.filter((c) => c.engineId === engineId);

  it('an engine failing as unavailable three times in a row is off for the rest of the run: later shots go straight to the next engine', async () => {
    h = new PipelineHarness({ engines: ['a', 'b'], behaviours: { a: { submitError: () => new EngineError('unavailable', 'HTTP 503: maintenance') } } });
    const id = h.createEpisode(board(6));
    const result = await h.run(id, { concurrency: 1 });
    expect(result.status).toBe('completed');
    // One shot's own tries (1 + 2 retries) prove the engine down; the other five shots never call it.
    expect(submitsTo('a')).toHaveLength(3);
    expect(submitsTo('b')).toHaveLength(6);
    expect(h.events.some((e) => e.type === 'log' && /a is off for the rest of this run: circuit open after 3 failures in a row/.test(e.message ?? ''))).toBe(true);
    expect(h.ledgerProblems(id)).toEqual([]);
  });

  it('a success closes the breaker again: failures that are not in a row never open it', async () => {
    let calls = 0;
    h = new PipelineHarness({
      engines: ['a', 'b'],
      behaviours: { a: { submitError: () => (++calls % 2 === 1 ? new EngineError('unavailable', 'HTTP 502', { jobMayExist: false }) : undefined) } },
    });
    const id = h.createEpisode(board(5));
    await h.run(id, { concurrency: 1 });
    // a fails every other call: never three in a row across the run, so it is never switched off.
    expect(h.events.some((e) => e.type === 'log' && /off for the rest of this run/.test(e.message ?? ''))).toBe(false);
    expect(h.attempts.forEpisode(id).filter((a) => a.engineId === 'a' && a.status === 'accepted').length).toBeGreaterThanOrEqual(4);
  });

  it('a job parked after a stall is watched during the run: its late clip is used as soon as it exists, and the shot stops trying other engines', async () => {
    const lateMs = 600;
    h = new PipelineHarness({
      engines: ['a', 'b', 'c'],
      behaviours: {
        a: { latencyMs: () => lateMs },
        // b is slower than a's late result: the clip of a must win, b's paid clip stays an alternate take.
        b: { latencyMs: () => 2_500 },
      },
    });
    const id = h.createEpisode(board(1));
    const started = Date.now();
    const result = await h.run(id, { stallTimeoutMs: (spec) => (spec.id === 'a' ? 100 : 60_000) });
    expect(result.status).toBe('completed');
    const attempts = h.attempts.forEpisode(id);
    expect(attempts.map((a) => `${a.engineId}:${a.status}`)).toEqual(['a:accepted', 'b:collected']);
    expect(submitsTo('c')).toHaveLength(0);
    const accepted = h.events.find((e) => e.type === 'shot' && e.state === 'accepted' && e.message === 'late result collected');
    expect(accepted).toBeDefined();
    // Accepted while b was still running, not at the end of the run: b's clip arrived after and was kept aside.
    const bStillPolling = h.events.slice(h.events.indexOf(accepted!)).some((e) => e.type === 'shot' && e.state === 'polling' && e.engineId === 'b');
    expect(bStillPolling).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_500);
    expect(h.chargedMicros(id)).toBe(h.provider.billedMicros);
    expect(h.ledgerProblems(id)).toEqual([]);
  });
});
