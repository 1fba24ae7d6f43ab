/**
 * Reference images of shots and characters: resolved against the storyboard's folder
 * (absolute paths stay as written) and checked to be readable files. Works on the parsed
 * document before validation succeeds, so a missing image is reported together with the
 * schema's problems rather than on the next attempt.
 */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { issuePath } from '../../shared/storyboard-issues';

/** Absolute reference path by shot id and by character id. */
export interface ReferenceIndex {
  shots: ReadonlyMap<string, string>;
  characters: ReadonlyMap<string, string>;
}

interface ReferenceSite {
  group: 'shots' | 'characters';
  index: number;
  id: unknown;
  absolutePath: string;
}

export async function resolveReferences(document: unknown, baseDir: string): Promise<{ index: ReferenceIndex; problems: string[] }> {
  const sites = referenceSites(document, baseDir);
  const verdicts = await Promise.all(sites.map((site) => problemWith(site.absolutePath)));
  const shots = new Map<string, string>();
  const characters = new Map<string, string>();
  const problems: string[] = [];
  sites.forEach((site, i) => {
    const verdict = verdicts[i];
    if (verdict) problems.push(`${issuePath([site.group, site.index, 'reference'])}: ${verdict}`);
    else if (typeof site.id === 'string') (site.group === 'shots' ? shots : characters).set(site.id, site.absolutePath);
  });
  return { index: { shots, characters }, problems };
}

function referenceSites(document: unknown, baseDir: string): ReferenceSite[] {
  if (!isRecord(document)) return [];
  return (['characters', 'shots'] as const).flatMap((group) => {
    const items = document[group];
    if (!Array.isArray(items)) return [];
    return items.flatMap((item: unknown, index) =>
      isRecord(item) && typeof item.reference === 'string' && item.reference.length > 0
        ? [{ group, index, id: item.id, absolutePath: resolve(baseDir, item.reference) }]
        : [],
    );
  });
}

/** Why the file cannot serve as a reference image, or undefined when it can. */
async function problemWith(absolutePath: string): Promise<string | undefined> {
  try {
    const info = await stat(absolutePath);
    if (!info.isFile()) return `not a file: ${absolutePath}`;
    await access(absolutePath, constants.R_OK);
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return `file not found: ${absolutePath}`;
    if (code === 'EACCES' || code === 'EPERM') return `cannot be read (permission denied): ${absolutePath}`;
    return `cannot be read (${code ?? 'unknown error'}): ${absolutePath}`;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
