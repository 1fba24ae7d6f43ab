import { afterEach, describe, expect, it } from 'vitest';
import type { PipelineStep } from '../../src/main/pipeline/attempt-runner';
import { PipelineHarness, board } from '../support/pipeline-harness';

class SimulatedCrash extends Error {}

const STEPS: PipelineStep[] = ['reserved', 'submit-returned', 'submitted', 'polled', 'poll-succeeded', 'downloaded-file', 'downloaded', 'gated', 'accepted'];

describe('resume after a crash at each pipeline step', () => {
  let h: PipelineHarness;
  afterEach(() => h.cleanup());

  it.each(STEPS)('crash at "%s": no duplicate submit, nothing paid twice, ledger balanced', async (crashAt) => {
    h = new PipelineHarness({ engines: ['a', 'b'], behaviours: { a: { latencyMs: () => 20 } } });
    const id = h.createEpisode(board(3));
    let crashed = false;
    const first = h.run(id, {}, {
      onStep: (step, attempt) => {
        if (step === crashAt && attempt.shotId === 's02' && !crashed) {
          crashed = true;
          throw new SimulatedCrash(`crash at ${step}`);
        }
      },
    });
    await expect(first).rejects.toBeInstanceOf(SimulatedCrash);
    expect(h.episodes.get(id).status).toBe('running'); // left resumable, not marked failed

    h.reopen(); // a new process
    const second = await h.run(id);
    expect(second.status).toBe('completed');
    expect(h.episodes.shots(id).every((s) => s.status === 'accepted')).toBe(true);
    expect(h.provider.createdJobs).toBe(3); // one job per shot, across both processes
    expect(h.ledgerProblems(id)).toEqual([]);
    expect(h.attempts.ledger.episodeMoney(id)).toEqual({ heldMicros: 0, spentMicros: 3 * 200_000, committedMicros: 3 * 200_000 });
    // The crashed shot continued its own attempt: no second attempt was created for it.
    expect(h.attempts.forShot(id, 's02')).toHaveLength(1);
  });

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
    expect(h.episodes.get(id).status).toBe('stitching');
    h.reopen();
    const result = await h.run(id);
    expect(result).toMatchObject({ status: 'completed', stitched: true });
    expect(h.provider.submitCalls).toHaveLength(2);
  });

  it('refuses to run an episode another live process is rendering', async () => {
    h = new PipelineHarness({ engines: ['a'] });
    const id = h.createEpisode(board(1));
    h.db.prepare(`UPDATE episodes SET runner_pid = 999999 WHERE id = ?`).run(id);
    await expect(h.run(id, {}, { isProcessAlive: (pid) => pid === 999999 })).rejects.toThrow(/being rendered by another Shotline process \(pid 999999\)/);
  });

  it('cancelling stops the run and leaves live jobs to be collected, not paid again', async () => {
    h = new PipelineHarness({ engines: ['a'], behaviours: { a: { latencyMs: () => 200 } } });
    const id = h.createEpisode(board(2));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 60);
    await expect(h.run(id, { signal: controller.signal })).rejects.toThrow(/cancel/);
    expect(h.episodes.get(id).status).toBe('cancelled');
    h.reopen();
    const result = await h.run(id);
    expect(result.status).toBe('completed');
    expect(h.provider.createdJobs).toBe(2);
    expect(h.ledgerProblems(id)).toEqual([]);
  });
});
