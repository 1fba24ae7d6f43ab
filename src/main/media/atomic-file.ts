/**
 * Writing files so that readers only ever see the old version or the complete new one:
 * write a temp file in the same directory (same filesystem, so rename is atomic), then
 * rename it over the target.
 */
import { randomBytes } from 'node:crypto';
import { rm, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

export const PARTIAL_MARKER = '.partial';

/**
 * A temp name beside `target`, hidden, marked as partial and ending in the target's own
 * extension (ffmpeg picks the container from it). The pid lets a later process tell
 * whether the writer of a leftover partial is still alive.
 */
export function tempPathBeside(target: string): string {
  const ext = path.extname(target);
  const base = path.basename(target, ext);
  return path.join(path.dirname(target), `.${base}.${process.pid}-${randomBytes(4).toString('hex')}${PARTIAL_MARKER}${ext}`);
}

export async function writeFileAtomic(target: string, data: string | Uint8Array): Promise<void> {
  const temp = tempPathBeside(target);
  try {
    await writeFile(temp, data);
    await rename(temp, target);
  } catch (error) {
    await removeQuietly(temp);
    throw error;
  }
}

export async function removeQuietly(file: string): Promise<void> {
  await rm(file, { force: true }).catch(() => undefined);
}
