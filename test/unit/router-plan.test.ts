import { describe, expect, it } from 'vitest';
import type { EngineHealth, ProviderId, ShotKind } from '../../src/shared/domain';
import { UserError } from '../../src/shared/errors';
import { defaultSeedPath, loadSeedFile } from '../../src/main/registry';
import { engineExpectedLatencyMs, planEpisode, planShot, type RouterContext, type ShotAsk } from '../../src/main/router';

const SEED = loadSeedFile(defaultSeedPath());

/** The real seed, every key configured, ComfyUI not set up (as on a fresh install). */
function ctx(patch: Partial<RouterContext> = {}): RouterContext {
  return {
    engines: SEED.engines,
    health: new Map(),
    now: Date.UTC(2026, 10, 21, 12),
    mode: 'final',
    output: { resolution: '720p', aspect: '16:9' },
    remainingBudgetMicros: null,
    hasKey: (provider: ProviderId) => provider !== 'comfyui', // ComfyUI is configured by a URL, which these tests do not set
    hasAdapter: () => true,
    chains: SEED.chains,
    ...patch,
  };
}

function shot(patch: Partial<ShotAsk> = {}): ShotAsk {
  return { id: 's1', kind: 'establishing', duration: 5, audio: false, engine: 'auto', ...patch };
}

const ids = (plan: { candidates: { engineId: string }[] }) => plan.candidates.map((c) => c.engineId);

function healthOf(engineId: string, h: Partial<EngineHealth>): [string, EngineHealth] {
  return [engineId, { engineId, successes: 0, failures: 0, meanLatencyMs: null, coolingUntil: 0, lastErrorKind: null, ...h }];
}

describe('derived order', () => {
  it('puts animatic first in preview, where it is the cheapest and fastest', () => {
    const plan = planShot(shot({ kind: 'dialogue', audio: true }), ctx({ mode: 'preview' }));
    expect(plan.selection).toBe('auto');
    expect(ids(plan)[0]).toBe('animatic');
    expect(plan.candidates[0]).toMatchObject({ estimatedMicros: 0, resolution: '480p', durationSeconds: 5 });
    expect(plan.candidates[0]!.reason).toMatch(/^animatic: #1, score 0\.\d\d: quality 0\.20 for dialogue, \$0\.00 for 5 s at 480p, ~1\.5 s$/);
    // Scores never increase down the chain.
    const scores = plan.candidates.map((c) => c.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
  });

  it('prefers cheap real engines over animatic in preview when animatic is off', () => {
    const plan = planShot(shot(), ctx({ mode: 'preview', disabledForRun: new Set(['animatic']) }));
    expect(ids(plan)[0]).toBe('luma-ray-flash-2');
    expect(plan.candidates[0]!.resolution).toBe('540p');
  });

  it('never derives animatic in final mode, and leads with quality for the shot kind', () => {
    const plan = planShot(shot({ kind: 'dialogue', audio: true }), ctx());
    expect(ids(plan)).not.toContain('animatic');
    expect(plan.rejections.find((r) => r.engineId === 'animatic')?.filter).toBe('preview-only');
    expect(['veo-3.1', 'runway-veo3.1']).toContain(ids(plan)[0]);
    expect(ids(plan)).not.toContain('runway-gen4.5'); // silent engine, audio shot
    expect(plan.rejections.find((r) => r.engineId === 'sora-2')?.reason).toBe('sora-2: rejected, retired on 2026-09-24');
  });

  it('lets observed health demote an unreliable engine', () => {
    const base = ids(planShot(shot({ kind: 'action' }), ctx()));
    const leader = base[0]!;
    const health = new Map([healthOf(leader, { successes: 1, failures: 9, meanLatencyMs: 400_000 })]);
    const plan = planShot(shot({ kind: 'action' }), ctx({ health }));
    expect(ids(plan)[0]).not.toBe(leader);
    const demoted = plan.candidates.find((c) => c.engineId === leader)!;
    expect(demoted.expectedLatencyMs).toBe(400_000);
    expect(demoted.reason).toContain('1/10 ok');
  });

  it('uses the spec latency until there is an observed mean', () => {
    const spec = SEED.engines.find((e) => e.id === 'runway-gen4.5')!;
    expect(engineExpectedLatencyMs(spec, undefined, 5)).toBe(60_000);
    expect(engineExpectedLatencyMs(spec, { meanLatencyMs: 12_345.6 }, 5)).toBe(12_346);
  });
});

describe('pins', () => {
  it('allows pinning animatic in final mode', () => {
    const plan = planShot(shot({ engine: 'animatic' }), ctx());
    expect(plan.selection).toBe('pinned');
    expect(ids(plan)).toEqual(['animatic']);
    expect(plan.candidates[0]!.reason).toMatch(/^animatic: #1 \(pinned\), score/);
    expect(plan.rejections).toEqual([]);
  });

  it('gives an empty chain with the reason when the pinned engine cannot run', () => {
    const plan = planShot(shot({ engine: 'runway-gen4.5' }), ctx({ hasKey: (p: ProviderId) => p !== 'runway' }));
    expect(plan.candidates).toEqual([]);
    expect(plan.rejections).toEqual([
      { engineId: 'runway-gen4.5', filter: 'credentials', reason: 'runway-gen4.5: rejected, no key configured (set RUNWAYML_API_SECRET or add it to the keychain)' },
    ]);
    const unknown = planShot(shot({ engine: 'made-up' }), ctx());
    expect(unknown.rejections).toEqual([{ engineId: 'made-up', filter: 'unknown', reason: 'made-up: rejected, unknown engine (not in the registry)' }]);
  });

  it('wins over a chain', () => {
    expect(ids(planShot(shot({ engine: 'veo-3.1-lite', chain: 'premium-audio' }), ctx()))).toEqual(['veo-3.1-lite']);
  });
});

describe('named chains', () => {
  const chains = { ...SEED.chains, cheap: ['veo-3.1-lite', 'sora-2', 'veo-3.1', 'animatic', 'ghost'] };

  it("keeps the chain's order and lists rejected members with reasons", () => {
    const plan = planShot(shot(), ctx({ chains }), 'cheap');
    expect(plan).toMatchObject({ selection: 'chain', chainName: 'cheap' });
    // veo-3.1 scores higher in final mode, but the chain says lite first; animatic is allowed by name.
    expect(ids(plan)).toEqual(['veo-3.1-lite', 'veo-3.1', 'animatic']);
    expect(plan.candidates[1]!.reason).toMatch(/^veo-3\.1: #2 in chain "cheap", score/);
    expect(plan.rejections.map((r) => [r.engineId, r.filter])).toEqual([
      ['sora-2', 'retired'],
      ['ghost', 'unknown'],
    ]);
  });

  it("prefers the shot's chain over the episode's", () => {
    const plan = planShot(shot({ chain: 'premium-audio', audio: true }), ctx({ chains }), 'cheap');
    expect(plan.chainName).toBe('premium-audio');
    expect(ids(plan)).toEqual(['veo-3.1', 'runway-veo3.1', 'veo-3.1-fast', 'runway-veo3.1-fast']);
    expect(plan.rejections.map((r) => r.engineId)).toEqual(['kling-v2.6-pro']); // 1080p only, output is 720p
  });

  it('names the unknown chain and lists the known ones', () => {
    const attempt = () => planShot(shot({ chain: 'nope' }), ctx());
    expect(attempt).toThrow(UserError);
    expect(attempt).toThrow(/unknown fallback chain "nope" \(named by shot s1\)\n {2}- known chains: budget, fast-preview, premium-audio/);
    expect(() => planEpisode({ shots: [shot()], chain: 'missing' }, ctx())).toThrow(/unknown fallback chain "missing" \(named by the storyboard\)/);
  });
});

describe('budget', () => {
  it('drops engines whose attempt costs more than what is left', () => {
    const plan = planShot(shot({ kind: 'dialogue', audio: true }), ctx({ remainingBudgetMicros: 1_000_000 }));
    expect(plan.candidates.every((c) => c.estimatedMicros <= 1_000_000)).toBe(true);
    expect(plan.rejections.find((r) => r.engineId === 'veo-3.1')?.reason).toBe('veo-3.1: rejected, over budget: $2.40 needed, $1.00 left');
    expect(ids(planShot(shot(), ctx({ remainingBudgetMicros: 0 })))).toEqual([]);
    expect(ids(planShot(shot(), ctx({ remainingBudgetMicros: 0, mode: 'preview' })))).toEqual(['animatic']);
  });
});

describe('planEpisode', () => {
  it('plans every shot, totals the first choices and lists unroutable shots', () => {
    const shots = [shot({ id: 'a' }), shot({ id: 'b', duration: 20 }), shot({ id: 'c', engine: 'animatic' })];
    const plan = planEpisode({ shots }, ctx());
    expect(plan.shots.map((s) => s.shotId)).toEqual(['a', 'b', 'c']);
    expect(plan.unroutableShotIds).toEqual(['b']);
    expect(plan.estimatedMicros).toBe(plan.shots[0]!.candidates[0]!.estimatedMicros);
    expect(plan.shots[1]!.rejections.find((r) => r.engineId === 'veo-3.1')?.filter).toBe('duration');
  });

  it('is deterministic: same inputs, or shuffled engines, give the identical plan', () => {
    const kinds: ShotKind[] = ['establishing', 'dialogue', 'action', 'closeup', 'stylized', 'insert'];
    const shots = kinds.flatMap((kind, i) => [shot({ id: `${kind}-a`, kind, duration: 2 + i }), shot({ id: `${kind}-b`, kind, audio: true, reference: 'r.png' })]);
    const health = new Map([healthOf('veo-3.1-fast', { successes: 3, failures: 1, meanLatencyMs: 50_000 })]);
    for (const mode of ['preview', 'final'] as const) {
      const first = planEpisode({ shots }, ctx({ mode, health }));
      expect(planEpisode({ shots }, ctx({ mode, health }))).toEqual(first);
      const shuffled = [...SEED.engines].reverse();
      [shuffled[1], shuffled[6]] = [shuffled[6]!, shuffled[1]!];
      expect(planEpisode({ shots }, ctx({ mode, health, engines: shuffled }))).toEqual(first);
    }
  });

  it('shares frozen plan entries between shots with the same needs, and only between those', () => {
    const plan = planEpisode(
      { shots: [shot({ id: 'a' }), shot({ id: 'b' }), shot({ id: 'c', reference: 'x.png' }), shot({ id: 'd', duration: 5.5 })] },
      ctx({ mode: 'preview' }),
    );
    const [a, b, c, d] = plan.shots;
    expect(b!.candidates[0]).toBe(a!.candidates[0]);
    expect(b!.candidates).not.toBe(a!.candidates);
    expect(() => {
      (a!.candidates[0] as { score: number }).score = 2;
    }).toThrow(TypeError);
    b!.candidates.pop();
    expect(a!.candidates.length).toBe(b!.candidates.length + 1);
    // A reference image lets the image-only engine in; a different duration changes the trim.
    expect(ids(c!)).toContain('runway-gen4-turbo');
    expect(ids(a!)).not.toContain('runway-gen4-turbo');
    expect(d!.candidates[0]!.reason).toContain('(trimmed to 5.5 s)');
  });

  it('breaks exact score ties by engine id', () => {
    const twin = { ...SEED.engines.find((e) => e.id === 'veo-3.1')!, id: 'aaa-veo-twin' };
    const plan = planShot(shot(), ctx({ engines: [...SEED.engines, twin] }));
    const veo = plan.candidates.findIndex((c) => c.engineId === 'veo-3.1');
    expect(plan.candidates[veo - 1]).toMatchObject({ engineId: 'aaa-veo-twin', score: plan.candidates[veo]!.score });
  });

  it('plans 1,000 shots correctly', () => {
    const kinds: ShotKind[] = ['establishing', 'dialogue', 'action', 'closeup', 'stylized', 'insert'];
    const shots = Array.from({ length: 1000 }, (_, i) =>
      shot({ id: `s${i}`, kind: kinds[i % 6], duration: 1 + (i % 8), audio: i % 3 === 0, reference: i % 4 === 0 ? 'ref.png' : undefined }),
    );
    const plan = planEpisode({ shots }, ctx({ mode: 'final' }));
    expect(plan.shots).toHaveLength(1000);
    expect(plan.unroutableShotIds).toEqual([]);
    let total = 0;
    for (const [i, s] of plan.shots.entries()) {
      expect(s.shotId).toBe(`s${i}`);
      expect(s.candidates.length + s.rejections.length).toBe(SEED.engines.length);
      expect(s.candidates.map((c) => c.engineId)).not.toContain('animatic');
      total += s.candidates[0]!.estimatedMicros;
    }
    expect(plan.estimatedMicros).toBe(total);
    const single = planShot(shots[999]!, ctx({ mode: 'final' }));
    expect(plan.shots[999]).toEqual(single);
  });
});
