/**
 * `shotline stitch <clip>... --out FILE`: the episode stitcher for clips from any
 * source, with the same normalisation, transitions, loudness and checks as a render.
 * Output settings default to the first clip's.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ASPECTS, frameSize, OUTPUT_CODECS, RESOLUTIONS, TRANSITION_TYPES, type Aspect, type OutputCodec, type Resolution, type TransitionType } from '../../shared/domain';
import { UserError } from '../../shared/errors';
import { LOUDNESS_PRESETS } from '../../shared/storyboard';
import type { MediaOps } from '../media/backend/types';
import { stitchEpisode, type StitchClip, type StitchReport, type StitchVideoSettings } from '../media/stitch/index';
import { stitchLines } from './report-text';

export const STITCH_USAGE = `shotline stitch <clip>... --out FILE [--transition TYPE:SECONDS] [--loudness LUFS|broadcast|streaming|off]
                [--resolution 480p|540p|720p|1080p|4k] [--aspect 16:9|9:16|1:1|4:3|3:4|21:9] [--fps N] [--codec h264|hevc] [--json]`;

export interface StitchCommandIo {
  stdout: { write(text: string): void };
  stderr: { write(text: string): void };
  media: MediaOps;
  signal: AbortSignal;
  /** The encoder this machine does best for the codec, and its scaling; default the software encoder. */
  video?: (codec: OutputCodec) => Promise<StitchVideoSettings>;
}

export async function runStitchCommand(argv: string[], io: StitchCommandIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      out: { type: 'string', short: 'o' },
      transition: { type: 'string' },
      loudness: { type: 'string' },
      resolution: { type: 'string' },
      aspect: { type: 'string' },
      fps: { type: 'string' },
      codec: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  if (positionals.length === 0) throw new UserError(`stitch: name at least one clip\n  ${STITCH_USAGE}`);
  if (!values.out) throw new UserError(`stitch: --out FILE is required\n  ${STITCH_USAGE}`);
  const transition = parseTransition(values.transition);
  const loudness = parseLoudness(values.loudness);
  const codec = parseCodec(values.codec);

  const first = await io.media.probe(path.resolve(positionals[0]!), { signal: io.signal }).catch((error: unknown) => {
    throw new UserError(`stitch: the first clip decides the defaults and cannot be read: ${(error as Error).message}`);
  });
  const size = values.resolution || values.aspect ? frameSize(parseResolution(values.resolution, first.height), parseAspect(values.aspect, first)) : evenSize(first.width, first.height);
  const fps = values.fps === undefined ? Math.max(1, Math.round(first.fps * 1000) / 1000) : parseFps(values.fps);

  const clips: StitchClip[] = await Promise.all(
    positionals.map(async (file) => {
      const probe = await io.media.probe(path.resolve(file), { signal: io.signal }).catch(() => null);
      return { path: file, durationSeconds: probe?.durationSeconds ?? 1, hasAudio: true, transitionToNext: transition };
    }),
  );
  const video = io.video ? await io.video(codec) : undefined;
  let lastShown = -1;
  const report = await stitchEpisode(io.media, { clips, output: { ...size, fps, loudness, codec, video } }, values.out, {
    signal: io.signal,
    onProgress: (fraction, eta) => {
      const percent = Math.floor(fraction * 100);
      if (values.json || percent === lastShown || percent % 10 !== 0) return;
      lastShown = percent;
      io.stderr.write(`stitching: ${percent} %${eta === null ? '' : `, about ${Math.ceil(eta)} s left`}\n`);
    },
  });
  io.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatStitchReport(report)}\n`);
  return 0;
}

export function formatStitchReport(report: StitchReport): string {
  return [`Stitched ${report.path}: ${report.durationSeconds.toFixed(2)} s from ${report.pieces} pieces`, ...stitchLines(report)].join('\n');
}

function parseCodec(value: string | undefined): OutputCodec {
  if (value === undefined) return 'h264';
  if (!(OUTPUT_CODECS as readonly string[]).includes(value)) throw new UserError(`--codec: "${value}" is not one of ${OUTPUT_CODECS.join(', ')}`);
  return value as OutputCodec;
}

function parseTransition(value: string | undefined): { type: TransitionType; duration: number } {
  if (value === undefined) return { type: 'cut', duration: 0 };
  const [type, seconds = '0.5'] = value.split(':');
  if (!(TRANSITION_TYPES as readonly string[]).includes(type ?? '')) throw new UserError(`--transition: "${type}" is not one of ${TRANSITION_TYPES.join(', ')}`);
  const duration = Number(seconds);
  if (!Number.isFinite(duration) || duration < 0 || duration > 10) throw new UserError(`--transition: the duration must be between 0 and 10 seconds, got "${seconds}"`);
  return { type: type as TransitionType, duration: type === 'cut' ? 0 : duration };
}

function parseLoudness(value: string | undefined): number | null {
  if (value === undefined) return LOUDNESS_PRESETS.default;
  if (value === 'off') return null;
  if (value === 'broadcast' || value === 'streaming') return LOUDNESS_PRESETS[value];
  const lufs = Number(value);
  if (!Number.isFinite(lufs) || lufs < -40 || lufs > -5) throw new UserError(`--loudness: must be between -40 and -5 LUFS, broadcast (-23), streaming (-14) or off; got "${value}"`);
  return lufs;
}

function parseResolution(value: string | undefined, firstHeight: number): Resolution {
  if (value === undefined) return RESOLUTIONS.reduce((best, r) => (Math.abs(shortSide(r) - firstHeight) < Math.abs(shortSide(best) - firstHeight) ? r : best));
  if (!(RESOLUTIONS as readonly string[]).includes(value)) throw new UserError(`--resolution: must be one of ${RESOLUTIONS.join(', ')}, got "${value}"`);
  return value as Resolution;
}

function shortSide(resolution: Resolution): number {
  return frameSize(resolution, '16:9').height;
}

function parseAspect(value: string | undefined, first: { width: number; height: number }): Aspect {
  if (value === undefined) {
    const ratio = first.width / first.height;
    return ASPECTS.reduce((best, a) => (Math.abs(ratioOf(a) - ratio) < Math.abs(ratioOf(best) - ratio) ? a : best));
  }
  if (!(ASPECTS as readonly string[]).includes(value)) throw new UserError(`--aspect: must be one of ${ASPECTS.join(', ')}, got "${value}"`);
  return value as Aspect;
}

function ratioOf(aspect: Aspect): number {
  const [w, h] = aspect.split(':').map(Number) as [number, number];
  return w / h;
}

function parseFps(value: string): number {
  const fps = Number(value);
  if (!Number.isFinite(fps) || fps < 1 || fps > 120) throw new UserError(`--fps: must be a number between 1 and 120, got "${value}"`);
  return fps;
}

function evenSize(width: number, height: number): { width: number; height: number } {
  return { width: Math.max(16, width - (width % 2)), height: Math.max(16, height - (height % 2)) };
}
