/**
 * Loads a storyboard file: read (size-capped, text only), parse (YAML or JSON), validate,
 * resolve and check reference images. Every problem is reported at once in one UserError.
 */
import { open } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { UserError } from '../../shared/errors';
import type { Character, Shot, Storyboard } from '../../shared/storyboard';
import { validateStoryboard } from '../../shared/storyboard-issues';
import { storyboardDigest } from './canonical';
import { decodeStoryboardBytes, formatOf, MAX_STORYBOARD_BYTES, parseStoryboardData, storyboardProblems } from './parse';
import { resolveReferences, type ReferenceIndex } from './references';

export { parseStoryboardText, type StoryboardFormat } from './parse';
export type { ReferenceIndex } from './references';

export interface LoadedStoryboard {
  storyboard: Storyboard;
  /** Absolute path of the file. */
  sourcePath: string;
  /** Absolute folder that relative references were resolved against. */
  baseDir: string;
  /** SHA-256 (hex) of the validated storyboard as canonical JSON. */
  sha256: string;
  /** Absolute, existing reference image of each shot and character that names one. */
  references: ReferenceIndex;
}

export async function loadStoryboard(path: string): Promise<LoadedStoryboard> {
  const sourcePath = resolve(path);
  const name = basename(sourcePath);
  const text = decodeStoryboardBytes(await readCapped(sourcePath, name), name);
  const document = parseStoryboardData(text, formatOf(name, text), name);
  const baseDir = dirname(sourcePath);
  const validation = validateStoryboard(document);
  const references = await resolveReferences(document, baseDir);
  const problems = [...(validation.ok ? [] : validation.problems), ...references.problems];
  if (!validation.ok || problems.length) throw storyboardProblems(name, problems);
  const storyboard = validation.storyboard;
  return { storyboard, sourcePath, baseDir, sha256: storyboardDigest(storyboard), references: references.index };
}

/** Absolute path of the shot's own reference image, if it has one. */
export function referenceFor(loaded: LoadedStoryboard, shot: Shot | string): string | undefined {
  return loaded.references.shots.get(typeof shot === 'string' ? shot : shot.id);
}

/** Absolute path of the character's reference image, if it has one. */
export function characterReferenceFor(loaded: LoadedStoryboard, character: Character | string): string | undefined {
  return loaded.references.characters.get(typeof character === 'string' ? character : character.id);
}

/** Reads the whole file, refusing folders and anything over the cap before reading it. */
async function readCapped(absolutePath: string, name: string): Promise<Uint8Array> {
  let handle;
  try {
    handle = await open(absolutePath, 'r');
  } catch (error) {
    throw fileError(error, absolutePath, name);
  }
  try {
    const info = await handle.stat();
    if (info.isDirectory()) throw new UserError(`${name}: is a folder, not a storyboard file: ${absolutePath}`);
    if (info.size > MAX_STORYBOARD_BYTES) {
      const mb = (info.size / 1024 / 1024).toFixed(1);
      throw new UserError(`${name}: too large for a storyboard (${mb} MB; the limit is ${MAX_STORYBOARD_BYTES / 1024 / 1024} MB)`);
    }
    return await handle.readFile();
  } catch (error) {
    throw error instanceof UserError ? error : fileError(error, absolutePath, name);
  } finally {
    await handle.close();
  }
}

function fileError(error: unknown, absolutePath: string, name: string): UserError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return new UserError(`${name}: file not found: ${absolutePath}`);
  if (code === 'EISDIR') return new UserError(`${name}: is a folder, not a storyboard file: ${absolutePath}`);
  if (code === 'EACCES' || code === 'EPERM') return new UserError(`${name}: cannot be read (permission denied): ${absolutePath}`);
  return new UserError(`${name}: cannot be read (${code ?? String(error)}): ${absolutePath}`);
}
