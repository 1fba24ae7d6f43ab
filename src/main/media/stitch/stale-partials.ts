/**
 * Leftovers of runs that died: a stitch killed with kill -9 leaves its hidden partial
 * file and piece folder beside the output, and the CLI backend its scratch folder in the
 * temp directory. Their names carry the writer's pid; whatever belongs to a process that
 * is gone is removed at the next start.
 */
import { readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CLI_SCRATCH_PREFIX } from '../backend/cli/index';

/** `.<base>.<pid>-<8 hex>.partial<ext>` and the `.pieces` folder beside it (see atomic-file.ts). */
const PARTIAL_NAME = /^\..*\.(\d+)-[0-9a-f]{8}\.partial/;
/** A live process's partial is kept unless it is this old: its pid was then most likely reused. */
const ABANDONED_AFTER_MS = 24 * 3600_000;

export async function removeStalePartials(dir: string, now = Date.now()): Promise<string[]> {
  const entries = await readdir(dir).catch(() => [] as string[]);
  const removed: string[] = [];
  for (const name of entries) {
    const pid = Number(PARTIAL_NAME.exec(name)?.[1]);
    if (!pid || pid === process.pid) continue;
    const full = path.join(dir, name);
    if (isAlive(pid)) {
      const info = await stat(full).catch(() => undefined);
      if (!info || now - info.mtimeMs < ABANDONED_AFTER_MS) continue;
    }
    await rm(full, { recursive: true, force: true }).catch(() => undefined);
    removed.push(full);
  }
  return removed;
}

export async function removeStaleScratch(): Promise<string[]> {
  const tmp = os.tmpdir();
  const removed: string[] = [];
  for (const name of await readdir(tmp).catch(() => [] as string[])) {
    if (!name.startsWith(CLI_SCRATCH_PREFIX)) continue;
    const pid = Number(name.slice(CLI_SCRATCH_PREFIX.length));
    if (!pid || isAlive(pid)) continue;
    await rm(path.join(tmp, name), { recursive: true, force: true }).catch(() => undefined);
    removed.push(name);
  }
  return removed;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
