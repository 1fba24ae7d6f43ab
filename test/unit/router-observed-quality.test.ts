import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProviderId, ShotKind } from '../../src/shared/domain';
import { toMicros } from '../../src/shared/money';
import { QUALITY_EWMA_ALPHA, type ObservedQualityMap } from '../../src/shared/observed-quality';
import type { GateVerdict } from '../../src/shared/quality';
import { storyboardSchema } from '../../src/shared/storyboard';
import { defaultSeedPath, loadSeedFile, seedRegistry } from '../../src/main/registry';
import { planShot, qualityFor, type RouterContext, type ShotAsk } from '../../src/main/router';
import { AttemptStore } from '../../src/main/store/attempts';
import { openDatabase, type Db } from '../../src/main/store/database';
import { EpisodeStore } from '../../src/main/store/episodes';
import { GateResultStore, observedQualityByEngine } from '../../src/main/store/gate-results';
import { board } from '../support/pipeline-harness';

const SEED = loadSeedFile(defaultSeedPath());
const spec = (id: string) => SEED.engines.find((e) => e.id === id)!;

let dir: string;
let db: Db;
let episodes: EpisodeStore;
let attempts: AttemptStore;
let gates: GateResultStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'shotline-router-observed-'));
  db = openDatabase(join(dir, 'shotline.db'));
  seedRegistry(db, SEED, 1_000);
  episodes = new EpisodeStore(db);
  attempts = new AttemptStore(db);
  gates = new GateResultStore(db);
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The real seed, every key configured, ComfyUI not set up; observed quality read from the test's database. */
function ctx(patch: Partial<RouterContext> = {}): RouterContext {
  return {
    engines: SEED.engines,
    health: new Map(),
    now: Date.UTC(2026, 10, 21, 12),
    mode: 'final',
    output: { resolution: '720p', aspect: '16:9' },
    remainingBudgetMicros: null,
    hasKey: (provider: ProviderId) => provider !== 'comfyui',
    hasAdapter: () => true,
    chains: SEED.chains,
    observedQuality: observedQualityByEngine(db),
    ...patch,
  };
}

const dialogue: ShotAsk = { id: 's1', kind: 'dialogue', duration: 5, audio: true, engine: 'auto' };
const ids = (plan: { candidates: { engineId: string }[] }) => plan.candidates.map((c) => c.engineId);

/** `count` clips of `kind` made by `engineId`, each gated with `verdict`. */
function gateClips(engineId: string, kind: ShotKind, count: number, verdict: GateVerdict): void {
  const input = board(count);
  input.shots = input.shots.map((shot) => ({ ...shot, kind }));
  const storyboard = storyboardSchema.parse(input);
  const episodeId = episodes.create({ runKey: `k-${Math.random()}`, storyboardPath: join(dir, 'b.yaml'), storyboard, outputPath: join(dir, 'o.mp4'), mode: 'final', budgetMicros: null, options: {} }).id;
  for (const shot of storyboard.shots) {
    const reserved = attempts.reserve({ episodeId, shotId: shot.id, engineId, mode: 'final', request: { prompt: 'x' } as never, priceMicros: toMicros(1), estimatedMicros: toMicros(1), budgetMicros: null });
    if (!reserved.ok) throw new Error('reserve failed');
    gates.recordGateVerdict(reserved.attempt.id, verdict);
  }
}

const FAILED: GateVerdict = {
  decision: 'escalate',
  checks: [{ name: 'ai_score', value: 0.1, measured: '0.10', limit: 'at least 0.5', outcome: 'fail', detail: 'the clip does not show the prompt' }],
  qualityScore: 0.1,
  problems: ['ai_score 0.10: the clip does not show the prompt'],
};
const PASSED: GateVerdict = { decision: 'pass', checks: [], qualityScore: 1, problems: [] };

describe('the router learns from the gate', () => {
  it('an engine whose clips keep failing the gate drops below the next one, and the reason says why', () => {
    const before = planShot(dialogue, ctx());
    expect(ids(before).slice(0, 2)).toEqual(['veo-3.1', 'runway-veo3.1']);
    expect(before.candidates[0]!.reason).toMatch(/: quality 0\.91 for dialogue, /);
    expect(before.candidates[0]!.reason).not.toContain('observed');

    gateClips('veo-3.1', 'dialogue', 5, FAILED);
    const after = planShot(dialogue, ctx());
    expect(ids(after)[0]).toBe('runway-veo3.1');
    expect(ids(after).indexOf('veo-3.1')).toBeGreaterThan(ids(after).indexOf('runway-veo3.1'));
    const veo = after.candidates.find((c) => c.engineId === 'veo-3.1')!;
    const expected = 0.1 + (spec('veo-3.1').quality.dialogue - 0.1) * (1 - QUALITY_EWMA_ALPHA) ** 5;
    expect(veo.reason).toContain(`quality ${expected.toFixed(2)} observed (n=5, prior 0.91) for dialogue`);
    expect(veo.score).toBeLessThan(before.candidates[0]!.score);
    // The engine that did not fail is explained as before.
    expect(after.candidates[0]!.reason).toMatch(/: quality 0\.90 for dialogue, /);
  });

  it('one failed clip does not sink a clearly better engine; failing again does; other kinds are untouched', () => {
    // Two Veo 3.1 tiers, 0.23 apart for dialogue: one take is noise, a run of them a signal.
    const field = ctx({ engines: [spec('veo-3.1'), spec('veo-3.1-lite')] });
    expect(spec('veo-3.1').quality.dialogue - spec('veo-3.1-lite').quality.dialogue).toBeGreaterThan(0.2);
    gateClips('veo-3.1', 'dialogue', 1, FAILED);
    expect(ids(planShot(dialogue, { ...field, observedQuality: observedQualityByEngine(db) }))).toEqual(['veo-3.1', 'veo-3.1-lite']);
    gateClips('veo-3.1', 'dialogue', 3, FAILED);
    expect(ids(planShot(dialogue, { ...field, observedQuality: observedQualityByEngine(db) }))).toEqual(['veo-3.1-lite', 'veo-3.1']);

    const closeup = planShot({ ...dialogue, kind: 'closeup' }, ctx());
    expect(ids(closeup)).toEqual(ids(planShot({ ...dialogue, kind: 'closeup' }, ctx({ observedQuality: new Map() }))));
    expect(closeup.candidates.every((c) => !c.reason.includes('observed'))).toBe(true);
  });

  it('an engine whose clips keep passing climbs past ones its prior ranked higher', () => {
    const shot: ShotAsk = { ...dialogue, kind: 'action' };
    const baseline = ids(planShot(shot, ctx()));
    expect(baseline.indexOf('kling-v2.6-std')).toBeGreaterThan(1);
    gateClips('kling-v2.6-std', 'action', 8, PASSED);
    const after = planShot(shot, ctx());
    expect(ids(after)[0]).toBe('kling-v2.6-std');
    expect(after.candidates[0]!.reason).toMatch(/quality 0\.\d\d observed \(n=8, prior 0\.78\) for action/);
  });

  it('without a context entry the registry quality is used; a re-rated prior shifts the observed mean by its remaining share', () => {
    const veo = spec('veo-3.1');
    expect(qualityFor({ spec: veo, observed: undefined }, 'dialogue')).toEqual({ value: veo.quality.dialogue, prior: veo.quality.dialogue, samples: 0 });
    gateClips('veo-3.1', 'dialogue', 2, PASSED);
    const observed = (observedQualityByEngine(db) as ObservedQualityMap).get('veo-3.1');
    const stored = observed!.dialogue!;
    expect(qualityFor({ spec: veo, observed }, 'dialogue')).toEqual({ value: stored.mean, prior: veo.quality.dialogue, samples: 2 });
    const rerated = { ...veo, quality: { ...veo.quality, dialogue: 0.5 } };
    const q = qualityFor({ spec: rerated, observed }, 'dialogue');
    expect(q.prior).toBe(0.5);
    expect(q.value).toBeCloseTo(stored.mean + (0.5 - veo.quality.dialogue) * (1 - QUALITY_EWMA_ALPHA) ** 2, 12);
  });
});
