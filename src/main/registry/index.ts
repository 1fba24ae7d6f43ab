export { bootstrapRegistry, type RegistryStores } from './bootstrap';
export { emptyHealth, HealthRepository, LATENCY_EWMA_ALPHA } from './health';
export { PROVIDER_ACCESS, PROVIDER_IDS, type ProviderAccess } from './providers';
export { Registry, type ChainEntry, type EngineOverrides, type OverridableField } from './registry';
export { seedFingerprint, seedRegistry, type SeedOutcome } from './seed';
export { loadSeedFile, parseSeed, type RegistrySeed } from './seed-file';
export { defaultSeedPath, SEED_FILE_NAME } from './seed-path';
