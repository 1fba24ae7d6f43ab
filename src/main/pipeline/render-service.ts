/**
 * Rendering as a service: turns a storyboard file and options into an episode (new, or
 * the one this storyboard already has), checks everything that can be checked before
 * money moves, runs it, and reports. The CLI and the Studio API both go through here.
 *
 * Single flight: an episode runs at most once at a time. A second start in this process
 * joins the running one (same report, and Cancel reaches it); a start in another process
 * is refused as busy.
 */
import { isAbsolute, relative } from 'node:path';
import type { EpisodePlanView, RenderOptions, ResumeOptions } from '../../shared/api';
import { CancelledError, UserError } from '../../shared/errors';
import { usdToMicros, type Micros } from '../../shared/money';
import { budgetLimitSchema, type Storyboard } from '../../shared/storyboard';
import { stitchEpisode, stitchSummary } from '../media/stitch/index';
import { episodeConsistency, type ConsistencyReport } from './consistency-step';
import { checkOutputPath, type InputFile } from '../preflight/output-path';
import { pinProblems } from '../preflight/plan-fits';
import { audioFlag, planEpisode } from '../router';
import { loadStoryboard, type LoadedStoryboard } from '../storyboard/load';
import { episodeView, moneyNotes } from '../store/reports';
import { episodeKey } from '../store/run-key';
import type { RunRecord } from '../store/runs';
import { referenceDigests, shotFingerprint } from '../storyboard/shot-fingerprint';
import { checkRunFits, finalEstimateByShot } from './run-preflight';
import { runSigning } from './run-signing';
import type { ExportSigning } from './sign-step';
import { currentRunner } from '../store/runner-identity';
import type { StudioServices } from '../studio';
import { runEpisode } from './episode-runner';
import { planShots, routerContext, toView } from './planner';
import { buildRequest } from './requests';
import { stitchInput } from './stitch-step';
import { buildReport, type RenderReport } from './render-report';

export interface RenderRequest extends RenderOptions {
  /** Start a new episode even when this storyboard already has one. */
  fresh?: boolean;
}

/** How a claimed run is carried out: the render's own choices, shared by resume, regenerate and stitch. */
export type RunChoices = Partial<Pick<RenderRequest, 'concurrency' | 'strict' | 'resubmitUnknown' | 'sign' | 'allowUnverified'>>;

const DEFAULT_CONCURRENCY = 4;

interface RunningEpisode {
  run: RunRecord;
  controller: AbortController;
  done: Promise<RenderReport>;
}

export class RenderService {
  private readonly running = new Map<string, RunningEpisode>();

  constructor(private readonly services: StudioServices) {}

  /** Renders a storyboard to the end: its episode continues where it stopped, or starts. */
  async render(storyboardPath: string, request: RenderRequest, signal?: AbortSignal): Promise<RenderReport> {
    return (await this.begin(storyboardPath, request, signal)).done;
  }

  /** Starts a render in the background (the app's Render button); progress arrives as events. */
  async start(storyboardPath: string, request: RenderRequest): Promise<{ episodeId: string }> {
    const { episodeId, done } = await this.begin(storyboardPath, request);
    this.reportInBackground(episodeId, done);
    return { episodeId };
  }

  /** Resumes an episode by id, or the most recent one not completed (interrupted, cancelled or failed). */
  async resume(episodeId: string | undefined, request: ResumeOptions, signal?: AbortSignal): Promise<RenderReport> {
    return (await this.beginResume(episodeId, request, signal)).done;
  }

  /** Resumes in the background (the app's Resume button): refusals reach the caller, later failures arrive as events. */
  async startResume(episodeId: string, request: ResumeOptions): Promise<{ episodeId: string }> {
    const { done } = await this.beginResume(episodeId, request);
    this.reportInBackground(episodeId, done);
    return { episodeId };
  }

  /** A run started from the app: its end (or failure) reaches the board as an event. */
  reportInBackground(episodeId: string, done: Promise<RenderReport>): void {
    done.catch((error: Error) =>
      this.services.emit(
        error instanceof CancelledError
          ? { episodeId, type: 'episode', state: 'done', message: 'cancelled by the user; it can be resumed' }
          : { episodeId, type: 'episode', state: 'failed', message: error.message },
      ),
    );
  }

  private async beginResume(episodeId: string | undefined, request: ResumeOptions, signal?: AbortSignal): Promise<{ episodeId: string; done: Promise<RenderReport> }> {
    checkConcurrency(request.concurrency);
    const budget = budgetFlag(request.budgetUsd);
    const episode = episodeId ? this.services.episodes.find(episodeId) : this.services.episodes.unfinished()[0];
    if (!episode) {
      throw new UserError(episodeId ? `no episode ${episodeId} in this data directory` : 'nothing to resume: every episode in this data directory is completed');
    }
    await checkOutputPath(episode.outputPath, { inputs: inputsOf(episode.storyboardPath, episode.storyboard) });
    const joined = this.running.get(episode.id);
    if (joined) return { episodeId: episode.id, done: joined.done };
    this.sweepExpiredHolds();
    const runs = this.services.episodes.runs;
    const claimed = this.services.episodes.claim(episode.id, currentRunner(), {
      ...(budget !== undefined ? { budgetMicros: budget } : {}),
      check: (current) => checkRunFits(this.services, current, runs.current(current.id), request.allowPartial ?? false),
    });
    return { episodeId: claimed.id, done: this.launchClaimed(claimed.id, runs.current(claimed.id), request, true, signal) };
  }

  cancel(episodeId: string): void {
    this.running.get(episodeId)?.controller.abort();
  }

  cancelAll(): void {
    for (const { controller } of this.running.values()) controller.abort();
  }

  async plan(storyboardPath: string, request: Pick<RenderOptions, 'mode' | 'budgetUsd'>): Promise<EpisodePlanView> {
    const loaded = await loadStoryboard(storyboardPath);
    const mode = request.mode ?? loaded.storyboard.mode;
    const budget = budgetFlag(request.budgetUsd) ?? storyboardBudget(loaded.storyboard);
    const plan = planEpisode(loaded.storyboard, routerContext(this.services, { mode, storyboard: loaded.storyboard }, budget));
    return { title: loaded.storyboard.title, mode, shots: plan.shots.map(toView), estimatedMicros: plan.estimatedMicros, budgetMicros: budget };
  }

  /**
   * Everything that can be refused before money moves is checked here, in order: flags,
   * the storyboard and its references, the output path, the pins; then, in the one
   * transaction that finds or creates the episode and claims it, the plan against the budget.
   */
  private async begin(storyboardPath: string, request: RenderRequest, signal?: AbortSignal): Promise<{ episodeId: string; done: Promise<RenderReport> }> {
    checkConcurrency(request.concurrency);
    if (request.approved && request.mode !== 'final') throw new UserError('--approved: goes with --mode final (it commits approved previews to final takes)');
    const flagBudget = budgetFlag(request.budgetUsd);
    const loaded = await loadStoryboard(storyboardPath);
    const storyboard = withAbsoluteReferences(loaded);
    const outputPath = outsideMedia(this.services.mediaDir, await checkOutputPath(requireOutput(request.outputPath), { inputs: inputsOf(loaded.sourcePath, storyboard) }));
    const pins = pinProblems(storyboard, this.services.registry.list({ includeRemoved: true }).map((spec) => spec.id));
    if (pins.length) throw new UserError(`${loaded.sourcePath}: the storyboard pins engines this registry does not have`, pins);
    const mode = request.mode ?? storyboard.mode;
    const budget = flagBudget ?? storyboardBudget(storyboard);
    const digests = await referenceDigests(storyboard);
    this.sweepExpiredHolds();

    const { episode, run, resumed, joined } = this.services.episodes.openForRun({
      episode: {
        runKey: episodeKey(loaded.sourcePath),
        storyboardPath: loaded.sourcePath,
        storyboard,
        outputPath,
        mode,
        budgetMicros: budget,
        options: { finalEstimateByShot: finalEstimateByShot(this.services, storyboard) },
        fingerprint: (shot) => shotFingerprint(shot, storyboard, digests),
      },
      run: { kind: 'render', mode, approvedOnly: request.approved ?? false },
      runner: currentRunner(),
      fresh: request.fresh ?? false,
      runningHere: (id) => this.running.get(id)?.run,
      check: (candidate, candidateRun) => checkRunFits(this.services, candidate, candidateRun, request.allowPartial ?? false),
    });
    if (joined) return { episodeId: episode.id, done: this.running.get(episode.id)!.done };
    return { episodeId: episode.id, done: this.launchClaimed(episode.id, run, request, resumed, signal) };
  }

  /** Whether this process is making a run of the episode now, and which. */
  runningRun(episodeId: string): RunRecord | undefined {
    return this.running.get(episodeId)?.run;
  }

  /**
   * Carries out a run of an episode this process has claimed (render, resume,
   * regenerate, stitch). Registers it before anything awaits, so a second start in this
   * process always finds it.
   */
  launchClaimed(episodeId: string, run: RunRecord, request: RunChoices, resumed: boolean, signal?: AbortSignal): Promise<RenderReport> {
    const controller = new AbortController();
    const onAbort = () => controller.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) controller.abort();
    const done = this.execute(episodeId, request, resumed, controller.signal).finally(() => {
      signal?.removeEventListener('abort', onAbort);
      this.running.delete(episodeId);
    });
    this.running.set(episodeId, { run, controller, done });
    return done;
  }

  private async execute(episodeId: string, request: RunChoices, resumed: boolean, signal: AbortSignal): Promise<RenderReport> {
    const services = this.services;
    const engines = await services.instantiateEngines();
    const result = await runEpisode(
      episodeId,
      {
        episodes: services.episodes,
        attempts: services.attempts,
        takes: services.takes,
        health: services.health,
        engine: (id) => engines.get(id) ?? missingEngine(id),
        spec: (id) => services.registry.get(id) ?? missingEngine(id),
        provider: (id) => services.registry.provider((services.registry.get(id) ?? missingEngine(id)).provider),
        plan: (episode, shots, remaining, disabled) => planShots(services, episode, shots, remaining, disabled),
        buildRequest: (episode, shot, candidate) => buildRequest(episode.storyboard, shot, candidate, services.registry.get(candidate.engineId)!, audioFlag(services.registry.get(candidate.engineId)!, shot.audio)),
        gate: services.gate,
        signing: runSigning(services, request),
        recordGate: (attemptId, verdict) => services.gateResults.recordGateVerdict(attemptId, verdict),
        stitch: async (episode, clips, stitchSignal, onProgress) => {
          const stitched = await stitchEpisode(services.media, await services.withStitchVideo(stitchInput(episode, clips)), episode.outputPath, {
            signal: stitchSignal,
            onProgress,
            log: services.config.log,
          });
          return { durationSeconds: stitched.durationSeconds, summary: stitchSummary(stitched) };
        },
        mediaDir: services.mediaDir,
        clock: services.clock,
        random: services.random,
        emit: services.emit,
        onStep: services.config.onStep,
        network: { connectivity: services.connectivity, endpointOf: (id) => services.endpointOf(id) },
      },
      { concurrency: request.concurrency ?? DEFAULT_CONCURRENCY, strict: request.strict ?? false, resubmitUnknown: request.resubmitUnknown ?? false, signal },
    );
    const credentials = request.sign === false ? undefined : credentialsOf(services, episodeId, result.exportSigning ?? null);
    const report = { ...buildReport(episodeView(services.episodes, services.attempts, episodeId), result, resumed, moneyNotes(services.db, episodeId)), ...(credentials ? { credentials } : {}) };
    if (!result.stitched) return report;
    return { ...report, consistency: await this.consistency(episodeId, signal) };
  }

  /** Advice across the episode's accepted shots; a failure here never fails the render. */
  private async consistency(episodeId: string, signal: AbortSignal): Promise<ConsistencyReport> {
    const services = this.services;
    try {
      return await episodeConsistency(
        services.episodes.get(episodeId),
        {
          db: services.db,
          attempts: services.attempts,
          media: services.media,
          keys: services.keys,
          spend: services.qualitySpend,
          sheets: services.contactSheets(episodeId),
          sheetsDir: services.sheetsDir,
          env: services.config.env ?? process.env,
        },
        signal,
      );
    } catch (error) {
      if (signal.aborted) return { flags: [], skipped: ['consistency not checked: cancelled'] };
      return { flags: [], skipped: [`consistency not checked: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`] };
    }
  }

  /** Money held past its time in episodes nobody is running is released (it would otherwise stay held until someone resumes them). */
  private sweepExpiredHolds(): void {
    const runner = currentRunner();
    this.services.attempts.expireOverdue((id) => this.running.has(id) || this.services.episodes.isBusy(this.services.episodes.get(id), runner));
  }
}

function missingEngine(id: string): never {
  throw new Error(`engine ${id} is not available in this build`);
}

/** --budget goes through the storyboard's own rule: positive, at most the product's ceiling. */
export function budgetFlag(usd: number | undefined): Micros | undefined {
  if (usd === undefined) return undefined;
  const checked = budgetLimitSchema.safeParse(usd);
  if (!checked.success) throw new UserError(`--budget: ${checked.error.issues[0]?.message ?? 'invalid amount'} (got ${usd})`);
  return usdToMicros(checked.data);
}

function storyboardBudget(storyboard: Storyboard): Micros | null {
  return storyboard.budget ? usdToMicros(storyboard.budget.limit) : null;
}

function requireOutput(outputPath: string | undefined): string {
  if (!outputPath) throw new UserError('--out: required (the episode file to write, e.g. --out episode.mp4)');
  return outputPath;
}

export function checkConcurrency(concurrency: number | undefined): void {
  if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64)) {
    throw new UserError(`--concurrency: must be a whole number between 1 and 64, got ${concurrency}`);
  }
}

/** The files an output must never overwrite: the storyboard and every reference image. */
export function inputsOf(storyboardPath: string, storyboard: Storyboard): InputFile[] {
  const shots = storyboard.shots.flatMap((shot, i) => (shot.reference ? [{ path: shot.reference, what: `the reference image of shots[${i}] (${shot.id})` }] : []));
  const characters = storyboard.characters.flatMap((c, i) => (c.reference ? [{ path: c.reference, what: `the reference image of characters[${i}] (${c.id})` }] : []));
  return [{ path: storyboardPath, what: 'the storyboard' }, ...shots, ...characters];
}

/** The stored storyboard carries absolute reference paths, so a resume needs nothing else. */
function withAbsoluteReferences(loaded: LoadedStoryboard): Storyboard {
  const { storyboard, references } = loaded;
  return {
    ...storyboard,
    characters: storyboard.characters.map((c) => ({ ...c, ...(references.characters.get(c.id) ? { reference: references.characters.get(c.id) } : {}) })),
    shots: storyboard.shots.map((s) => ({ ...s, ...(references.shots.get(s.id) ? { reference: references.shots.get(s.id) } : {}) })),
  };
}

/** The media folder holds every attempt's clip, which a stitch reads: an episode written in there could replace one. */
export function outsideMedia(mediaDir: string, outputPath: string): string {
  const inside = relative(mediaDir, outputPath);
  if (inside && !inside.startsWith('..') && !isAbsolute(inside)) {
    throw new UserError(`--out: ${outputPath} is inside Shotline's media folder (${mediaDir}), where the clips live; write the episode elsewhere`);
  }
  return outputPath;
}

/** The credentials of the selected takes and of the episode file, for the report. */
function credentialsOf(services: StudioServices, episodeId: string, exportSigning: ExportSigning | null): NonNullable<RenderReport['credentials']> {
  const selected = services.takes.selectedTakes(episodeId);
  return {
    export: exportSigning,
    takes: [...selected].map(([shotId, attempt]) => {
      const credential = services.credentials.forTake(attempt.id);
      return { shotId, takeNo: attempt.takeNo, state: credential?.state ?? 'none', reason: credential?.reason ?? null, signedPath: credential?.signedPath ?? null };
    }),
  };
}
