/**
 * What a media file holds, as Shotline needs it: duration, frame size and rate, codecs,
 * audio presence. Read with ffprobe's JSON output.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { isAbortError, ShotlineError } from '../../shared/errors';
import { FfmpegError, runFfprobeJson } from './ffmpeg';

export interface MediaProbe {
  durationSeconds: number;
  width: number;
  height: number;
  fps: number;
  videoCodec: string;
  audioCodec: string | null;
  hasAudio: boolean;
  pixelFormat: string;
}

/** The file is missing or holds no playable video stream. */
export class NotPlayableError extends ShotlineError {
  override name = 'NotPlayableError';
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file} is not a playable video: ${reason}`);
  }
}

interface ProbeStream {
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  pix_fmt?: string;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  duration?: string;
  disposition?: { attached_pic?: number };
}

interface ProbeDocument {
  streams?: ProbeStream[];
  format?: { duration?: string };
}

export async function probeMedia(
  ffprobe: string,
  file: string,
  options: { signal?: AbortSignal; log?: (line: string) => void } = {},
): Promise<MediaProbe> {
  // Absolute paths keep ffprobe from reading "name:rest" as a protocol prefix.
  const absolute = path.resolve(file);
  const info = await stat(absolute).catch(() => undefined);
  if (!info) throw new NotPlayableError(absolute, 'the file does not exist');
  if (!info.isFile()) throw new NotPlayableError(absolute, 'it is not a file');
  if (info.size === 0) throw new NotPlayableError(absolute, 'the file is empty');

  let document: ProbeDocument;
  try {
    document = (await runFfprobeJson(ffprobe, ['-show_format', '-show_streams', absolute], options)) as ProbeDocument;
  } catch (error) {
    if (isAbortError(error)) throw error;
    if (error instanceof FfmpegError && error.exitCode !== null) {
      throw new NotPlayableError(absolute, `ffprobe could not read it (${lastLine(error.stderrTail) || `exit code ${error.exitCode}`})`);
    }
    throw error;
  }
  return toMediaProbe(absolute, document);
}

/** Pure: turns ffprobe's JSON into a MediaProbe, or explains why it is not a playable video. */
export function toMediaProbe(file: string, document: ProbeDocument): MediaProbe {
  const streams = document.streams ?? [];
  // Cover art inside an audio file is a "video" stream too; it is not a playable video.
  const video = streams.find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic);
  const audio = streams.find((s) => s.codec_type === 'audio');
  if (!video) throw new NotPlayableError(file, streams.length ? 'it has no video stream' : 'it has no streams');
  const width = video.width ?? 0;
  const height = video.height ?? 0;
  if (width <= 0 || height <= 0) throw new NotPlayableError(file, 'its video stream has no frame size');
  const durationSeconds = parseSeconds(document.format?.duration) ?? parseSeconds(video.duration);
  if (durationSeconds === undefined || durationSeconds <= 0) throw new NotPlayableError(file, 'its duration is unknown or zero');
  return {
    durationSeconds,
    width,
    height,
    fps: parseRate(video.avg_frame_rate) ?? parseRate(video.r_frame_rate) ?? 0,
    videoCodec: video.codec_name ?? 'unknown',
    audioCodec: audio?.codec_name ?? (audio ? 'unknown' : null),
    hasAudio: audio !== undefined,
    pixelFormat: video.pix_fmt ?? 'unknown',
  };
}

function parseSeconds(raw: string | undefined): number | undefined {
  const value = Number.parseFloat(raw ?? '');
  return Number.isFinite(value) ? value : undefined;
}

/** "24000/1001" -> 23.976...; "0/0" -> undefined. */
function parseRate(raw: string | undefined): number | undefined {
  const match = /^(\d+)(?:\/(\d+))?$/.exec(raw ?? '');
  if (!match) return undefined;
  const rate = Number(match[1]) / Number(match[2] ?? 1);
  return Number.isFinite(rate) && rate > 0 ? rate : undefined;
}

function lastLine(text: string): string {
  return text.trim().split('\n').pop()?.trim() ?? '';
}
