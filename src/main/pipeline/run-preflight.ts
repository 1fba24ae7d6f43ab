/**
 * Everything a run is refused for before money moves, checked inside the transaction
 * that claims the episode: shots a stitch would leave out (an --approved render, a
 * re-stitch), shots no engine can make, and the estimate of what is left to make
 * against what is left of the episode's budget (preview spend included).
 */
import { UserError } from '../../shared/errors';
import type { Micros } from '../../shared/money';
import type { Shot, Storyboard } from '../../shared/storyboard';
import { planFitProblems } from '../preflight/plan-fits';
import { planEpisode } from '../router';
import type { EpisodeRecord } from '../store/episodes';
import type { RunRecord } from '../store/runs';
import type { StudioServices } from '../studio';
import { planShots, routerContext } from './planner';
import { shotsLeftOut, shotsToGenerate } from './run-needs';

export function checkRunFits(services: StudioServices, episode: EpisodeRecord, run: RunRecord, allowPartial: boolean): void {
  const shots = services.takes.shots(episode.id);
  if (run.kind === 'render' && run.approvedOnly && !shots.some((s) => s.approved)) {
    throw new UserError(`--approved: no shot of "${episode.title}" is approved yet; nothing was spent (review the preview, then \`shotline approve ${episode.id} <shot>...\` or --all)`);
  }
  const leftOut = shotsLeftOut(run, shots);
  if (run.kind === 'stitch' && leftOut.length === shots.length) {
    throw new UserError(`"${episode.title}" has no shot with a current take to stitch`, leftOut.map((s) => `${s.shotId}: ${s.reason}`));
  }
  if (leftOut.length > 0 && !allowPartial) {
    throw new UserError(
      `${leftOut.length} shot(s) of "${episode.title}" would be left out of the episode; nothing was spent (--allow-partial stitches without them)`,
      leftOut.map((s) => `${s.shotId}: ${s.reason}`),
    );
  }
  const specs = new Map(episode.storyboard.shots.map((shot) => [shot.id, shot]));
  const todo = shotsToGenerate(run, shots).map((shot) => runSpec(run, specs.get(shot.shotId) ?? shot.spec));
  if (todo.length === 0) return;
  const plans = planShots(services, episode, todo, services.attempts.budgetLeft(episode.id, episode.budgetMicros), new Set());
  const problems = planFitProblems({
    storyboard: { ...episode.storyboard, shots: episode.storyboard.shots.map((s) => todo.find((t) => t.id === s.id) ?? s) },
    plans,
    budgetMicros: episode.budgetMicros,
    committedMicros: services.attempts.ledger.episodeMoney(episode.id).committedMicros,
  });
  if (problems.length === 0 || allowPartial) return;
  throw new UserError(`"${episode.title}" cannot be made as planned; nothing was spent (--allow-partial renders what fits and leaves the rest out)`, problems);
}

/** A shot as a run makes it: a regenerate's engine pin and seed replace the storyboard's. */
export function runSpec(run: Pick<RunRecord, 'kind' | 'engineId' | 'seed'>, shot: Shot): Shot {
  if (run.kind !== 'regenerate') return shot;
  const pinned = run.engineId ? { engine: run.engineId, chain: undefined } : {};
  const seeded = run.seed !== null ? { seed: run.seed } : {};
  return { ...shot, ...pinned, ...seeded };
}

/**
 * What each shot would cost in final mode: on the engine a final render would choose
 * now, or, for a shot no configured engine can make, on the one it would choose with
 * every provider configured. The baseline `shotline costs` measures a preview-then-commit
 * saving against.
 */
export function finalEstimateByShot(services: StudioServices, storyboard: Storyboard): Record<string, Micros> {
  const ctx = routerContext(services, { mode: 'final', storyboard }, null);
  const configured = planEpisode(storyboard, ctx);
  const anyProvider = planEpisode(storyboard, { ...ctx, hasKey: () => true, hasAdapter: () => true });
  const estimates: Record<string, Micros> = {};
  for (const shot of storyboard.shots) {
    const first = configured.shots.find((p) => p.shotId === shot.id)?.candidates[0] ?? anyProvider.shots.find((p) => p.shotId === shot.id)?.candidates[0];
    if (first) estimates[shot.id] = first.estimatedMicros;
  }
  return estimates;
}
