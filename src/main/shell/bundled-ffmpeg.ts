/**
 * A packaged app carries the FFmpeg its packager was allowed to redistribute under
 * resources/ffmpeg (electron-builder.yml, extraResources). The media code finds FFmpeg
 * through FFMPEG_PATH / FFPROBE_PATH (media/locate.ts), so the shell points those at the
 * bundled binaries; a user's own variables win, and the Settings choice wins over both.
 * Pure (no Electron, no fs) so it can be tested here.
 */
import { join } from 'node:path';

export function bundledFfmpegEnv(
  resourcesDir: string,
  env: Readonly<Record<string, string | undefined>>,
  platform: NodeJS.Platform,
  exists: (file: string) => boolean,
): Record<string, string> {
  const exe = platform === 'win32' ? '.exe' : '';
  const found: Record<string, string> = {};
  for (const [variable, name] of [['FFMPEG_PATH', 'ffmpeg'], ['FFPROBE_PATH', 'ffprobe']] as const) {
    const file = join(resourcesDir, 'ffmpeg', `${name}${exe}`);
    if (!env[variable]?.trim() && exists(file)) found[variable] = file;
  }
  return found;
}
