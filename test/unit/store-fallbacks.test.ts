import { afterEach, describe, expect, it } from 'vitest';
import { EngineError } from '../../src/shared/errors';
import { costSummary } from '../../src/main/store/reports';
import { formatCosts } from '../../src/main/cli/report-text';
import { PipelineHarness, board } from '../support/pipeline-harness';

describe('shotline costs: fallbacks', () => {
  let h: PipelineHarness;
  afterEach(() => h?.cleanup());

  it('lists each engine a shot left, with the last reason, the next engine and the one that made it; retries on one engine are one fallback', async () => {
    h = new PipelineHarness({
      engines: ['a', 'b', 'c'],
      behaviours: {
        a: { submitError: () => new EngineError('unavailable', 'HTTP 503: maintenance', { jobMayExist: false }) },
        b: { outcome: () => new EngineError('content_policy', 'SAFETY.INPUT.TEXT: the prompt was refused') },
      },
    });
    const id = h.createEpisode(board(1));
    await h.run(id);
    const { fallbacks } = costSummary(h.db);
    expect(fallbacks.map((f) => [f.engineId, f.errorKind, f.nextEngineId, f.madeByEngineId])).toEqual([
      ['b', 'content_policy', 'c', 'c'],
      ['a', 'unavailable', 'b', 'c'],
    ]);
    expect(fallbacks[0]!.reason).toMatch(/SAFETY\.INPUT\.TEXT/);
    const text = formatCosts(costSummary(h.db));
    expect(text).toMatch(/shot s01: a -> b \(made by c\)/);
    expect(text).toMatch(/content_policy: SAFETY\.INPUT\.TEXT/);
  });

  it('a shot that ran out of engines says so; a first-time success lists nothing', async () => {
    h = new PipelineHarness({ engines: ['a'], behaviours: { a: { outcome: (_r, jobNo) => (jobNo === 1 ? new EngineError('content_policy', 'refused') : 'succeed') } } });
    const first = h.createEpisode(board(2));
    await h.run(first, { concurrency: 1 });
    const { fallbacks } = costSummary(h.db);
    expect(fallbacks).toHaveLength(1);
    expect(fallbacks[0]).toMatchObject({ engineId: 'a', nextEngineId: null, madeByEngineId: null });
    expect(formatCosts(costSummary(h.db))).toMatch(/a -> no other engine \(not made\)/);
  });
});
