/**
 * Storyboard files as the shot board edits them: open one in place (its references stay
 * relative to its folder) or keep an uploaded one in the data folder, check it as
 * `shotline check` would, and write edits back atomically in the file's own format. A
 * save that does not validate is refused with the CLI's own lines and the file is left
 * as it was; an upload never overwrites a file already there.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { Document } from 'yaml';
import type { RecentStoryboard, StoryboardDocument, StoryboardSource } from '../../shared/api';
import { UserError } from '../../shared/errors';
import type { StoryboardInput } from '../../shared/storyboard';
import { validateStoryboard } from '../../shared/storyboard-issues';
import type { SettingsStore } from '../store/settings';
import { episodeKey } from '../store/run-key';
import { decodeStoryboardBytes, formatOf, MAX_STORYBOARD_BYTES, parseStoryboardData, storyboardProblems } from './parse';
import { resolveReferences } from './references';

const RECENT_SETTING = 'storyboards.recent';
const RECENT_LIMIT = 50;

interface RecentEntry {
  path: string;
  openedAt: number;
}

export interface StoryboardDocumentsDeps {
  /** Where uploaded storyboards are kept. */
  storyboardsDir: string;
  settings: SettingsStore;
  /** The episode a storyboard file's runs belong to (episodes are keyed by the file). */
  episodeIdFor(runKey: string): string | null;
  clock: () => number;
}

export class StoryboardDocuments {
  constructor(private readonly deps: StoryboardDocumentsDeps) {}

  async open(source: StoryboardSource): Promise<StoryboardDocument> {
    const path = 'path' in source ? resolve(source.path) : await this.keepUpload(source.fileName, source.text);
    const document = await this.read(path);
    this.remember(path);
    return document;
  }

  /** Validates first (schema and reference files); only a storyboard that would render is written. */
  async save(path: string, storyboard: StoryboardInput): Promise<StoryboardDocument> {
    const absolute = resolve(path);
    const name = basename(absolute);
    const previous = decodeStoryboardBytes(await readCapped(absolute), name);
    const validation = validateStoryboard(storyboard);
    const references = await resolveReferences(storyboard, dirname(absolute));
    const problems = [...(validation.ok ? [] : validation.problems), ...references.problems];
    if (problems.length > 0) throw storyboardProblems(name, problems);
    await writeAtomically(absolute, serialise(storyboard, formatOf(name, previous), previous));
    this.remember(absolute);
    return this.read(absolute);
  }

  /** Storyboards opened here before, newest first; files since deleted say so. */
  async recent(): Promise<RecentStoryboard[]> {
    const rows = await Promise.all(
      this.recentEntries().map(async (entry): Promise<RecentStoryboard> => {
        const summary = await this.summary(entry.path);
        return { path: entry.path, openedAt: entry.openedAt, episodeId: this.deps.episodeIdFor(episodeKey(entry.path)), ...summary };
      }),
    );
    return rows;
  }

  private async read(path: string): Promise<StoryboardDocument> {
    const name = basename(path);
    const text = decodeStoryboardBytes(await readCapped(path), name);
    const data = parseStoryboardData(text, formatOf(name, text), name);
    if (typeof data !== 'object' || Array.isArray(data)) throw storyboardProblems(name, ['(top level): must be a mapping with title, output and shots']);
    const validation = validateStoryboard(data);
    const references = await resolveReferences(data, dirname(path));
    const info = await stat(path);
    return {
      path,
      storyboard: data as StoryboardInput,
      problems: [...(validation.ok ? [] : validation.problems), ...references.problems],
      episodeId: this.deps.episodeIdFor(episodeKey(path)),
      modifiedAt: info.mtimeMs,
    };
  }

  private async summary(path: string): Promise<{ title: string; shots: number; exists: boolean }> {
    try {
      const name = basename(path);
      const text = decodeStoryboardBytes(await readCapped(path), name);
      const data = parseStoryboardData(text, formatOf(name, text), name) as { title?: unknown; shots?: unknown };
      return { title: typeof data.title === 'string' ? data.title : name, shots: Array.isArray(data.shots) ? data.shots.length : 0, exists: true };
    } catch {
      return { title: basename(path), shots: 0, exists: existsSync(path) };
    }
  }

  /** Stores an uploaded file under a name of its own; an existing file of that name is kept and the upload gets " (2)". */
  private async keepUpload(fileName: string, text: string): Promise<string> {
    const name = safeFileName(fileName);
    parseStoryboardData(text, formatOf(name, text), name);
    await mkdir(this.deps.storyboardsDir, { recursive: true });
    const extension = extname(name) || '.yaml';
    const stem = name.slice(0, name.length - extname(name).length) || 'storyboard';
    for (let n = 1; n < 1000; n += 1) {
      const candidate = join(this.deps.storyboardsDir, n === 1 ? `${stem}${extension}` : `${stem} (${n})${extension}`);
      try {
        await writeNewFile(candidate, text);
        return candidate;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw new UserError(`${name}: cannot be kept in ${this.deps.storyboardsDir} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
        if ((await readFile(candidate, 'utf8').catch(() => null)) === text) return candidate;
      }
    }
    throw new UserError(`${name}: too many storyboards of that name in ${this.deps.storyboardsDir}`);
  }

  private recentEntries(): RecentEntry[] {
    try {
      const parsed = JSON.parse(this.deps.settings.get(RECENT_SETTING) ?? '[]') as unknown;
      return Array.isArray(parsed) ? parsed.filter((entry): entry is RecentEntry => typeof entry?.path === 'string' && typeof entry?.openedAt === 'number') : [];
    } catch {
      return [];
    }
  }

  private remember(path: string): void {
    const entries = [{ path, openedAt: this.deps.clock() }, ...this.recentEntries().filter((entry) => entry.path !== path)].slice(0, RECENT_LIMIT);
    this.deps.settings.set(RECENT_SETTING, JSON.stringify(entries));
  }
}

/** A file name from a browser upload, without folders or characters file systems refuse. */
export function safeFileName(fileName: string): string {
  const base = fileName.split(/[\\/]/).pop() ?? '';
  const cleaned = base.replace(/[\u0000-\u001f<>:"|?*]/g, '_').replace(/^\.+/, '').trim().slice(0, 200);
  if (!cleaned) throw new UserError(`fileName: "${fileName}" is not a usable file name`);
  return cleaned;
}

/** YAML keeps the file's leading comment (the pilot explains its format there); JSON is written plainly. */
function serialise(storyboard: StoryboardInput, format: 'yaml' | 'json', previousText: string): string {
  if (format === 'json') return `${JSON.stringify(storyboard, null, 2)}\n`;
  const leadingComment = /^(?:[ \t]*(?:#[^\n]*)?\r?\n)*/.exec(previousText.replace(/^\uFEFF/, ''))?.[0] ?? '';
  return `${leadingComment}${new Document(storyboard).toString({ lineWidth: 0 })}`;
}

async function writeAtomically(path: string, text: string): Promise<void> {
  const partial = join(dirname(path), `.${basename(path)}.${randomUUID().slice(0, 8)}.partial`);
  try {
    await writeNewFile(partial, text);
    await rename(partial, path);
  } catch (error) {
    await rm(partial, { force: true });
    throw new UserError(`${basename(path)}: the storyboard could not be written (${(error as NodeJS.ErrnoException).code ?? String(error)}); the file is unchanged`);
  }
}

/** Writes a file that must not exist yet, flushed to disk before it counts. */
async function writeNewFile(path: string, text: string): Promise<void> {
  const handle = await open(path, 'wx');
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function readCapped(path: string): Promise<Uint8Array> {
  const name = basename(path);
  const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
    throw new UserError(`${path}: cannot open the storyboard (${error.code === 'ENOENT' ? 'no such file' : (error.code ?? error.message)})`);
  });
  if (!info.isFile()) throw new UserError(`${path}: is not a file`);
  if (info.size > MAX_STORYBOARD_BYTES) throw new UserError(`${name}: too large for a storyboard (the limit is ${MAX_STORYBOARD_BYTES / 1024 / 1024} MB)`);
  return readFile(path);
}
