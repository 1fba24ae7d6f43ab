/**
 * Rendering as a service: turns a storyboard file and options into an episode (new,
 * or the unfinished one the same command started before), runs it, and reports.
 * The CLI and the Studio API both go through here.
 */
import { createHash } from 'node:crypto';
import { extname, resolve } from 'node:path';
import type { EpisodePlanView, RenderOptions, ResumeOptions } from '../../shared/api';
import { UserError } from '../../shared/errors';
import { usdToMicros, type Micros } from '../../shared/money';
import type { Storyboard } from '../../shared/storyboard';
import type { Engine } from '../engines/engine';
import { stitchEpisode } from '../media/stitch';
import { audioFlag, planEpisode } from '../router';
import { loadStoryboard, type LoadedStoryboard } from '../storyboard/load';
import { episodeView } from '../store/reports';
import type { EpisodeRecord } from '../store/episodes';
import type { StudioServices } from '../studio';
import { runEpisode, type EpisodeRunResult } from './episode-runner';
import { planShots, routerContext, toView } from './planner';
import { buildRequest } from './requests';
import { stitchInput } from './stitch-step';
import type { RenderReport } from './render-report';
import { buildReport } from './render-report';

export interface RenderRequest extends RenderOptions {
  /** Start a new episode even when the same command left one unfinished. */
  fresh?: boolean;
}

const DEFAULT_CONCURRENCY = 4;

export class RenderService {
  private readonly running = new Map<string, AbortController>();

  constructor(private readonly services: StudioServices) {}

  /** Renders a storyboard to the end (or resumes the same command's unfinished episode). */
  async render(storyboardPath: string, request: RenderRequest, signal?: AbortSignal): Promise<RenderReport> {
    const { episode, resumed } = await this.prepare(storyboardPath, request);
    return this.run(episode.id, request, resumed, signal);
  }

  /** Resumes an episode by id, or the most recent one whose process stopped. */
  async resume(episodeId: string | undefined, request: ResumeOptions, signal?: AbortSignal): Promise<RenderReport> {
    const episode = episodeId ? this.services.episodes.find(episodeId) : this.services.episodes.unfinished()[0];
    if (!episode) throw new UserError(episodeId ? `no episode ${episodeId} in this data directory` : 'nothing to resume: no interrupted render in this data directory');
    return this.run(episode.id, request, true, signal);
  }

  /** Starts a render in the background (the app's Render button); progress arrives as events. */
  async start(storyboardPath: string, request: RenderRequest): Promise<{ episodeId: string }> {
    const { episode, resumed } = await this.prepare(storyboardPath, request);
    this.run(episode.id, request, resumed).catch((error: Error) =>
      this.services.emit({ episodeId: episode.id, type: 'episode', state: 'failed', message: error.message }),
    );
    return { episodeId: episode.id };
  }

  cancel(episodeId: string): void {
    this.running.get(episodeId)?.abort();
  }

  cancelAll(): void {
    for (const controller of this.running.values()) controller.abort();
  }

  async plan(storyboardPath: string, request: Pick<RenderOptions, 'mode' | 'budgetUsd'>): Promise<EpisodePlanView> {
    const loaded = await loadStoryboard(storyboardPath);
    const mode = request.mode ?? loaded.storyboard.mode;
    const budgetMicros = budgetOf(loaded.storyboard, request.budgetUsd);
    const plan = planEpisode(loaded.storyboard, routerContext(this.services, { mode, storyboard: loaded.storyboard }, budgetMicros));
    return { title: loaded.storyboard.title, mode, shots: plan.shots.map(toView), estimatedMicros: plan.estimatedMicros, budgetMicros };
  }

  private async prepare(storyboardPath: string, request: RenderRequest): Promise<{ episode: EpisodeRecord; resumed: boolean }> {
    const outputPath = checkOutputPath(request.outputPath);
    checkConcurrency(request.concurrency);
    const loaded = await loadStoryboard(storyboardPath);
    const mode = request.mode ?? loaded.storyboard.mode;
    const budgetMicros = budgetOf(loaded.storyboard, request.budgetUsd);
    const runKey = createHash('sha256').update(JSON.stringify([loaded.sha256, mode, outputPath, budgetMicros])).digest('hex');
    const previous = request.fresh ? undefined : this.services.episodes.latestByRunKey(runKey);
    if (previous) return { episode: previous, resumed: true };
    const storyboard = withAbsoluteReferences(loaded);
    const episode = this.services.episodes.create({
      runKey,
      storyboardPath: loaded.sourcePath,
      storyboard,
      outputPath,
      mode,
      budgetMicros,
      options: mode === 'preview' ? { finalEstimateMicros: this.finalEstimate(storyboard) } : {},
    });
    return { episode, resumed: false };
  }

  private async run(episodeId: string, request: Partial<RenderRequest>, resumed: boolean, signal?: AbortSignal): Promise<RenderReport> {
    checkConcurrency(request.concurrency);
    const controller = new AbortController();
    const onAbort = () => controller.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) controller.abort();
    this.running.set(episodeId, controller);
    try {
      const engines = await this.instantiateEngines();
      const services = this.services;
      const result: EpisodeRunResult = await runEpisode(
        episodeId,
        {
          episodes: services.episodes,
          attempts: services.attempts,
          health: services.health,
          engine: (id) => engines.get(id) ?? missingEngine(id),
          spec: (id) => services.registry.get(id) ?? missingEngine(id),
          plan: (episode, shots, remaining, disabled) => planShots(services, episode, shots, remaining, disabled),
          buildRequest: (episode, shot, candidate) => buildRequest(episode.storyboard, shot, candidate, audioFlag(services.registry.get(candidate.engineId)!, shot.audio)),
          gate: services.gate,
          stitch: async (episode, clips, stitchSignal, onProgress) =>
            stitchEpisode(await services.ffmpeg(), stitchInput(episode, clips), episode.outputPath, { signal: stitchSignal, onProgress, log: services.config.log }),
          mediaDir: services.mediaDir,
          clock: services.clock,
          random: services.random,
          emit: services.emit,
          onStep: services.config.onStep,
          isProcessAlive,
        },
        { concurrency: request.concurrency ?? DEFAULT_CONCURRENCY, strict: request.strict ?? false, signal: controller.signal },
      );
      return buildReport(episodeView(services.episodes, services.attempts, episodeId), result, resumed);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      this.running.delete(episodeId);
    }
  }

  /** One instance of every engine this build can drive; adapters are cheap to create. */
  private async instantiateEngines(): Promise<Map<string, Engine>> {
    const specs = this.services.registry.list({ includeRemoved: true }).filter((spec) => this.services.catalog.hasAdapter(spec.provider));
    const engines = await Promise.all(specs.map((spec) => this.services.catalog.engineFor(spec)));
    return new Map(engines.map((engine) => [engine.spec.id, engine]));
  }

  /**
   * What the same storyboard would cost in final mode on the engines that would be
   * chosen with every provider configured: the baseline for preview-then-commit savings.
   */
  private finalEstimate(storyboard: Storyboard): Micros {
    const ctx = routerContext(this.services, { mode: 'final', storyboard }, null);
    return planEpisode(storyboard, { ...ctx, hasKey: () => true, hasAdapter: () => true }).estimatedMicros;
  }
}

function missingEngine(id: string): never {
  throw new Error(`engine ${id} is not available in this build`);
}

function budgetOf(storyboard: Storyboard, budgetUsd: number | undefined): Micros | null {
  if (budgetUsd !== undefined) {
    if (!Number.isFinite(budgetUsd) || budgetUsd <= 0) throw new UserError(`--budget: must be a positive amount in USD, got ${budgetUsd}`);
    return usdToMicros(budgetUsd);
  }
  return storyboard.budget ? usdToMicros(storyboard.budget.limit) : null;
}

function checkOutputPath(outputPath: string | undefined): string {
  if (!outputPath) throw new UserError('--out: required (the episode file to write, e.g. --out episode.mp4)');
  if (extname(outputPath).toLowerCase() !== '.mp4') throw new UserError(`--out: must be an .mp4 file, got "${outputPath}"`);
  return resolve(outputPath);
}

function checkConcurrency(concurrency: number | undefined): void {
  if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64)) {
    throw new UserError(`--concurrency: must be a whole number between 1 and 64, got ${concurrency}`);
  }
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

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
