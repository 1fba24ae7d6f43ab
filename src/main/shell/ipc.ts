/**
 * Binds the Studio API to Electron's ipcMain: one handler per channel in the
 * STUDIO_CHANNELS allowlist, and progress events pushed to the window. Written against
 * the small slice of ipcMain it uses, so tests can drive it with a fake.
 */
import { z } from 'zod';
import { RENDER_MODES } from '../../shared/domain';
import { STUDIO_CHANNELS, STUDIO_EVENTS, type ProgressEvent, type RegenerateOptions, type RenderOptions, type RestitchOptions, type ResumeOptions, type StudioApi } from '../../shared/api';

/** The part of Electron's IpcMainInvokeEvent the binding reads. */
export interface InvokeEventLike {
  senderFrame: { url: string } | null;
}

/** The part of Electron's IpcMain the binding uses. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}

/** The part of Electron's WebContents that receives pushed events. */
export interface EventTargetLike {
  isDestroyed(): boolean;
  send(channel: string, ...args: unknown[]): void;
}

export interface BindOptions {
  /** True when a call comes from the app's own page; anything else is refused. */
  isTrustedSender(url: string | null | undefined): boolean;
  /** Where progress events go; null while no window is open. */
  getTarget(): EventTargetLike | null;
}

type StudioMethod = keyof typeof STUDIO_CHANNELS;

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
const restitchOptionsShape = { outputPath: path, allowPartial: z.boolean().optional(), ...signingShape } satisfies Record<keyof RestitchOptions, z.ZodType>;
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
};

/** Checks a call's arguments; throws an error naming the channel and the bad argument. */
export function parseArguments<M extends StudioMethod>(method: M, args: unknown[]): Parameters<StudioApi[M]> {
  const { names, schema } = ARGUMENTS[method];
  const result = schema.safeParse(args);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const [index, ...rest] = issue.path;
    const name = typeof index === 'number' ? (names[index] ?? `argument ${index + 1}`) : 'arguments';
    return `${[name, ...rest.map(String)].join('.')}: ${issue.message}`;
  });
  throw new Error(`${STUDIO_CHANNELS[method]}: ${problems.join('; ')}`);
}

/**
 * Registers a handler for every channel and forwards progress to the target.
 * Returns a function that removes the handlers and stops forwarding.
 */
export function bindStudioApi(ipcMain: IpcMainLike, api: StudioApi, options: BindOptions): () => void {
  const methods = Object.keys(STUDIO_CHANNELS) as StudioMethod[];
  for (const method of methods) {
    const channel = STUDIO_CHANNELS[method];
    ipcMain.handle(channel, async (event, ...args) => {
      const senderUrl = event.senderFrame?.url;
      if (!options.isTrustedSender(senderUrl)) {
        throw new Error(`${channel}: refused a call from a page that is not Shotline's (${senderUrl ?? 'unknown frame'})`);
      }
      const parsed = parseArguments(method, args);
      // One cast: TypeScript cannot correlate `method` with its own argument tuple.
      return (api[method] as (...a: unknown[]) => Promise<unknown>)(...parsed);
    });
  }
  const stopProgress = api.onProgress((event: ProgressEvent) => {
    const target = options.getTarget();
    if (target && !target.isDestroyed()) target.send(STUDIO_EVENTS.progress, event);
  });
  return () => {
    stopProgress();
    for (const method of methods) ipcMain.removeHandler(STUDIO_CHANNELS[method]);
  };
}
