/**
 * The engine registry over SQLite: the effective spec of an engine is the shipped seed
 * with the user's overrides laid on top. Overrides are a small whitelist of fields a
 * user may sensibly change (price, on/off, base URL, ComfyUI workflow, concurrency,
 * status); everything else is what Shotline ships and is replaced by the next seed upgrade.
 */
import { z } from 'zod';
import type { EngineSpec, ProviderId, ProviderSpec } from '../../shared/domain';
import { UserError } from '../../shared/errors';
import type { Db } from '../store/database';
import {
  baseUrlSchema,
  chainNameSchema,
  concurrencySchema,
  engineIdSchema,
  formatPath,
  microsPriceSchema,
  modelNameSchema,
  providerFieldsSchema,
  specProblems,
  statusDateSchema,
  statusSchema,
  storedSpecSchema,
  throwIfProblems,
  userWorkflowPathSchema,
  zodProblems,
} from './spec-schema';

/** For a provider the seed does not describe (a test engine, a user's own): generous, and a day's retention. */
export const DEFAULT_PROVIDER_FIELDS = { concurrency: 16, outputRetentionHours: 24 } as const;

export type OverridableField = 'enabled' | 'model' | 'baseUrl' | 'workflow' | 'concurrency' | 'pricing' | 'status' | 'statusDate';
export type EngineOverrides = Partial<Pick<EngineSpec, OverridableField>>;
/** Overrides as a caller hands them in: prices are plain numbers until the schema has checked them. */
export type EngineOverridesInput = Omit<EngineOverrides, 'pricing'> & { pricing?: { resolution: EngineSpec['pricing'][number]['resolution']; audio: boolean; microsPerSecond: number }[] };

const overridesSchema = z
  .object({
    enabled: z.boolean().optional(),
    model: modelNameSchema.optional(),
    baseUrl: baseUrlSchema.optional(),
    workflow: userWorkflowPathSchema.optional(),
    concurrency: concurrencySchema.optional(),
    pricing: z.array(microsPriceSchema).optional(),
    status: statusSchema.optional(),
    statusDate: statusDateSchema.optional(),
  })
  .strict();

interface EngineRowDb {
  id: string;
  seed_json: string;
  overrides_json: string;
  in_seed: number;
  origin: 'seed' | 'user';
}

const ROW_COLUMNS = 'id, seed_json, overrides_json, in_seed, origin';

export interface ChainEntry {
  name: string;
  engineIds: string[];
  source: 'seed' | 'user';
}

export class Registry {
  constructor(
    private readonly db: Db,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Effective specs, sorted by id. Engines a newer seed dropped are left out unless asked for. */
  list(options: { includeRemoved?: boolean } = {}): EngineSpec[] {
    const sql = options.includeRemoved
      ? `SELECT ${ROW_COLUMNS} FROM engines ORDER BY id`
      : `SELECT ${ROW_COLUMNS} FROM engines WHERE in_seed = 1 OR origin = 'user' ORDER BY id`;
    return (this.db.prepare(sql).all() as EngineRowDb[]).map(effective);
  }

  /** Any engine ever seeded, including ones a newer seed dropped (old attempts still name them). */
  get(id: string): EngineSpec | undefined {
    const row = this.row(id);
    return row ? effective(row) : undefined;
  }

  /** Like `get`, but an unknown id is a UserError that lists the known ones. */
  require(id: string): EngineSpec {
    return effective(this.requireRow(id));
  }

  /** The user's edits alone, for showing what differs from the shipped spec. */
  overridesOf(id: string): EngineOverrides {
    return parseOverrides(this.requireRow(id));
  }

  /**
   * Merges `patch` into the engine's overrides. A key present with the value undefined
   * removes that one override. Returns the new effective spec.
   */
  setOverride(id: string, patch: EngineOverridesInput): EngineSpec {
    const row = this.requireRow(id);
    const parsed = overridesSchema.safeParse(definedOnly(patch));
    if (!parsed.success) throw new UserError(`invalid settings for engine "${id}"`, zodProblems(parsed.error));
    const merged: Record<string, unknown> = { ...parseOverrides(row), ...parsed.data };
    for (const [key, value] of Object.entries(patch)) if (value === undefined) delete merged[key];

    const spec = { ...(JSON.parse(row.seed_json) as EngineSpec), ...merged };
    throwIfProblems(
      `invalid settings for engine "${id}"`,
      specProblems(spec).map((p) => `${formatPath(p.path)}: ${p.message}`),
    );
    this.db.prepare('UPDATE engines SET overrides_json = ?, updated_at = ? WHERE id = ?').run(JSON.stringify(merged), this.clock(), id);
    return this.get(id)!;
  }

  /**
   * Adds the user's own engine (an OpenAI-compatible endpoint, a ComfyUI workflow). It is
   * theirs for good: seed upgrades leave it alone, and later edits go through setOverride.
   */
  addUserEngine(spec: EngineSpec): EngineSpec {
    const parsed = storedSpecSchema.safeParse(spec);
    if (!parsed.success) throw new UserError(`invalid engine "${spec.id}"`, zodProblems(parsed.error));
    throwIfProblems(
      `invalid engine "${spec.id}"`,
      specProblems(parsed.data).map((p) => `${formatPath(p.path)}: ${p.message}`),
    );
    if (this.row(spec.id)) throw new UserError(`engine "${spec.id}" already exists`, ['choose another id, or change it with `shotline engines set`']);
    this.db
      .prepare("INSERT INTO engines (id, seed_json, overrides_json, seed_version, in_seed, origin, updated_at) VALUES (?, ?, '{}', 0, 0, 'user', ?)")
      .run(spec.id, JSON.stringify(parsed.data), this.clock());
    return this.get(spec.id)!;
  }

  clearOverrides(id: string): EngineSpec {
    const row = this.requireRow(id);
    this.db.prepare("UPDATE engines SET overrides_json = '{}', updated_at = ? WHERE id = ?").run(this.clock(), id);
    return JSON.parse(row.seed_json) as EngineSpec;
  }

  /** The provider account's limits: the shipped facts with the user's overrides on top. */
  provider(id: ProviderId): ProviderSpec {
    const row = this.db.prepare('SELECT seed_json, overrides_json FROM providers WHERE id = ?').get(id) as { seed_json: string; overrides_json: string } | undefined;
    const fields = row ? { ...(JSON.parse(row.seed_json) as object), ...(JSON.parse(row.overrides_json) as object) } : {};
    const parsed = providerFieldsSchema.partial().safeParse(fields);
    if (!parsed.success) throw new UserError(`stored settings for provider "${id}" are invalid`, zodProblems(parsed.error));
    const { notes: _notes, ...limits } = { ...DEFAULT_PROVIDER_FIELDS, ...parsed.data };
    return { id, ...limits };
  }

  /** The user's account limits (their tier's concurrency, a retention they know better). */
  setProviderOverride(id: ProviderId, patch: Partial<Pick<ProviderSpec, 'concurrency' | 'outputRetentionHours'>>): ProviderSpec {
    const parsed = providerFieldsSchema.partial().safeParse(patch);
    if (!parsed.success) throw new UserError(`invalid settings for provider "${id}"`, zodProblems(parsed.error));
    const row = this.db.prepare('SELECT overrides_json FROM providers WHERE id = ?').get(id) as { overrides_json: string } | undefined;
    const merged = { ...(row ? (JSON.parse(row.overrides_json) as object) : {}), ...parsed.data };
    this.db
      .prepare(
        "INSERT INTO providers (id, seed_json, overrides_json, updated_at) VALUES (?, '{}', ?, ?) ON CONFLICT (id) DO UPDATE SET overrides_json = excluded.overrides_json, updated_at = excluded.updated_at",
      )
      .run(id, JSON.stringify(merged), this.clock());
    return this.provider(id);
  }

  /** Every named chain (seed and user), by name. */
  chains(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const entry of this.chainEntries()) out[entry.name] = entry.engineIds;
    return out;
  }

  chainEntries(): ChainEntry[] {
    const rows = this.db.prepare('SELECT name, engine_ids, source FROM fallback_chains ORDER BY name').all() as {
      name: string;
      engine_ids: string;
      source: 'seed' | 'user';
    }[];
    return rows.map((row) => ({ name: row.name, engineIds: JSON.parse(row.engine_ids) as string[], source: row.source }));
  }

  /** Creates or replaces a user chain. It survives seed upgrades and shadows a seed chain of the same name. */
  setChain(name: string, engineIds: string[]): void {
    const problems: string[] = [];
    const nameCheck = chainNameSchema.safeParse(name);
    if (!nameCheck.success) problems.push(`name: ${nameCheck.error.issues[0]?.message ?? 'invalid'}`);
    if (engineIds.length === 0) problems.push('engines: must name at least one engine');
    const known = new Set(this.list().map((spec) => spec.id));
    const seen = new Set<string>();
    engineIds.forEach((id, i) => {
      if (!engineIdSchema.safeParse(id).success || !known.has(id)) problems.push(`engines[${i}]: unknown engine "${id}"`);
      else if (seen.has(id)) problems.push(`engines[${i}]: "${id}" is listed twice`);
      seen.add(id);
    });
    throwIfProblems(`invalid fallback chain "${name}"`, problems);
    this.db
      .prepare(
        "INSERT INTO fallback_chains (name, engine_ids, source, updated_at) VALUES (?, ?, 'user', ?) " +
          "ON CONFLICT (name) DO UPDATE SET engine_ids = excluded.engine_ids, source = 'user', updated_at = excluded.updated_at",
      )
      .run(name, JSON.stringify(engineIds), this.clock());
  }

  private row(id: string): EngineRowDb | undefined {
    return this.db.prepare(`SELECT ${ROW_COLUMNS} FROM engines WHERE id = ?`).get(id) as EngineRowDb | undefined;
  }

  private requireRow(id: string): EngineRowDb {
    const row = this.row(id);
    if (row) return row;
    const known = this.list().map((spec) => spec.id);
    throw new UserError(`unknown engine "${id}"`, [`known engines: ${known.join(', ') || '(none; the registry is not seeded)'}`]);
  }
}

function effective(row: EngineRowDb): EngineSpec {
  const overrides = parseOverrides(row);
  // A price the user set is theirs, not the seed's estimate or published figure.
  return { ...(JSON.parse(row.seed_json) as EngineSpec), ...overrides, ...(overrides.pricing ? { priceSource: 'user' as const } : {}) };
}

function parseOverrides(row: EngineRowDb): EngineOverrides {
  const parsed = overridesSchema.safeParse(JSON.parse(row.overrides_json));
  // Only setOverride writes this column, so a bad value means a hand-edited database.
  if (!parsed.success) throw new UserError(`stored settings for engine "${row.id}" are invalid`, zodProblems(parsed.error));
  return parsed.data;
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
