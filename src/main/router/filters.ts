/**
 * Hard filters: an engine that fails one cannot make the shot, whatever its score. They
 * run in a fixed order and the first failure is the reason reported, so the cheapest
 * and most fundamental checks (is it on? can we even call it?) speak first.
 */
import { formatUsd } from '../../shared/money';
import { PROVIDER_ACCESS } from '../registry/providers';
import type { PreparedEngine, RouterContext, Selection, ShotAsk } from './context';
import { describeDurations, DURATION_SLACK_SECONDS, durationsFor, generatedSeconds } from './fit';
import { estimateAttempt } from './pricing';

export type FilterName =
  | 'disabled'
  | 'retired'
  | 'adapter'
  | 'credentials'
  | 'disabled-for-run'
  | 'preview-only'
  | 'mode'
  | 'audio'
  | 'prompt'
  | 'duration'
  | 'resolution'
  | 'aspect'
  | 'budget';

/** What a context filter may look at: the engine as prepared for this plan, before its verdicts. */
export type EngineFacts = Pick<PreparedEngine, 'spec' | 'health' | 'resolution'>;

/** What a shot filter may look at: also the billing correction. */
export type ShotEngineFacts = EngineFacts & Partial<Pick<PreparedEngine, 'billingFactor'>>;

/**
 * 'context' filters depend only on the engine and the router context, so a plan judges
 * them once per engine instead of once per shot; 'shot' filters look at the shot.
 */
export type HardFilter =
  | { name: FilterName; scope: 'context'; reject(engine: EngineFacts, ctx: RouterContext): string | null }
  | { name: FilterName; scope: 'shot'; reject(engine: ShotEngineFacts, shot: ShotAsk, ctx: RouterContext, selection: Selection): string | null };

export const HARD_FILTERS: readonly HardFilter[] = [
  { name: 'disabled', scope: 'context', reject: ({ spec }) => (spec.enabled ? null : 'disabled in settings') },
  {
    name: 'retired',
    scope: 'context',
    reject: ({ spec }) => (spec.status !== 'retired' ? null : spec.statusDate ? `retired on ${spec.statusDate}` : 'retired'),
  },
  { name: 'adapter', scope: 'context', reject: ({ spec }, ctx) => (ctx.hasAdapter(spec.provider) ? null : `no ${spec.provider} adapter in this build`) },
  {
    name: 'credentials',
    scope: 'context',
    reject: ({ spec }, ctx) => {
      const access = PROVIDER_ACCESS[spec.provider];
      if (access.credential === 'baseUrl') return ctx.hasKey(spec.provider, spec) ? null : `no base URL configured (${access.hint})`;
      if (access.credential === 'key') return ctx.hasKey(spec.provider) ? null : `no key configured (${access.hint}${ctx.keychainProblem ? `; ${ctx.keychainProblem}` : ''})`;
      return null;
    },
  },
  {
    name: 'disabled-for-run',
    scope: 'context',
    reject: ({ spec }, ctx) =>
      ctx.disabledForRun && (ctx.disabledForRun.has(spec.id) || ctx.disabledForRun.has(spec.provider))
        ? 'disabled for this run (auth or quota failure)'
        : null,
  },
  {
    name: 'preview-only',
    scope: 'shot',
    reject: ({ spec }, _shot, ctx, selection) =>
      spec.previewOnly && ctx.mode === 'final' && selection === 'auto' ? 'preview-only engine (final mode; pin it or name it in a chain to use it)' : null,
  },
  {
    name: 'mode',
    scope: 'shot',
    reject: ({ spec }, shot) => {
      const hasReference = shot.reference !== undefined;
      if (!hasReference && !spec.modes.includes('text')) return 'image-only engine and the shot has no reference image';
      if (hasReference && !spec.modes.includes('image')) return 'text-only engine and the shot has a reference image';
      return null;
    },
  },
  { name: 'audio', scope: 'shot', reject: ({ spec }, shot) => (shot.audio && spec.audio === 'none' ? 'makes no audio and the shot wants audio' : null) },
  {
    name: 'prompt',
    scope: 'shot',
    reject: ({ spec }, shot) =>
      shot.prompt !== undefined && shot.prompt.length > spec.capabilities.maxPromptChars
        ? `prompt is ${shot.prompt.length} characters; this model takes at most ${spec.capabilities.maxPromptChars}`
        : null,
  },
  {
    name: 'duration',
    scope: 'shot',
    reject: ({ spec, resolution }, shot) => {
      const durations = durationsFor(spec, resolution, shot.reference !== undefined);
      if (generatedSeconds(durations, shot.duration) !== null) return null;
      const why = durations === spec.durations ? '' : shot.reference !== undefined ? ' with a reference image' : ` at ${resolution}`;
      return `cannot make ${shot.duration} s${why} (allows ${describeDurations(durations)}, trimming at most ${DURATION_SLACK_SECONDS} s)`;
    },
  },
  {
    name: 'resolution',
    scope: 'context',
    reject: ({ spec, resolution }, ctx) => (resolution !== null ? null : `no ${ctx.output.resolution} output (offers ${spec.resolutions.join(', ')})`),
  },
  {
    name: 'aspect',
    scope: 'context',
    reject: ({ spec }, ctx) => (spec.aspects.includes(ctx.output.aspect) ? null : `no ${ctx.output.aspect} aspect (offers ${spec.aspects.join(', ')})`),
  },
  {
    name: 'budget',
    scope: 'shot',
    reject: ({ spec, resolution, billingFactor }, shot, ctx) => {
      if (ctx.remainingBudgetMicros === null || resolution === null) return null;
      const { micros } = estimateAttempt(spec, { durationSeconds: shot.duration, resolution, audio: shot.audio, withReference: shot.reference !== undefined }, billingFactor);
      if (micros <= ctx.remainingBudgetMicros) return null;
      const left = Math.max(0, ctx.remainingBudgetMicros);
      // Near misses would print the same cents twice; show enough digits to see the gap.
      let decimals = 2;
      while (decimals < 6 && formatUsd(micros, decimals) === formatUsd(left, decimals)) decimals++;
      return `over budget: ${formatUsd(micros, decimals)} needed, ${formatUsd(left, decimals)} left`;
    },
  },
];

export interface FilterVerdict {
  filter: FilterName;
  reason: string;
}

/** The first context filter an engine fails, with its position in the fixed order. */
export interface ContextVerdict extends FilterVerdict {
  index: number;
}

export function judgeContext(engine: EngineFacts, ctx: RouterContext): ContextVerdict | null {
  for (let index = 0; index < HARD_FILTERS.length; index++) {
    const filter = HARD_FILTERS[index]!;
    if (filter.scope !== 'context') continue;
    const reason = filter.reject(engine, ctx);
    if (reason !== null) return { filter: filter.name, reason, index };
  }
  return null;
}

/** Positions of the shot filters in the fixed order: the only ones run per shot. */
const SHOT_FILTERS = HARD_FILTERS.flatMap((filter, index) => (filter.scope === 'shot' ? [{ filter, index }] : []));

/**
 * The first filter in the fixed order that rejects the engine for this shot: shot
 * filters are run, context filters are read from the verdict judged when preparing.
 */
export function firstRejection(engine: PreparedEngine, shot: ShotAsk, ctx: RouterContext, selection: Selection): FilterVerdict | null {
  const stop = engine.contextVerdict?.index ?? HARD_FILTERS.length;
  for (const { filter, index } of SHOT_FILTERS) {
    if (index > stop) break;
    const reason = filter.reject(engine, shot, ctx, selection);
    if (reason !== null) return { filter: filter.name, reason };
  }
  return engine.contextVerdict;
}
