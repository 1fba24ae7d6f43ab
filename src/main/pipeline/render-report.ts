/** The end-of-run report: what `--json` prints and what the app shows after a render. */
import type { AttemptGateView, EpisodeView, ShotPlanView } from '../../shared/api';
import type { StitchSummary } from '../media/stitch/index';
import type { EpisodeRunResult } from './episode-runner';

export interface RenderReport {
  episodeId: string;
  title: string;
  mode: EpisodeView['mode'];
  /** completed: every shot made and stitched; partial: stitched without failed shots; failed: nothing stitched. */
  status: EpisodeRunResult['status'];
  resumed: boolean;
  outputPath: string | null;
  durationSeconds: number | null;
  shots: {
    shotId: string;
    status: string;
    engineId: string | null;
    /** What the shot has cost in every run of the episode so far. */
    costMicros: number;
    /** What this run spent on it. */
    runCostMicros: number;
    clipPath: string | null;
    failureReason: string | null;
    /** Every attempt of the shot, oldest first; `thisRun` marks the ones this run made or finished. */
    attempts: { engineId: string; thisRun: boolean; status: string; errorKind: string | null; reason: string | null; costMicros: number; providerJobId: string | null; gate?: AttemptGateView | null }[];
    plan: ShotPlanView | null;
  }[];
  totals: {
    spentMicros: number;
    heldMicros: number;
    budgetMicros: number | null;
    /** Committed money beyond the budget: only what a provider billed (or estimated at create) beyond what was held. */
    overBudgetMicros: number;
    attempts: number;
    failedShots: number;
  };
  /** Every place money did something the filmmaker should know of: bills above what was held, forced top-ups, outcomes in doubt. */
  moneyNotes: string[];
  /**
   * Content credentials: the episode file's (null when it was not stitched, or with
   * --no-sign) and each stitched take's. An unsigned file is always kept; `reason` says why.
   */
  credentials?: {
    export: { state: 'signed' | 'unsigned'; reason: string | null; unverified: { shotId: string; reason: string }[] } | null;
    takes: { shotId: string; takeNo: number | null; state: 'signed' | 'unsigned' | 'skipped' | 'none'; reason: string | null; signedPath: string | null }[];
  };
  /** How the episode file was made: encoder, scaling and loudness, each with its reason. */
  stitch?: StitchSummary;
  /** Shots that stand out from the episode (grading, a character's look), each with what to do; and checks that could not run. */
  consistency?: { flags: { shotId: string; kind: string; reason: string; action: string; suggestion: string }[]; skipped: string[] };
}

export function buildReport(view: EpisodeView, result: EpisodeRunResult, resumed: boolean, moneyNotes: string[] = []): RenderReport {
  return {
    episodeId: view.episodeId,
    title: view.title,
    mode: view.mode,
    status: result.status,
    resumed,
    outputPath: result.stitched ? view.outputPath : null,
    durationSeconds: result.durationSeconds,
    shots: view.shots.map((shot) => {
      const accepted = shot.attempts.find((a) => a.attemptId === shot.selectedTakeId);
      return {
        shotId: shot.shotId,
        status: shot.status,
        engineId: shot.engineId,
        costMicros: shot.attempts.reduce((sum, a) => sum + (a.actualMicros ?? 0), 0),
        runCostMicros: shot.attempts.filter((a) => a.runId === result.run.id).reduce((sum, a) => sum + (a.actualMicros ?? 0), 0),
        clipPath: accepted?.clipPath ?? null,
        failureReason: shot.failureReason,
        attempts: shot.attempts.map((a) => ({
          engineId: a.engineId,
          thisRun: a.runId === result.run.id,
          status: a.status,
          errorKind: a.errorKind,
          reason: a.errorMessage,
          costMicros: a.actualMicros ?? 0,
          providerJobId: a.providerJobId,
          gate: a.gate,
        })),
        plan: result.plans.get(shot.shotId)?.view ?? null,
      };
    }),
    totals: {
      spentMicros: view.spentMicros,
      heldMicros: view.heldMicros,
      budgetMicros: view.budgetMicros,
      overBudgetMicros: view.budgetMicros === null ? 0 : Math.max(0, view.spentMicros + view.heldMicros - view.budgetMicros),
      attempts: view.shots.reduce((sum, s) => sum + s.attempts.filter((a) => a.runId === result.run.id).length, 0),
      failedShots: view.shots.filter((s) => s.status !== 'accepted').length,
    },
    moneyNotes,
    ...(result.stitch ? { stitch: result.stitch } : {}),
  };
}
