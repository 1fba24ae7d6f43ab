/**
 * What makes two versions of a shot the same shot: the fields a generated clip depicts
 * (prompt, negative prompt, kind, duration, sound, characters with their descriptions,
 * reference images by content, the frame's aspect). A take made from a version with
 * another fingerprint shows something the storyboard no longer asks for: it is stale.
 * Transitions, engine pins, chains and seeds change how a shot is made or joined, not
 * what it shows, so editing them keeps every take current.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Shot, Storyboard } from '../../shared/storyboard';
import { canonicalJson } from './canonical';

/** sha256 of each reference image by absolute path; null when it cannot be read. */
export type ReferenceDigests = ReadonlyMap<string, string | null>;

export function shotFingerprint(shot: Shot, storyboard: Pick<Storyboard, 'characters' | 'output'>, digests: ReferenceDigests): string {
  const reference = (path: string | undefined) => (path === undefined ? null : { path, sha256: digests.get(path) ?? null });
  const characters = shot.characters.map((id) => {
    const character = storyboard.characters.find((c) => c.id === id);
    return { id, description: character?.description ?? null, reference: reference(character?.reference) };
  });
  const content = {
    kind: shot.kind,
    prompt: shot.prompt,
    negative: shot.negative ?? null,
    duration: shot.duration,
    audio: shot.audio,
    reference: reference(shot.reference),
    characters,
    aspect: storyboard.output.aspect,
  };
  return createHash('sha256').update(canonicalJson(content)).digest('hex');
}

/** Every reference image a storyboard names (absolute paths, as stored). */
export function referencePaths(storyboard: Pick<Storyboard, 'characters' | 'shots'>): string[] {
  const paths = [...storyboard.shots.map((s) => s.reference), ...storyboard.characters.map((c) => c.reference)];
  return [...new Set(paths.filter((p): p is string => p !== undefined))];
}

export async function referenceDigests(storyboard: Pick<Storyboard, 'characters' | 'shots'>): Promise<ReferenceDigests> {
  const entries = await Promise.all(
    referencePaths(storyboard).map(async (path) => [path, await readFile(path).then(sha256, () => null)] as const),
  );
  return new Map(entries);
}

/** The same, synchronously: for a schema migration, which runs inside one transaction. */
export function referenceDigestsSync(storyboard: Pick<Storyboard, 'characters' | 'shots'>): ReferenceDigests {
  return new Map(
    referencePaths(storyboard).map((path) => {
      try {
        return [path, sha256(readFileSync(path))] as const;
      } catch {
        return [path, null] as const;
      }
    }),
  );
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
