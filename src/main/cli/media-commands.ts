/**
 * The media commands (stitch, check, doctor) need no database: they drive the media
 * workers directly. `--ffmpeg` chooses the FFmpeg as for a render. `stitch --episode`
 * is the exception: it stitches an episode's selected takes, which only the studio's
 * store knows, so it goes the way of the other episode commands (args.ts).
 */
import { CancelledError } from '../../shared/errors';
import { MediaPool } from '../media/worker/pool';
import { mediaWorkerSettings } from '../media/worker/settings';
import { chooseStitchVideo } from '../media/stitch/index';

export const MEDIA_COMMANDS = ['stitch', 'check', 'doctor'] as const;
export type MediaCommandName = (typeof MEDIA_COMMANDS)[number];

/** `args`: what follows the command's name; it tells the two forms of `stitch` apart. */
export function isMediaCommand(name: string | undefined, args: readonly string[] = []): name is MediaCommandName {
  if (name === 'stitch' && args.some(isEpisodeFlag)) return false;
  return (MEDIA_COMMANDS as readonly string[]).includes(name ?? '');
}

/** Only a real flag counts: after `--` everything is a clip name, however it reads. */
function isEpisodeFlag(arg: string, index: number, args: readonly string[]): boolean {
  if (args.slice(0, index).includes('--')) return false;
  return arg === '--episode' || arg.startsWith('--episode=');
}

export interface MediaCommandIo {
  stdout: { write(text: string): void };
  stderr: { write(text: string): void };
  env: NodeJS.ProcessEnv;
}

export async function runMediaCommand(name: MediaCommandName, argv: string[], io: MediaCommandIo): Promise<number> {
  const { ffmpeg, rest } = takeFfmpegFlag(argv);
  const media = new MediaPool({ settings: mediaWorkerSettings(ffmpeg, undefined, io.env), env: io.env });
  const cancel = new AbortController();
  const onSignal = () => cancel.abort(new CancelledError('cancelled by the user'));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const common = { stdout: (text: string) => io.stdout.write(text), stderr: (text: string) => io.stderr.write(text), env: io.env, media };
    switch (name) {
      // Each command's module is loaded only when it runs.
      case 'stitch':
        return await (await import('./stitch-command')).runStitchCommand(rest, {
          stdout: io.stdout,
          stderr: io.stderr,
          media,
          signal: cancel.signal,
          video: (codec) => chooseStitchVideo(media, codec, cancel.signal),
        });
      case 'check':
        return await (await import('./check-command')).runCheckCommand(rest, common);
      case 'doctor':
        return await (await import('./doctor-command')).runDoctorCommand(rest, common);
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    media.close();
  }
}

/** `--ffmpeg X` or `--ffmpeg=X` anywhere in the arguments. */
function takeFfmpegFlag(argv: string[]): { ffmpeg: string | undefined; rest: string[] } {
  const rest: string[] = [];
  let ffmpeg: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--ffmpeg') ffmpeg = argv[++i];
    else if (arg.startsWith('--ffmpeg=')) ffmpeg = arg.slice('--ffmpeg='.length);
    else rest.push(arg);
  }
  return { ffmpeg, rest };
}
