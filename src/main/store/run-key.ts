/**
 * Which episode a render belongs to. An episode is its storyboard (as stored: validated,
 * references resolved to absolute paths) in one mode. Incidental flags (--out, --budget,
 * --concurrency) are not part of it: changing them continues the same episode and keeps
 * every shot already paid for.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../storyboard/canonical';

export function episodeRunKey(storyboard: unknown, mode: string): string {
  return createHash('sha256').update(canonicalJson({ storyboard, mode })).digest('hex');
}
