/**
 * Working in takes, as a service the CLI and the Studio API share: approve, select,
 * regenerate a shot (optionally on another engine, with an edited prompt or a new seed)
 * and re-stitch the episode from its selected takes. Regenerate and stitch are runs of
 * the episode, claimed like a render: crash-safe, resumable, and single-flight.
 */
import { UserError } from '../../shared/errors';
import { outputSchema, shotSchema, type Shot } from '../../shared/storyboard';
import { loadStoryboard } from '../storyboard/load';
import { suggestKey } from '../../shared/storyboard-issues';
import type { Micros } from '../../shared/money';
import type { MoneyChoices, RegenerateOptions, RestitchOptions } from '../../shared/api';
import { checkOutputPath } from '../preflight/output-path';
import { currentRunner } from '../store/runner-identity';
import type { EpisodeRecord } from '../store/episodes';
import type { NewRun } from '../store/runs';
import { ShotVersionStore } from '../store/shot-versions';
import type { ApproveResult, TakeRecord } from '../store/takes';
import { referenceDigests, shotFingerprint } from '../storyboard/shot-fingerprint';
import type { StudioServices } from '../studio';
import type { RenderReport } from './render-report';
import { budgetFlag, checkConcurrency, inputsOf, outsideMedia, type RenderService, type RunChoices } from './render-service';
import { checkRunFits } from './run-preflight';

/** What the Studio API's regenerate takes, and how the run is carried out (the CLI's --concurrency, --strict). */
export type RegenerateRequest = RegenerateOptions & RunChoices;
export type RestitchRequest = RestitchOptions & RunChoices;

export class TakesService {
  constructor(
    private readonly services: StudioServices,
    private readonly render: RenderService,
  ) {}

  approve(episodeId: string, target: string[] | 'all'): ApproveResult {
    this.episode(episodeId);
    return this.services.takes.approve(episodeId, target);
  }

  unapprove(episodeId: string, target: string[] | 'all'): { unapproved: string[]; unchanged: string[] } {
    this.episode(episodeId);
    return this.services.takes.unapprove(episodeId, target);
  }

  select(episodeId: string, shotId: string, take: number | string): TakeRecord {
    this.episode(episodeId);
    return this.services.takes.select(episodeId, shotId, take);
  }

  /** Adds a take of each shot (never replaces one); the new take is selected. Nothing is stitched. */
  async regenerate(episodeId: string, request: RegenerateRequest, signal?: AbortSignal): Promise<RenderReport> {
    return (await this.beginRegenerate(episodeId, request, signal)).done;
  }

  /** The same in the background (the board's Regenerate button): progress arrives as events. */
  async startRegenerate(episodeId: string, request: RegenerateRequest): Promise<{ episodeId: string; done: Promise<RenderReport> }> {
    return this.beginRegenerate(episodeId, request);
  }

  /** Stitches the episode from its selected takes, generating nothing. */
  async restitch(episodeId: string, request: RestitchRequest, signal?: AbortSignal): Promise<RenderReport> {
    return (await this.startRestitch(episodeId, request, signal)).done;
  }

  async startRestitch(episodeId: string, request: RestitchRequest, signal?: AbortSignal): Promise<{ episodeId: string; done: Promise<RenderReport> }> {
    const episode = this.episode(episodeId);
    const outputPath = outsideMedia(this.services.mediaDir, await checkOutputPath(request.outputPath, { inputs: inputsOf(episode.storyboardPath, episode.storyboard) }));
    const loudness = request.loudness === undefined ? undefined : checkedLoudness(request.loudness);
    const edits = await this.stitchEditsOf(episode);
    return this.claimAndRun(episode, { kind: 'stitch', mode: episode.mode }, request, signal, (claimed) => {
      this.services.episodes.setOutputPath(claimed.id, outputPath);
      if (edits) this.services.episodes.applyStitchEdits(claimed.id, edits);
      if (loudness !== undefined) this.services.episodes.setLoudness(claimed.id, loudness);
    });
  }

  private async beginRegenerate(episodeId: string, request: RegenerateRequest, signal?: AbortSignal): Promise<{ episodeId: string; done: Promise<RenderReport> }> {
    const episode = this.episode(episodeId);
    const shotIds = [...new Set(request.shotIds)];
    if (shotIds.length === 0) throw new UserError('regenerate: name at least one shot');
    for (const shotId of shotIds) {
      if (this.services.takes.shot(episodeId, shotId).removed) throw new UserError(`shot "${shotId}" is no longer in the storyboard of episode ${episodeId}`);
    }
    const engineId = request.engineId === undefined ? undefined : this.knownEngine(request.engineId);
    const prompt = request.prompt === undefined ? undefined : checkedPrompt(request.prompt, shotIds);
    if (request.seed !== undefined) checkSeed(request.seed);
    checkConcurrency(request.concurrency);
    const budgetMicros = budgetFlag(request.budgetUsd);
    const digests = await referenceDigests(episode.storyboard);
    const run: NewRun = { kind: 'regenerate', mode: request.mode ?? episode.mode, shotIds, engineId: engineId ?? null, seed: request.seed ?? null };
    return this.claimAndRun(episode, run, request, signal, (claimed) => {
      if (prompt === undefined) return;
      const spec = claimed.storyboard.shots.find((s) => s.id === shotIds[0])!;
      new ShotVersionStore(this.services.db, this.services.clock).editShot(claimed.id, { ...spec, prompt }, (shot) => shotFingerprint(shot, claimed.storyboard, digests));
    }, budgetMicros);
  }

  /**
   * Claims the episode and records the run in one transaction with `prepare` (a prompt
   * edit) and the preflight: a refusal leaves nothing changed and nothing spent.
   */
  private claimAndRun(
    episode: EpisodeRecord,
    run: NewRun,
    choices: RunChoices & Pick<MoneyChoices, 'allowPartial'>,
    signal: AbortSignal | undefined,
    prepare: (episode: EpisodeRecord) => void,
    budgetMicros?: Micros,
  ): { episodeId: string; done: Promise<RenderReport> } {
    const running = this.render.runningRun(episode.id);
    if (running) throw new UserError(`episode ${episode.id} is busy with a ${running.kind} in this process; wait for it to finish, or cancel it`);
    const { episodes, takes } = this.services;
    const claimed = episodes.claim(episode.id, currentRunner(), {
      ...(budgetMicros !== undefined ? { budgetMicros } : {}),
      prepare: (current) => {
        prepare(current);
        takes.reselectStale(current.id);
        episodes.runs.start(current.id, run);
      },
      check: (current) => checkRunFits(this.services, current, episodes.runs.current(current.id), choices.allowPartial ?? false),
    });
    return { episodeId: claimed.id, done: this.render.launchClaimed(claimed.id, episodes.runs.current(claimed.id), choices, false, signal) };
  }

  /**
   * Transitions and loudness as the storyboard file says now (edited on the board since the
   * last render); null when the file is gone or does not validate, and the stitch then
   * joins the episode as it was rendered.
   */
  private async stitchEditsOf(episode: EpisodeRecord): Promise<{ transitions: Map<string, Shot['transition']>; loudness: number } | null> {
    try {
      const { storyboard } = await loadStoryboard(episode.storyboardPath);
      return { transitions: new Map(storyboard.shots.map((shot) => [shot.id, shot.transition])), loudness: storyboard.output.loudness };
    } catch (error) {
      this.services.config.log?.(`re-stitch: the storyboard file cannot be read (${error instanceof Error ? error.message.split('\n')[0] : String(error)}); its transitions as rendered are used`);
      return null;
    }
  }

  private episode(episodeId: string): EpisodeRecord {
    const episode = this.services.episodes.find(episodeId);
    if (!episode) throw new UserError(`no episode ${episodeId} in this data directory (\`shotline episodes\` lists them)`);
    return episode;
  }

  private knownEngine(engineId: string): string {
    const known = this.services.registry.list().map((spec) => spec.id);
    if (known.includes(engineId)) return engineId;
    const meant = suggestKey(engineId, known);
    throw new UserError(`--engine: unknown engine "${engineId}" (${meant ? `did you mean "${meant}"?` : 'see `shotline engines`'})`);
  }
}

function checkedPrompt(prompt: string, shotIds: string[]): string {
  if (shotIds.length !== 1) throw new UserError('--prompt: edits one shot; name exactly one shot to regenerate with it');
  const checked = shotSchema.shape.prompt.safeParse(prompt);
  if (!checked.success) throw new UserError(`--prompt: ${checked.error.issues[0]?.message ?? 'invalid prompt'}`);
  return checked.data;
}

function checkedLoudness(lufs: number): number {
  const checked = outputSchema.shape.loudness.safeParse(lufs);
  if (!checked.success) throw new UserError(`loudness: ${checked.error.issues[0]?.message ?? 'invalid loudness'}`);
  return checked.data;
}

function checkSeed(seed: number): void {
  const checked = shotSchema.shape.seed.safeParse(seed);
  if (!checked.success) throw new UserError(`--seed: must be a whole number from 0 to ${2 ** 31 - 1}, got ${seed}`);
}
