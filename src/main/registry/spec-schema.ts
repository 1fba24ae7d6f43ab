/**
 * Validation of engine specs, shared by the seed file (prices in USD) and the user's
 * overrides (prices in micro-dollars). The cross-field rules live in one function so a
 * seed and an override can never disagree about what a consistent price list is.
 */
import path from 'node:path';
import { z } from 'zod';
import { ASPECTS, ENGINE_STATUSES, RESOLUTIONS, SHOT_KINDS, type EnginePrice, type EngineSpec, type ProviderId } from '../../shared/domain';
import { UserError } from '../../shared/errors';
import { toMicros } from '../../shared/money';
import { PROVIDER_IDS } from './providers';

export const engineIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'must be 1-64 lowercase letters, digits, ".", "_" or "-", starting with a letter or digit');

export const chainNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'must be 1-64 letters, digits, "_" or "-", starting with a letter or digit');

export const baseUrlSchema = z.string().refine((value) => {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}, 'must be an http:// or https:// URL');

/**
 * A ComfyUI engine's workflow file. The shipped seed names one relative to the resources
 * folder; a user's override must be absolute, since it has no folder to be relative to.
 */
export const workflowPathSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(4096, 'must be at most 4096 characters')
  .refine((value) => !value.includes('\0'), 'must not contain a NUL character')
  .refine((value) => /\.json$/i.test(value), 'must name a .json file (a workflow exported with "Export (API)")');

export const userWorkflowPathSchema = workflowPathSchema.refine((value) => path.isAbsolute(value), 'must be an absolute path');

export const concurrencySchema = z.number().int('must be a whole number').min(1, 'must be between 1 and 64').max(64, 'must be between 1 and 64');

export const statusSchema = z.enum(ENGINE_STATUSES);
export const statusDateSchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date like 2026-09-24');

export const microsPriceSchema = z
  .object({
    resolution: z.enum(RESOLUTIONS),
    audio: z.boolean(),
    microsPerSecond: z
      .number()
      .int('must be whole micro-dollars')
      .min(0, 'must not be negative')
      .transform((value) => toMicros(value)),
  })
  .strict();

const qualitySchema = z
  .object(Object.fromEntries(SHOT_KINDS.map((kind) => [kind, z.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1')])) as Record<
    (typeof SHOT_KINDS)[number],
    z.ZodNumber
  >)
  .strict();

const durationsSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('list'),
      values: z.array(z.number().int('must be whole seconds').min(1, 'must be at least 1 second')).min(1, 'must list at least one duration'),
    })
    .strict(),
  z
    .object({
      kind: z.literal('range'),
      min: z.number().int('must be whole seconds').min(1, 'must be at least 1 second'),
      max: z.number().int('must be whole seconds').min(1, 'must be at least 1 second'),
    })
    .strict(),
]);

const durationRuleSchema = z
  .object({
    resolutions: z.array(z.enum(RESOLUTIONS)).min(1, 'must list at least one resolution').optional(),
    withReference: z.boolean().optional(),
    durations: durationsSchema,
  })
  .strict()
  .refine((rule) => rule.resolutions !== undefined || rule.withReference !== undefined, 'must say when it applies (resolutions or withReference)');

const capabilitiesSchema = z
  .object({
    seed: z.boolean(),
    negativePrompt: z.boolean(),
    maxPromptChars: z.number().int('must be a whole number').min(1, 'must be at least 1').max(100_000, 'must be at most 100000'),
  })
  .strict();

/** A provider account: the seed's `providers` section and the user's overrides of it. */
export const providerFieldsSchema = z
  .object({
    concurrency: concurrencySchema,
    outputRetentionHours: z.number().min(0.01, 'must be more than 0').max(24 * 366, 'must be at most a year'),
    notes: z.string().optional(),
  })
  .strict();

export const modelNameSchema = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(200, 'must be at most 200 characters')
  // eslint-disable-next-line no-control-regex
  .refine((value) => !/[\u0000-\u001f\u007f]/.test(value), 'must not contain control characters');

/** Every field of a spec except the price list, whose unit differs between seed and storage. */
export const specFieldsSchema = z.object({
  id: engineIdSchema,
  provider: z.enum(PROVIDER_IDS as [ProviderId, ...ProviderId[]]),
  model: modelNameSchema,
  displayName: z.string().min(1, 'must not be empty'),
  modes: z.array(z.enum(['text', 'image'])).min(1, 'must list at least one input mode'),
  audio: z.enum(['none', 'optional', 'always']),
  durations: durationsSchema,
  durationRules: z.array(durationRuleSchema).optional(),
  capabilities: capabilitiesSchema,
  resolutions: z.array(z.enum(RESOLUTIONS)).min(1, 'must list at least one resolution'),
  aspects: z.array(z.enum(ASPECTS)).min(1, 'must list at least one aspect ratio'),
  speed: z
    .object({
      baseSeconds: z.number().min(0, 'must not be negative'),
      secondsPerVideoSecond: z.number().min(0, 'must not be negative'),
    })
    .strict(),
  quality: qualitySchema,
  concurrency: concurrencySchema,
  status: statusSchema,
  statusDate: statusDateSchema.optional(),
  priceSource: z.enum(['published', 'estimate', 'free', 'user']),
  pollIntervalMs: z.number().int('must be whole milliseconds').min(50, 'must be at least 50 ms').max(600_000, 'must be at most 10 minutes'),
  previewOnly: z.boolean().default(false),
  enabled: z.boolean().default(true),
  baseUrl: baseUrlSchema.optional(),
  workflow: workflowPathSchema.optional(),
  notes: z.string().optional(),
});

export interface SpecProblem {
  path: (string | number)[];
  message: string;
}

type PriceShape = Pick<EngineSpec, 'resolutions' | 'audio' | 'priceSource' | 'status' | 'statusDate' | 'durations' | 'durationRules'> &
  Partial<Pick<EngineSpec, 'provider' | 'workflow'>> & {
    pricing: Pick<EnginePrice, 'resolution' | 'audio'>[];
  };

/** Cross-field rules: prices cover what the engine offers, dates accompany status changes. */
export function specProblems(spec: PriceShape): SpecProblem[] {
  const problems: SpecProblem[] = [];
  const seen = new Set<string>();
  spec.pricing.forEach((row, i) => {
    const key = `${row.resolution}/${row.audio}`;
    if (seen.has(key)) problems.push({ path: ['pricing', i], message: `duplicate price for ${row.resolution} ${row.audio ? 'with' : 'without'} audio` });
    seen.add(key);
    if (!spec.resolutions.includes(row.resolution)) {
      problems.push({ path: ['pricing', i, 'resolution'], message: `${row.resolution} is not one of the engine's resolutions (${spec.resolutions.join(', ')})` });
    }
    if (row.audio && spec.audio === 'none') problems.push({ path: ['pricing', i, 'audio'], message: 'the engine makes no audio, so no price can be for audio' });
    if (!row.audio && spec.audio === 'always') problems.push({ path: ['pricing', i, 'audio'], message: 'the engine always makes audio, so every price must be for audio' });
  });
  if (spec.priceSource !== 'free' || spec.pricing.length > 0) {
    const flags = spec.audio === 'none' ? [false] : spec.audio === 'always' ? [true] : [false, true];
    for (const resolution of spec.resolutions) {
      for (const audio of flags) {
        if (!seen.has(`${resolution}/${audio}`)) {
          problems.push({ path: ['pricing'], message: `missing a price for ${resolution} ${audio ? 'with' : 'without'} audio` });
        }
      }
    }
  }
  if (spec.workflow !== undefined && spec.provider !== undefined && spec.provider !== 'comfyui') {
    problems.push({ path: ['workflow'], message: `only ComfyUI engines run a workflow, not ${spec.provider}` });
  }
  if ((spec.status === 'retired' || spec.status === 'deprecated') && !spec.statusDate) {
    problems.push({ path: ['statusDate'], message: `is required when status is "${spec.status}"` });
  }
  if (spec.durations.kind === 'range' && spec.durations.min > spec.durations.max) {
    problems.push({ path: ['durations', 'max'], message: `must be at least min (${spec.durations.min})` });
  }
  spec.durationRules?.forEach((rule, i) => {
    if (rule.durations.kind === 'range' && rule.durations.min > rule.durations.max) {
      problems.push({ path: ['durationRules', i, 'durations', 'max'], message: `must be at least min (${rule.durations.min})` });
    }
    for (const resolution of rule.resolutions ?? []) {
      if (!spec.resolutions.includes(resolution)) {
        problems.push({ path: ['durationRules', i, 'resolutions'], message: `${resolution} is not one of the engine's resolutions (${spec.resolutions.join(', ')})` });
      }
    }
  });
  return problems;
}

/** Formats zod issues (or SpecProblems) as "prefix.path: message" lines. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, part) => (typeof part === 'number' ? `${out}[${part}]` : out ? `${out}.${String(part)}` : String(part)), '');
}

export function zodProblems(error: z.ZodError, describe: (path: readonly PropertyKey[]) => string = formatPath): string[] {
  return error.issues.map((issue) => `${describe(issue.path) || '(root)'}: ${issue.message}`);
}

export function throwIfProblems(message: string, problems: string[]): void {
  if (problems.length > 0) throw new UserError(message, problems);
}

/** A whole spec as the registry stores it (prices in micro-dollars): how a user's own engine is checked. */
export const storedSpecSchema = specFieldsSchema.extend({ pricing: z.array(microsPriceSchema) }).strict();
