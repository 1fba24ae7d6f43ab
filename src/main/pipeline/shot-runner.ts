/**
 * Walks one shot's fallback chain until a clip is accepted or the chain is spent.
 * The error policy (policy.ts) decides between retrying the same engine, moving on,
 * cooling an engine down or disabling it; this module only carries that out.
 */
import { CancelledError } from '../../shared/errors';
import { formatUsd } from '../../shared/money';
import type { ErrorKind } from '../../shared/errors';
import type { Engine, GenerationRequest } from '../engines/engine';
import type { AttemptRecord, AttemptStore } from '../store/attempts';
import { sleep } from './abortable';
import { runAttempt, type AttemptLimits, type AttemptOutcome, type AttemptRunnerDeps } from './attempt-runner';
import type { BackoffOptions } from './backoff';
import { decide } from './policy';
import type { RunEngineState } from './run-state';
import type { Semaphore } from './semaphore';

/** One engine in a shot's chain, as the router planned it. */
export interface ChainCandidate {
  engineId: string;
  durationSeconds: number;
  resolution: GenerationRequest['resolution'];
  estimatedMicros: number;
  expectedLatencyMs: number;
}

export interface ShotJob {
  episodeId: string;
  shotId: string;
  mode: string;
  budgetMicros: number | null;
  chain: ChainCandidate[];
  buildRequest: (candidate: ChainCandidate) => GenerationRequest;
}

export interface ShotRunnerDeps extends AttemptRunnerDeps {
  attempts: AttemptStore;
  engine: (engineId: string) => Engine;
  limits: (engineId: string, candidate: ChainCandidate | undefined) => AttemptLimits;
  state: RunEngineState;
  globalSlots: Semaphore;
  engineSlots: (engineId: string) => Semaphore;
  backoff: BackoffOptions;
  maxAttemptsPerShot: number;
}

export type ShotOutcome = { status: 'accepted'; attempt: AttemptRecord } | { status: 'failed'; reason: string };

export async function runShot(job: ShotJob, deps: ShotRunnerDeps, signal: AbortSignal): Promise<ShotOutcome> {
  const history = deps.attempts.forShot(job.episodeId, job.shotId);
  const failures = new FailureCounts(history);
  const notes: string[] = [];
  const queue = job.chain.filter((c) => !failures.exhausted(c.engineId));

  // A resumed shot first finishes the attempt the previous process left open.
  const open = history.find((a) => a.status === 'reserved' || a.status === 'submitted' || a.status === 'downloaded');
  if (open) {
    const release = await acquireSlots(open.engineId, deps, signal);
    const outcome = await runTimed(open, deps, job.chain.find((c) => c.engineId === open.engineId), signal).finally(release);
    if (outcome.status === 'accepted') return outcome;
    await sleep(settleFailure(outcome, queue, failures, deps, notes), signal);
  }

  let attemptsThisRun = open ? 1 : 0;
  while (queue.length > 0) {
    if (attemptsThisRun >= deps.maxAttemptsPerShot) {
      notes.push(`gave up after ${deps.maxAttemptsPerShot} attempts`);
      break;
    }
    const candidate = await nextUsable(queue, deps, notes, signal);
    if (!candidate) break;
    const release = await acquireSlots(candidate.engineId, deps, signal);
    let outcome: AttemptOutcome;
    try {
      // The engine may have been disabled or cooled down while this shot queued for it.
      if (deps.state.disabledReason(candidate.engineId) || deps.state.coolingUntil(candidate.engineId) > 0) continue;
      // Reserve only once a slot is held, so shots waiting in line hold no money.
      const reserved = deps.attempts.reserve({
        episodeId: job.episodeId,
        shotId: job.shotId,
        engineId: candidate.engineId,
        mode: job.mode,
        request: job.buildRequest(candidate),
        estimatedMicros: candidate.estimatedMicros,
        budgetMicros: job.budgetMicros,
      });
      if (!reserved.ok) {
        notes.push(`${candidate.engineId}: over budget (${formatUsd(reserved.neededMicros)} needed, ${formatUsd(reserved.leftMicros)} left)`);
        remove(queue, candidate.engineId);
        continue;
      }
      attemptsThisRun++;
      outcome = await runTimed(reserved.attempt, deps, candidate, signal);
    } finally {
      release();
    }
    if (outcome.status === 'accepted') return outcome;
    await sleep(settleFailure(outcome, queue, failures, deps, notes), signal);
  }
  return { status: 'failed', reason: notes.length ? notes.join('; ') : 'no engine could make this shot' };
}

/**
 * Applies the policy to a failed attempt: records health, cools down or disables the
 * engine, and keeps or drops it from the queue. Returns how long to wait before the
 * next try; throws when the shot must stop.
 */
function settleFailure(outcome: Exclude<AttemptOutcome, { status: 'accepted' }>, queue: ChainCandidate[], failures: FailureCounts, deps: ShotRunnerDeps, notes: string[]): number {
  const { attempt, error } = outcome;
  const engineId = attempt.engineId;
  deps.state.recordFailure(engineId, error.kind);
  const count = failures.add(engineId, error.kind);
  const decision = decide({ kind: error.kind, failuresOfKind: count, retryAfterMs: error.details.retryAfterMs, backoff: deps.backoff, random: deps.random });
  notes.push(`${engineId}: ${error.kind}: ${error.message}`);
  if (decision.action === 'stop_shot') throw new CancelledError();
  if (decision.engineEffect === 'disable_for_run') deps.state.disable(engineId, `${error.kind}: ${error.message}`);
  if (decision.action === 'next_engine') {
    failures.exhaust(engineId);
    remove(queue, engineId);
    return 0;
  }
  if (decision.engineEffect === 'cool_down') {
    // Not waited out here: nextUsable routes around the cooling engine meanwhile.
    deps.state.coolDown(engineId, decision.delayMs);
    return 0;
  }
  return decision.delayMs;
}

/**
 * The first queued engine that is neither disabled nor cooling down. When every
 * remaining engine is cooling, waits for the earliest to be usable again.
 */
async function nextUsable(queue: ChainCandidate[], deps: ShotRunnerDeps, notes: string[], signal: AbortSignal): Promise<ChainCandidate | undefined> {
  for (;;) {
    for (const candidate of [...queue]) {
      const disabled = deps.state.disabledReason(candidate.engineId);
      if (disabled) {
        notes.push(`${candidate.engineId}: disabled for this run (${disabled})`);
        remove(queue, candidate.engineId);
      }
    }
    if (queue.length === 0) return undefined;
    const usable = queue.find((c) => deps.state.coolingUntil(c.engineId) === 0);
    if (usable) return usable;
    const earliest = Math.min(...queue.map((c) => deps.state.coolingUntil(c.engineId)));
    await sleep(Math.max(1, earliest - deps.clock()), signal);
  }
}

/**
 * Engine slot first, global slot second, always in that order: no cycle, no deadlock,
 * and a shot waiting for a busy engine does not hold a global slot.
 */
async function acquireSlots(engineId: string, deps: ShotRunnerDeps, signal: AbortSignal): Promise<() => void> {
  const releaseEngine = await deps.engineSlots(engineId).acquire(signal);
  try {
    const releaseGlobal = await deps.globalSlots.acquire(signal);
    return () => {
      releaseGlobal();
      releaseEngine();
    };
  } catch (error) {
    releaseEngine();
    throw error;
  }
}

async function runTimed(attempt: AttemptRecord, deps: ShotRunnerDeps, candidate: ChainCandidate | undefined, signal: AbortSignal): Promise<AttemptOutcome> {
  const started = deps.clock();
  const outcome = await runAttempt(attempt, deps.engine(attempt.engineId), deps.limits(attempt.engineId, candidate), deps, signal);
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
 * refuse it again, and an engine whose job timed out still has that job alive (trying
 * it again would pay twice). Transient failures get a fresh chance on a new run.
 */
class FailureCounts {
  private readonly counts = new Map<string, number>();
  private readonly spent = new Set<string>();

  constructor(history: AttemptRecord[]) {
    for (const attempt of history) {
      const permanent = attempt.errorKind === 'content_policy' || attempt.errorKind === 'invalid_request';
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
