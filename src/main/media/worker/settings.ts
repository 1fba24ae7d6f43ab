/**
 * The user's choice of FFmpeg, from settings, `--ffmpeg` or SHOTLINE_FFMPEG: `auto`
 * (the bundled one when it loads, else the CLI), `bundled`/`node-av`, `cli`, or a path
 * to an ffmpeg binary (the CLI backend with that binary).
 */
import { UserError } from '../../../shared/errors';
import type { WorkerSettings } from './protocol';

export type MediaBackendSetting = 'auto' | 'bundled' | 'node-av' | 'cli' | (string & {});

export function mediaWorkerSettings(setting: MediaBackendSetting | undefined, ffmpegPath: string | undefined, env: NodeJS.ProcessEnv): WorkerSettings {
  const chosen = (setting ?? env.SHOTLINE_FFMPEG ?? 'auto').trim();
  switch (chosen) {
    case '':
    case 'auto':
      return { backend: 'auto', ffmpegPath };
    case 'bundled':
    case 'node-av':
      return { backend: 'node-av', ffmpegPath };
    case 'cli':
    case 'system':
      return { backend: 'cli', ffmpegPath };
    default:
      if (/[\\/]/.test(chosen)) return { backend: 'cli', ffmpegPath: chosen };
      throw new UserError(`--ffmpeg: "${chosen}" is not auto, bundled, cli or a path to an ffmpeg binary`);
  }
}
