import { describe, expect, it } from 'vitest';
import type { EngineHealth, EngineSpec, ProviderId } from '../../src/shared/domain';
import { estimateAttempt, generatedSeconds, HARD_FILTERS, planShot, priceFor, type RouterContext, type ShotAsk } from '../../src/main/router';
import { toMicros } from '../../src/shared/money';

/** An engine that passes every filter for the default shot and context below. */
function spec(patch: Partial<EngineSpec> = {}): EngineSpec {
  return {
    id: 'eng',
    provider: 'runway',
    model: 'm',
    displayName: 'Engine',
    modes: ['text', 'image'],
    audio: 'optional',
    durations: { kind: 'list', values: [4, 6, 8] },
    capabilities: { seed: true, negativePrompt: false, maxPromptChars: 1000 },
    resolutions: ['720p', '1080p'],
    aspects: ['16:9', '9:16'],
    pricing: [
      { resolution: '720p', audio: false, microsPerSecond: toMicros(100_000) },
      { resolution: '720p', audio: true, microsPerSecond: toMicros(150_000) },
      { resolution: '1080p', audio: false, microsPerSecond: toMicros(200_000) },
      { resolution: '1080p', audio: true, microsPerSecond: toMicros(400_000) },
    ],
    speed: { baseSeconds: 20, secondsPerVideoSecond: 5 },
    quality: { establishing: 0.8, dialogue: 0.8, action: 0.8, closeup: 0.8, stylized: 0.8, insert: 0.8 },
    concurrency: 2,
    status: 'active',
    priceSource: 'published',
    pollIntervalMs: 5000,
    previewOnly: false,
    enabled: true,
    ...patch,
  };
}

function ctx(engine: EngineSpec, patch: Partial<RouterContext> = {}): RouterContext {
  return {
    engines: [engine],
    health: new Map(),
    now: 1_000_000,
    mode: 'final',
    output: { resolution: '1080p', aspect: '16:9' },
    remainingBudgetMicros: null,
    hasKey: (provider: ProviderId) => provider !== 'comfyui', // ComfyUI is configured by a URL, which these tests do not set
    hasAdapter: () => true,
    chains: {},
    ...patch,
  };
}

const shot: ShotAsk = { id: 's1', kind: 'dialogue', duration: 5, audio: false, engine: 'auto' };

function verdict(engine: EngineSpec, context: Partial<RouterContext> = {}, ask: Partial<ShotAsk> = {}) {
  const plan = planShot({ ...shot, ...ask }, ctx(engine, context));
  if (plan.candidates.length > 0) return { filter: 'passed', reason: plan.candidates[0]!.reason };
  expect(plan.rejections).toHaveLength(1);
  return plan.rejections[0]!;
}

describe('hard filters', () => {
  it('lets the baseline engine through', () => {
    expect(verdict(spec()).filter).toBe('passed');
  });

  it('rejects each failure with its reason', () => {
    const health = (h: Partial<EngineHealth>) => new Map([['eng', { engineId: 'eng', successes: 0, failures: 0, meanLatencyMs: null, coolingUntil: 0, lastErrorKind: null, ...h }]]);
    const cases: [string, ReturnType<typeof verdict>, RegExp][] = [
      ['disabled', verdict(spec({ enabled: false })), /eng: rejected, disabled in settings/],
      ['retired', verdict(spec({ status: 'retired', statusDate: '2026-09-24' })), /retired on 2026-09-24/],
      ['adapter', verdict(spec(), { hasAdapter: () => false }), /no runway adapter in this build/],
      ['credentials', verdict(spec(), { hasKey: () => false }), /no key configured \(set RUNWAYML_API_SECRET or add it to the keychain\)/],
      ['credentials', verdict(spec({ provider: 'comfyui' })), /no base URL configured/],
      ['disabled-for-run', verdict(spec(), { disabledForRun: new Set(['eng']) }), /disabled for this run/],
      ['disabled-for-run', verdict(spec(), { disabledForRun: new Set(['runway']) }), /disabled for this run/],
      ['preview-only', verdict(spec({ previewOnly: true })), /preview-only engine/],
      ['mode', verdict(spec({ modes: ['image'] })), /image-only engine and the shot has no reference image/],
      ['mode', verdict(spec({ modes: ['text'] }), {}, { reference: 'refs/a.png' }), /text-only engine and the shot has a reference image/],
      ['audio', verdict(spec({ audio: 'none', pricing: [] , priceSource: 'free' }), {}, { audio: true }), /makes no audio and the shot wants audio/],
      ['prompt', verdict(spec(), {}, { prompt: 'x'.repeat(1001) }), /prompt is 1001 characters; this model takes at most 1000/],
      ['duration', verdict(spec(), {}, { duration: 12 }), /cannot make 12 s \(allows 4, 6, 8 s, trimming at most 3 s\)/],
      [
        'duration',
        verdict(spec({ durationRules: [{ resolutions: ['1080p'], durations: { kind: 'list', values: [8] } }] }), {}, { duration: 2 }),
        /cannot make 2 s at 1080p \(allows 8 s, trimming at most 3 s\)/,
      ],
      ['duration', verdict(spec({ durations: { kind: 'range', min: 10, max: 20 } })), /cannot make 5 s \(allows 10-20 s/],
      ['resolution', verdict(spec({ resolutions: ['720p'] })), /no 1080p output \(offers 720p\)/],
      ['aspect', verdict(spec(), { output: { resolution: '1080p', aspect: '1:1' } }), /no 1:1 aspect \(offers 16:9, 9:16\)/],
      ['budget', verdict(spec(), { remainingBudgetMicros: 500_000 }), /over budget: \$1\.20 needed, \$0\.50 left/],
    ];
    for (const [filter, result, reason] of cases) {
      expect(result.filter, String(reason)).toBe(filter);
      expect(result.reason).toMatch(reason);
    }
    // Every filter in the list is exercised above.
    expect(new Set(cases.map(([f]) => f))).toEqual(new Set(HARD_FILTERS.map((f) => f.name)));
  });

  it('reports the first failing filter in the fixed order', () => {
    const result = verdict(spec({ enabled: false, status: 'retired', statusDate: '2026-01-01', resolutions: ['720p'] }), { hasKey: () => false });
    expect(result.filter).toBe('disabled');
    expect(verdict(spec({ resolutions: ['720p'] }), { hasKey: () => false }).filter).toBe('credentials');
  });

  it('does not ask for keys for offline engines', () => {
    const animatic = spec({ id: 'animatic', provider: 'animatic' as ProviderId, pricing: [], priceSource: 'free' });
    expect(verdict(animatic, { hasKey: () => false, mode: 'preview' }).filter).toBe('passed');
    expect(verdict(spec({ provider: 'comfyui', baseUrl: 'http://127.0.0.1:8188' }), { hasKey: (_provider: ProviderId, engine?: { baseUrl?: string }) => Boolean(engine?.baseUrl) }).filter).toBe('passed');
  });

  it('never rejects or demotes a cooling engine: it keeps its place with a not-before time', () => {
    const health = (coolingUntil: number) => new Map([['eng', { engineId: 'eng', successes: 0, failures: 0, meanLatencyMs: null, coolingUntil, lastErrorKind: 'rate_limited' }]]);
    expect(verdict(spec(), { health: health(1_060_000) }).filter).toBe('passed');
    expect(verdict(spec(), { health: health(999_999) }).filter).toBe('passed');
    const twins = (h: Map<string, EngineHealth>) => planShot(shot, { ...ctx(spec()), engines: [spec(), spec({ id: 'twin' })], health: h });
    const cooling = twins(health(1_060_000));
    expect(cooling.candidates.map((c) => c.engineId)).toEqual(['eng', 'twin']);
    expect(cooling.candidates[0]).toMatchObject({ engineId: 'eng', notBefore: 1_060_000 });
    expect(cooling.candidates[0]!.reason).toMatch(/cooling down until \d\d:\d\d:\d\d/);
    expect(cooling.candidates[0]!.score).toBe(twins(health(0)).candidates[0]!.score);
    // A cooldown that has passed is not mentioned.
    expect(twins(health(999_999)).candidates[0]).toMatchObject({ notBefore: 0 });
  });

  it('takes any resolution in preview mode, rendering at the lowest', () => {
    const plan = planShot(shot, ctx(spec({ resolutions: ['1080p', '720p'] }), { mode: 'preview', output: { resolution: '4k', aspect: '16:9' } }));
    expect(plan.candidates[0]).toMatchObject({ resolution: '720p', durationSeconds: 6, estimatedMicros: 600_000 });
  });

  it('applies the budget filter with the exact integer estimate', () => {
    expect(verdict(spec(), { remainingBudgetMicros: 1_200_000 }).filter).toBe('passed');
    expect(verdict(spec(), { remainingBudgetMicros: 1_199_999 }).reason).toContain('over budget: $1.200000 needed, $1.199999 left');
  });
});

describe('durations and prices', () => {
  it('generates the smallest allowed duration that covers the shot, within 3 s', () => {
    const list = { kind: 'list' as const, values: [8, 4, 6] };
    expect(generatedSeconds(list, 4)).toBe(4);
    expect(generatedSeconds(list, 4.2)).toBe(6);
    expect(generatedSeconds(list, 8)).toBe(8);
    expect(generatedSeconds(list, 8.5)).toBeNull();
    expect(generatedSeconds({ kind: 'list', values: [5, 10] }, 1.5)).toBeNull();
    expect(generatedSeconds({ kind: 'list', values: [5, 10] }, 2)).toBe(5);
    const range = { kind: 'range' as const, min: 2, max: 10 };
    expect(generatedSeconds(range, 1)).toBe(2);
    expect(generatedSeconds(range, 3.5)).toBe(4);
    expect(generatedSeconds(range, 10)).toBe(10);
    expect(generatedSeconds(range, 10.5)).toBeNull();
  });

  it('prices by resolution and audio flag, in integer micro-dollars', () => {
    const optional = spec();
    expect(estimateAttempt(optional, { durationSeconds: 5, resolution: '1080p', audio: true })).toEqual({ microsPerSecond: toMicros(400_000), generatedSeconds: 6, priceMicros: 2_400_000, micros: 2_400_000 });
    expect(estimateAttempt(optional, { durationSeconds: 5, resolution: '1080p', audio: false }).micros).toBe(1_200_000);
    const always = spec({ audio: 'always', pricing: [{ resolution: '720p', audio: true, microsPerSecond: toMicros(333_333) }] });
    // A silent shot on an always-audio engine still pays the audio price.
    expect(estimateAttempt(always, { durationSeconds: 3, resolution: '720p', audio: false })).toEqual({ microsPerSecond: toMicros(333_333), generatedSeconds: 4, priceMicros: 1_333_332, micros: 1_333_332 });
    expect(estimateAttempt(spec({ pricing: [], priceSource: 'free' }), { durationSeconds: 5, resolution: '720p', audio: true }).micros).toBe(0);
    expect(() => estimateAttempt(optional, { durationSeconds: 15, resolution: '720p', audio: false })).toThrow(/cannot generate a 15 s clip/);
    // Observed billing above list price raises what is reserved, never the list price itself, and rounds up.
    expect(estimateAttempt(optional, { durationSeconds: 5, resolution: '720p', audio: false }, 1.1)).toMatchObject({ priceMicros: 600_000, micros: 660_000 });
    expect(estimateAttempt(optional, { durationSeconds: 5, resolution: '720p', audio: false }, 1.000_001_1)).toMatchObject({ micros: 600_001 });
    // A duration rule: at 1080p this engine only makes 8 s, and that is what it bills.
    const veoLike = spec({ durationRules: [{ resolutions: ['1080p'], durations: { kind: 'list', values: [8] } }, { withReference: true, durations: { kind: 'list', values: [8] } }] });
    expect(estimateAttempt(veoLike, { durationSeconds: 5, resolution: '1080p', audio: false })).toMatchObject({ generatedSeconds: 8, priceMicros: 1_600_000 });
    expect(estimateAttempt(veoLike, { durationSeconds: 5, resolution: '720p', audio: false, withReference: true })).toMatchObject({ generatedSeconds: 8 });
    expect(estimateAttempt(veoLike, { durationSeconds: 5, resolution: '720p', audio: false })).toMatchObject({ generatedSeconds: 6 });
  });

  it('falls back to the dearest plausible price when a row is missing', () => {
    const rows = spec().pricing.filter((r) => !(r.resolution === '1080p' && r.audio));
    expect(priceFor(rows, '1080p', true)).toBe(200_000);
    expect(priceFor(rows, '4k', false)).toBe(200_000);
  });
});
