/**
 * The shape of every Studio API call's arguments, checked with zod in main before a
 * service sees them: the IPC binding (src/main/shell/ipc.ts) and the loopback bridge
 * (src/main/bridge/server.ts) both call `parseArguments`, so a bad call gets the same
 * clear error over either transport.
 */
import { z } from 'zod';
import { RENDER_MODES } from '../../shared/domain';
import { STUDIO_CHANNELS, type EngineEdit, type RegenerateOptions, type RenderOptions, type RestitchOptions, type ResumeOptions, type StudioApi, type StudioMethod } from '../../shared/api';
import { UserError } from '../../shared/errors';


/**
 * The shape of each method's arguments. Deliberately shallow: the studio validates
 * storyboards and options fully; this only keeps malformed calls from reaching it and
 * strips fields the contract does not know.
 */
const path = z.string().min(1, 'must be a non-empty string');
const id = z.string().min(1, 'must be a non-empty string');
const signingShape = { sign: z.boolean().optional(), allowUnverified: z.boolean().optional() };
const planOptionsShape = {
  mode: z.enum(RENDER_MODES).optional(),
  budgetUsd: z.number().positive().finite().optional(),
};
// `satisfies` makes a field added to RenderOptions a compile error here rather than a
// field silently stripped on its way to the studio.
const renderOptionsShape = {
  ...planOptionsShape,
  outputPath: path,
  approved: z.boolean().optional(),
  ...signingShape,
  concurrency: z.number().int().positive().optional(),
  strict: z.boolean().optional(),
  allowPartial: z.boolean().optional(),
  resubmitUnknown: z.boolean().optional(),
} satisfies Record<keyof RenderOptions, z.ZodType>;
const resumeOptionsShape = {
  ...signingShape,
  budgetUsd: planOptionsShape.budgetUsd,
  concurrency: z.number().int().positive().optional(),
  strict: z.boolean().optional(),
  allowPartial: z.boolean().optional(),
  resubmitUnknown: z.boolean().optional(),
} satisfies Record<keyof ResumeOptions, z.ZodType>;
const regenerateOptionsShape = {
  shotIds: z.array(id).min(1, 'must name at least one shot'),
  engineId: id.optional(),
  prompt: z.string().optional(),
  seed: z.number().int().optional(),
  mode: z.enum(RENDER_MODES).optional(),
  budgetUsd: planOptionsShape.budgetUsd,
  concurrency: z.number().int().positive().optional(),
  allowPartial: z.boolean().optional(),
  resubmitUnknown: z.boolean().optional(),
  ...signingShape,
} satisfies Record<keyof RegenerateOptions, z.ZodType>;
const restitchOptionsShape = {
  outputPath: path,
  allowPartial: z.boolean().optional(),
  loudness: z.number().min(-40, 'must be between -40 and -5 LUFS').max(-5, 'must be between -40 and -5 LUFS').optional(),
  ...signingShape,
} satisfies Record<keyof RestitchOptions, z.ZodType>;
// The storyboard itself is checked by its own schema in the service (the CLI's messages); here only its outer shape.
const storyboardSource = z.union([
  z.object({ path }).strict(),
  z.object({ fileName: z.string().min(1, 'must be a non-empty string').max(255), text: z.string().max(32 * 1024 * 1024, 'is larger than 32 MB') }).strict(),
]);
const storyboardObject = z.record(z.string(), z.unknown());
const credentialsTarget = z.object({ episodeId: id, shotId: id.optional(), takeNo: z.number().int().positive().optional() }).strict();
const secretValue = z.string().min(1, 'must not be empty').max(4096, 'is longer than 4096 characters');
const engineEditShape = {
  enabled: z.boolean().optional(),
  price: z.string().max(32).optional(),
  baseUrl: z.string().max(2048).optional(),
  concurrency: z.string().max(8).optional(),
  model: z.string().max(200).optional(),
  workflow: z.string().max(4096).optional(),
} satisfies Record<keyof EngineEdit, z.ZodType>;
const shotsOrAll = z.union([z.array(id).min(1, 'must name at least one shot'), z.literal('all')]);
const planOptions = z.object(planOptionsShape);
const resumeOptions = z.object(resumeOptionsShape);
const renderOptions = z.object(renderOptionsShape);

const ARGUMENTS: { [M in StudioMethod]: { names: string[]; schema: z.ZodType<Parameters<StudioApi[M]>> } } = {
  listEngines: { names: [], schema: z.tuple([]) },
  planEpisode: { names: ['storyboardPath', 'options'], schema: z.tuple([path, planOptions.optional()]) },
  startRender: { names: ['storyboardPath', 'options'], schema: z.tuple([path, renderOptions]) },
  resumeRender: { names: ['episodeId', 'options'], schema: z.tuple([id, resumeOptions.optional()]) },
  cancelRender: { names: ['episodeId'], schema: z.tuple([id]) },
  getEpisode: { names: ['episodeId'], schema: z.tuple([id]) },
  listEpisodes: { names: [], schema: z.tuple([]) },
  costSummary: { names: [], schema: z.tuple([]) },
  heldReservations: { names: [], schema: z.tuple([]) },
  approveShots: { names: ['episodeId', 'shots'], schema: z.tuple([id, shotsOrAll]) },
  unapproveShots: { names: ['episodeId', 'shots'], schema: z.tuple([id, shotsOrAll]) },
  selectTake: { names: ['episodeId', 'shotId', 'takeNo'], schema: z.tuple([id, id, z.number().int().positive()]) },
  regenerateShots: { names: ['episodeId', 'options'], schema: z.tuple([id, z.object(regenerateOptionsShape)]) },
  restitchEpisode: { names: ['episodeId', 'options'], schema: z.tuple([id, z.object(restitchOptionsShape)]) },
  openStoryboard: { names: ['source'], schema: z.tuple([storyboardSource]) },
  saveStoryboard: { names: ['path', 'storyboard'], schema: z.tuple([path, storyboardObject]) as never },
  listStoryboards: { names: [], schema: z.tuple([]) },
  verifyCredentials: { names: ['target'], schema: z.tuple([credentialsTarget]) },
  getAppInfo: { names: [], schema: z.tuple([]) },
  listProviderKeys: { names: [], schema: z.tuple([]) },
  setProviderKey: { names: ['provider', 'values'], schema: z.tuple([id, z.record(z.string(), secretValue)]) },
  deleteProviderKey: { names: ['provider'], schema: z.tuple([id]) },
  updateEngine: { names: ['engineId', 'edit'], schema: z.tuple([id, z.object(engineEditShape).strict()]) },
};

/** Checks a call's arguments; throws an error naming the channel and the bad argument. */
/** True for a name the contract has (an own key: never `constructor` or `__proto__`). */
export function isStudioMethod(name: string): name is StudioMethod {
  return Object.hasOwn(STUDIO_CHANNELS, name);
}

export function parseArguments<M extends StudioMethod>(method: M, args: unknown[]): Parameters<StudioApi[M]> {
  const { names, schema } = ARGUMENTS[method];
  const result = schema.safeParse(args);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const [index, ...rest] = issue.path;
    const name = typeof index === 'number' ? (names[index] ?? `argument ${index + 1}`) : 'arguments';
    return `${[name, ...rest.map(String)].join('.')}: ${issue.message}`;
  });
  throw new UserError(`${STUDIO_CHANNELS[method]}: ${problems.join('; ')}`);
}

