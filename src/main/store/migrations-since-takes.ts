/**
 * Schema migrations from takes on (6: takes, shot versions, approval, runs; 7: content
 * credentials). Same rules as migrations.ts: each runs once, in order, in one transaction.
 */
import type { Storyboard } from '../../shared/storyboard';
import { referenceDigestsSync, shotFingerprint } from '../storyboard/shot-fingerprint';
import type { Migration } from './migrations';
import { episodeKey } from './run-key';

export const MIGRATIONS_SINCE_TAKES: Migration[] = [
  {
    version: 6,
    name: 'takes: shot versions, approval, the selected take, and runs',
    sql: `
      -- What a run of an episode was asked to do. An episode now lives as long as its
      -- storyboard file: each render, regenerate or stitch is one run of it, and a resume
      -- continues the episode's current run.
      CREATE TABLE runs (
        id            TEXT PRIMARY KEY,
        episode_id    TEXT NOT NULL REFERENCES episodes (id),
        kind          TEXT NOT NULL CHECK (kind IN ('render', 'regenerate', 'stitch')),
        mode          TEXT NOT NULL CHECK (mode IN ('preview', 'final')),
        approved_only INTEGER NOT NULL DEFAULT 0 CHECK (approved_only IN (0, 1)),
        shots_json    TEXT,                        -- regenerate: the shots asked for (JSON array of ids)
        engine_id     TEXT,                        -- regenerate: the engine it was pinned to
        seed          INTEGER,                     -- regenerate: the seed asked for
        created_at    INTEGER NOT NULL,
        finished_at   INTEGER
      );
      CREATE INDEX runs_by_episode ON runs (episode_id, created_at);
      ALTER TABLE episodes ADD COLUMN current_run_id TEXT REFERENCES runs (id);
      -- The takes the last stitch used, by shot (JSON): the episode file is out of date once the selection differs.
      ALTER TABLE episodes ADD COLUMN stitched_json TEXT;

      -- Every version of every shot. A take is stale when the fingerprint of the version
      -- it was made from differs from the current version's (see shot-fingerprint.ts).
      CREATE TABLE shot_versions (
        episode_id  TEXT NOT NULL REFERENCES episodes (id),
        shot_id     TEXT NOT NULL,
        version     INTEGER NOT NULL CHECK (version >= 1),
        spec_json   TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        source      TEXT NOT NULL CHECK (source IN ('storyboard', 'edit')),
        created_at  INTEGER NOT NULL,
        PRIMARY KEY (episode_id, shot_id, version)
      );
      ALTER TABLE shots ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
      -- Approved while this equals version: an edit of the shot withdraws the approval.
      ALTER TABLE shots ADD COLUMN approved_version INTEGER;
      ALTER TABLE shots ADD COLUMN approved_at INTEGER;
      -- The shot as the storyboard file said last time: an unchanged file keeps edits made in the app.
      ALTER TABLE shots ADD COLUMN file_spec_json TEXT;
      -- No longer in the storyboard: kept, with its takes, and left out of renders and stitches.
      ALTER TABLE shots ADD COLUMN removed INTEGER NOT NULL DEFAULT 0 CHECK (removed IN (0, 1));
      -- 'user' when the filmmaker circled it: automatic choices never override that with an older kind of take.
      ALTER TABLE shots ADD COLUMN selected_by TEXT CHECK (selected_by IN ('auto', 'user'));
      ALTER TABLE shots RENAME COLUMN accepted_attempt_id TO selected_take_id;

      -- A take is an accepted attempt: take_no numbers a shot's takes in the order they were accepted.
      ALTER TABLE attempts ADD COLUMN run_id TEXT REFERENCES runs (id);
      ALTER TABLE attempts ADD COLUMN shot_version INTEGER;
      ALTER TABLE attempts ADD COLUMN take_no INTEGER;
      CREATE UNIQUE INDEX takes_by_shot ON attempts (episode_id, shot_id, take_no) WHERE take_no IS NOT NULL;

      UPDATE shots SET file_spec_json = spec_json, selected_by = CASE WHEN selected_take_id IS NULL THEN NULL ELSE 'auto' END;
      UPDATE attempts SET shot_version = 1;
      UPDATE attempts SET take_no = (
        SELECT COUNT(*) FROM attempts x
        WHERE x.episode_id = attempts.episode_id AND x.shot_id = attempts.shot_id AND x.status = 'accepted'
          AND (COALESCE(x.finished_at, x.created_at), x.attempt_no) <= (COALESCE(attempts.finished_at, attempts.created_at), attempts.attempt_no)
      ) WHERE status = 'accepted';
    `,
    run: (db) => {
      // Each episode's shots as version 1, and the episode found again by its storyboard file.
      const episodes = db.prepare(`SELECT id, storyboard_path, storyboard_json, created_at FROM episodes`).all() as {
        id: string;
        storyboard_path: string;
        storyboard_json: string;
        created_at: number;
      }[];
      const shotsOf = db.prepare(`SELECT shot_id, spec_json FROM shots WHERE episode_id = ?`);
      const insertVersion = db.prepare(
        `INSERT INTO shot_versions (episode_id, shot_id, version, spec_json, fingerprint, source, created_at) VALUES (?, ?, 1, ?, ?, 'storyboard', ?)`,
      );
      const rekey = db.prepare(`UPDATE episodes SET run_key = ? WHERE id = ?`);
      for (const episode of episodes) {
        const storyboard = JSON.parse(episode.storyboard_json) as Storyboard;
        const digests = referenceDigestsSync(storyboard);
        for (const row of shotsOf.all(episode.id) as { shot_id: string; spec_json: string }[]) {
          insertVersion.run(episode.id, row.shot_id, row.spec_json, shotFingerprint(JSON.parse(row.spec_json), storyboard, digests), episode.created_at);
        }
        rekey.run(episodeKey(episode.storyboard_path), episode.id);
      }
      // A completed episode was stitched from its accepted attempts: it is up to date with them.
      db.prepare(
        `UPDATE episodes SET stitched_json = json_object(
           'outputPath', output_path, 'at', COALESCE(finished_at, created_at),
           'takes', (SELECT json_group_object(shot_id, selected_take_id) FROM shots
                     WHERE shots.episode_id = episodes.id AND selected_take_id IS NOT NULL))
         WHERE status = 'completed'`,
      ).run();
    },
  },
  {
    version: 7,
    name: 'content credentials of takes and exports',
    sql: `
      -- One row per signing of a take or an exported episode. The unsigned file is never
      -- replaced: a take's clip stays as the provider delivered it (its checksum is how a
      -- resume knows it), and its signed copy sits beside it; an export is signed into a
      -- temporary file that replaces the output only once signing succeeded.
      CREATE TABLE credentials (
        id             INTEGER PRIMARY KEY AUTOINCREMENT,
        subject        TEXT NOT NULL CHECK (subject IN ('take', 'export')),
        episode_id     TEXT NOT NULL REFERENCES episodes (id),
        attempt_id     TEXT REFERENCES attempts (id),  -- the take (subject 'take')
        source_path    TEXT NOT NULL,                  -- what was signed
        source_sha256  TEXT NOT NULL,
        signed_path    TEXT,                           -- null while unsigned
        signed_sha256  TEXT,
        state          TEXT NOT NULL CHECK (state IN ('signed', 'unsigned', 'skipped')),
        reason         TEXT,                           -- why unsigned or skipped
        signer         TEXT,                           -- SHA-256 fingerprint of the leaf certificate
        created_at     INTEGER NOT NULL,
        CHECK ((subject = 'take') = (attempt_id IS NOT NULL)),
        CHECK ((state = 'signed') = (signed_path IS NOT NULL AND signed_sha256 IS NOT NULL))
      );
      CREATE INDEX credentials_by_attempt ON credentials (attempt_id, created_at);
      CREATE INDEX credentials_by_episode ON credentials (episode_id, subject, created_at);
    `,
  },
];
