/**
 * The animatic's jobs on disk, so a job outlives the process that started it:
 * `<id>.json` is the request, `<id>.mp4` the finished clip, `<id>.failed.json` a final
 * failure, and `refs/<hash of client reference>` the id of the job a submit made. Like
 * a real provider, a re-sent submit makes a second job; the reference lets a caller
 * whose submit answer was lost find the job it made instead.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ErrorKind } from '../../../shared/errors';
import { PARTIAL_MARKER, removeQuietly, writeFileAtomic } from '../../media/atomic-file';
import type { GenerationRequest } from '../engine';

const JOB_ID = /^anim_[0-9a-f]{16}$/;

export function newJobId(): string {
  return `anim_${randomBytes(8).toString('hex')}`;
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

  private referencePath(clientReference: string): string {
    return path.join(this.dir, 'refs', createHash('sha256').update(clientReference).digest('hex').slice(0, 32));
  }

  /** Written before the job itself: every job that exists can be found by its reference. */
  async saveReference(clientReference: string, jobId: string): Promise<void> {
    await mkdir(path.dirname(this.referencePath(clientReference)), { recursive: true });
    await writeFileAtomic(this.referencePath(clientReference), jobId);
  }

  /** The job the latest submit with this reference made, if that job exists. */
  async findByReference(clientReference: string): Promise<string | null> {
    const jobId = (await readFile(this.referencePath(clientReference), 'utf8').catch(() => '')).trim();
    return isJobId(jobId) && this.hasRequest(jobId) ? jobId : null;
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
