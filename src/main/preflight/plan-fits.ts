/**
 * Preflight of the plan, before any money moves: every pinned engine and named chain
 * exists, every shot has an engine that can make it, and the plan's estimate fits the
 * budget. Runs inside the transaction that creates or claims the episode, so a refused
 * plan leaves nothing behind.
 */
import { formatUsd, toMicros, type Micros } from '../../shared/money';
import type { Storyboard } from '../../shared/storyboard';
import { suggestKey } from '../../shared/storyboard-issues';
import type { PlannedShot } from '../pipeline/episode-runner';

/** `shots[3].engine: unknown engine "veo-3.2" (did you mean "veo-3.1"?)`, for every pin the registry lacks. */
export function pinProblems(storyboard: Storyboard, knownEngineIds: readonly string[]): string[] {
  const known = new Set(knownEngineIds);
  return storyboard.shots.flatMap((shot, i) => {
    if (shot.engine === 'auto' || known.has(shot.engine)) return [];
    const meant = suggestKey(shot.engine, knownEngineIds);
    return [`shots[${i}].engine: unknown engine "${shot.engine}" (${meant ? `did you mean "${meant}"?` : 'see `shotline engines`'})`];
  });
}

export interface PlanFitInput {
  storyboard: Storyboard;
  /** Plans of the shots still to make, by shot id. */
  plans: Map<string, PlannedShot>;
  budgetMicros: Micros | null;
  /** Already reserved or spent by this episode. */
  committedMicros: Micros;
}

/** Every reason the plan cannot be carried out as asked; empty when it can. */
export function planFitProblems(input: PlanFitInput): string[] {
  const problems: string[] = [];
  let estimate = 0;
  let cheapest = 0;
  input.storyboard.shots.forEach((shot, i) => {
    const plan = input.plans.get(shot.id);
    if (!plan) return;
    const [first] = plan.chain;
    if (!first) {
      const reasons = plan.view.rejections.map((r) => r.reason).join('; ');
      problems.push(`shots[${i}] (${shot.id}): no engine can make it${reasons ? `: ${reasons}` : ''}`);
      return;
    }
    estimate += first.estimatedMicros;
    cheapest += Math.min(...plan.chain.map((c) => c.estimatedMicros));
  });
  if (input.budgetMicros !== null && input.committedMicros + estimate > input.budgetMicros) {
    const shots = input.plans.size;
    const already = input.committedMicros > 0 ? `, ${formatUsd(input.committedMicros)} is already committed` : '';
    const fallback = cheapest < estimate ? `; the cheapest engine for every shot would need ${formatUsd(toMicros(cheapest))}` : '';
    problems.push(
      `budget: the plan for ${shots} shot(s) is estimated at ${formatUsd(toMicros(estimate))}${already}, and the budget is ${formatUsd(input.budgetMicros)}${fallback}`,
    );
  }
  return problems;
}
