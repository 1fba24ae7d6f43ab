/**
 * Applies the shipped seed to the database. A seed upgrade replaces what Shotline ships
 * (each engine's seed_json, the 'seed' chains) and never what the user chose
 * (overrides_json, the 'user' chains). Engines a newer seed drops stay in the table with
 * in_seed = 0 so that old attempts still resolve to a spec.
 */
import { createHash } from 'node:crypto';
import { inTransaction, type Db } from '../store/database';
import type { RegistrySeed } from './seed-file';

const SEED_STATE_KEY = 'registry.seed';

export interface SeedOutcome {
  /** False when the stored seed already matched and nothing was written. */
  applied: boolean;
  added: string[];
  updated: string[];
  /** Engines the seed no longer ships (kept with in_seed = 0). */
  removed: string[];
}

export function seedFingerprint(seed: RegistrySeed): string {
  return createHash('sha256').update(JSON.stringify({ version: seed.version, providers: seed.providers ?? {}, engines: seed.engines, chains: seed.chains })).digest('hex');
}

export function seedRegistry(db: Db, seed: RegistrySeed, now: number = Date.now()): SeedOutcome {
  const fingerprint = seedFingerprint(seed);
  const outcome: SeedOutcome = { applied: false, added: [], updated: [], removed: [] };
  // The cheap path runs on every start: one indexed read, no write lock.
  if (storedFingerprint(db) === fingerprint) return outcome;

  inTransaction(db, () => {
    // Another process may have seeded while this one waited for the lock.
    if (storedFingerprint(db) === fingerprint) return;
    outcome.applied = true;
    const existing = new Map(
      (
        db.prepare('SELECT id, seed_json, seed_version, in_seed, origin FROM engines').all() as {
          id: string;
          seed_json: string;
          seed_version: number;
          in_seed: number;
          origin: 'seed' | 'user';
        }[]
      ).map((row) => [row.id, row]),
    );
    const insert = db.prepare(
      "INSERT INTO engines (id, seed_json, overrides_json, seed_version, in_seed, updated_at) VALUES (?, ?, '{}', ?, 1, ?)",
    );
    const upgrade = db.prepare('UPDATE engines SET seed_json = ?, seed_version = ?, in_seed = 1, updated_at = ? WHERE id = ?');
    const seedIds = new Set<string>();
    for (const spec of seed.engines) {
      seedIds.add(spec.id);
      const json = JSON.stringify(spec);
      const row = existing.get(spec.id);
      // The user's own engine of the same id stays theirs; the shipped one is not installed over it.
      if (row?.origin === 'user') continue;
      if (!row) {
        insert.run(spec.id, json, seed.version, now);
        outcome.added.push(spec.id);
      } else if (row.seed_json !== json || row.in_seed !== 1 || row.seed_version !== seed.version) {
        upgrade.run(json, seed.version, now, spec.id);
        if (row.seed_json !== json || row.in_seed !== 1) outcome.updated.push(spec.id);
      }
    }
    const retire = db.prepare('UPDATE engines SET in_seed = 0, updated_at = ? WHERE id = ?');
    for (const row of existing.values()) {
      if (row.origin === 'seed' && row.in_seed === 1 && !seedIds.has(row.id)) {
        retire.run(now, row.id);
        outcome.removed.push(row.id);
      }
    }

    // Provider accounts: the shipped facts are replaced, the user's overrides (their tier's concurrency) kept.
    const upsertProvider = db.prepare(
      "INSERT INTO providers (id, seed_json, overrides_json, updated_at) VALUES (?, ?, '{}', ?) ON CONFLICT (id) DO UPDATE SET seed_json = excluded.seed_json, updated_at = excluded.updated_at",
    );
    for (const [id, fields] of Object.entries(seed.providers ?? {})) upsertProvider.run(id, JSON.stringify(fields), now);

    db.prepare("DELETE FROM fallback_chains WHERE source = 'seed'").run();
    // A user chain with the same name wins: the user chose it on purpose.
    const addChain = db.prepare(
      "INSERT INTO fallback_chains (name, engine_ids, source, updated_at) VALUES (?, ?, 'seed', ?) ON CONFLICT (name) DO NOTHING",
    );
    for (const [name, ids] of Object.entries(seed.chains)) addChain.run(name, JSON.stringify(ids), now);

    db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(
      SEED_STATE_KEY,
      JSON.stringify({ version: seed.version, fingerprint }),
    );
  });
  return outcome;
}

function storedFingerprint(db: Db): string | undefined {
  const row = db.prepare('SELECT value FROM settings WHERE key = ?').get(SEED_STATE_KEY) as { value: string } | undefined;
  if (!row) return undefined;
  try {
    return (JSON.parse(row.value) as { fingerprint?: string }).fingerprint;
  } catch {
    return undefined;
  }
}
