/**
 * Versioned schema migrations. Each entry runs once, in order, inside one transaction,
 * and bumps PRAGMA user_version. Never edit a shipped migration: add a new one.
 *
 * Money columns are INTEGER micro-dollars. Times are INTEGER epoch milliseconds.
 */

import type { Db } from './database';
import { MIGRATIONS_SINCE_TAKES } from './migrations-since-takes';
import { episodeRunKey } from './run-key';

export interface Migration {
  version: number;
  name: string;
  sql: string;
  /** Work SQL cannot do (hashing, JSON reshaping), run after `sql` in the same transaction. */
  run?: (db: Db) => void;
  /**
   * The migration rebuilds a table that others reference: foreign keys are switched off
   * around it (SQLite ignores that pragma inside a transaction) and checked afterwards.
   */
  rebuildsTables?: boolean;
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
  {
    version: 2,
    name: 'attempt state machine, runner identity, windowed health, provider accounts',
    rebuildsTables: true,
    sql: `
      -- Attempts as an explicit state machine. Old rows keep their meaning: 'submitted'
      -- held money for a live job, 'downloaded' had its clip and its charge.
      CREATE TABLE attempts_v2 (
        id                       TEXT PRIMARY KEY,
        episode_id               TEXT NOT NULL REFERENCES episodes (id),
        shot_id                  TEXT NOT NULL,
        attempt_no               INTEGER NOT NULL,
        engine_id                TEXT NOT NULL,
        mode                     TEXT NOT NULL,
        client_reference         TEXT NOT NULL UNIQUE, -- sent with the submit; how findJob recovers a lost answer
        provider_job_id          TEXT,
        status                   TEXT NOT NULL CHECK (status IN
                                   ('reserved', 'submitting', 'submitted', 'succeeded', 'downloaded', 'accepted', 'rejected',
                                    'collected', 'failed', 'cancelled', 'timed_out', 'expired', 'unknown', 'abandoned')),
        request_json             TEXT NOT NULL,
        error_kind               TEXT,
        error_message            TEXT,
        price_micros             INTEGER NOT NULL,  -- list price x seconds to generate: the basis of billing corrections
        estimated_micros         INTEGER NOT NULL,  -- what was reserved before the submit (the price, corrected by observed billing)
        provider_estimate_micros INTEGER,           -- what the provider estimated at create, when it said
        actual_micros            INTEGER,           -- what was charged
        billed_source            TEXT CHECK (billed_source IN ('provider', 'price')),
        output_json              TEXT,              -- where the finished job's video is (recorded before any download)
        clip_path                TEXT,
        clip_sha256              TEXT,
        clip_stat                TEXT,              -- size and mtime when the checksum was taken: an unchanged file need not be hashed again
        created_at               INTEGER NOT NULL,
        submitting_at            INTEGER,
        submitted_at             INTEGER,
        succeeded_at             INTEGER,
        finished_at              INTEGER,
        hold_until               INTEGER,           -- money held past this time is released (the provider no longer keeps the job)
        cancel_reason            TEXT CHECK (cancel_reason IN ('over_budget', 'stalled', 'user')), -- why we asked the provider to cancel it
        UNIQUE (episode_id, shot_id, attempt_no)
      );
      INSERT INTO attempts_v2 (id, episode_id, shot_id, attempt_no, engine_id, mode, client_reference, provider_job_id, status,
                               request_json, error_kind, error_message, price_micros, estimated_micros, actual_micros, billed_source,
                               clip_path, clip_sha256, created_at, submitted_at, finished_at)
        SELECT id, episode_id, shot_id, attempt_no, engine_id, mode, idempotency_key, provider_job_id, status,
               request_json, error_kind, error_message, estimated_micros, estimated_micros, actual_micros,
               CASE WHEN actual_micros IS NULL THEN NULL ELSE 'price' END,
               clip_path, clip_sha256, created_at, submitted_at, finished_at
        FROM attempts;
      DROP TABLE attempts;
      ALTER TABLE attempts_v2 RENAME TO attempts;
      CREATE INDEX attempts_by_shot ON attempts (episode_id, shot_id);
      CREATE INDEX attempts_open ON attempts (status)
        WHERE status IN ('reserved', 'submitting', 'submitted', 'succeeded', 'downloaded', 'timed_out', 'unknown');
      CREATE INDEX attempts_by_engine ON attempts (engine_id, finished_at);

      -- The runner is a process identity (pid plus its start time), not a bare pid that
      -- any later process may reuse; the heartbeat covers systems where the start time
      -- cannot be read.
      ALTER TABLE episodes ADD COLUMN runner_started TEXT;
      ALTER TABLE episodes ADD COLUMN runner_heartbeat_at INTEGER;

      -- Health is a failure rate over a recent window, counting only the engine's own
      -- faults; lifetime counters never forgot a bad afternoon.
      CREATE TABLE engine_outcomes (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        engine_id  TEXT NOT NULL,
        at         INTEGER NOT NULL,
        ok         INTEGER NOT NULL CHECK (ok IN (0, 1)),
        kind       TEXT,
        latency_ms INTEGER
      );
      CREATE INDEX engine_outcomes_recent ON engine_outcomes (engine_id, at);
      ALTER TABLE engine_health DROP COLUMN successes;
      ALTER TABLE engine_health DROP COLUMN failures;

      -- One row per provider account: its concurrency limit (shared by its models) and
      -- how long it keeps a finished job's output.
      CREATE TABLE providers (
        id             TEXT PRIMARY KEY,
        seed_json      TEXT NOT NULL,
        overrides_json TEXT NOT NULL DEFAULT '{}',
        updated_at     INTEGER NOT NULL
      );
    `,
    run: (db) => {
      // Episodes now belong to their storyboard and mode, not to --out or --budget.
      const rows = db.prepare(`SELECT id, storyboard_json, mode FROM episodes`).all() as { id: string; storyboard_json: string; mode: string }[];
      const update = db.prepare(`UPDATE episodes SET run_key = ? WHERE id = ?`);
      for (const row of rows) update.run(episodeRunKey(JSON.parse(row.storyboard_json), row.mode), row.id);
    },
  },
  {
    version: 3,
    name: "users' own engines",
    sql: `
      -- 'user': added with \`shotline engines add\` (an OpenAI-compatible endpoint, a ComfyUI
      -- workflow). A seed upgrade never replaces, retires or shadows such an engine.
      ALTER TABLE engines ADD COLUMN origin TEXT NOT NULL DEFAULT 'seed' CHECK (origin IN ('seed', 'user'));
    `,
  },
  {
    version: 4,
    name: "the quality gate's results, and observed quality per engine and shot kind",
    sql: `
      -- The gate's verdict on an attempt's clip (the last one, when a resumed run gated it
      -- again): what the pipeline decided and the 0..1 score the router learns from.
      -- engine_id and shot_kind are copied from the attempt and its shot, so what the
      -- router learned can be traced back to the clips it learned from.
      CREATE TABLE gate_verdicts (
        attempt_id     TEXT PRIMARY KEY REFERENCES attempts (id),
        engine_id      TEXT NOT NULL,
        shot_kind      TEXT NOT NULL,
        decision       TEXT NOT NULL CHECK (decision IN ('pass', 'retry_same_engine', 'escalate')),
        quality_score  REAL NOT NULL CHECK (quality_score >= 0 AND quality_score <= 1),
        problems_json  TEXT NOT NULL DEFAULT '[]',
        recorded_at    INTEGER NOT NULL
      );
      CREATE INDEX gate_verdicts_by_engine ON gate_verdicts (engine_id, shot_kind, recorded_at);

      -- Each check of a verdict, in the gate's order.
      CREATE TABLE gate_checks (
        attempt_id  TEXT NOT NULL REFERENCES gate_verdicts (attempt_id) ON DELETE CASCADE,
        position    INTEGER NOT NULL,
        name        TEXT NOT NULL,
        value       REAL,                          -- the measurement as a number, where there is one
        measured    TEXT NOT NULL,
        limit_text  TEXT NOT NULL,
        outcome     TEXT NOT NULL CHECK (outcome IN ('pass', 'fail', 'skipped')),
        detail      TEXT NOT NULL,
        PRIMARY KEY (attempt_id, position)
      );

      -- What this user's clips say about an engine for a kind of shot: an exponentially
      -- weighted mean of gate quality scores that starts at the registry's judgement
      -- (prior, the engines.json value when the first sample came; NULL for an engine the
      -- registry did not know). One sample per attempt (gate_verdicts says which counted).
      CREATE TABLE observed_quality (
        engine_id   TEXT NOT NULL,
        shot_kind   TEXT NOT NULL,
        mean        REAL NOT NULL CHECK (mean >= 0 AND mean <= 1),
        samples     INTEGER NOT NULL CHECK (samples >= 1),
        prior       REAL CHECK (prior IS NULL OR (prior >= 0 AND prior <= 1)),
        updated_at  INTEGER NOT NULL,
        PRIMARY KEY (engine_id, shot_kind)
      );
    `,
  },
  {
    version: 5,
    name: 'money spent checking clips (the AI score) in the same ledger, apart from generation; each clip\'s average colour',
    sql: `
      -- 'generation': what a provider bills for an attempt's job (the attempt's own books).
      -- 'quality_check': the AI score of that attempt's clip, a separate paid call. Both
      -- count toward the episode's budget; per-attempt settlement reads generation only.
      ALTER TABLE ledger ADD COLUMN purpose TEXT NOT NULL DEFAULT 'generation' CHECK (purpose IN ('generation', 'quality_check'));
      -- The clip's average colour (the gate measures it in its one analysis pass), for the
      -- episode's consistency check: it must survive a resume in another process.
      ALTER TABLE gate_verdicts ADD COLUMN colour_json TEXT;
    `,
  },
  ...MIGRATIONS_SINCE_TAKES,
];
