/**
 * The registry seed (resources/engines.json): read, validate with zod, and convert the
 * human-friendly USD prices into the integer micro-dollars everything else uses.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { RESOLUTIONS, type EngineSpec, type ProviderId, type ProviderSpec } from '../../shared/domain';
import { UserError } from '../../shared/errors';
import { usdToMicros } from '../../shared/money';
import { PROVIDER_IDS } from './providers';
import { chainNameSchema, engineIdSchema, formatPath, providerFieldsSchema, specFieldsSchema, specProblems, zodProblems } from './spec-schema';

export interface RegistrySeed {
  version: number;
  /** Provider accounts by id; a provider an engine names but the seed does not list gets DEFAULT_PROVIDER_FIELDS. */
  providers?: Partial<Record<ProviderId, Omit<ProviderSpec, 'id'> & { notes?: string }>>;
  engines: EngineSpec[];
  /** Named fallback chains: engine ids in the order to try them. */
  chains: Record<string, string[]>;
}

const usdPriceSchema = z
  .object({
    resolution: z.enum(RESOLUTIONS),
    audio: z.boolean(),
    usdPerSecond: z.number().min(0, 'must not be negative').max(100, 'must be at most $100 per second'),
  })
  .strict();

const seedEngineSchema = specFieldsSchema
  .extend({ pricing: z.array(usdPriceSchema) })
  .strict()
  .superRefine((spec, ctx) => {
    for (const problem of specProblems(spec)) ctx.addIssue({ code: 'custom', path: problem.path, message: problem.message });
  })
  .transform(
    (spec): EngineSpec => ({
      ...spec,
      durations: spec.durations.kind === 'list' ? { kind: 'list', values: [...new Set(spec.durations.values)].sort((a, b) => a - b) } : spec.durations,
      pricing: spec.pricing.map((row) => ({ resolution: row.resolution, audio: row.audio, microsPerSecond: usdToMicros(row.usdPerSecond) })),
    }),
  );

const seedFileSchema = z
  .object({
    version: z.number().int('must be a whole number').min(1, 'must be at least 1'),
    providers: z.partialRecord(z.enum(PROVIDER_IDS as [ProviderId, ...ProviderId[]]), providerFieldsSchema).default({}),
    engines: z.array(seedEngineSchema).min(1, 'must list at least one engine'),
    chains: z.record(chainNameSchema, z.array(engineIdSchema).min(1, 'must name at least one engine')).default({}),
  })
  .strict()
  .superRefine((seed, ctx) => {
    const ids = new Map<string, number>();
    seed.engines.forEach((engine, index) => {
      const first = ids.get(engine.id);
      if (first !== undefined) ctx.addIssue({ code: 'custom', path: ['engines', index, 'id'], message: `duplicate engine id "${engine.id}" (first used by engines[${first}])` });
      else ids.set(engine.id, index);
    });
    for (const [name, engineIds] of Object.entries(seed.chains)) {
      engineIds.forEach((id, i) => {
        if (!ids.has(id)) ctx.addIssue({ code: 'custom', path: ['chains', name, i], message: `unknown engine "${id}"` });
      });
    }
  });

/** Validates an already-parsed seed document; `source` names it in errors. */
export function parseSeed(document: unknown, source: string): RegistrySeed {
  const result = seedFileSchema.safeParse(document);
  if (result.success) return result.data;
  // Name the engine as well as its index: "engines[3] (luma-ray-2).pricing[0]" is what a person can find.
  const engines = (document as { engines?: unknown } | null)?.engines;
  const describe = (path: readonly PropertyKey[]): string => {
    const text = formatPath(path);
    if (path[0] !== 'engines' || typeof path[1] !== 'number' || !Array.isArray(engines)) return text;
    const id = (engines[path[1]] as { id?: unknown } | undefined)?.id;
    if (typeof id !== 'string') return text;
    const head = `engines[${path[1]}]`;
    return `${head} (${id})${text.slice(head.length)}`;
  };
  throw new UserError(`invalid engine registry seed ${source}`, zodProblems(result.error, describe));
}

/** Reads, parses and validates a seed file. */
export function loadSeedFile(path: string): RegistrySeed {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UserError(`cannot read engine registry seed ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new UserError(`engine registry seed ${path} is not valid JSON: ${(error as Error).message}`);
  }
  return parseSeed(document, path);
}
