/**
 * Preflight of the output path, before any money moves: every way the final write could
 * fail or do harm is found now, not after every shot was generated. The path must name
 * an .mp4 file, not an existing folder or device, not any input of the render (the
 * storyboard, a reference image), fit the file system's name limit, and its folder must
 * take a new file: proved by creating and removing a probe named like the real temp file.
 */
import { open, mkdir, realpath, stat } from 'node:fs/promises';
import type { BigIntStats } from 'node:fs';
import path from 'node:path';
import { UserError } from '../../shared/errors';
import { NAME_MAX_BYTES, removeQuietly, tempPathBeside, utf8Bytes } from '../media/atomic-file';

/** A file the render reads; `what` names it in messages ("the storyboard"). */
export type InputFile = string | { path: string; what: string };

export interface OutputPathOptions {
  /** The storyboard and every reference image: the output must be none of them. */
  inputs: readonly InputFile[];
  /** Folder a relative output path is resolved against; the process's by default. */
  cwd?: string;
}

interface FileIdentity {
  /** Symlink-resolved path; for a file that does not exist, its resolved folder plus its name. */
  real: string;
  /** Device and inode, when the file exists: catches spellings that strings miss (case-insensitive disks, hard links). */
  id?: { dev: bigint; ino: bigint };
}

/**
 * Resolves the output path and checks it can be written without harm. Creates missing
 * parent folders (the user asked to write there) only when nothing else is wrong.
 * Returns the absolute path; throws UserError listing every problem, each starting
 * with `--out:` and naming the path.
 */
export async function checkOutputPath(requested: string, options: OutputPathOptions): Promise<string> {
  if (!requested.trim()) throw new UserError('--out: empty; name the episode file to write, e.g. --out episode.mp4');
  if (requested.includes('\0')) throw new UserError(`--out: contains a NUL character: ${JSON.stringify(requested)}`);
  const target = path.resolve(options.cwd ?? process.cwd(), requested);
  const existing = await stat(target).catch(() => undefined);
  const problems: string[] = [];
  if (existing?.isDirectory()) {
    problems.push(`--out: is an existing folder, not a file: ${target} (name a file inside it, e.g. ${path.join(target, 'episode.mp4')})`);
  }
  // For a folder, "not .mp4" would only add noise to the message above.
  const names = nameProblems(requested, target, { checkExtension: !existing?.isDirectory() });
  problems.push(...names.problems);
  if (existing && !existing.isDirectory() && !existing.isFile()) {
    problems.push(`--out: exists and is not a regular file (a device, pipe or socket): ${target}`);
  }
  problems.push(...(await inputClashes(target, options.inputs)));

  // A name over the limit fails every probe too; one message says it better.
  if (names.fit) problems.push(...(await folderProblems(target, problems.length === 0)));

  if (problems.length) throw new UserError(`cannot write the episode to ${target}`, problems);
  return target;
}

function nameProblems(requested: string, target: string, { checkExtension }: { checkExtension: boolean }): { problems: string[]; fit: boolean } {
  const problems: string[] = [];
  let fit = true;
  const separators = process.platform === 'win32' ? /[\\/]$/ : /\/$/;
  const name = path.basename(target);
  if (separators.test(requested)) {
    problems.push(`--out: ends with "${requested.slice(-1)}", so it names a folder, not a file: ${target}`);
  } else if (checkExtension && path.extname(name).toLowerCase() !== '.mp4') {
    const hint = path.extname(name) ? '' : ` (e.g. ${target}.mp4)`;
    problems.push(`--out: must name an .mp4 file${hint}: ${target}`);
  }
  for (const component of target.split(path.sep).filter(Boolean)) {
    const bytes = utf8Bytes(component);
    if (bytes <= NAME_MAX_BYTES) continue;
    fit = false;
    const which = component === name ? 'the file name' : `the folder name "${component.slice(0, 24)}…"`;
    problems.push(`--out: ${which} is ${bytes} bytes long; file systems allow at most ${NAME_MAX_BYTES} bytes per name: ${target}`);
  }
  return { problems, fit };
}

/** The output must not be any input, whatever the spelling: `./`, `..`, a symlink, a hard link. */
async function inputClashes(target: string, inputs: readonly InputFile[]): Promise<string[]> {
  const output = await identityOf(target);
  const problems: string[] = [];
  const reported = new Set<string>();
  for (const input of inputs) {
    const { path: inputPath, what } = typeof input === 'string' ? { path: input, what: 'an input of this render' } : input;
    const given = path.resolve(inputPath);
    const source = await identityOf(given);
    if (!sameFile(output, source) || reported.has(source.real)) continue;
    reported.add(source.real);
    // Say how the input was named when the output spelled it differently: that is the surprise.
    const shown = given === target ? '' : ` (${given === source.real ? given : `${given} -> ${source.real}`})`;
    problems.push(`--out: is ${what}${shown}; writing the episode there would destroy it: ${target}`);
  }
  return problems;
}

async function identityOf(file: string): Promise<FileIdentity> {
  const real = await realpath(file).catch(async () => path.join(await realpath(path.dirname(file)).catch(() => path.dirname(file)), path.basename(file)));
  const info: BigIntStats | undefined = await stat(file, { bigint: true }).catch(() => undefined);
  return info ? { real, id: { dev: info.dev, ino: info.ino } } : { real };
}

function sameFile(a: FileIdentity, b: FileIdentity): boolean {
  if (a.real === b.real) return true;
  // Some file systems report inode 0 for every file; then only the paths can tell.
  return Boolean(a.id && b.id && a.id.ino !== 0n && a.id.dev === b.id.dev && a.id.ino === b.id.ino);
}

/**
 * The output's folder must exist (or be creatable) and take a new file. The probe is
 * named like the real temp file, so a temp name the file system refuses shows up now.
 * With other problems pending, nothing is created: the nearest existing folder is
 * probed instead, which proves the missing ones could be made there.
 */
async function folderProblems(target: string, mayCreate: boolean): Promise<string[]> {
  const folder = path.dirname(target);
  const nearest = await nearestExistingFolder(folder);
  if ('problem' in nearest) return [`--out: ${nearest.problem}: ${target}`];
  let probeIn = nearest.folder;
  if (nearest.folder !== folder && mayCreate) {
    const failure = await createFolders(nearest.folder, folder);
    if (failure) return [`--out: ${failure}: ${target}`];
    probeIn = folder;
  }
  const refusal = await probeWrite(probeIn, path.basename(target));
  return refusal ? [`--out: ${refusal}: ${target}`] : [];
}

async function nearestExistingFolder(folder: string): Promise<{ folder: string } | { problem: string }> {
  for (let dir = folder; ; dir = path.dirname(dir)) {
    try {
      const info = await stat(dir);
      if (info.isDirectory()) return { folder: dir };
      return { problem: `${dir} is a file, not a folder` };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // ENOTDIR: a component above is a file; the walk up reaches and names it.
      if (code !== 'ENOENT' && code !== 'ENOTDIR') return { problem: `cannot look into ${dir} (${reasonOf(code)})` };
      if (path.dirname(dir) === dir) return { problem: `no such drive or root: ${dir}` };
    }
  }
}

/**
 * One level at a time, not `mkdir -p`: Node's recursive mkdir never returns for a
 * path under /proc (the kernel answers ENOENT for a folder that exists, and it retries).
 */
async function createFolders(from: string, to: string): Promise<string | undefined> {
  const missing = path.relative(from, to).split(path.sep);
  let dir = from;
  for (const part of missing) {
    dir = path.join(dir, part);
    try {
      await mkdir(dir);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' && (await stat(dir).catch(() => undefined))?.isDirectory()) continue;
      return `cannot create the folder ${dir} (${reasonOf(code)})`;
    }
  }
  return undefined;
}

/** Creates and removes, in `folder`, a file named like the temp file of `name`; why that fails, or undefined. */
async function probeWrite(folder: string, name: string): Promise<string | undefined> {
  const probe = tempPathBeside(path.join(folder, name));
  let handle;
  try {
    handle = await open(probe, 'wx');
  } catch (error) {
    return `the folder ${folder} does not take new files (${reasonOf((error as NodeJS.ErrnoException).code)})`;
  }
  await handle.close();
  await removeQuietly(probe);
  return undefined;
}

function reasonOf(code: string | undefined): string {
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'read-only file system';
    case 'ENOSPC':
      return 'the disk is full';
    case 'EDQUOT':
      return 'disk quota exceeded';
    case 'ENAMETOOLONG':
      return 'the path is too long for the file system';
    case 'ENOENT':
      // Seen from kernel file systems (/proc): the folder exists but refuses new entries.
      return 'the file system refuses new entries there';
    case 'EINVAL':
      return 'the file system refuses this name';
    case 'EEXIST':
      return 'a file of that name is in the way';
    default:
      return code ?? 'unknown error';
  }
}
