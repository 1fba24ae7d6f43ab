import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ShotKind } from '../../src/shared/domain';
import { toMicros } from '../../src/shared/money';
import { QUALITY_EWMA_ALPHA, rebasedMean } from '../../src/shared/observed-quality';
import type { GateCheck, GateVerdict } from '../../src/shared/quality';
import { storyboardSchema } from '../../src/shared/storyboard';
import { defaultSeedPath, loadSeedFile, seedRegistry } from '../../src/main/registry';
import { AttemptStore } from '../../src/main/store/attempts';
import { openDatabase, type Db } from '../../src/main/store/database';
import { EpisodeStore } from '../../src/main/store/episodes';
import { GateResultStore, observedQualityByEngine, observedQualityViews } from '../../src/main/store/gate-results';
import { episodeView } from '../../src/main/store/reports';
import { board } from '../support/pipeline-harness';

const SEED = loadSeedFile(defaultSeedPath());
const prior = (engineId: string, kind: ShotKind) => SEED.engines.find((e) => e.id === engineId)!.quality[kind];

let dir: string;
let db: Db;
let now: number;
let episodes: EpisodeStore;
let attempts: AttemptStore;
let gates: GateResultStore;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'shotline-gate-results-'));
  db = openDatabase(join(dir, 'shotline.db'));
  now = 1_000;
  seedRegistry(db, SEED, now);
  episodes = new EpisodeStore(db, () => now);
  attempts = new AttemptStore(db, () => now);
  gates = new GateResultStore(db, () => now);
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** An episode whose shots have the given kinds (ids s01, s02, ...). */
function episodeOf(kinds: ShotKind[]): string {
  const input = board(kinds.length);
  input.shots = input.shots.map((shot, i) => ({ ...shot, kind: kinds[i]! }));
  const storyboard = storyboardSchema.parse(input);
  return episodes.create({ runKey: `k-${Math.random()}`, storyboardPath: join(dir, 'b.yaml'), storyboard, outputPath: join(dir, 'o.mp4'), mode: 'final', budgetMicros: null, options: {} }).id;
}

/** A reserved attempt (the gate step's attempts are further on; the store does not care). */
function attemptOn(episodeId: string, shotId: string, engineId: string): string {
  const outcome = attempts.reserve({
    episodeId,
    shotId,
    engineId,
    mode: 'final',
    request: { prompt: 'x' } as never,
    priceMicros: toMicros(100),
    estimatedMicros: toMicros(100),
    budgetMicros: null,
  });
  if (!outcome.ok) throw new Error('reserve failed');
  return outcome.attempt.id;
}

const CHECKS: GateCheck[] = [
  { name: 'decodes', value: null, measured: 'h264, 120 frames', limit: 'decodes to the end', outcome: 'pass', detail: '' },
  { name: 'resolution', value: 640, measured: '640x360', limit: '1280x720 or scalable to it', outcome: 'fail', detail: 'the engine made a smaller clip than asked' },
  { name: 'black', value: 0.02, measured: '2 % black', limit: 'at most 10 %', outcome: 'pass', detail: '' },
  { name: 'ai_score', value: null, measured: '', limit: 'at least 0.5', outcome: 'skipped', detail: 'no Gemini key: the clip was not scored' },
];

function verdict(patch: Partial<GateVerdict> = {}): GateVerdict {
  return { decision: 'escalate', checks: CHECKS, qualityScore: 0, problems: ['resolution 640x360: the engine made a smaller clip than asked'], ...patch };
}

describe('recordGateVerdict', () => {
  it('stores every check in the gate order with its value, measurement, limit, outcome and detail', () => {
    const ep = episodeOf(['action']);
    const id = attemptOn(ep, 's01', 'veo-3.1');
    gates.recordGateVerdict(id, verdict());
    expect(gates.gateChecksFor(id)).toEqual(CHECKS);
    expect(gates.gateVerdictFor(id)).toMatchObject({
      attemptId: id,
      engineId: 'veo-3.1',
      kind: 'action',
      decision: 'escalate',
      qualityScore: 0,
      problems: ['resolution 640x360: the engine made a smaller clip than asked'],
      recordedAt: 1_000,
    });
    expect(gates.gateChecksFor('at_never_gated')).toEqual([]);
    expect(gates.gateVerdictFor('at_never_gated')).toBeUndefined();
  });

  it("starts the observed mean at the registry's quality and moves it by alpha per clip", () => {
    const ep = episodeOf(['dialogue', 'dialogue', 'dialogue']);
    const p = prior('veo-3.1', 'dialogue');
    const first = gates.recordGateVerdict(attemptOn(ep, 's01', 'veo-3.1'), verdict({ qualityScore: 0 }));
    expect(first.counted).toBe(true);
    expect(first.observed).toMatchObject({ engineId: 'veo-3.1', kind: 'dialogue', samples: 1, prior: p });
    expect(first.observed.mean).toBeCloseTo((1 - QUALITY_EWMA_ALPHA) * p, 12);
    now = 2_000;
    gates.recordGateVerdict(attemptOn(ep, 's02', 'veo-3.1'), verdict({ qualityScore: 0 }));
    now = 3_000;
    gates.recordGateVerdict(attemptOn(ep, 's03', 'veo-3.1'), verdict({ decision: 'pass', qualityScore: 1, problems: [] }));
    const observed = gates.observedQuality('veo-3.1', 'dialogue')!;
    const a = QUALITY_EWMA_ALPHA;
    expect(observed.samples).toBe(3);
    expect(observed.mean).toBeCloseTo(a * 1 + (1 - a) * ((1 - a) ** 2 * p), 12);
    expect(observed.updatedAt).toBe(3_000);
    // Other kinds and engines keep no history.
    expect(gates.observedQuality('veo-3.1', 'action')).toBeUndefined();
    expect(gates.observedQuality('luma-ray-2', 'dialogue')).toBeUndefined();
  });

  it('counts an attempt once: recording it again replaces its checks but not the learning', () => {
    const ep = episodeOf(['closeup']);
    const id = attemptOn(ep, 's01', 'luma-ray-2');
    const first = gates.recordGateVerdict(id, verdict({ qualityScore: 0.2 }));
    const again = gates.recordGateVerdict(id, verdict({ qualityScore: 0.2 }));
    expect(again.counted).toBe(false);
    expect(again.observed).toEqual(first.observed);
    expect(again.observed.samples).toBe(1);

    // A re-gate that reads differently: the report shows the last verdict; the mean is untouched.
    now = 5_000;
    const passing = CHECKS.map((c) => ({ ...c, outcome: 'pass' as const }));
    gates.recordGateVerdict(id, { decision: 'pass', checks: passing.slice(0, 2), qualityScore: 0.9, problems: [] });
    expect(gates.gateChecksFor(id)).toEqual(passing.slice(0, 2));
    expect(gates.gateVerdictFor(id)).toMatchObject({ decision: 'pass', qualityScore: 0.9, recordedAt: 5_000 });
    expect(gates.observedQuality('luma-ray-2', 'closeup')).toEqual(first.observed);
    expect((db.prepare('SELECT COUNT(*) AS n FROM gate_checks WHERE attempt_id = ?').get(id) as { n: number }).n).toBe(2);
  });

  it('an engine the registry does not know starts from its first score, with no prior', () => {
    const ep = episodeOf(['insert', 'insert']);
    gates.recordGateVerdict(attemptOn(ep, 's01', 'gone-engine'), verdict({ qualityScore: 0.4 }));
    expect(gates.observedQuality('gone-engine', 'insert')).toMatchObject({ mean: 0.4, samples: 1, prior: null });
    gates.recordGateVerdict(attemptOn(ep, 's02', 'gone-engine'), verdict({ qualityScore: 0.9 }));
    expect(gates.observedQuality('gone-engine', 'insert')!.mean).toBeCloseTo(QUALITY_EWMA_ALPHA * 0.9 + (1 - QUALITY_EWMA_ALPHA) * 0.4, 12);
  });

  it('refuses a score outside 0..1 and an unknown attempt, writing nothing', () => {
    const ep = episodeOf(['action']);
    const id = attemptOn(ep, 's01', 'veo-3.1');
    expect(() => gates.recordGateVerdict(id, verdict({ qualityScore: Number.NaN }))).toThrow(RangeError);
    expect(() => gates.recordGateVerdict(id, verdict({ qualityScore: 1.5 }))).toThrow(/0\.\.1/);
    expect(() => gates.recordGateVerdict('at_missing', verdict())).toThrow(/unknown attempt at_missing/);
    expect(gates.gateVerdictFor(id)).toBeUndefined();
    expect(gates.observedQualityByEngine().size).toBe(0);
  });

  it('is one transaction: a check the schema refuses leaves no verdict, no checks and no learning', () => {
    const ep = episodeOf(['action']);
    const id = attemptOn(ep, 's01', 'veo-3.1');
    const bad = [...CHECKS, { ...CHECKS[0]!, outcome: 'maybe' as unknown as GateCheck['outcome'] }];
    expect(() => gates.recordGateVerdict(id, verdict({ checks: bad }))).toThrow(/CHECK constraint/);
    expect(gates.gateVerdictFor(id)).toBeUndefined();
    expect(gates.gateChecksFor(id)).toEqual([]);
    expect(gates.observedQuality('veo-3.1', 'action')).toBeUndefined();
  });

  it('counts clips gated by two connections to the same file', () => {
    const ep = episodeOf(['action', 'action']);
    const a1 = attemptOn(ep, 's01', 'kling-v2.6-pro');
    const a2 = attemptOn(ep, 's02', 'kling-v2.6-pro');
    const other = openDatabase(join(dir, 'shotline.db'));
    try {
      gates.recordGateVerdict(a1, verdict({ qualityScore: 1 }));
      new GateResultStore(other).recordGateVerdict(a2, verdict({ qualityScore: 1 }));
      expect(gates.observedQuality('kling-v2.6-pro', 'action')!.samples).toBe(2);
    } finally {
      other.close();
    }
  });
});

describe('observed quality readers', () => {
  it('groups every engine and kind with history for the router', () => {
    const ep = episodeOf(['action', 'dialogue', 'action']);
    gates.recordGateVerdict(attemptOn(ep, 's01', 'veo-3.1'), verdict({ qualityScore: 1 }));
    gates.recordGateVerdict(attemptOn(ep, 's02', 'veo-3.1'), verdict({ qualityScore: 0 }));
    gates.recordGateVerdict(attemptOn(ep, 's03', 'luma-ray-2'), verdict({ qualityScore: 0.5 }));
    const all = observedQualityByEngine(db);
    expect([...all.keys()]).toEqual(['luma-ray-2', 'veo-3.1']);
    expect(Object.keys(all.get('veo-3.1')!).sort()).toEqual(['action', 'dialogue']);
    expect(all.get('luma-ray-2')!.action).toMatchObject({ samples: 1, prior: prior('luma-ray-2', 'action') });
  });

  it("shows the mean against the registry's current prior: a re-rated engine keeps its history", () => {
    const observed = { engineId: 'e', kind: 'action' as const, mean: 0.5, samples: 2, prior: 0.8, updatedAt: 9 };
    // The prior's share after two clips is (1 - alpha)^2.
    expect(rebasedMean(observed, 0.6)).toBeCloseTo(0.5 - 0.2 * (1 - QUALITY_EWMA_ALPHA) ** 2, 12);
    expect(rebasedMean(observed, 0.8)).toBe(0.5);
    const views = observedQualityViews({ quality: { establishing: 0.9, dialogue: 0.9, action: 0.6, closeup: 0.9, stylized: 0.9, insert: 0.9 } }, { action: observed });
    expect(Object.keys(views)).toEqual(['action']);
    expect(views.action).toMatchObject({ samples: 2, prior: 0.6, updatedAt: 9 });
    expect(views.action!.mean).toBeCloseTo(rebasedMean(observed, 0.6), 12);
  });
});

describe('episode view', () => {
  it("carries each gated attempt's decision and checks; attempts never gated carry null", () => {
    const ep = episodeOf(['action', 'action']);
    const rejected = attemptOn(ep, 's01', 'luma-ray-2');
    const accepted = attemptOn(ep, 's01', 'veo-3.1');
    attemptOn(ep, 's02', 'veo-3.1');
    gates.recordGateVerdict(rejected, verdict());
    const passing = CHECKS.map((c) => ({ ...c, outcome: c.outcome === 'fail' ? ('pass' as const) : c.outcome }));
    gates.recordGateVerdict(accepted, { decision: 'pass', checks: passing, qualityScore: 1, problems: [] });

    const view = episodeView(episodes, attempts, ep);
    const s01 = view.shots.find((s) => s.shotId === 's01')!;
    expect(s01.attempts.map((a) => [a.engineId, a.gate?.decision ?? null])).toEqual([
      ['luma-ray-2', 'escalate'],
      ['veo-3.1', 'pass'],
    ]);
    expect(s01.attempts[0]!.gate).toEqual({ decision: 'escalate', qualityScore: 0, problems: verdict().problems, checks: CHECKS });
    expect(s01.attempts[1]!.gate!.checks.map((c) => c.outcome)).toEqual(['pass', 'pass', 'pass', 'skipped']);
    expect(view.shots.find((s) => s.shotId === 's02')!.attempts[0]!.gate).toBeNull();
  });
});
