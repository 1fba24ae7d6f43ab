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
 * Longest name (one path component) the common file systems allow: 255 bytes on ext4,
 * btrfs, APFS. NTFS allows 255 UTF-16 units, and a name's UTF-8 bytes are never fewer
 * than its UTF-16 units, so a name within this byte limit fits there too.
 */
export const NAME_MAX_BYTES = 255;

/**
 * A temp name beside `target`, hidden, marked as partial and ending in the target's own
 * extension (ffmpeg picks the container from it): `.<base>.<pid>-<hex>.partial<ext>`.
 * The pid lets a later process tell whether the writer of a leftover partial is still
 * alive. The base is shortened when needed so the name fits in NAME_MAX_BYTES: a legal
 * output name must not fail at the rename, after everything was paid for.
 */
export function tempPathBeside(target: string): string {
  const ext = path.extname(target);
  const base = path.basename(target, ext);
  const suffix = `.${process.pid}-${randomBytes(4).toString('hex')}${PARTIAL_MARKER}${ext}`;
  const room = NAME_MAX_BYTES - utf8Bytes('.') - utf8Bytes(suffix);
  return path.join(path.dirname(target), `.${truncateUtf8(base, room)}${suffix}`);
}

export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** The longest prefix of `text` within `maxBytes` of UTF-8, never splitting a character. */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (utf8Bytes(text) <= maxBytes) return text;
  let kept = '';
  let used = 0;
  // for..of walks code points, so a surrogate pair (4 UTF-8 bytes) stays whole.
  for (const character of text) {
    const size = utf8Bytes(character);
    if (used + size > maxBytes) break;
    kept += character;
    used += size;
  }
  return kept;
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
