/**
 * Opens the SQLite database (WAL, foreign keys, busy timeout) and applies migrations.
 * better-sqlite3 is synchronous: a transaction cannot interleave with other work in
 * this process, and BEGIN IMMEDIATE serialises writers across processes.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { MIGRATIONS, type Migration } from './migrations';

export type Db = Database.Database;

/**
 * `nativeBinding`: a better-sqlite3 addon built for another ABI than this Node's (the app
 * under Electron uses the one scripts/postinstall.mjs built, so the CLI keeps Node's).
 */
export function openDatabase(file: string, migrations: Migration[] = MIGRATIONS, options: { nativeBinding?: string } = {}): Db {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file, options.nativeBinding ? { nativeBinding: options.nativeBinding } : {});
  // The busy timeout comes first: switching to WAL takes a lock that a second process
  // opening the same new file at the same moment must wait for, not fail on.
  db.pragma('busy_timeout = 10000');
  enableWal(db);
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  migrate(db, migrations);
  return db;
}

/**
 * Switches a database to WAL. Two processes opening the same fresh file at the same
 * moment can both hold a shared lock and both want the exclusive one the switch needs:
 * SQLite then answers SQLITE_BUSY at once instead of waiting (waiting would deadlock), so
 * the busy timeout does not help and the switch is tried again here, briefly.
 */
function enableWal(db: Db, giveUpAfterMs = 10_000): void {
  const deadline = Date.now() + giveUpAfterMs;
  for (let tries = 1; ; tries++) {
    try {
      db.pragma('journal_mode = WAL');
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() > deadline) throw error;
      // The other process finishes its switch within milliseconds; a little jitter keeps two waiters from colliding again.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Math.min(200, 5 * tries + Math.random() * 20));
    }
  }
}

/**
 * Applies pending migrations under the database's write lock. The schema version is read
 * inside the lock: two processes opening a fresh file together would otherwise both see
 * version 0 and the second would fail on "table already exists".
 */
export function migrate(db: Db, migrations: Migration[]): void {
  const latest = migrations.at(-1)?.version ?? 0;
  const unlockedVersion = db.pragma('user_version', { simple: true }) as number;
  if (unlockedVersion === latest) return;
  const rebuilds = migrations.some((m) => m.version > unlockedVersion && m.rebuildsTables);
  if (rebuilds) db.pragma('foreign_keys = OFF');
  try {
    db.transaction(() => {
      const current = db.pragma('user_version', { simple: true }) as number;
      if (current > latest) {
        throw new Error(`database schema version ${current} is newer than this Shotline (${latest}); upgrade Shotline`);
      }
      for (const migration of migrations) {
        if (migration.version <= current) continue;
        db.exec(migration.sql);
        migration.run?.(db);
        db.pragma(`user_version = ${migration.version}`);
      }
      const broken = db.pragma('foreign_key_check') as unknown[];
      if (broken.length > 0) throw new Error(`migration left ${broken.length} broken foreign key reference(s); the database was not changed`);
    }).immediate();
  } finally {
    if (rebuilds) db.pragma('foreign_keys = ON');
  }
}

/** Runs `work` in a BEGIN IMMEDIATE transaction so concurrent writers queue instead of failing. */
export function inTransaction<T>(db: Db, work: () => T): T {
  return db.transaction(work).immediate();
}
