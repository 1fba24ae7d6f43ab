/**
 * Crash and Cancel at every state of an attempt, against a provider that does not
 * deduplicate submits: resume never pays twice, and what cannot be known is said.
 */
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import type { PipelineStep } from '../../src/main/pipeline/attempt/run-attempt';
import { EpisodeBusyError } from '../../src/main/store/episodes';
import { processStartTime } from '../../src/main/store/runner-identity';
import { PipelineHarness, board } from '../support/pipeline-harness';

class SimulatedCrash extends Error {}

const STEPS: PipelineStep[] = ['reserved', 'submitting', 'submit-returned', 'submitted', 'polled', 'succeeded', 'downloaded-file', 'downloaded', 'gated', 'accepted'];
/** Steps after which the provider has a job we may not know the id of. */
const ANSWER_LOST: PipelineStep[] = ['submitting', 'submit-returned'];

function crashAt(step: PipelineStep, shotId = 's02') {
  let crashed = false;
  return {
    onStep: (name: PipelineStep, attempt: { shotId: string }) => {
      if (name === step && attempt.shotId === shotId && !crashed) {
        crashed = true;
        throw new SimulatedCrash(`crash at ${name}`);
      }
    },
  };
}

describe('resume after a crash at each step, provider with a job lookup', () => {
  let h: PipelineHarness;
  afterEach(() => h.cleanup());

  it.each(STEPS)('crash at "%s": one job per shot, nothing paid twice, the ledger equals the invoice', async (step) => {
    h = new PipelineHarness({ engines: ['a', 'b'], behaviours: { a: { latencyMs: () => 20, findable: true } } });
    const id = h.createEpisode(board(3));
    await expect(h.run(id, {}, crashAt(step))).rejects.toBeInstanceOf(SimulatedCrash);
    expect(h.episodes.get(id).status).toBe('running'); // left resumable, not marked failed

    h.reopen(); // a new process
    const second = await h.run(id);
    expect(second.status).toBe('completed');
    // Crashing at 'submitting' means the request was never sent: the lookup finds nothing, and a new job is made.
    expect(h.provider.createdJobs).toBe(3);
    expect(h.provider.jobsFor('s02')).toHaveLength(1);
    expect(h.ledgerProblems(id)).toEqual([]);
    expect(h.attempts.ledger.episodeMoney(id)).toEqual({ heldMicros: 0, spentMicros: 3 * 200_000, committedMicros: 3 * 200_000 });
    expect(h.chargedMicros(id)).toBe(h.provider.billedMicros);
  });
});

describe('resume after a crash, provider without a job lookup', () => {
  let h: PipelineHarness;
  afterEach(() => h.cleanup());

  it.each(ANSWER_LOST)('crash at "%s": the outcome is unknown, nothing is sent again, the reservation is held and reported', async (step) => {
    h = new PipelineHarness({ engines: ['a'], behaviours: { a: { latencyMs: () => 20 } } });
    const id = h.createEpisode(board(3));
    await expect(h.run(id, {}, crashAt(step))).rejects.toBeInstanceOf(SimulatedCrash);
    const jobsAfterCrash = h.provider.jobsFor('s02').length;

    h.reopen();
    const second = await h.run(id);
    expect(second.status).toBe('partial');
    expect(second.failedShots).toEqual([{ shotId: 's02', reason: expect.stringMatching(/^submission outcome unknown .*a may have made and billed a job \(up to \$0\.20\).*--resubmit-unknown/) }]);
    expect(h.provider.jobsFor('s02')).toHaveLength(jobsAfterCrash); // never sent again
    const [unknown] = h.attempts.forShot(id, 's02');
    expect(unknown!.status).toBe('unknown');
    expect(h.attempts.ledger.openReservation(unknown!.id)).toBe(200_000);
    expect(unknown!.holdUntil).toBeGreaterThan(Date.now());

    // The same again without the user's say-so changes nothing.
    h.reopen();
    await h.run(id);
    expect(h.provider.jobsFor('s02')).toHaveLength(jobsAfterCrash);

    // The user says: generate it again. The old reservation is released, the risk is on record.
    h.reopen();
    const third = await h.run(id, { resubmitUnknown: true });
    expect(third.status).toBe('completed');
    expect(h.provider.jobsFor('s02')).toHaveLength(jobsAfterCrash + 1);
    expect(h.attempts.forShot(id, 's02').map((a) => a.status)).toEqual(['abandoned', 'accepted']);
    expect(h.attempts.ledger.episodeMoney(id).heldMicros).toBe(0);
    expect(h.ledgerProblems(id)).toEqual([]);
    // What the ledger misses is exactly the job whose answer was lost, if the provider had made one.
    const lostJobBill = step === 'submit-returned' ? 200_000 : 0;
    expect(h.chargedMicros(id) + lostJobBill).toBe(h.provider.billedMicros);
  });

  it.each(STEPS.filter((s) => !ANSWER_LOST.includes(s)))('crash at "%s": the job id is known, resume pays once', async (step) => {
    h = new PipelineHarness({ engines: ['a'], behaviours: { a: { latencyMs: () => 20 } } });
    const id = h.createEpisode(board(3));
    await expect(h.run(id, {}, crashAt(step))).rejects.toBeInstanceOf(SimulatedCrash);
    h.reopen();
    expect((await h.run(id)).status).toBe('completed');
    expect(h.provider.createdJobs).toBe(3);
    expect(h.chargedMicros(id)).toBe(h.provider.billedMicros);
    expect(h.ledgerProblems(id)).toEqual([]);
  });
});

describe('Cancel at each state', () => {
  let h: PipelineHarness;
  afterEach(() => h.cleanup());

  const CANCELLABLE_STEPS: PipelineStep[] = ['reserved', 'submitting', 'submit-returned', 'submitted', 'polled', 'succeeded', 'downloaded'];

  it.each(CANCELLABLE_STEPS)('cancel at "%s": resumable, one job per shot, ledger equals the invoice', async (step) => {
    h = new PipelineHarness({ engines: ['a'], behaviours: { a: { latencyMs: () => 20, findable: true } } });
    const id = h.createEpisode(board(3));
    const controller = new AbortController();
    const onStep = (name: PipelineStep, attempt: { shotId: string }) => {
      if (name === step && attempt.shotId === 's02') controller.abort();
    };
    await expect(h.run(id, { signal: controller.signal, concurrency: 1 }, { onStep })).rejects.toThrow(/cancel/);
    expect(h.episodes.get(id).status).toBe('cancelled');
    h.reopen();
    expect((await h.run(id)).status).toBe('completed');
    expect(h.provider.jobsFor('s02')).toHaveLength(1);
    expect(h.chargedMicros(id)).toBe(h.provider.billedMicros);
    expect(h.ledgerProblems(id)).toEqual([]);
  });

  it('cancel with the submit in flight on a provider without lookup: unknown on resume, never sent twice', async () => {
    h = new PipelineHarness({ engines: ['a'], behaviours: { a: { submitLatencyMs: 200 } } });
    const id = h.createEpisode(board(1));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    await expect(h.run(id, { signal: controller.signal })).rejects.toThrow(/cancel/);
    expect(h.provider.createdJobs).toBe(1); // the provider made it; its answer was lost to the cancel
    expect(h.attempts.forShot(id, 's01')[0]!.status).toBe('submitting');
    h.reopen();
    const result = await h.run(id);
    expect(result.failedShots[0]!.reason).toMatch(/submission outcome unknown/);
    expect(h.provider.createdJobs).toBe(1);
  });

  it('cancel with the submit in flight on a provider with lookup: the job is found and used', async () => {
    h = new PipelineHarness({ engines: ['a'], behaviours: { a: { submitLatencyMs: 200, findable: true } } });
    const id = h.createEpisode(board(1));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    await expect(h.run(id, { signal: controller.signal })).rejects.toThrow(/cancel/);
    h.reopen();
    expect((await h.run(id)).status).toBe('completed');
    expect(h.provider.createdJobs).toBe(1);
    expect(h.chargedMicros(id)).toBe(h.provider.billedMicros);
  });

  it('cancel before anything was sent releases the reservation at once', async () => {
    h = new PipelineHarness({ engines: ['a'], behaviours: { a: { latencyMs: () => 500 } } });
    const id = h.createEpisode(board(3));
    const controller = new AbortController();
    const onStep = (name: PipelineStep) => {
      if (name === 'reserved') controller.abort();
    };
    await expect(h.run(id, { signal: controller.signal, concurrency: 3 }, { onStep })).rejects.toThrow(/cancel/);
    expect(h.provider.createdJobs).toBe(0);
    expect(h.attempts.ledger.episodeMoney(id).heldMicros).toBe(0);
  });
});

describe('stitching and runners', () => {
  let h: PipelineHarness;
  afterEach(() => h.cleanup());

  it('a crash while stitching resumes to a stitched episode without regenerating', async () => {
    h = new PipelineHarness({ engines: ['a'] });
    const id = h.createEpisode(board(2));
    await expect(
      h.run(id, {}, {
        stitch: async () => {
          throw new SimulatedCrash('crash while stitching');
        },
      }),
    ).rejects.toBeInstanceOf(SimulatedCrash);
    expect(h.episodes.get(id)).toMatchObject({ status: 'failed', errorMessage: expect.stringMatching(/^stitching failed: crash while stitching/) });
    h.reopen();
    const result = await h.run(id);
    expect(result).toMatchObject({ status: 'completed', stitched: true });
    expect(h.provider.submitCalls).toHaveLength(2);
  });

  it('refuses to run an episode another live Shotline process is rendering', async () => {
    const other = spawn('sleep', ['5']);
    try {
      h = new PipelineHarness({ engines: ['a'] });
      const id = h.createEpisode(board(1));
      h.db.prepare(`UPDATE episodes SET runner_pid = ?, runner_started = ? WHERE id = ?`).run(other.pid, processStartTime(other.pid!), id);
      await expect(h.run(id)).rejects.toBeInstanceOf(EpisodeBusyError);
      expect(h.provider.createdJobs).toBe(0);
    } finally {
      other.kill();
    }
  });

  it('a stale runner pid now used by an unrelated live process does not lock the episode', async () => {
    const unrelated = spawn('sleep', ['5']);
    try {
      h = new PipelineHarness({ engines: ['a'] });
      const id = h.createEpisode(board(1));
      // The runner that died had this pid; the OS has since given it to `sleep`, started at another time.
      h.db.prepare(`UPDATE episodes SET runner_pid = ?, runner_started = ? WHERE id = ?`).run(unrelated.pid, '12345', id);
      expect((await h.run(id)).status).toBe('completed');
    } finally {
      unrelated.kill();
    }
  });
});
