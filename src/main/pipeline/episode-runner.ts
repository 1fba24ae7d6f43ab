/**
 * Runs (or resumes) one episode: plans the shots still to make, generates them in
 * parallel under a global and a per-engine concurrency limit, collects late results of
 * stalled jobs, and stitches what was accepted.
 */
import { setMaxListeners } from 'node:events';
import { existsSync } from 'node:fs';
import type { EngineSpec } from '../../shared/domain';
import { CancelledError, isAbortError } from '../../shared/errors';
import type { ProgressEvent, ShotPlanView } from '../../shared/api';
import type { Shot } from '../../shared/storyboard';
import type { Engine, GenerationRequest } from '../engines/engine';
import type { AttemptRecord, AttemptStore } from '../store/attempts';
import type { EpisodeRecord, EpisodeStore } from '../store/episodes';
import type { AttemptLimits, ClipGate, PipelineStep } from './attempt-runner';
import { DEFAULT_BACKOFF, type BackoffOptions } from './backoff';
import { collectLateResults } from './late-results';
import { RunEngineState, type HealthLog } from './run-state';
import { Semaphore } from './semaphore';
import { runShot, type ChainCandidate } from './shot-runner';

export interface PlannedShot {
  chain: ChainCandidate[];
  view: ShotPlanView;
}

/** Plans the given shots against the registry, the budget left and the engines disabled in this run. */
export type EpisodePlanner = (episode: EpisodeRecord, shots: Shot[], remainingBudgetMicros: number | null, disabled: Set<string>) => Map<string, PlannedShot>;

export interface StitchClip {
  shot: Shot;
  attempt: AttemptRecord;
}

export type EpisodeStitcher = (episode: EpisodeRecord, clips: StitchClip[], signal: AbortSignal, onProgress: (fraction: number) => void) => Promise<{ durationSeconds: number }>;

export interface EpisodeRunnerDeps {
  episodes: EpisodeStore;
  attempts: AttemptStore;
  health: HealthLog;
  engine: (engineId: string) => Engine;
  spec: (engineId: string) => EngineSpec;
  plan: EpisodePlanner;
  buildRequest: (episode: EpisodeRecord, shot: Shot, candidate: ChainCandidate) => GenerationRequest;
  gate: ClipGate;
  stitch: EpisodeStitcher;
  mediaDir: string;
  clock: () => number;
  random: () => number;
  emit: (event: ProgressEvent) => void;
  onStep?: (step: PipelineStep, attempt: AttemptRecord) => void | Promise<void>;
  isProcessAlive: (pid: number) => boolean;
}

export interface RunOptions {
  concurrency: number;
  strict: boolean;
  signal: AbortSignal;
  backoff?: BackoffOptions;
  maxAttemptsPerShot?: number;
  /** How long a job may run before it counts as stalled; default: 4x its expected latency, at least 2 minutes. */
  stallTimeoutMs?: (spec: EngineSpec, expectedLatencyMs: number) => number;
}

export interface EpisodeRunResult {
  episodeId: string;
  /** partial: stitched without the shots that failed. */
  status: 'completed' | 'partial' | 'failed';
  stitched: boolean;
  durationSeconds: number | null;
  failedShots: { shotId: string; reason: string }[];
  plans: Map<string, PlannedShot>;
}

export async function runEpisode(episodeId: string, deps: EpisodeRunnerDeps, options: RunOptions): Promise<EpisodeRunResult> {
  const { signal } = options;
  // Every waiting shot listens for Cancel on the same signal; that is expected, not a leak.
  setMaxListeners(0, signal);
  deps.episodes.claim(episodeId, process.pid, deps.isProcessAlive);
  const episode = deps.episodes.get(episodeId);
  const state = new RunEngineState(deps.health, deps.clock);
  const shotsById = new Map(episode.storyboard.shots.map((shot) => [shot.id, shot]));
  try {
    const todo = deps.episodes.shots(episodeId).filter((record) => !(record.status === 'accepted' && clipStillThere(deps.attempts, record.acceptedAttemptId)));
    const money = deps.attempts.ledger.episodeMoney(episodeId);
    const remaining = episode.budgetMicros === null ? null : episode.budgetMicros - money.committedMicros;
    const todoShots = todo.map((r) => shotsById.get(r.shotId)!);
    const plans = deps.plan(episode, todoShots, remaining, state.disabledEngines());
    for (const record of todo) deps.episodes.setShotPlan(episodeId, record.shotId, plans.get(record.shotId)?.view ?? null);

    await generateShots(episode, todoShots, plans, state, deps, options);
    await collectLateResults(episode, deps, signal);

    const failedShots = deps.episodes
      .shots(episodeId)
      .filter((s) => s.status !== 'accepted')
      .map((s) => ({ shotId: s.shotId, reason: s.failureReason ?? 'not made' }));
    const accepted = acceptedClips(episode, deps);
    if (accepted.length === 0 || (options.strict && failedShots.length > 0)) {
      const why = accepted.length === 0 ? 'no shot was accepted' : `--strict: ${failedShots.length} shot(s) failed`;
      deps.episodes.setStatus(episodeId, 'failed', why);
      deps.emit({ episodeId, type: 'episode', state: 'done', message: why });
      return { episodeId, status: 'failed', stitched: false, durationSeconds: null, failedShots, plans };
    }
    deps.episodes.setStatus(episodeId, 'stitching');
    deps.emit({ episodeId, type: 'stitch', state: 'stitching', progress: 0 });
    const stitched = await deps.stitch(episode, accepted, signal, (fraction) => deps.emit({ episodeId, type: 'stitch', state: 'stitching', progress: fraction }));
    const status = failedShots.length > 0 ? 'partial' : 'completed';
    deps.episodes.setStatus(episodeId, 'completed', failedShots.length ? `${failedShots.length} shot(s) failed and were left out` : null);
    deps.emit({ episodeId, type: 'episode', state: 'done' });
    return { episodeId, status, stitched: true, durationSeconds: stitched.durationSeconds, failedShots, plans };
  } catch (error) {
    if (isAbortError(error) || signal.aborted) {
      deps.episodes.setStatus(episodeId, 'cancelled', 'cancelled by the user');
      throw error instanceof CancelledError ? error : new CancelledError();
    }
    // Leave the episode 'running': its attempts are persisted and `resume` continues it.
    throw error;
  }
}

async function generateShots(
  episode: EpisodeRecord,
  shots: Shot[],
  plans: Map<string, PlannedShot>,
  state: RunEngineState,
  deps: EpisodeRunnerDeps,
  options: RunOptions,
): Promise<void> {
  const globalSlots = new Semaphore(options.concurrency);
  const engineSlots = new Map<string, Semaphore>();
  const slotsFor = (engineId: string) => {
    let slots = engineSlots.get(engineId);
    if (!slots) engineSlots.set(engineId, (slots = new Semaphore(Math.max(1, deps.spec(engineId).concurrency))));
    return slots;
  };
  const stallTimeout = options.stallTimeoutMs ?? ((_spec, expected) => Math.max(120_000, expected * 4));
  const limits = (engineId: string, candidate: ChainCandidate | undefined): AttemptLimits => {
    const spec = deps.spec(engineId);
    return { pollIntervalMs: spec.pollIntervalMs, stallTimeoutMs: stallTimeout(spec, candidate?.expectedLatencyMs ?? 60_000) };
  };
  // Announced in storyboard order, so progress views list shots the way the user wrote them.
  for (const shot of shots) deps.emit({ episodeId: episode.id, shotId: shot.id, type: 'shot', state: 'pending' });
  // Longest expected job first: with a fixed number of slots this keeps the makespan
  // close to ideal (LPT scheduling) instead of leaving one long shot for the end.
  const ordered = [...shots].sort((a, b) => expectedLatency(plans, b) - expectedLatency(plans, a));
  const results = await Promise.allSettled(
    ordered.map(async (shot) => {
      const plan = plans.get(shot.id);
      deps.episodes.setShotStatus(episode.id, shot.id, 'running');
      deps.emit({ episodeId: episode.id, shotId: shot.id, type: 'shot', state: 'running' });
      const outcome = await runShot(
        {
          episodeId: episode.id,
          shotId: shot.id,
          mode: episode.mode,
          budgetMicros: episode.budgetMicros,
          chain: plan?.chain ?? [],
          buildRequest: (candidate) => deps.buildRequest(episode, shot, candidate),
        },
        {
          ...deps,
          limits,
          state,
          globalSlots,
          engineSlots: slotsFor,
          backoff: options.backoff ?? DEFAULT_BACKOFF,
          maxAttemptsPerShot: options.maxAttemptsPerShot ?? 12,
        },
        options.signal,
      );
      if (outcome.status === 'failed') {
        const reason = plan && plan.chain.length === 0 ? noEngineReason(plan.view) : outcome.reason;
        deps.episodes.setShotStatus(episode.id, shot.id, 'failed', reason);
        deps.emit({ episodeId: episode.id, shotId: shot.id, type: 'shot', state: 'failed', message: reason });
      } else {
        deps.emit({ episodeId: episode.id, shotId: shot.id, type: 'shot', state: 'accepted', engineId: outcome.attempt.engineId });
      }
    }),
  );
  const crashed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (crashed) throw crashed.reason;
}

function expectedLatency(plans: Map<string, PlannedShot>, shot: Shot): number {
  return plans.get(shot.id)?.chain[0]?.expectedLatencyMs ?? 0;
}

function noEngineReason(view: ShotPlanView): string {
  if (view.rejections.length === 0) return 'no engine could make this shot';
  return `no engine can make this shot: ${view.rejections.map((r) => r.reason).join('; ')}`;
}

function clipStillThere(attempts: AttemptStore, attemptId: string | null): boolean {
  if (!attemptId) return false;
  const attempt = attempts.get(attemptId);
  return attempt.clipPath !== null && existsSync(attempt.clipPath);
}

function acceptedClips(episode: EpisodeRecord, deps: EpisodeRunnerDeps): StitchClip[] {
  const shots = new Map(episode.storyboard.shots.map((shot) => [shot.id, shot]));
  return deps.episodes
    .shots(episode.id)
    .filter((record) => record.status === 'accepted' && record.acceptedAttemptId)
    .map((record) => ({ shot: shots.get(record.shotId)!, attempt: deps.attempts.get(record.acceptedAttemptId!) }));
}
