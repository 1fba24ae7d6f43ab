/**
 * Reference images of shots and characters: resolved against the storyboard's folder
 * (absolute paths stay as written), then checked by what they are, not by their names.
 * Adapters upload references to providers, so a storyboard naming /etc/passwd, a key
 * file or /proc/self/environ must never get that far: a reference is a regular file,
 * outside system folders, under a size cap, and a PNG, JPEG or WebP by its first bytes.
 *
 * Works on the parsed document before validation succeeds, so a bad image is reported
 * together with the schema's problems rather than on the next attempt.
 */
import { constants } from 'node:fs';
import { open, realpath } from 'node:fs/promises';
import path from 'node:path';
import { issuePath } from '../../shared/storyboard-issues';

/** Larger than any still a provider accepts; also bounds what an upload could carry. */
export const MAX_REFERENCE_BYTES = 20 * 1024 * 1024;

/** Absolute, symlink-resolved reference path by shot id and by character id. */
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

type Verdict = { realPath: string } | { problem: string };

const MIB = 1024 * 1024;
/** Enough open files at once for speed, few enough for a 500-shot storyboard under a low ulimit. */
const PARALLEL_CHECKS = 16;
/** Bytes that tell the formats apart: WebP and HEIC need 12. */
const HEADER_BYTES = 16;

/** Folders of the running system: devices, kernel views, configuration, secrets. */
const POSIX_SYSTEM_FOLDERS = ['/proc', '/sys', '/dev', '/etc', '/boot', '/run', '/var/run', '/private/etc', '/private/var/run'];
/** Inside /run, where desktops mount removable drives and network shares: users' own files. */
const POSIX_USER_MOUNTS = [/^\/run\/media\//, /^\/run\/user\/\d+\/gvfs\//];

export async function resolveReferences(document: unknown, baseDir: string): Promise<{ index: ReferenceIndex; problems: string[] }> {
  const sites = referenceSites(document, baseDir);
  // Many shots often share one still: look at each file once.
  const unique = [...new Set(sites.map((site) => site.absolutePath))];
  const verdicts = new Map(await mapLimited(unique, PARALLEL_CHECKS, async (file) => [file, await inspectReference(file)] as const));
  const shots = new Map<string, string>();
  const characters = new Map<string, string>();
  const problems: string[] = [];
  for (const site of sites) {
    const verdict = verdicts.get(site.absolutePath) as Verdict;
    if ('problem' in verdict) problems.push(`${issuePath([site.group, site.index, 'reference'])}: ${verdict.problem}`);
    else if (typeof site.id === 'string') (site.group === 'shots' ? shots : characters).set(site.id, verdict.realPath);
  }
  return { index: { shots, characters }, problems };
}

function referenceSites(document: unknown, baseDir: string): ReferenceSite[] {
  if (!isRecord(document)) return [];
  return (['characters', 'shots'] as const).flatMap((group) => {
    const items = document[group];
    if (!Array.isArray(items)) return [];
    return items.flatMap((item: unknown, index) =>
      isRecord(item) && typeof item.reference === 'string' && item.reference.length > 0
        ? [{ group, index, id: item.id, absolutePath: path.resolve(baseDir, item.reference) }]
        : [],
    );
  });
}

/** The real path of a usable reference image, or why the file cannot be one. */
export async function inspectReference(absolutePath: string): Promise<Verdict> {
  let realPath: string;
  try {
    realPath = await realpath(absolutePath);
  } catch (error) {
    return { problem: fileProblem(error, absolutePath) };
  }
  // Show where a symlink leads: the user named one file and we judge another.
  const shown = realPath === absolutePath ? absolutePath : `${absolutePath} -> ${realPath}`;
  const systemFolder = systemFolderOf(realPath);
  // Refused by location before opening: reading /dev or /proc files can block or have side effects.
  if (systemFolder) return { problem: `a system file (under ${systemFolder}), not an image: ${shown}` };

  let handle;
  try {
    // Non-blocking so a FIFO swapped in after realpath cannot hang the open; no-follow so a symlink swapped in is refused.
    handle = await open(realPath, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOFOLLOW ?? 0));
  } catch (error) {
    return { problem: fileProblem(error, shown) };
  }
  try {
    const info = await handle.stat();
    if (info.isDirectory()) return { problem: `a folder, not an image: ${shown}` };
    if (!info.isFile()) return { problem: `not a regular file (a device, pipe or socket), not an image: ${shown}` };
    if (info.size === 0) return { problem: `an empty file, not an image: ${shown}` };
    if (info.size > MAX_REFERENCE_BYTES) {
      return { problem: `too large (${(info.size / MIB).toFixed(1)} MiB; the limit is ${MAX_REFERENCE_BYTES / MIB} MiB): ${shown}` };
    }
    const header = Buffer.alloc(HEADER_BYTES);
    const { bytesRead } = await handle.read(header, 0, HEADER_BYTES, 0);
    const format = imageFormatOf(header.subarray(0, bytesRead));
    if (format === 'png' || format === 'jpeg' || format === 'webp') return { realPath };
    if (format) return { problem: `${OTHER_FORMAT_NAMES[format]} image; providers take PNG, JPEG or WebP (convert it): ${shown}` };
    return { problem: `not an image (PNG, JPEG or WebP): ${shown}` };
  } catch (error) {
    return { problem: fileProblem(error, shown) };
  } finally {
    await handle.close().catch(() => undefined);
  }
}

export type ImageFormat = 'png' | 'jpeg' | 'webp' | 'gif' | 'bmp' | 'tiff' | 'heic' | 'avif';

const OTHER_FORMAT_NAMES: Record<Exclude<ImageFormat, 'png' | 'jpeg' | 'webp'>, string> = {
  gif: 'a GIF',
  bmp: 'a BMP',
  tiff: 'a TIFF',
  heic: 'a HEIC',
  avif: 'an AVIF',
};

/** The image format the first bytes announce; undefined when they announce none we know. */
export function imageFormatOf(header: Uint8Array): ImageFormat | undefined {
  const bytes = Buffer.from(header.buffer, header.byteOffset, header.byteLength);
  const ascii = (start: number, end: number) => bytes.subarray(start, end).toString('latin1');
  if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'webp';
  // The rest are named only to give a better message than "not an image".
  if (ascii(0, 4) === 'GIF8') return 'gif';
  if (ascii(0, 2) === 'BM' && bytes.length >= 14) return 'bmp';
  if (ascii(0, 4) === 'II*\0' || ascii(0, 4) === 'MM\0*') return 'tiff';
  if (ascii(4, 8) === 'ftyp') {
    const brand = ascii(8, 12);
    if (brand === 'avif' || brand === 'avis') return 'avif';
    if (['heic', 'heix', 'mif1', 'msf1', 'heif'].includes(brand)) return 'heic';
  }
  return undefined;
}

/** The system folder holding `realPath` (as written in the rule), or undefined for a user's file. */
export function systemFolderOf(realPath: string, platform: NodeJS.Platform = process.platform): string | undefined {
  if (platform === 'win32') {
    // Device namespace paths (\\.\PhysicalDrive0, \\?\GLOBALROOT\...) name devices, not files.
    if (/^[\\/]{2}[.?][\\/]/.test(realPath) && !/^[\\/]{2}\?[\\/][A-Za-z]:[\\/]/.test(realPath)) return realPath.slice(0, 4);
    const windows = process.env.SystemRoot ?? process.env.windir ?? 'C:\\Windows';
    return isInside(windows, realPath.replace(/^[\\/]{2}\?[\\/]/, ''), path.win32) ? windows : undefined;
  }
  if (POSIX_USER_MOUNTS.some((mount) => mount.test(realPath))) return undefined;
  return POSIX_SYSTEM_FOLDERS.find((folder) => isInside(folder, realPath, path.posix));
}

function isInside(folder: string, file: string, paths: path.PlatformPath): boolean {
  // path.win32.relative compares case-insensitively, as Windows does.
  const rel = paths.relative(folder, file);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${paths.sep}`) && !paths.isAbsolute(rel));
}

function fileProblem(error: unknown, shown: string): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return `file not found: ${shown}`;
    case 'EISDIR':
      return `a folder, not an image: ${shown}`;
    case 'EACCES':
    case 'EPERM':
      return `cannot be read (permission denied): ${shown}`;
    case 'ENXIO':
      return `not a regular file (a device, pipe or socket), not an image: ${shown}`;
    case 'ELOOP':
      return `a symlink that leads in a loop: ${shown}`;
    case 'ENAMETOOLONG':
      return `the path is too long for the file system: ${shown}`;
    default:
      return `cannot be read (${code ?? String(error)}): ${shown}`;
  }
}

/** `fn` over `items`, at most `limit` at a time, results in the order of `items`. */
async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const at = next++;
      results[at] = await fn(items[at] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
