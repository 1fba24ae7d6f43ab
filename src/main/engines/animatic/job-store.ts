/**
 * The animatic's jobs on disk, so a job outlives the process that started it:
 * `<id>.json` is the request, `<id>.mp4` the finished clip, `<id>.failed.json` a final
 * failure. Job ids are derived from the idempotency key, so a re-sent submit finds its job.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ErrorKind } from '../../../shared/errors';
import { PARTIAL_MARKER, removeQuietly, writeFileAtomic } from '../../media/atomic-file';
import type { GenerationRequest } from '../engine';

const JOB_ID = /^anim_[0-9a-f]{16}$/;

export function jobIdFor(idempotencyKey: string): string {
  return `anim_${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 16)}`;
}

/** Also keeps a forged id such as "../x" from ever becoming a path. */
export function isJobId(value: string): boolean {
  return JOB_ID.test(value);
}

export interface StoredFailure {
  kind: ErrorKind;
  message: string;
}

export class JobStore {
  constructor(readonly dir: string) {}

  requestPath(jobId: string): string {
    return path.join(this.dir, `${jobId}.json`);
  }

  clipPath(jobId: string): string {
    return path.join(this.dir, `${jobId}.mp4`);
  }

  private failurePath(jobId: string): string {
    return path.join(this.dir, `${jobId}.failed.json`);
  }

  hasRequest(jobId: string): boolean {
    return existsSync(this.requestPath(jobId));
  }

  hasClip(jobId: string): boolean {
    return existsSync(this.clipPath(jobId));
  }

  async saveRequest(jobId: string, request: GenerationRequest): Promise<void> {
    await writeFileAtomic(this.requestPath(jobId), JSON.stringify({ jobId, savedAt: new Date().toISOString(), request }, null, 2));
  }

  async loadRequest(jobId: string): Promise<GenerationRequest | null> {
    const text = await readFile(this.requestPath(jobId), 'utf8').catch(() => null);
    if (text === null) return null;
    return (JSON.parse(text) as { request: GenerationRequest }).request;
  }

  async saveFailure(jobId: string, failure: StoredFailure): Promise<void> {
    await writeFileAtomic(this.failurePath(jobId), JSON.stringify(failure));
  }

  async loadFailure(jobId: string): Promise<StoredFailure | null> {
    const text = await readFile(this.failurePath(jobId), 'utf8').catch(() => null);
    return text === null ? null : (JSON.parse(text) as StoredFailure);
  }

  /** Partial clips left by a process that died mid-render (its pid is no longer alive). */
  async removeOrphanedPartials(jobId: string): Promise<void> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    const prefix = `.${jobId}.`;
    for (const name of names) {
      if (!name.startsWith(prefix) || !name.includes(PARTIAL_MARKER)) continue;
      const pid = Number(/^(\d+)-/.exec(name.slice(prefix.length))?.[1]);
      if (pid !== process.pid && !isAlive(pid)) await removeQuietly(path.join(this.dir, name));
    }
  }
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
