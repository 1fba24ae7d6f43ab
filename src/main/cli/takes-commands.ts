/**
 * The takes workflow on the command line: list episodes and their shots' takes,
 * approve, select, regenerate and re-stitch. Every command here is a thin call into the
 * services the desktop app uses (TakesService, the read models); the store refuses what
 * is wrong (an unknown shot, a stale take) with a UserError, which exits 2.
 */
import type { EpisodeView, TakeView } from '../../shared/api';
import { UserError } from '../../shared/errors';
import type { RenderReport } from '../pipeline/render-report';
import { episodeView } from '../store/reports';
import { episodeSummaries } from '../store/takes-report';
import type { StudioServices } from '../studio';
import type { TakesCommand } from './args';
import { EXIT, type ExitCode } from './exit-codes';
import type { SafeOutput } from './output';
import { exitCodeForReport, withProgress } from './run-progress';
import { formatApprove, formatEpisodes, formatRegenerate, formatRestitch, formatSelect, formatShots, formatUnapprove, type HintContext, type NewTake } from './takes-text';

export interface TakesIo {
  stdout: SafeOutput;
  stderr: SafeOutput;
}

/** `shotline episodes` lists this many, newest first; --json the same. */
const EPISODE_LIST_LIMIT = 200;

export async function runTakesCommand(given: TakesCommand, studio: StudioServices, io: TakesIo, cancel: AbortController): Promise<ExitCode> {
  // An episode may be named by the start of its id; from here on the full id is used.
  const command = 'episodeId' in given && given.episodeId ? { ...given, episodeId: studio.episodes.resolveId(given.episodeId) ?? given.episodeId } : given;
  const hints: HintContext = { dataDir: command.dataDir };
  const print = (json: unknown, text: () => string) => io.stdout.write(command.json ? `${JSON.stringify(json, null, 2)}\n` : `${text()}\n`);
  switch (command.name) {
    case 'episodes': {
      const summaries = episodeSummaries(studio.db, studio.episodes, studio.clock(), EPISODE_LIST_LIMIT);
      print(summaries, () => formatEpisodes(summaries, hints));
      return EXIT.ok;
    }
    case 'shots': {
      const view = viewOf(studio, command.episodeId);
      print(view, () => formatShots(view));
      return EXIT.ok;
    }
    case 'approve': {
      const result = studio.takesService.approve(command.episodeId, command.shots);
      const episode = studio.episodes.get(command.episodeId);
      print(result, () => formatApprove(result, { episodeId: episode.id, storyboardPath: episode.storyboardPath, outputPath: episode.outputPath }, hints));
      return EXIT.ok;
    }
    case 'unapprove': {
      const result = studio.takesService.unapprove(command.episodeId, command.shots);
      print(result, () => formatUnapprove(result, command.episodeId));
      return EXIT.ok;
    }
    case 'select': {
      const chosen = studio.takesService.select(command.episodeId, command.shotId, command.takeNo);
      const take = takeOf(viewOf(studio, command.episodeId), command.shotId, chosen.takeNo);
      const episode = studio.episodes.get(command.episodeId);
      const inFile = episode.stitched?.takes[command.shotId] === chosen.attempt.id;
      print(take, () => formatSelect(command.shotId, take, { episodeId: episode.id, outputPath: episode.outputPath, inFile }, hints));
      return EXIT.ok;
    }
    case 'regenerate':
      return regenerate(command, studio, io, cancel, hints);
    case 'stitch-episode': {
      const report = await withProgress(progressOf(studio, io, cancel, 'stitch', command), (signal) =>
        studio.takesService.restitch(
          command.episodeId,
          { outputPath: command.out, allowPartial: command.allowPartial, concurrency: command.concurrency, sign: command.sign, allowUnverified: command.allowUnverified },
          signal,
        ),
      );
      print(report, () => formatRestitch(report, viewOf(studio, report.episodeId)));
      return exitCodeForReport(report, cancel);
    }
  }
}

/**
 * Regenerate adds takes and stitches nothing: the report says which take each shot got
 * (the take numbers above the highest before the run), so `select` can be typed next.
 */
async function regenerate(command: Extract<TakesCommand, { name: 'regenerate' }>, studio: StudioServices, io: TakesIo, cancel: AbortController, hints: HintContext): Promise<ExitCode> {
  const before = highestTakeNumbers(viewOf(studio, command.episodeId));
  const request = {
    shotIds: command.shotIds,
    engineId: command.engineId,
    prompt: command.prompt,
    seed: command.seed,
    mode: command.mode,
    budgetUsd: command.budget,
    concurrency: command.concurrency,
    allowPartial: command.allowPartial,
    resubmitUnknown: command.resubmitUnknown,
    sign: command.sign,
    allowUnverified: command.allowUnverified,
  };
  const report = await withProgress(progressOf(studio, io, cancel, 'regenerate', command), (signal) => studio.takesService.regenerate(command.episodeId, request, signal));
  const view = viewOf(studio, report.episodeId);
  const shotIds = [...new Set(command.shotIds)];
  const newTakes = newTakesOf(view, shotIds, before);
  const withTakes: RenderReport & { newTakes: NewTake[] } = { ...report, newTakes };
  io.stdout.write(command.json ? `${JSON.stringify(withTakes, null, 2)}\n` : `${formatRegenerate(report, shotIds, newTakes, view, hints, command.prompt !== undefined)}\n`);
  // The runner's 'completed' means every named shot got a take of this run; a missing take counts as a failure too.
  if (report.status === 'completed' && newTakes.length < shotIds.length) return EXIT.shotsFailed;
  return exitCodeForReport(report, cancel);
}

function progressOf(studio: StudioServices, io: TakesIo, cancel: AbortController, what: string, command: { episodeId: string; dataDir?: string }) {
  return { onProgress: studio.onProgress.bind(studio), stderr: io.stderr, cancel, what, episodeId: command.episodeId, dataDir: command.dataDir };
}

/** The episode's shots and takes; an unknown id is the user's to fix (exit 2), as the services say it. */
function viewOf(studio: StudioServices, episodeId: string): EpisodeView {
  if (!studio.episodes.find(episodeId)) throw new UserError(`no episode ${episodeId} in this data directory (\`shotline episodes\` lists them)`);
  return episodeView(studio.episodes, studio.attempts, episodeId);
}

function takeOf(view: EpisodeView, shotId: string, takeNo: number): TakeView {
  const take = view.shots.find((s) => s.shotId === shotId)?.takes.find((t) => t.takeNo === takeNo);
  if (!take) throw new Error(`take ${takeNo} of ${shotId} was selected but is not in the episode view`);
  return take;
}

function highestTakeNumbers(view: EpisodeView): Map<string, number> {
  return new Map(view.shots.map((s) => [s.shotId, Math.max(0, ...s.takes.map((t) => t.takeNo))]));
}

/** Per named shot, the take this run made: the selected one when it is new, else the newest new one. */
function newTakesOf(view: EpisodeView, shotIds: string[], before: Map<string, number>): NewTake[] {
  return shotIds.flatMap((shotId) => {
    const shot = view.shots.find((s) => s.shotId === shotId);
    const fresh = shot?.takes.filter((t) => t.takeNo > (before.get(shotId) ?? 0)) ?? [];
    const take = fresh.find((t) => t.selected) ?? fresh.at(-1);
    return take ? [{ shotId, takeNo: take.takeNo, attemptId: take.attemptId, selected: take.selected }] : [];
  });
}
