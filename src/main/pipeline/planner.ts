/**
 * Connects the router (pure) to the live registry, health, billing history, keys and
 * adapters: the planner the episode runner and the preflight call.
 */
import type { ShotPlanView } from '../../shared/api';
import type { Shot } from '../../shared/storyboard';
import type { Micros } from '../../shared/money';
import type { HealthRepository } from '../registry/health';
import type { Registry } from '../registry/registry';
import { planEpisode, type RouterContext, type ShotPlan } from '../router';
import type { KeySource } from '../secrets/keys';
import type { EngineCatalog } from '../engines';
import type { Db } from '../store/database';
import { observedBillingFactor } from '../store/billing';
import { observedQualityByEngine } from '../store/gate-results';
import type { EpisodeRecord } from '../store/episodes';
import type { PlannedShot } from './episode-runner';

export interface PlannerDeps {
  db: Db;
  registry: Registry;
  health: HealthRepository;
  keys: KeySource;
  catalog: EngineCatalog;
  clock: () => number;
}

export function routerContext(deps: PlannerDeps, episode: Pick<EpisodeRecord, 'mode' | 'storyboard'>, remainingBudgetMicros: Micros | null, disabled = new Set<string>()): RouterContext {
  const engines = deps.registry.list();
  return {
    engines,
    health: deps.health.allHealth(),
    now: deps.clock(),
    mode: episode.mode,
    output: { resolution: episode.storyboard.output.resolution, aspect: episode.storyboard.output.aspect },
    remainingBudgetMicros,
    hasKey: (provider, engine) => deps.keys.hasKey(provider, engine),
    keychainProblem: deps.keys.keychainStatus ?? undefined,
    hasAdapter: (provider) => deps.catalog.hasAdapter(provider),
    chains: deps.registry.chains(),
    observedQuality: observedQualityByEngine(deps.db),
    disabledForRun: disabled,
    billingFactor: billingFactors(deps, engines),
  };
}

/** The engine's own billing history when it has enough of one, else its provider's. */
function billingFactors(deps: PlannerDeps, engines: { id: string; provider: string }[]): (engineId: string) => number {
  const cache = new Map<string, number>();
  return (engineId) => {
    let factor = cache.get(engineId);
    if (factor === undefined) {
      const provider = engines.find((e) => e.id === engineId)?.provider;
      const siblings = engines.filter((e) => e.provider === provider).map((e) => e.id);
      factor = observedBillingFactor(deps.db, [engineId]) ?? observedBillingFactor(deps.db, siblings) ?? 1;
      cache.set(engineId, factor);
    }
    return factor;
  };
}

export function planShots(deps: PlannerDeps, episode: EpisodeRecord, shots: Shot[], remainingBudgetMicros: Micros | null, disabled: Set<string>): Map<string, PlannedShot> {
  const plan = planEpisode({ shots, chain: episode.storyboard.chain }, routerContext(deps, episode, remainingBudgetMicros, disabled));
  return new Map(plan.shots.map((shot) => [shot.shotId, { chain: shot.candidates, view: toView(shot) }]));
}

export function toView(plan: ShotPlan): ShotPlanView {
  return {
    shotId: plan.shotId,
    candidates: plan.candidates.map((c) => ({ engineId: c.engineId, score: c.score, estimatedMicros: c.estimatedMicros, durationSeconds: c.durationSeconds, reason: c.reason })),
    rejections: plan.rejections.map((r) => ({ engineId: r.engineId, reason: r.reason })),
  };
}
