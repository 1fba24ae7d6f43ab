/**
 * Everything the router decides from, passed in by the caller (the router never reads
 * the database), and the per-engine facts computed once per plan instead of per shot.
 */
import type { Aspect, EngineHealth, EngineSpec, ProviderId, RenderMode, Resolution, ShotKind } from '../../shared/domain';
import { rebasedMean, type ObservedQuality, type ObservedQualityMap } from '../../shared/observed-quality';
import type { Shot } from '../../shared/storyboard';
import { judgeContext, type ContextVerdict } from './filters';
import { renderResolution } from './fit';

export interface RouterContext {
  engines: EngineSpec[];
  health: Map<string, EngineHealth>;
  /** Epoch ms; cooldowns are compared with it. */
  now: number;
  mode: RenderMode;
  output: { resolution: Resolution; aspect: Aspect };
  /** Money left for this episode; null means no limit. */
  remainingBudgetMicros: number | null;
  /** Whether the provider is configured: its key, or for a self-hosted one its URL (the engine's own, or the environment's). */
  hasKey(provider: ProviderId, engine?: Pick<EngineSpec, 'baseUrl'>): boolean;
  /** Why the OS keychain could not be read, when it could not: said beside every "no key" rejection. */
  keychainProblem?: string;
  hasAdapter(provider: ProviderId): boolean;
  chains: Record<string, string[]>;
  /** Engine ids, or provider ids, switched off for the rest of this run (auth or quota failures). */
  disabledForRun?: Set<string>;
  /**
   * How much more than list price this engine (or its provider) has really been billing,
   * >= 1; reservations and budget checks use the corrected figure. Default 1.
   */
  billingFactor?: (engineId: string) => number;
  /**
   * What the quality gate has said about each engine's clips, per shot kind (this user's
   * history). Where there is some, it replaces the registry's quality for that kind.
   */
  observedQuality?: ObservedQualityMap;
}

/** The parts of a storyboard shot the router looks at. */
export type ShotAsk = Pick<Shot, 'id' | 'kind' | 'duration' | 'audio' | 'reference' | 'engine' | 'chain'> & Partial<Pick<Shot, 'prompt' | 'seed' | 'negative'>>;

/** How an engine came to be considered for a shot; pins and chains may use preview-only engines. */
export type Selection = 'auto' | 'pinned' | 'chain';

export interface PreparedEngine {
  spec: EngineSpec;
  health: EngineHealth | undefined;
  /** What the engine renders at in this context; null when it cannot give the output resolution. */
  resolution: Resolution | null;
  /** Success rate with a prior of two successes, so a new engine starts near 1 and one failure is not fatal. */
  healthScore: number;
  /** The first context filter the engine fails, judged once per plan; null when it passes them all. */
  contextVerdict: ContextVerdict | null;
  /** Epoch ms until which the engine is cooling down (rate limited); 0 when it is not. A wait, never a rejection. */
  coolingUntil: number;
  billingFactor: number;
  /** The gate's history of the engine's clips, by shot kind; undefined when it has none. */
  observed: Partial<Record<ShotKind, ObservedQuality>> | undefined;
}

export interface PreparedEngines {
  /** Sorted by id, so every derived order is independent of the input order. */
  list: PreparedEngine[];
  byId: Map<string, PreparedEngine>;
}

export function healthScore(health: Pick<EngineHealth, 'successes' | 'failures'> | undefined): number {
  const successes = health?.successes ?? 0;
  const failures = health?.failures ?? 0;
  return (successes + 2) / (successes + failures + 2);
}

export function prepareEngines(ctx: RouterContext): PreparedEngines {
  const byId = new Map<string, PreparedEngine>();
  for (const spec of ctx.engines) {
    if (byId.has(spec.id)) continue;
    const facts = { spec, health: ctx.health.get(spec.id), resolution: renderResolution(spec, ctx.mode, ctx.output.resolution) };
    const coolingUntil = facts.health && facts.health.coolingUntil > ctx.now ? facts.health.coolingUntil : 0;
    const billingFactor = Math.max(1, ctx.billingFactor?.(spec.id) ?? 1);
    const observed = ctx.observedQuality?.get(spec.id);
    byId.set(spec.id, { ...facts, healthScore: healthScore(facts.health), contextVerdict: judgeContext(facts, ctx), coolingUntil, billingFactor, observed });
  }
  const list = [...byId.values()].sort((a, b) => compareIds(a.spec.id, b.spec.id));
  return { list, byId };
}

export interface EffectiveQuality {
  /** What the engine is ranked with for the kind: the observed mean when there is history, else the registry's quality. */
  value: number;
  /** The registry's quality for the kind (the prior the observed mean started from). */
  prior: number;
  /** Gated clips behind `value`; 0 when it is the prior alone. */
  samples: number;
}

/**
 * The engine's quality for a kind of shot. The observed mean starts at the prior and
 * moves with each gated clip, so it is used from the first sample: one clip moves it only
 * a little (QUALITY_EWMA_ALPHA), and there is no threshold at which the ranking jumps.
 */
export function qualityFor(engine: Pick<PreparedEngine, 'spec' | 'observed'>, kind: ShotKind): EffectiveQuality {
  const prior = engine.spec.quality[kind];
  const observed = engine.observed?.[kind];
  if (!observed || observed.samples < 1) return { value: prior, prior, samples: 0 };
  return { value: rebasedMean(observed, prior), prior, samples: observed.samples };
}

/** Code-unit order: the same on every machine and locale. */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
