/**
 * One call for the composition root: load the shipped seed, apply it (a no-op when it
 * has not changed since the last start), and hand back the registry and health stores.
 */
import type { Db } from '../store/database';
import { HealthRepository } from './health';
import { Registry } from './registry';
import { seedRegistry, type SeedOutcome } from './seed';
import { loadSeedFile } from './seed-file';
import { defaultSeedPath } from './seed-path';

export interface RegistryStores {
  registry: Registry;
  health: HealthRepository;
  seed: SeedOutcome;
}

export function bootstrapRegistry(db: Db, options: { seedPath?: string; clock?: () => number } = {}): RegistryStores {
  const clock = options.clock ?? Date.now;
  const seed = seedRegistry(db, loadSeedFile(options.seedPath ?? defaultSeedPath()), clock());
  return { registry: new Registry(db, clock), health: new HealthRepository(db, clock), seed };
}
