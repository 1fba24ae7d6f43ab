/**
 * Finds the ffmpeg and ffprobe binaries. Order for ffmpeg: the user's setting, the
 * FFMPEG_PATH environment variable, the optional `ffmpeg-static` package, the system PATH.
 * An explicit setting that points nowhere is an error, never silently skipped: the user
 * asked for that binary and should learn that it is missing.
 */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { UserError } from '../../shared/errors';

export type FfmpegSource = 'setting' | 'FFMPEG_PATH' | 'ffmpeg-static' | 'system';

export interface FfmpegLocation {
  ffmpeg: string;
  ffprobe: string;
  source: FfmpegSource;
}

export interface LocateOptions {
  /** The path the user set in the app's settings, if any. */
  userPath?: string;
  env?: NodeJS.ProcessEnv;
  /**
   * What the `ffmpeg-static` package resolves to; null means "not installed". Left
   * undefined, the package itself is asked. Lets tests pin this step down.
   */
  ffmpegStatic?: string | null;
}

const FIX_HINT =
  'Install ffmpeg (Debian/Ubuntu: `sudo apt-get install ffmpeg`, macOS: `brew install ffmpeg`, Windows: `winget install ffmpeg`), ' +
  'or set FFMPEG_PATH (and FFPROBE_PATH) to the binaries, or choose the ffmpeg binary in Settings.';

const cache = new Map<string, Promise<FfmpegLocation>>();

export function locateFfmpeg(options: LocateOptions = {}): Promise<FfmpegLocation> {
  const env = options.env ?? process.env;
  const key = JSON.stringify([options.userPath, options.ffmpegStatic, env.FFMPEG_PATH, env.FFPROBE_PATH, env.PATH, env.PATHEXT]);
  let found = cache.get(key);
  if (!found) {
    found = locate(options, env);
    cache.set(key, found);
    // A failure is not cached: the user may install ffmpeg and try again.
    found.catch(() => cache.delete(key));
  }
  return found;
}

export function clearFfmpegLocationCache(): void {
  cache.clear();
}

async function locate(options: LocateOptions, env: NodeJS.ProcessEnv): Promise<FfmpegLocation> {
  const { ffmpeg, source } = await locateFfmpegBinary(options, env);
  return { ffmpeg, ffprobe: await locateFfprobe(ffmpeg, env), source };
}

async function locateFfmpegBinary(options: LocateOptions, env: NodeJS.ProcessEnv): Promise<{ ffmpeg: string; source: FfmpegSource }> {
  const tried: string[] = [];

  const userPath = options.userPath?.trim();
  if (userPath) return { ffmpeg: await requireExecutable(userPath, 'the ffmpeg path in Settings'), source: 'setting' };
  tried.push('Settings: no ffmpeg path set');

  const envPath = env.FFMPEG_PATH?.trim();
  if (envPath) return { ffmpeg: await requireExecutable(envPath, 'FFMPEG_PATH'), source: 'FFMPEG_PATH' };
  tried.push('FFMPEG_PATH: not set');

  const staticPath = options.ffmpegStatic === undefined ? ffmpegStaticPath() : options.ffmpegStatic;
  if (staticPath && (await isExecutableFile(staticPath))) return { ffmpeg: staticPath, source: 'ffmpeg-static' };
  tried.push(staticPath ? `ffmpeg-static: ${staticPath} is not an executable file` : 'ffmpeg-static: package not installed');

  const system = await findOnPath('ffmpeg', env);
  if (system) return { ffmpeg: system, source: 'system' };
  tried.push(`system PATH: no ffmpeg in ${describePath(env)}`);

  throw new UserError(`ffmpeg was not found. ${FIX_HINT}`, tried);
}

async function locateFfprobe(ffmpeg: string, env: NodeJS.ProcessEnv): Promise<string> {
  const envPath = env.FFPROBE_PATH?.trim();
  if (envPath) return requireExecutable(envPath, 'FFPROBE_PATH');

  const sibling = path.join(path.dirname(ffmpeg), executableName('ffprobe', env)[0] ?? 'ffprobe');
  for (const name of executableName('ffprobe', env)) {
    const candidate = path.join(path.dirname(ffmpeg), name);
    if (await isExecutableFile(candidate)) return candidate;
  }
  const system = await findOnPath('ffprobe', env);
  if (system) return system;

  throw new UserError(`ffprobe was not found (ffmpeg is at ${ffmpeg}). ${FIX_HINT}`, [
    'FFPROBE_PATH: not set',
    `next to ffmpeg: no ${sibling}`,
    `system PATH: no ffprobe in ${describePath(env)}`,
  ]);
}

async function requireExecutable(file: string, origin: string): Promise<string> {
  const resolved = path.resolve(file);
  const info = await stat(resolved).catch(() => undefined);
  if (!info) throw new UserError(`${origin} points to ${resolved}, which does not exist. ${FIX_HINT}`);
  if (!info.isFile()) throw new UserError(`${origin} points to ${resolved}, which is not a file. ${FIX_HINT}`);
  if (!(await isExecutableFile(resolved))) throw new UserError(`${origin} points to ${resolved}, which is not executable (check its permissions).`);
  return resolved;
}

async function isExecutableFile(file: string): Promise<boolean> {
  try {
    const info = await stat(file);
    if (!info.isFile()) return false;
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The path `ffmpeg-static` exports, or null when the optional package is not installed. */
function ffmpegStaticPath(): string | null {
  try {
    const exported: unknown = createRequire(import.meta.url)('ffmpeg-static');
    if (typeof exported !== 'string' || !exported) return null;
    // Inside a packaged Electron app the binary lives beside the asar archive, not in it.
    return exported.replace(`${path.sep}app.asar${path.sep}`, `${path.sep}app.asar.unpacked${path.sep}`);
  } catch {
    return null;
  }
}

async function findOnPath(command: string, env: NodeJS.ProcessEnv): Promise<string | null> {
  for (const dir of pathDirs(env)) {
    for (const name of executableName(command, env)) {
      const candidate = path.join(dir, name);
      if (await isExecutableFile(candidate)) return candidate;
    }
  }
  return null;
}

function pathDirs(env: NodeJS.ProcessEnv): string[] {
  const raw = env.PATH ?? env.Path ?? '';
  // An empty entry means the current directory to a shell; a GUI app should not run binaries from there.
  return raw.split(path.delimiter).filter((dir) => path.isAbsolute(dir));
}

function executableName(command: string, env: NodeJS.ProcessEnv): string[] {
  if (process.platform !== 'win32') return [command];
  const extensions = (env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';').filter(Boolean);
  return extensions.map((ext) => command + ext.toLowerCase());
}

function describePath(env: NodeJS.ProcessEnv): string {
  const dirs = pathDirs(env);
  return dirs.length ? dirs.join(path.delimiter) : '(PATH is empty)';
}
