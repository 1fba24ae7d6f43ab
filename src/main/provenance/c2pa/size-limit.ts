/**
 * The size ceiling for signing, checked from the file's size alone (nothing is read), so
 * a too-large file is refused at once, in the caller's process, with the limit named.
 */
import { stat } from 'node:fs/promises';
import { SigningSizeLimitError } from './errors';

/** The file's size in bytes, or SigningSizeLimitError when it is over `maxBytes`. */
export async function sizeWithin(file: string, maxBytes: number): Promise<number> {
  const { size } = await stat(file);
  if (size > maxBytes) throw new SigningSizeLimitError(file, size, maxBytes);
  return size;
}
