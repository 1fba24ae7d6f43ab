/**
 * Probing with ffprobe's JSON output, and the pure reading of that JSON into a MediaProbe.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { isAbortError } from '../../../../shared/errors';
import { FfmpegError, runFfprobeJson } from '../../ffmpeg';
import { NotPlayableError } from '../errors';
import { colourRangeOf, frameRates, orientedSize } from '../probe-shape';
import type { MediaProbe, RunContext } from '../types';

interface ProbeStream {
  codec_type?: string;
  codec_name?: string;
  profile?: string;
  width?: number;
  height?: number;
  pix_fmt?: string;
  sample_aspect_ratio?: string;
  color_space?: string;
  color_range?: string;
  color_transfer?: string;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  time_base?: string;
  duration?: string;
  sample_rate?: string;
  channels?: number;
  extradata_hash?: string;
  tags?: { rotate?: string };
  side_data_list?: { side_data_type?: string; rotation?: number }[];
  disposition?: { attached_pic?: number };
}

export interface ProbeDocument {
  streams?: ProbeStream[];
  format?: { duration?: string };
}

export async function probeWithFfprobe(ffprobe: string, file: string, context: RunContext): Promise<MediaProbe> {
  // Absolute paths keep ffprobe from reading "name:rest" as a protocol prefix.
  const absolute = path.resolve(file);
  await requireNonEmptyFile(absolute);
  let document: ProbeDocument;
  try {
    document = (await runFfprobeJson(ffprobe, ['-show_format', '-show_streams', '-show_data_hash', 'sha256', absolute], { signal: context.signal, log: context.log })) as ProbeDocument;
  } catch (error) {
    if (isAbortError(error)) throw error;
    if (error instanceof FfmpegError && error.exitCode !== null) {
      throw new NotPlayableError(absolute, `FFmpeg could not read it (${lastLine(error.stderrTail) || `exit code ${error.exitCode}`})`);
    }
    throw error;
  }
  return toMediaProbe(absolute, document);
}

export async function requireNonEmptyFile(absolute: string): Promise<void> {
  const info = await stat(absolute).catch(() => undefined);
  if (!info) throw new NotPlayableError(absolute, 'the file does not exist');
  if (!info.isFile()) throw new NotPlayableError(absolute, 'it is not a file');
  if (info.size === 0) throw new NotPlayableError(absolute, 'the file is empty (0 bytes)');
}

/** Pure: ffprobe's JSON as a MediaProbe, or why the file is not a playable video. */
export function toMediaProbe(file: string, document: ProbeDocument): MediaProbe {
  const streams = document.streams ?? [];
  // Cover art inside an audio file is a "video" stream too; it is not a playable video.
  const video = streams.find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic);
  const audio = streams.find((s) => s.codec_type === 'audio');
  if (!video) {
    const why = audio ? 'it holds audio only, no video stream' : streams.length ? 'it has no video stream' : 'it has no streams';
    throw new NotPlayableError(file, why);
  }
  const codedWidth = video.width ?? 0;
  const codedHeight = video.height ?? 0;
  if (codedWidth <= 0 || codedHeight <= 0) throw new NotPlayableError(file, 'its video stream has no frame size');
  const videoDurationSeconds = parseSeconds(video.duration) ?? null;
  const durationSeconds = parseSeconds(document.format?.duration) ?? videoDurationSeconds;
  if (durationSeconds === undefined || durationSeconds === null || durationSeconds <= 0) throw new NotPlayableError(file, 'its duration is unknown or zero');

  return {
    durationSeconds,
    ...orientedSize(codedWidth, codedHeight, rotationOf(video)),
    ...frameRates(parseRate(video.avg_frame_rate), parseRate(video.r_frame_rate)),
    videoCodec: video.codec_name ?? 'unknown',
    videoProfile: video.profile ?? null,
    pixelFormat: video.pix_fmt ?? 'unknown',
    sampleAspectRatio: video.sample_aspect_ratio && video.sample_aspect_ratio !== '0:1' ? video.sample_aspect_ratio : '1:1',
    colourMatrix: named(video.color_space),
    colourRange: colourRangeOf(video.color_range, video.pix_fmt ?? ''),
    colourTransfer: named(video.color_transfer),
    videoTimeBase: video.time_base ?? 'unknown',
    videoSetupHash: video.extradata_hash?.replace(/^sha256:/i, '').toLowerCase() || null,
    hasAudio: audio !== undefined,
    audioCodec: audio ? (audio.codec_name ?? 'unknown') : null,
    audioSampleRate: audio ? (Number.parseInt(audio.sample_rate ?? '', 10) || null) : null,
    audioChannels: audio?.channels ?? null,
    videoDurationSeconds,
    audioDurationSeconds: audio ? (parseSeconds(audio.duration) ?? null) : null,
  };
}

/**
 * Clockwise display rotation. Older files carry a `rotate` tag (clockwise); newer FFmpeg
 * reports the display matrix, whose rotation is counter-clockwise.
 */
function rotationOf(video: ProbeStream): number {
  const tagged = Number.parseFloat(video.tags?.rotate ?? '');
  const matrix = video.side_data_list?.find((side) => typeof side.rotation === 'number')?.rotation;
  const clockwise = Number.isFinite(tagged) ? tagged : matrix !== undefined ? -matrix : 0;
  return (((Math.round(clockwise / 90) * 90) % 360) + 360) % 360;
}

/** ffprobe's colour names, with "unknown" and "reserved" as null. */
function named(value: string | undefined): string | null {
  return value && value !== 'unknown' && value !== 'reserved' ? value : null;
}

function parseSeconds(raw: string | undefined): number | undefined {
  const value = Number.parseFloat(raw ?? '');
  return Number.isFinite(value) ? value : undefined;
}

/** "24000/1001" -> 23.976...; "0/0" -> undefined. */
export function parseRate(raw: string | undefined): number | undefined {
  const match = /^(\d+)(?:\/(\d+))?$/.exec(raw ?? '');
  if (!match) return undefined;
  const rate = Number(match[1]) / Number(match[2] ?? 1);
  return Number.isFinite(rate) && rate > 0 ? rate : undefined;
}

function lastLine(text: string): string {
  return text.trim().split('\n').pop()?.trim() ?? '';
}
