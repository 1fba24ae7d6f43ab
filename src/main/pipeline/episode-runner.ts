/**
 * Runs (or resumes) one episode: plans the shots still to make, generates them in
 * parallel under the run's, each provider account's and each engine's concurrency
 * limits, collects jobs parked earlier, and stitches what was accepted.
 */
import { setMaxListeners } from 'node:events';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { ProviderSpec, EngineSpec } from '../../shared/domain';
import { CancelledError, isAbortError } from '../../shared/errors';
import type { ProgressEvent, ShotPlanView } from '../../shared/api';
import type { Micros } from '../../shared/money';
import type { Shot } from '../../shared/storyboard';
import type { GuardedEngine } from '../engines/boundary';
import type { GenerationRequest } from '../engines/engine';
import type { StitchSummary } from '../media/stitch/index';
import { ACTIVE_STATUSES, type AttemptRecord, type AttemptStore } from '../store/attempts';
import type { RunRecord } from '../store/runs';
import { selectedTake, type ShotTakes, type TakeStore } from '../store/takes';
import type { EpisodeRecord, EpisodeStore } from '../store/episodes';
import { currentRunner, HEARTBEAT_INTERVAL_MS } from '../store/runner-identity';
import { clipStat, sha256Of, type AttemptLimits, type AttemptRunnerDeps, type ClipGate, type PipelineStep } from './attempt/run-attempt';
import { DEFAULT_BACKOFF, type BackoffOptions } from './backoff';
import { collectLateResults, watchLateResults } from './late-results';
import { RunEngineState, type HealthLog } from './run-state';
import { Semaphore } from './semaphore';
import { runShot, type ChainCandidate, type ShotRunnerDeps } from './shot-runner';
import { shotsToGenerate, takeMeetingRun } from './run-needs';
import { runSpec } from './run-preflight';
import type { ExportSigning } from './sign-step';

export interface PlannedShot {
  chain: ChainCandidate[];
  view: ShotPlanView;
}

/** Plans the given shots against the registry, the budget left and the provider accounts switched off in this run. */
export type EpisodePlanner = (episode: EpisodeRecord, shots: Shot[], remainingBudgetMicros: Micros | null, disabled: Set<string>) => Map<string, PlannedShot>;

export interface StitchClip {
  shot: Shot;
  attempt: AttemptRecord;
}

export type EpisodeStitcher = (
  episode: EpisodeRecord,
  clips: StitchClip[],
  signal: AbortSignal,
  onProgress: (fraction: number, etaSeconds?: number | null) => void,
) => Promise<StitchedEpisode>;

export interface StitchedEpisode {
  durationSeconds: number;
  /** Encoder, scaling and loudness, for the report; absent from the test stitchers. */
  summary?: StitchSummary;
}

export interface EpisodeRunnerDeps {
  episodes: EpisodeStore;
  attempts: AttemptStore;
  takes: TakeStore;
  health: HealthLog;
  engine: (engineId: string) => GuardedEngine;
  spec: (engineId: string) => EngineSpec;
  provider: (engineId: string) => ProviderSpec;
  plan: EpisodePlanner;
  buildRequest: (episode: EpisodeRecord, shot: Shot, candidate: ChainCandidate) => GenerationRequest;
  gate: ClipGate;
  recordGate: AttemptRunnerDeps['recordGate'];
  stitch: EpisodeStitcher;
  /** Content credentials (sign-step.ts); absent when signing is off (--no-sign). */
  signing?: RunSigning;
  mediaDir: string;
  clock: () => number;
  random: () => number;
  emit: (event: ProgressEvent) => void;
  onStep?: (step: PipelineStep, attempt: AttemptRecord) => void | Promise<void>;
  /** Offline-first: shots wait while no provider they could use can be reached (shot-runner.ts). */
  network?: ShotRunnerDeps['network'];
}

/** Signing as the runner sees it: each take once accepted, and the episode once stitched. */
export interface RunSigning {
  signTake(attempt: AttemptRecord, episode: EpisodeRecord, signal: AbortSignal): Promise<unknown>;
  signExport(episode: EpisodeRecord, clips: StitchClip[], signal: AbortSignal): Promise<ExportSigning>;
}

export interface RunOptions {
  concurrency: number;
  strict: boolean;
  signal: AbortSignal;
  /** Generate again shots whose submit outcome is unknown (the user accepts that the provider may bill twice). */
  resubmitUnknown?: boolean;
  backoff?: BackoffOptions;
  maxAttemptsPerShot?: number;
  /** How long a job may run before it counts as stalled; default: 4x its expected latency, at least 2 minutes. */
  stallTimeoutMs?: (spec: EngineSpec, expectedLatencyMs: number) => number;
}

export interface EpisodeRunResult {
  episodeId: string;
  run: RunRecord;
  /** partial: stitched without the shots that failed. */
  status: 'completed' | 'partial' | 'failed';
  stitched: boolean;
  durationSeconds: number | null;
  failedShots: { shotId: string; reason: string }[];
  plans: Map<string, PlannedShot>;
  /** The episode file's content credentials; null when it was not stitched or signing is off. */
  exportSigning?: ExportSigning | null;
  /** How the episode file was made; absent when it was not stitched. */
  stitch?: StitchSummary;
}

export async function runEpisode(episodeId: string, deps: EpisodeRunnerDeps, options: RunOptions): Promise<EpisodeRunResult> {
  const { signal } = options;
  // Every waiting shot listens for Cancel on the same signal; that is expected, not a leak.
  setMaxListeners(0, signal);
  const runner = currentRunner();
  deps.episodes.claim(episodeId, runner);
  const heartbeat = setInterval(() => deps.episodes.heartbeat(episodeId, runner), HEARTBEAT_INTERVAL_MS);
  heartbeat.unref();
  try {
    return await runClaimed(deps.episodes.get(episodeId), deps, options);
  } finally {
    clearInterval(heartbeat);
    deps.episodes.release(episodeId, runner);
  }
}

async function runClaimed(episode: EpisodeRecord, deps: EpisodeRunnerDeps, options: RunOptions): Promise<EpisodeRunResult> {
  const { signal } = options;
  const episodeId = episode.id;
  const run = deps.episodes.runs.current(episodeId);
  const state = new RunEngineState(deps.health, (engineId) => deps.spec(engineId).provider, deps.clock);
  const shotsById = new Map(episode.storyboard.shots.map((shot) => [shot.id, shot]));
  try {
    await reopenLostClips(episode, deps, signal);
    const shots = deps.takes.shots(episodeId);
    const generate = shotsToGenerate(run, shots);
    const work = [...generate.map((shot) => workOf(shot, run, shotsById, false)), ...unfinishedElsewhere(episodeId, shots, generate, deps).map((shot) => workOf(shot, run, shotsById, true))];
    const plans = deps.plan(episode, work.filter((w) => !w.finishOnly).map((w) => w.spec), deps.attempts.budgetLeft(episodeId, episode.budgetMicros), state.disabledProviderIds());
    for (const shot of generate) deps.episodes.setShotPlan(episodeId, shot.shotId, plans.get(shot.shotId)?.view ?? null);

    // Jobs parked by a stall are watched while the other shots generate: a late clip is used the moment it exists.
    const watcher = watchLateResults(episode, deps, episode.budgetMicros, signal);
    try {
      await generateShots(episode, run, work, plans, state, deps, options);
    } finally {
      await watcher.stop();
    }
    await collectLateResults(episode, deps, episode.budgetMicros, signal);
    if (run.kind === 'regenerate') return finishRegenerate(episode, run, deps, plans);

    const reasons = new Map(deps.episodes.shots(episodeId).map((s) => [s.shotId, s.failureReason]));
    const after = deps.takes.shots(episodeId);
    const accepted = after.flatMap((s) => {
      const take = selectedTake(s);
      return take ? [{ shot: shotsById.get(s.shotId) ?? s.spec, attempt: take.attempt }] : [];
    });
    // Left out for want of a take, or made from an earlier take because this run could not make its own (a final that failed keeps its preview).
    const asked = new Set(generate.map((g) => g.shotId));
    const failedShots = after.flatMap((s) => {
      const kept = selectedTake(s);
      if (kept && !(asked.has(s.shotId) && !takeMeetingRun(run, s))) return [];
      const reason = reasons.get(s.shotId) ?? 'not made';
      return [{ shotId: s.shotId, reason: kept ? `${reason}; take ${kept.takeNo} (${kept.mode}) was used instead` : reason }];
    });
    if (accepted.length === 0 || (options.strict && failedShots.length > 0)) {
      const why = accepted.length === 0 ? 'no shot was accepted' : `--strict: ${failedShots.length} shot(s) failed`;
      deps.episodes.setStatus(episodeId, 'failed', why);
      deps.emit({ episodeId, type: 'episode', state: 'done', message: why });
      return { episodeId, run, status: 'failed', stitched: false, durationSeconds: null, failedShots, plans };
    }
    deps.episodes.setStatus(episodeId, 'stitching');
    deps.emit({ episodeId, type: 'stitch', state: 'stitching', progress: 0 });
    const stitched = await stitch(episode, accepted, deps, signal);
    const exportSigning = deps.signing ? await deps.signing.signExport(episode, accepted, signal) : null;
    deps.episodes.recordStitch(episodeId, { outputPath: episode.outputPath, takes: Object.fromEntries(accepted.map((c) => [c.shot.id, c.attempt.id])) });
    const status = failedShots.length > 0 ? 'partial' : 'completed';
    deps.episodes.setStatus(episodeId, 'completed', failedShots.length ? `${failedShots.length} shot(s) not made in this run: left out, or an earlier take used` : null);
    deps.episodes.runs.finish(run.id);
    deps.emit({ episodeId, type: 'episode', state: 'done' });
    return { episodeId, run, status, stitched: true, durationSeconds: stitched.durationSeconds, failedShots, plans, exportSigning, ...(stitched.summary ? { stitch: stitched.summary } : {}) };
  } catch (error) {
    if (isAbortError(error) || signal.aborted) {
      deps.episodes.setStatus(episodeId, 'cancelled', 'cancelled by the user');
      throw error instanceof CancelledError ? error : new CancelledError();
    }
    // Left 'running': its attempts are persisted and `resume` continues it.
    throw error;
  }
}

/** A regenerate ends with its new takes (selected, not stitched: the filmmaker compares them first). */
function finishRegenerate(episode: EpisodeRecord, run: RunRecord, deps: EpisodeRunnerDeps, plans: Map<string, PlannedShot>): EpisodeRunResult {
  const reasons = new Map(deps.episodes.shots(episode.id).map((s) => [s.shotId, s.failureReason]));
  const failedShots = deps.takes
    .shots(episode.id)
    .filter((shot) => run.shotIds?.includes(shot.shotId) && !takeMeetingRun(run, shot))
    .map((shot) => ({ shotId: shot.shotId, reason: reasons.get(shot.shotId) ?? 'not made' }));
  const why = failedShots.length ? `regenerate: ${failedShots.map((f) => f.shotId).join(', ')} not made` : null;
  deps.episodes.setStatus(episode.id, failedShots.length ? 'failed' : 'completed', why);
  if (!failedShots.length) deps.episodes.runs.finish(run.id);
  deps.emit({ episodeId: episode.id, type: 'episode', state: 'done', ...(why ? { message: why } : {}) });
  return { episodeId: episode.id, run, status: failedShots.length ? 'failed' : 'completed', stitched: false, durationSeconds: null, failedShots, plans };
}

/** One shot of a run: what to make (with a regenerate's engine pin and seed), or only what to finish. */
interface ShotWork {
  spec: Shot;
  version: number;
  /** Only an earlier run's unfinished (paid) job of this shot is carried on; nothing new is started. */
  finishOnly: boolean;
}

function workOf(shot: ShotTakes, run: RunRecord, specs: Map<string, Shot>, finishOnly: boolean): ShotWork {
  return { spec: runSpec(run, specs.get(shot.shotId) ?? shot.spec), version: shot.version, finishOnly };
}

/** Shots this run does not make that still have a job of an earlier run in flight: it is finished (and kept as a take), never dropped. */
function unfinishedElsewhere(episodeId: string, shots: ShotTakes[], generate: ShotTakes[], deps: EpisodeRunnerDeps): ShotTakes[] {
  const generating = new Set(generate.map((s) => s.shotId));
  const open = new Set(deps.attempts.forEpisode(episodeId, [...ACTIVE_STATUSES, 'unknown']).map((a) => a.shotId));
  return shots.filter((s) => open.has(s.shotId) && !generating.has(s.shotId));
}

/** A stitch that fails (a full disk, a bad clip) fails the episode with the reason; `resume` stitches again without generating. */
async function stitch(episode: EpisodeRecord, clips: StitchClip[], deps: EpisodeRunnerDeps, signal: AbortSignal): Promise<StitchedEpisode> {
  try {
    return await deps.stitch(episode, clips, signal, (fraction, eta) =>
      deps.emit({ episodeId: episode.id, type: 'stitch', state: 'stitching', progress: fraction, ...(eta != null ? { etaSeconds: Math.ceil(eta) } : {}) }),
    );
  } catch (error) {
    if (!(isAbortError(error) || signal.aborted)) deps.episodes.setStatus(episode.id, 'failed', `stitching failed: ${(error as Error).message}`);
    throw error;
  }
}

async function generateShots(
  episode: EpisodeRecord,
  run: RunRecord,
  work: ShotWork[],
  plans: Map<string, PlannedShot>,
  state: RunEngineState,
  deps: EpisodeRunnerDeps,
  options: RunOptions,
): Promise<void> {
  const slots = new SlotBook(options.concurrency, deps);
  const stallTimeout = options.stallTimeoutMs ?? ((_spec, expected) => Math.max(120_000, expected * 4));
  const limits = (engineId: string, candidate: ChainCandidate | undefined): AttemptLimits => {
    const spec = deps.spec(engineId);
    return { pollIntervalMs: spec.pollIntervalMs, stallTimeoutMs: stallTimeout(spec, candidate?.expectedLatencyMs ?? 60_000) };
  };
  const made = work.filter((w) => !w.finishOnly);
  // Announced in storyboard order, so progress views list shots the way the user wrote them.
  for (const { spec } of made) deps.emit({ episodeId: episode.id, shotId: spec.id, type: 'shot', state: 'pending' });
  // Longest expected job first: with a fixed number of slots this keeps the makespan
  // close to ideal (LPT scheduling) instead of leaving one long shot for the end.
  const ordered = [...work].sort((a, b) => expectedLatency(plans, b.spec) - expectedLatency(plans, a.spec));
  const results = await Promise.allSettled(
    ordered.map(async ({ spec: shot, version, finishOnly }) => {
      const plan = finishOnly ? undefined : plans.get(shot.id);
      const takeMeeting = () => (finishOnly ? undefined : takeMeetingRun(run, deps.takes.shot(episode.id, shot.id))?.attempt);
      if (!finishOnly) {
        deps.episodes.setShotStatus(episode.id, shot.id, 'running');
        deps.emit({ episodeId: episode.id, shotId: shot.id, type: 'shot', state: 'running' });
      }
      const outcome = await runShot(
        {
          episodeId: episode.id,
          shotId: shot.id,
          runId: run.id,
          shotVersion: version,
          mode: run.mode,
          budgetMicros: episode.budgetMicros,
          resubmitUnknown: options.resubmitUnknown ?? false,
          chain: plan?.chain ?? [],
          buildRequest: (candidate) => deps.buildRequest(episode, shot, candidate),
          takeMeetingRun: takeMeeting,
        },
        {
          ...attemptDepsOf(deps),
          engine: deps.engine,
          limits,
          state,
          slots: (engineId) => slots.forEngine(engineId),
          backoff: options.backoff ?? DEFAULT_BACKOFF,
          maxAttemptsPerShot: options.maxAttemptsPerShot ?? 12,
          ...(deps.network ? { network: deps.network } : {}),
        },
        options.signal,
      );
      if (finishOnly) return;
      // A parked job of this shot may have delivered meanwhile (the watcher accepted it): that clip stands.
      if (outcome.status === 'failed' && !takeMeeting()) {
        const reason = plan && plan.chain.length === 0 ? noEngineReason(plan.view) : outcome.reason;
        deps.episodes.setShotStatus(episode.id, shot.id, 'failed', reason);
        deps.emit({ episodeId: episode.id, shotId: shot.id, type: 'shot', state: 'failed', message: reason });
      } else if (outcome.status === 'accepted') {
        // Signed once accepted (never failing the shot: an unsigned take is recorded with its reason).
        await deps.signing?.signTake(outcome.attempt, episode, options.signal);
        deps.emit({ episodeId: episode.id, shotId: shot.id, type: 'shot', state: 'accepted', engineId: outcome.attempt.engineId });
      }
    }),
  );
  const crashed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (crashed) throw crashed.reason;
}

/** What an attempt needs from the episode's dependencies: money held for a lost job lasts as long as its provider keeps jobs. */
export function attemptDepsOf(deps: EpisodeRunnerDeps): AttemptRunnerDeps {
  return { ...deps, retentionMs: (engineId) => deps.provider(engineId).outputRetentionHours * 3_600_000 };
}

/** The run's concurrency slots: one pool per engine, per provider account, and for the whole run. */
class SlotBook {
  private readonly run: Semaphore;
  private readonly pools = new Map<string, Semaphore>();

  constructor(
    concurrency: number,
    private readonly deps: Pick<EpisodeRunnerDeps, 'spec' | 'provider'>,
  ) {
    this.run = new Semaphore(concurrency);
  }

  /** In the order they must be taken: engine, provider, run. */
  forEngine(engineId: string): Semaphore[] {
    const spec = this.deps.spec(engineId);
    return [this.pool(`engine:${engineId}`, spec.concurrency), this.pool(`provider:${spec.provider}`, this.deps.provider(engineId).concurrency), this.run];
  }

  private pool(key: string, capacity: number): Semaphore {
    let pool = this.pools.get(key);
    if (!pool) this.pools.set(key, (pool = new Semaphore(Math.max(1, capacity))));
    return pool;
  }
}

function expectedLatency(plans: Map<string, PlannedShot>, shot: Shot): number {
  return plans.get(shot.id)?.chain[0]?.expectedLatencyMs ?? 0;
}

function noEngineReason(view: ShotPlanView): string {
  if (view.rejections.length === 0) return 'no engine could make this shot';
  return `no engine can make this shot: ${view.rejections.map((r) => r.reason).join('; ')}`;
}

/**
 * Accepted clips are reused only when the file on disk still has the checksum it was
 * accepted with. One that is gone or changed is fetched again from its paid job, never
 * generated again (unless the provider no longer has it).
 */
async function reopenLostClips(episode: EpisodeRecord, deps: EpisodeRunnerDeps, signal: AbortSignal): Promise<void> {
  for (const record of deps.episodes.shots(episode.id)) {
    if (!record.selectedTakeId) continue;
    const attempt = deps.attempts.get(record.selectedTakeId);
    if (attempt.status !== 'accepted') continue;
    if (await clipIntact(attempt, deps, signal)) continue;
    deps.emit({ episodeId: episode.id, shotId: record.shotId, type: 'log', message: `the clip of ${record.shotId} is missing or changed on disk; fetching it again from job ${attempt.providerJobId}` });
    // The changed file must not pass for a finished download.
    if (attempt.clipPath !== null) await rm(attempt.clipPath, { force: true });
    deps.attempts.markClipLost(attempt.id);
  }
}

/** Same size and time as when it was checksummed: unchanged. Otherwise the checksum decides (and is noted for next time). */
async function clipIntact(attempt: AttemptRecord, deps: EpisodeRunnerDeps, signal: AbortSignal): Promise<boolean> {
  if (attempt.clipPath === null || !existsSync(attempt.clipPath)) return false;
  const current = await clipStat(attempt.clipPath);
  if (current === attempt.clipStat) return true;
  if ((await sha256Of(attempt.clipPath, signal)) !== attempt.clipSha256) return false;
  deps.attempts.noteClipStat(attempt.id, current);
  return true;
}
