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

/**
 * Which episode a storyboard file belongs to, from schema 6 on: the file itself. Its
 * edits become new versions of its shots (with the takes made so far kept), and its
 * preview and final renders are one episode, so approving a preview can commit it.
 */
export function episodeKey(storyboardPath: string): string {
  return createHash('sha256').update(`storyboard:${storyboardPath}`).digest('hex');
}
