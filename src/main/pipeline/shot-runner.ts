/**
 * Walks one shot's fallback chain until a clip is accepted or the chain is spent. The
 * error policy (policy.ts) decides between retrying the same engine, moving on, cooling
 * an engine down or switching a provider account off; this module only carries that out.
 */
import { CancelledError } from '../../shared/errors';
import { formatUsd, type Micros } from '../../shared/money';
import type { ErrorKind } from '../../shared/errors';
import type { GuardedEngine } from '../engines/boundary';
import type { GenerationRequest } from '../engines/engine';
import { ACTIVE_STATUSES, type AttemptRecord, type AttemptStore } from '../store/attempts';
import { sleep } from './abortable';
import { runAttempt, type AttemptLimits, type AttemptOutcome, type AttemptRunnerDeps } from './attempt/run-attempt';
import type { BackoffOptions } from './backoff';
import { decide, policyFor } from './policy';
import type { RunEngineState } from './run-state';
import type { Semaphore } from './semaphore';
import type { Connectivity } from './connectivity';

/** One engine in a shot's chain, as the router planned it. */
export interface ChainCandidate {
  engineId: string;
  durationSeconds: number;
  resolution: GenerationRequest['resolution'];
  /** List price of the seconds generated. */
  priceMicros: Micros;
  /** What to reserve: the price corrected by what this engine (or provider) has really billed. */
  estimatedMicros: Micros;
  expectedLatencyMs: number;
}

export interface ShotJob {
  episodeId: string;
  shotId: string;
  /** The run asking, and the version of the shot it makes. */
  runId: string;
  shotVersion: number;
  mode: string;
  budgetMicros: Micros | null;
  resubmitUnknown: boolean;
  chain: ChainCandidate[];
  buildRequest: (candidate: ChainCandidate) => GenerationRequest;
  /** The take that already answers the run for this shot (run-needs.ts): once there is one, nothing more is generated. */
  takeMeetingRun: () => AttemptRecord | undefined;
}

export interface ShotRunnerDeps extends AttemptRunnerDeps {
  attempts: AttemptStore;
  engine: (engineId: string) => GuardedEngine;
  limits: (engineId: string, candidate: ChainCandidate | undefined) => AttemptLimits;
  state: RunEngineState;
  /** Slots to hold while an engine works: its own, its provider account's, the run's; always taken in that order. */
  slots: (engineId: string) => Semaphore[];
  backoff: BackoffOptions;
  maxAttemptsPerShot: number;
  /** Offline-first: where each engine's calls go and whether they can be reached (absent: an unreachable host is an ordinary failure). */
  network?: { connectivity: Connectivity; endpointOf: (engineId: string) => URL | null };
}

export type ShotOutcome = { status: 'accepted'; attempt: AttemptRecord } | { status: 'failed'; reason: string };

/** Outcomes after which the shot must not try anything else in this run: a second job could be a second payment. */
type Halting = Extract<AttemptOutcome, { status: 'unknown' | 'deferred' }>;

export async function runShot(job: ShotJob, deps: ShotRunnerDeps, signal: AbortSignal): Promise<ShotOutcome> {
  const history = deps.attempts.forShot(job.episodeId, job.shotId);
  // What an engine refused for an earlier version of the shot (another prompt) says nothing about this one.
  const failures = new FailureCounts(history.filter((a) => (a.shotVersion ?? 1) === job.shotVersion));
  const notes: string[] = [];
  const queue = job.chain.filter((c) => !failures.exhausted(c.engineId));
  let attemptsThisRun = 0;
  /** Clips each engine made for this shot that the gate sent back: each retry there gets another seed. */
  const rejectedBy = new Map<string, number>();

  // A resumed shot first finishes what earlier processes left: the attempt one was
  // working on, and any submit whose outcome is unknown. Its take may answer this run
  // (a resumed render) or not (a regenerate asks for a new one).
  for (const left of history.filter((a) => ACTIVE_STATUSES.includes(a.status) || a.status === 'unknown')) {
    if (left.runId === job.runId) attemptsThisRun++;
    const candidate = job.chain.find((c) => c.engineId === left.engineId);
    const outcome = await withSlots(left.engineId, deps, signal, () => runTimed(left, job, deps, candidate, signal));
    const answered = job.takeMeetingRun();
    if (answered) return { status: 'accepted', attempt: answered };
    if (isHalting(outcome)) return { status: 'failed', reason: outcome.message };
    if (outcome.status === 'accepted' || outcome.status === 'collected') continue;
    await sleep(settle(outcome, queue, failures, deps, notes), signal);
  }

  while (queue.length > 0) {
    const lateClip = job.takeMeetingRun();
    if (lateClip) return { status: 'accepted', attempt: lateClip };
    if (attemptsThisRun >= deps.maxAttemptsPerShot) {
      notes.push(`gave up after ${deps.maxAttemptsPerShot} attempts`);
      break;
    }
    const candidate = await nextUsable(queue, deps, notes, signal);
    if (!candidate) break;
    const outcome = await withSlots(candidate.engineId, deps, signal, async () => {
      // While this shot queued, its engine may have been switched off or cooled down, or a
      // better one may have finished cooling: choose again rather than settle for less.
      if (firstUsable(queue, deps)?.engineId !== candidate.engineId) return null;
      // Reserve only once the slots are held, so shots waiting in line hold no money.
      const reserved = deps.attempts.reserve({
        episodeId: job.episodeId,
        shotId: job.shotId,
        engineId: candidate.engineId,
        mode: job.mode,
        request: withFreshSeed(job.buildRequest(candidate), rejectedBy.get(candidate.engineId) ?? 0),
        priceMicros: candidate.priceMicros,
        estimatedMicros: candidate.estimatedMicros,
        budgetMicros: job.budgetMicros,
        runId: job.runId,
        shotVersion: job.shotVersion,
      });
      if (!reserved.ok) {
        notes.push(`${candidate.engineId}: over budget (${formatUsd(reserved.neededMicros)} needed, ${formatUsd(reserved.leftMicros)} left)`);
        remove(queue, candidate.engineId);
        return null;
      }
      attemptsThisRun++;
      return runTimed(reserved.attempt, job, deps, candidate, signal);
    });
    if (outcome === null) continue;
    if (outcome.status === 'accepted') return outcome;
    if (outcome.status === 'collected') return { status: 'accepted', attempt: job.takeMeetingRun() ?? outcome.attempt };
    if (isHalting(outcome)) return { status: 'failed', reason: [...notes, outcome.message].join('; ') };
    // Checked before any await: `settle` must switch an engine or an account off before another shot can take the slot.
    if (isUnreachable(outcome, deps) && (await waitedForNetwork(outcome, queue, job, deps, signal))) {
      // Nothing reached the provider and nothing was spent: the try does not count against the shot or the engine.
      attemptsThisRun--;
      continue;
    }
    if (outcome.status === 'failed' && outcome.error.kind === 'quality_rejected') rejectedBy.set(outcome.attempt.engineId, (rejectedBy.get(outcome.attempt.engineId) ?? 0) + 1);
    await sleep(settle(outcome, queue, failures, deps, notes), signal);
  }
  return { status: 'failed', reason: notes.length ? notes.join('; ') : 'no engine could make this shot' };
}

/**
 * A clip the gate sent back for another try on the same engine (black, frozen, silent)
 * is asked for again with another seed: the same seed would make the same clip. A shot
 * without a seed gets the provider's own random one each time anyway.
 */
function withFreshSeed(request: GenerationRequest, rejections: number): GenerationRequest {
  if (rejections === 0 || request.seed === undefined) return request;
  return { ...request, seed: (request.seed + rejections * 7919) % 2_147_483_647 };
}

/**
 * A submit that could not reach its provider's host: when no engine left for the shot can
 * be reached either, the machine is offline (or every provider is down), and falling back
 * would only burn the chain. The shot waits until one answers, then tries again. Returns
 * false when the failure is an ordinary one (some engine answers), for `settle` to handle.
 */
function isUnreachable(outcome: AttemptOutcome, deps: ShotRunnerDeps): boolean {
  return Boolean(deps.network) && outcome.status === 'failed' && Boolean(outcome.error.details.unreachable);
}

async function waitedForNetwork(outcome: AttemptOutcome, queue: ChainCandidate[], job: ShotJob, deps: ShotRunnerDeps, signal: AbortSignal): Promise<boolean> {
  if (!deps.network || outcome.status !== 'failed') return false;
  const endpoints: URL[] = [];
  for (const candidate of queue) {
    const endpoint = deps.network.endpointOf(candidate.engineId);
    // An engine that needs no network (the animatic) can always take the shot.
    if (!endpoint) return false;
    endpoints.push(endpoint);
  }
  if (await deps.network.connectivity.anyReachable(endpoints, signal)) return false;
  const base = { episodeId: job.episodeId, shotId: job.shotId, type: 'shot' as const, engineId: outcome.attempt.engineId };
  deps.emit({ ...base, state: 'waiting_network', message: `no provider can be reached (${outcome.error.message}); waiting for the network` });
  await deps.network.connectivity.waitUntilReachable(endpoints, signal);
  deps.emit({ ...base, state: 'retrying', message: 'the providers can be reached again' });
  return true;
}

function isHalting(outcome: AttemptOutcome): outcome is Halting {
  return outcome.status === 'unknown' || outcome.status === 'deferred';
}

/**
 * Applies the policy to an attempt that did not make the shot: records health, cools
 * down or switches off, keeps or drops the engine. Returns how long to wait before the
 * next try; throws when the shot must stop.
 */
function settle(outcome: Exclude<AttemptOutcome, { status: 'accepted' } | Halting>, queue: ChainCandidate[], failures: FailureCounts, deps: ShotRunnerDeps, notes: string[]): number {
  const engineId = outcome.attempt.engineId;
  if (outcome.status === 'over_budget') {
    notes.push(`${engineId}: ${outcome.message}`);
    remove(queue, engineId);
    return 0;
  }
  if (outcome.status !== 'failed' && outcome.status !== 'timed_out') throw new Error(`unexpected ${outcome.status} outcome in a live run`);
  const { error } = outcome;
  notes.push(`${engineId}: ${error.kind}: ${error.message}`);
  const opened = deps.state.recordFailure(engineId, error.kind, error.message);
  if (opened) deps.emit({ episodeId: outcome.attempt.episodeId, shotId: outcome.attempt.shotId, type: 'log', message: `${engineId} is off for the rest of this run: ${opened}` });
  // A parked job is still alive: trying this engine again would pay for the shot twice.
  if (outcome.status === 'timed_out') failures.exhaust(engineId);
  const decision = decide({ kind: error.kind, failuresOfKind: failures.add(engineId, error.kind), retryAfterMs: error.details.retryAfterMs, backoff: deps.backoff, random: deps.random });
  if (decision.action === 'stop_shot') throw new CancelledError();
  if (decision.engineEffect === 'disable_provider_for_run') deps.state.disableProvider(engineId, `${error.kind}: ${error.message}`);
  // The gate judged this engine unable to make the shot (wrong size, length, off prompt): no same-engine retry.
  if (decision.action === 'next_engine' || failures.exhausted(engineId) || error.details.escalate) {
    failures.exhaust(engineId);
    remove(queue, engineId);
    return 0;
  }
  if (decision.engineEffect === 'cool_down') {
    // Not waited out here: nextUsable routes around the cooling engine meanwhile and comes back to it after.
    deps.state.coolDown(engineId, decision.delayMs, error.kind);
    return 0;
  }
  return decision.delayMs;
}

/**
 * The first queued engine that is neither switched off nor cooling down. When every
 * remaining engine is cooling, waits for the earliest to be usable again: cooling
 * delays an engine, it never drops it.
 */
async function nextUsable(queue: ChainCandidate[], deps: ShotRunnerDeps, notes: string[], signal: AbortSignal): Promise<ChainCandidate | undefined> {
  for (;;) {
    for (const candidate of [...queue]) {
      const disabled = deps.state.disabledReason(candidate.engineId);
      if (disabled) {
        notes.push(`${candidate.engineId}: off for this run (${disabled})`);
        remove(queue, candidate.engineId);
      }
    }
    if (queue.length === 0) return undefined;
    const usable = firstUsable(queue, deps);
    if (usable) return usable;
    const earliest = Math.min(...queue.map((c) => deps.state.coolingUntil(c.engineId)));
    await sleep(Math.max(1, earliest - deps.clock()), signal);
  }
}

/** The best-ranked engine that can be used right now (on, and not cooling down). */
function firstUsable(queue: ChainCandidate[], deps: ShotRunnerDeps): ChainCandidate | undefined {
  return queue.find((c) => !deps.state.disabledReason(c.engineId) && deps.state.coolingUntil(c.engineId) === 0);
}

/** Takes the engine's slots in a fixed order (no cycle, no deadlock), runs `work`, gives them back. */
async function withSlots<T>(engineId: string, deps: ShotRunnerDeps, signal: AbortSignal, work: () => Promise<T>): Promise<T> {
  const releases: (() => void)[] = [];
  try {
    for (const slots of deps.slots(engineId)) releases.push(await slots.acquire(signal));
    return await work();
  } finally {
    for (const release of releases.reverse()) release();
  }
}

async function runTimed(attempt: AttemptRecord, job: ShotJob, deps: ShotRunnerDeps, candidate: ChainCandidate | undefined, signal: AbortSignal): Promise<AttemptOutcome> {
  const started = deps.clock();
  const policy = { budgetMicros: job.budgetMicros, resubmitUnknown: job.resubmitUnknown, mode: 'live' as const };
  const outcome = await runAttempt(attempt, deps.engine(attempt.engineId), deps.limits(attempt.engineId, candidate), deps, policy, signal);
  if (outcome.status === 'accepted') deps.state.recordSuccess(attempt.engineId, deps.clock() - started);
  return outcome;
}

function remove(queue: ChainCandidate[], engineId: string): void {
  const index = queue.findIndex((c) => c.engineId === engineId);
  if (index >= 0) queue.splice(index, 1);
}

/**
 * Failures per engine and kind for one shot in this run. From earlier runs only what
 * stays true is carried over: an engine that refused the content or the request will
 * refuse it again (the policy table says which kinds), and an engine whose job is parked
 * still has that job alive (trying it again would pay twice). Transient failures get a
 * fresh chance on a new run.
 */
class FailureCounts {
  private readonly counts = new Map<string, number>();
  private readonly spent = new Set<string>();

  constructor(history: AttemptRecord[]) {
    for (const attempt of history) {
      const permanent = attempt.errorKind !== null && attempt.status !== 'timed_out' && policyFor(attempt.errorKind).permanentForShot;
      if (permanent || attempt.status === 'timed_out') this.exhaust(attempt.engineId);
    }
  }

  add(engineId: string, kind: ErrorKind): number {
    const key = `${engineId}\u0000${kind}`;
    const next = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, next);
    return next;
  }

  exhaust(engineId: string): void {
    this.spent.add(engineId);
  }

  exhausted(engineId: string): boolean {
    return this.spent.has(engineId);
  }
}
