/**
 * Content credentials of takes and exports: which file was signed, into which file, by
 * whom, or why it was not. One row per signing; the latest one counts.
 */
import type { Db } from './database';

export type CredentialState = 'signed' | 'unsigned' | 'skipped';

export interface CredentialRecord {
  subject: 'take' | 'export';
  episodeId: string;
  attemptId: string | null;
  sourcePath: string;
  sourceSha256: string;
  signedPath: string | null;
  signedSha256: string | null;
  state: CredentialState;
  reason: string | null;
  signer: string | null;
  createdAt: number;
}

interface CredentialRow {
  subject: 'take' | 'export';
  episode_id: string;
  attempt_id: string | null;
  source_path: string;
  source_sha256: string;
  signed_path: string | null;
  signed_sha256: string | null;
  state: CredentialState;
  reason: string | null;
  signer: string | null;
  created_at: number;
}

const toRecord = (row: CredentialRow): CredentialRecord => ({
  subject: row.subject,
  episodeId: row.episode_id,
  attemptId: row.attempt_id,
  sourcePath: row.source_path,
  sourceSha256: row.source_sha256,
  signedPath: row.signed_path,
  signedSha256: row.signed_sha256,
  state: row.state,
  reason: row.reason,
  signer: row.signer,
  createdAt: row.created_at,
});

export class CredentialStore {
  constructor(
    private readonly db: Db,
    private readonly clock: () => number = Date.now,
  ) {}

  record(entry: Omit<CredentialRecord, 'createdAt'>): CredentialRecord {
    this.db
      .prepare(
        `INSERT INTO credentials (subject, episode_id, attempt_id, source_path, source_sha256, signed_path, signed_sha256, state, reason, signer, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(entry.subject, entry.episodeId, entry.attemptId, entry.sourcePath, entry.sourceSha256, entry.signedPath, entry.signedSha256, entry.state, entry.reason, entry.signer, this.clock());
    return { ...entry, createdAt: this.clock() };
  }

  /** The latest signing of a take, if it was ever tried. */
  forTake(attemptId: string): CredentialRecord | undefined {
    const row = this.db.prepare(`SELECT * FROM credentials WHERE attempt_id = ? ORDER BY id DESC LIMIT 1`).get(attemptId) as CredentialRow | undefined;
    return row && toRecord(row);
  }

  /** The latest signing of an episode's export. */
  latestExport(episodeId: string): CredentialRecord | undefined {
    const row = this.db.prepare(`SELECT * FROM credentials WHERE episode_id = ? AND subject = 'export' ORDER BY id DESC LIMIT 1`).get(episodeId) as CredentialRow | undefined;
    return row && toRecord(row);
  }
}
