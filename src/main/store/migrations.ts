/**
 * Versioned schema migrations. Each entry runs once, in order, inside one transaction,
 * and bumps PRAGMA user_version. Never edit a shipped migration: add a new one.
 *
 * Money columns are INTEGER micro-dollars. Times are INTEGER epoch milliseconds.
 */

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
      CREATE TABLE engines (
        id             TEXT PRIMARY KEY,
        seed_json      TEXT NOT NULL,              -- the spec as shipped in resources/engines.json
        overrides_json TEXT NOT NULL DEFAULT '{}', -- the user's edits (price, enabled, baseUrl, ...)
        seed_version   INTEGER NOT NULL,
        in_seed        INTEGER NOT NULL DEFAULT 1, -- 0 once a newer seed no longer ships it
        updated_at     INTEGER NOT NULL
      );

      CREATE TABLE fallback_chains (
        name        TEXT PRIMARY KEY,
        engine_ids  TEXT NOT NULL,                 -- JSON array of engine ids, in order
        source      TEXT NOT NULL CHECK (source IN ('seed', 'user')),
        updated_at  INTEGER NOT NULL
      );

      CREATE TABLE engine_health (
        engine_id       TEXT PRIMARY KEY,
        successes       INTEGER NOT NULL DEFAULT 0,
        failures        INTEGER NOT NULL DEFAULT 0,
        mean_latency_ms REAL,
        cooling_until   INTEGER NOT NULL DEFAULT 0,
        last_error_kind TEXT,
        updated_at      INTEGER NOT NULL
      );

      CREATE TABLE settings (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );

      CREATE TABLE episodes (
        id              TEXT PRIMARY KEY,
        run_key         TEXT NOT NULL,             -- hash of storyboard + mode + output: re-running resumes
        title           TEXT NOT NULL,
        storyboard_path TEXT NOT NULL,
        storyboard_json TEXT NOT NULL,             -- the validated storyboard, as rendered
        output_path     TEXT NOT NULL,
        mode            TEXT NOT NULL CHECK (mode IN ('preview', 'final')),
        budget_micros   INTEGER,                   -- NULL: no limit
        options_json    TEXT NOT NULL DEFAULT '{}',
        status          TEXT NOT NULL CHECK (status IN ('running', 'stitching', 'completed', 'failed', 'cancelled')),
        runner_pid      INTEGER,
        created_at      INTEGER NOT NULL,
        finished_at     INTEGER,
        error_message   TEXT
      );
      CREATE INDEX episodes_run_key ON episodes (run_key, created_at);

      CREATE TABLE shots (
        episode_id     TEXT NOT NULL REFERENCES episodes (id),
        shot_id        TEXT NOT NULL,
        position       INTEGER NOT NULL,
        spec_json      TEXT NOT NULL,
        chain_json     TEXT NOT NULL DEFAULT '[]',  -- the router's plan: candidates and rejections with reasons
        status         TEXT NOT NULL CHECK (status IN ('pending', 'running', 'accepted', 'failed')),
        accepted_attempt_id TEXT,
        failure_reason TEXT,
        updated_at     INTEGER NOT NULL,
        PRIMARY KEY (episode_id, shot_id)
      );

      CREATE TABLE attempts (
        id                TEXT PRIMARY KEY,
        episode_id        TEXT NOT NULL REFERENCES episodes (id),
        shot_id           TEXT NOT NULL,
        attempt_no        INTEGER NOT NULL,         -- 1.. within the shot
        engine_id         TEXT NOT NULL,
        mode              TEXT NOT NULL,
        idempotency_key   TEXT NOT NULL UNIQUE,
        provider_job_id   TEXT,
        status            TEXT NOT NULL CHECK (status IN
                            ('reserved', 'submitted', 'downloaded', 'accepted', 'rejected', 'failed', 'timed_out', 'cancelled')),
        request_json      TEXT NOT NULL,
        error_kind        TEXT,
        error_message     TEXT,
        estimated_micros  INTEGER NOT NULL,
        actual_micros     INTEGER,
        clip_path         TEXT,
        clip_sha256       TEXT,
        created_at        INTEGER NOT NULL,
        submitted_at      INTEGER,
        finished_at       INTEGER,
        UNIQUE (episode_id, shot_id, attempt_no)
      );
      CREATE INDEX attempts_by_shot ON attempts (episode_id, shot_id);
      CREATE INDEX attempts_open ON attempts (status) WHERE status IN ('reserved', 'submitted', 'downloaded', 'timed_out');

      -- Append-only cost ledger. A reservation holds money before a call; it is later
      -- released in full, and what was actually paid is recorded as a charge.
      -- held = reserve - release; spent = charge; committed = held + spent.
      CREATE TABLE ledger (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        episode_id  TEXT NOT NULL REFERENCES episodes (id),
        attempt_id  TEXT NOT NULL REFERENCES attempts (id),
        engine_id   TEXT NOT NULL,
        mode        TEXT NOT NULL,
        entry       TEXT NOT NULL CHECK (entry IN ('reserve', 'release', 'charge')),
        micros      INTEGER NOT NULL CHECK (micros >= 0),
        note        TEXT,
        created_at  INTEGER NOT NULL
      );
      CREATE INDEX ledger_by_episode ON ledger (episode_id);
      CREATE INDEX ledger_by_attempt ON ledger (attempt_id);
    `,
  },
];
