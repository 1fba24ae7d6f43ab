/**
 * Plans shots: for each, the ordered chain of engines to try, with a one-line reason per
 * candidate and per rejected engine. The order comes from, in priority:
 *   1. a pin (shot.engine is an engine id): just that engine;
 *   2. a named chain (shot.chain, else the episode's chain): the chain's order;
 *   3. otherwise every engine that passes the hard filters, by score (ties by id).
 * Pure: the same inputs give the same plan, whatever the order of ctx.engines.
 */
import type { Resolution } from '../../shared/domain';
import { UserError } from '../../shared/errors';
import type { Micros } from '../../shared/money';
import { compareIds, prepareEngines, type PreparedEngine, type PreparedEngines, type RouterContext, type Selection, type ShotAsk } from './context';
import { candidateReason, rejectionLine } from './explain';
import { firstRejection, type FilterName } from './filters';
import { engineExpectedLatencyMs } from './latency';
import { estimateAttempt, type AttemptEstimate } from './pricing';
import { scoreCandidates } from './score';

export interface Candidate {
  engineId: string;
  score: number;
  /** Seconds to generate (an allowed duration >= the shot's; the stitcher trims). */
  durationSeconds: number;
  resolution: Resolution;
  estimatedMicros: Micros;
  expectedLatencyMs: number;
  reason: string;
}

export interface Rejection {
  engineId: string;
  /** Which hard filter rejected it; 'unknown' when the id is not in the registry. */
  filter: FilterName | 'unknown';
  reason: string;
}

export interface ShotPlan {
  shotId: string;
  selection: Selection;
  chainName?: string;
  /** In the order to try them; empty when no engine can make the shot. */
  candidates: Candidate[];
  rejections: Rejection[];
}

export interface EpisodePlan {
  shots: ShotPlan[];
  /** Cost if every shot succeeds on its first candidate. */
  estimatedMicros: Micros;
  /** Shots no engine can make, in storyboard order. */
  unroutableShotIds: string[];
}

export function planShot(shot: ShotAsk, ctx: RouterContext, episodeChain?: string): ShotPlan {
  return planPrepared(prepareEngines(ctx), shot, ctx, episodeChain);
}

/**
 * Plans every shot against the same context. Each shot is judged against the whole
 * remaining budget (the per-attempt check); compare `estimatedMicros` with the budget
 * for the episode as a whole.
 */
export function planEpisode(board: { shots: readonly ShotAsk[]; chain?: string }, ctx: RouterContext): EpisodePlan {
  checkChainNames(board, ctx.chains);
  const engines = prepareEngines(ctx);
  const shots: ShotPlan[] = new Array(board.shots.length);
  let estimatedMicros = 0;
  const unroutableShotIds: string[] = [];
  board.shots.forEach((shot, i) => {
    const plan = planPrepared(engines, shot, ctx, board.chain);
    shots[i] = plan;
    const first = plan.candidates[0];
    if (first) estimatedMicros += first.estimatedMicros;
    else unroutableShotIds.push(shot.id);
  });
  return { shots, estimatedMicros, unroutableShotIds };
}

interface Passed {
  engine: PreparedEngine;
  attempt: AttemptEstimate;
  resolution: Resolution;
  latencyMs: number;
}

function planPrepared(engines: PreparedEngines, shot: ShotAsk, ctx: RouterContext, episodeChain: string | undefined): ShotPlan {
  const chainName = shot.chain ?? episodeChain;
  const selection: Selection = shot.engine !== 'auto' ? 'pinned' : chainName !== undefined ? 'chain' : 'auto';
  const considered: (PreparedEngine | string)[] =
    selection === 'pinned' ? [engines.byId.get(shot.engine) ?? shot.engine] : selection === 'chain' ? chainEngines(engines, ctx.chains, chainName!, shot.chain !== undefined ? `shot ${shot.id}` : 'the storyboard') : engines.list;

  const passed: Passed[] = [];
  const rejections: Rejection[] = [];
  for (const engine of considered) {
    if (typeof engine === 'string') {
      rejections.push({ engineId: engine, filter: 'unknown', reason: rejectionLine(engine, 'unknown engine (not in the registry)') });
      continue;
    }
    const verdict = firstRejection(engine, shot, ctx, selection);
    if (verdict) {
      let line = engine.rejectionLines.get(verdict.reason);
      if (line === undefined) engine.rejectionLines.set(verdict.reason, (line = rejectionLine(engine.spec.id, verdict.reason)));
      rejections.push({ engineId: engine.spec.id, filter: verdict.filter, reason: line });
      continue;
    }
    // The resolution filter has passed, so the engine has a resolution in this context.
    const resolution = engine.resolution as Resolution;
    const attempt = estimateAttempt(engine.spec, { durationSeconds: shot.duration, resolution, audio: shot.audio });
    passed.push({ engine, attempt, resolution, latencyMs: engineExpectedLatencyMs(engine.spec, engine.health, attempt.generatedSeconds) });
  }

  const scores = scoreCandidates(
    passed.map((p) => ({ quality: p.engine.spec.quality[shot.kind], micros: p.attempt.micros, latencyMs: p.latencyMs, health: p.engine.healthScore })),
    ctx.mode,
    shot.duration,
  );
  const order = passed.map((_, i) => i);
  if (selection === 'auto') {
    order.sort((a, b) => (scores[b] as number) - (scores[a] as number) || compareIds(passed[a]!.engine.spec.id, passed[b]!.engine.spec.id));
  }

  const candidates = order.map((index, rank): Candidate => {
    const p = passed[index]!;
    const score = scores[index]!;
    const { spec, health } = p.engine;
    return {
      engineId: spec.id,
      score,
      durationSeconds: p.attempt.generatedSeconds,
      resolution: p.resolution,
      estimatedMicros: p.attempt.micros,
      expectedLatencyMs: p.latencyMs,
      reason: candidateReason({
        engineId: spec.id,
        rank: rank + 1,
        score,
        selection,
        chainName,
        quality: spec.quality[shot.kind],
        kind: shot.kind,
        micros: p.attempt.micros,
        generatedSeconds: p.attempt.generatedSeconds,
        shotSeconds: shot.duration,
        resolution: p.resolution,
        expectedLatencyMs: p.latencyMs,
        successes: health?.successes ?? 0,
        failures: health?.failures ?? 0,
      }),
    };
  });

  const plan: ShotPlan = { shotId: shot.id, selection, candidates, rejections };
  if (selection === 'chain') plan.chainName = chainName;
  return plan;
}

/** The chain's engines in its order (ids not in the registry stay as strings), each once. */
function chainEngines(engines: PreparedEngines, chains: Record<string, string[]>, name: string, namedBy: string): (PreparedEngine | string)[] {
  const ids = Object.hasOwn(chains, name) ? chains[name] : undefined;
  if (!ids) throw unknownChain(name, chains, namedBy);
  return [...new Set(ids)].map((id) => engines.byId.get(id) ?? id);
}

function checkChainNames(board: { shots: readonly ShotAsk[]; chain?: string }, chains: Record<string, string[]>): void {
  if (board.chain !== undefined && !Object.hasOwn(chains, board.chain)) throw unknownChain(board.chain, chains, 'the storyboard');
  for (const shot of board.shots) {
    if (shot.engine === 'auto' && shot.chain !== undefined && !Object.hasOwn(chains, shot.chain)) throw unknownChain(shot.chain, chains, `shot ${shot.id}`);
  }
}

function unknownChain(name: string, chains: Record<string, string[]>, where: string): UserError {
  const known = Object.keys(chains).sort(compareIds);
  return new UserError(`unknown fallback chain "${name}" (named by ${where})`, [`known chains: ${known.length ? known.join(', ') : '(none)'}`]);
}
