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
import { toMicros, type Micros } from '../../shared/money';
import { compareIds, prepareEngines, qualityFor, type EffectiveQuality, type PreparedEngine, type PreparedEngines, type RouterContext, type Selection, type ShotAsk } from './context';
import { candidateReason, rejectionLine } from './explain';
import { firstRejection, type FilterName } from './filters';
import { engineExpectedLatencyMs } from './latency';
import { estimateAttempt, type AttemptEstimate } from './pricing';
import { scoreCandidates } from './score';

export interface Candidate {
  readonly engineId: string;
  readonly score: number;
  /** Seconds to generate (an allowed duration >= the shot's; the stitcher trims). */
  readonly durationSeconds: number;
  readonly resolution: Resolution;
  /** List price of the seconds generated. */
  readonly priceMicros: Micros;
  /** What an attempt reserves: the price corrected by observed billing. */
  readonly estimatedMicros: Micros;
  readonly expectedLatencyMs: number;
  /** Epoch ms the engine is cooling down until (0: usable now): shots go around it meanwhile; never a removal. */
  readonly notBefore: number;
  readonly reason: string;
}

export interface Rejection {
  readonly engineId: string;
  /** Which hard filter rejected it; 'unknown' when the id is not in the registry. */
  readonly filter: FilterName | 'unknown';
  readonly reason: string;
}

/**
 * Candidates and rejections are frozen: shots with the same needs (kind, duration,
 * audio, reference, pin, chain) get the same plan, so one plan shares these objects.
 * The arrays are each shot's own.
 */
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
  return planInScope(newScope(ctx), shot, ctx, episodeChain);
}

/**
 * Plans every shot against the same context. Each shot is judged against the whole
 * remaining budget (the per-attempt check); compare `estimatedMicros` with the budget
 * for the episode as a whole.
 */
export function planEpisode(board: { shots: readonly ShotAsk[]; chain?: string }, ctx: RouterContext): EpisodePlan {
  checkChainNames(board, ctx.chains);
  const scope = newScope(ctx);
  const shots: ShotPlan[] = new Array(board.shots.length);
  let estimatedMicros = 0;
  const unroutableShotIds: string[] = [];
  board.shots.forEach((shot, i) => {
    const plan = planInScope(scope, shot, ctx, board.chain);
    shots[i] = plan;
    const first = plan.candidates[0];
    if (first) estimatedMicros += first.estimatedMicros;
    else unroutableShotIds.push(shot.id);
  });
  return { shots, estimatedMicros: toMicros(estimatedMicros), unroutableShotIds };
}

/** What one plan computes once and shares across its shots. */
interface PlanScope {
  engines: PreparedEngines;
  /** The shortest prompt limit of any engine: only prompts longer than this can change a plan. */
  shortestPromptLimit: number;
  /** By engine id: the rejection from a context filter (no key, retired...), the same for every shot. */
  contextRejections: Map<string, Rejection>;
  /** By shot signature: storyboards repeat kinds and durations, and equal needs get equal plans. */
  bodies: Map<string, PlanBody>;
}

type PlanBody = Omit<ShotPlan, 'shotId'>;

function newScope(ctx: RouterContext): PlanScope {
  const engines = prepareEngines(ctx);
  const shortestPromptLimit = Math.min(Infinity, ...engines.list.map((e) => e.spec.capabilities.maxPromptChars));
  return { engines, shortestPromptLimit, contextRejections: new Map(), bodies: new Map() };
}

function planInScope(scope: PlanScope, shot: ShotAsk, ctx: RouterContext, episodeChain: string | undefined): ShotPlan {
  const chainName = shot.chain ?? episodeChain;
  // Everything planBody reads from the shot; the reference's path does not matter, only whether there is one,
  // and a prompt's length only when some engine could find it too long.
  const promptChars = shot.prompt !== undefined && shot.prompt.length > scope.shortestPromptLimit ? shot.prompt.length : 0;
  const extras = `${shot.seed !== undefined ? 1 : 0}${shot.negative !== undefined ? 1 : 0}|${promptChars}`;
  const signature = `${shot.kind}|${shot.duration}|${shot.audio ? 1 : 0}${shot.reference !== undefined ? 1 : 0}|${extras}|${shot.engine}|${chainName ?? '\u0000'}`;
  let body = scope.bodies.get(signature);
  if (!body) {
    const namedBy = shot.chain !== undefined ? `shot ${shot.id}` : 'the storyboard';
    scope.bodies.set(signature, (body = planBody(scope, shot, ctx, chainName, namedBy)));
  }
  const plan: ShotPlan = { shotId: shot.id, selection: body.selection, candidates: body.candidates.slice(), rejections: body.rejections.slice() };
  if (body.chainName !== undefined) plan.chainName = body.chainName;
  return plan;
}

interface Passed {
  engine: PreparedEngine;
  attempt: AttemptEstimate;
  resolution: Resolution;
  latencyMs: number;
  quality: EffectiveQuality;
}

function planBody(scope: PlanScope, shot: ShotAsk, ctx: RouterContext, chainName: string | undefined, namedBy: string): PlanBody {
  const { engines } = scope;
  const selection: Selection = shot.engine !== 'auto' ? 'pinned' : chainName !== undefined ? 'chain' : 'auto';
  const considered: (PreparedEngine | string)[] =
    selection === 'pinned'
      ? [engines.byId.get(shot.engine) ?? shot.engine]
      : selection === 'chain'
        ? chainEngines(engines, ctx.chains, chainName!, namedBy)
        : engines.list;

  const passed: Passed[] = [];
  const rejections: Rejection[] = [];
  for (const engine of considered) {
    if (typeof engine === 'string') {
      rejections.push(rejection(engine, 'unknown', 'unknown engine (not in the registry)'));
      continue;
    }
    const verdict = firstRejection(engine, shot, ctx, selection);
    if (verdict !== null) {
      const id = engine.spec.id;
      if (verdict !== engine.contextVerdict) rejections.push(rejection(id, verdict.filter, verdict.reason));
      else {
        let shared = scope.contextRejections.get(id);
        if (!shared) scope.contextRejections.set(id, (shared = rejection(id, verdict.filter, verdict.reason)));
        rejections.push(shared);
      }
      continue;
    }
    // The resolution filter has passed, so the engine has a resolution in this context.
    const resolution = engine.resolution as Resolution;
    const attempt = estimateAttempt(engine.spec, { durationSeconds: shot.duration, resolution, audio: shot.audio, withReference: shot.reference !== undefined }, engine.billingFactor);
    passed.push({ engine, attempt, resolution, latencyMs: engineExpectedLatencyMs(engine.spec, engine.health, attempt.generatedSeconds), quality: qualityFor(engine, shot.kind) });
  }

  // A cooling engine keeps its place: the runner goes around it while it cools (its
  // `notBefore`) and back to it after, so a 30 s Retry-After never demotes the best engine for a whole run.
  const scores = scoreCandidates(
    passed.map((p) => ({ quality: p.quality.value, micros: p.attempt.micros, latencyMs: p.latencyMs, health: p.engine.healthScore })),
    ctx.mode,
    shot.duration,
  );
  const order = passed.map((_, i) => i);
  if (selection === 'auto') {
    order.sort((a, b) => scores[b]! - scores[a]! || compareIds(passed[a]!.engine.spec.id, passed[b]!.engine.spec.id));
  }

  const candidates = order.map((index, rank): Candidate => {
    const p = passed[index]!;
    const score = scores[index]!;
    const { spec, health } = p.engine;
    const reason = candidateReason({
      engineId: spec.id,
      rank: rank + 1,
      score,
      selection,
      chainName,
      quality: p.quality.value,
      qualitySamples: p.quality.samples,
      qualityPrior: p.quality.prior,
      kind: shot.kind,
      micros: p.attempt.micros,
      generatedSeconds: p.attempt.generatedSeconds,
      shotSeconds: shot.duration,
      resolution: p.resolution,
      expectedLatencyMs: p.latencyMs,
      successes: health?.successes ?? 0,
      failures: health?.failures ?? 0,
      coolingUntil: p.engine.coolingUntil,
      billingFactor: p.engine.billingFactor,
      ignored: ignoredParts(spec, shot),
    });
    return Object.freeze({
      engineId: spec.id,
      score,
      durationSeconds: p.attempt.generatedSeconds,
      resolution: p.resolution,
      priceMicros: p.attempt.priceMicros,
      estimatedMicros: p.attempt.micros,
      expectedLatencyMs: p.latencyMs,
      notBefore: p.engine.coolingUntil,
      reason,
    });
  });

  return selection === 'chain' ? { selection, chainName, candidates, rejections } : { selection, candidates, rejections };
}

/** What the shot asks for that this model does not take (it is left out of the request, not sent). */
function ignoredParts(spec: PreparedEngine['spec'], shot: ShotAsk): string[] {
  const parts: string[] = [];
  if (shot.seed !== undefined && !spec.capabilities.seed) parts.push('seed');
  if (shot.negative !== undefined && !spec.capabilities.negativePrompt) parts.push('negative prompt');
  return parts;
}

function rejection(engineId: string, filter: Rejection['filter'], reason: string): Rejection {
  return Object.freeze({ engineId, filter, reason: rejectionLine(engineId, reason) });
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
