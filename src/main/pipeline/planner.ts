/**
 * Connects the router (pure) to the live registry, health, keys and adapters: the
 * planner the episode runner calls before generating.
 */
import type { ShotPlanView } from '../../shared/api';
import type { Shot } from '../../shared/storyboard';
import type { HealthRepository } from '../registry/health';
import type { Registry } from '../registry/registry';
import { planEpisode, type RouterContext, type ShotPlan } from '../router';
import type { KeySource } from '../secrets/keys';
import type { EngineCatalog } from '../engines';
import type { EpisodeRecord } from '../store/episodes';
import type { PlannedShot } from './episode-runner';

export interface PlannerDeps {
  registry: Registry;
  health: HealthRepository;
  keys: KeySource;
  catalog: EngineCatalog;
  clock: () => number;
}

export function routerContext(deps: PlannerDeps, episode: Pick<EpisodeRecord, 'mode' | 'storyboard'>, remainingBudgetMicros: number | null, disabled = new Set<string>()): RouterContext {
  return {
    engines: deps.registry.list(),
    health: deps.health.allHealth(),
    now: deps.clock(),
    mode: episode.mode,
    output: { resolution: episode.storyboard.output.resolution, aspect: episode.storyboard.output.aspect },
    remainingBudgetMicros,
    hasKey: (provider) => deps.keys.hasKey(provider),
    hasAdapter: (provider) => deps.catalog.hasAdapter(provider),
    chains: deps.registry.chains(),
    disabledForRun: disabled,
  };
}

export function planShots(deps: PlannerDeps, episode: EpisodeRecord, shots: Shot[], remainingBudgetMicros: number | null, disabled: Set<string>): Map<string, PlannedShot> {
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

