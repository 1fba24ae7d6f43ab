/**
 * Probing through libavformat, read into the same MediaProbe the CLI backend builds from
 * ffprobe's JSON (the same fields, the same fallbacks), so callers cannot tell them apart.
 */
import { colourMatrixName, colourRangeOf, colourTransferName, frameRates, orientedSize } from '../probe-shape';
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { NotPlayableError } from '../errors';
import type { MediaProbe, RunContext } from '../types';
import type { NodeAv } from './load';
import { LogCapture, rationalText, rationalValue, settleLog, strerror, throwIfAborted, toSeconds } from './runtime';

export async function probeFile(av: NodeAv, file: string, context: RunContext): Promise<MediaProbe> {
  // Absolute paths keep libavformat from reading "name:rest" as a protocol prefix.
  const absolute = path.resolve(file);
  const info = await stat(absolute).catch(() => undefined);
  if (!info) throw new NotPlayableError(absolute, 'the file does not exist');
  if (!info.isFile()) throw new NotPlayableError(absolute, 'it is not a file');
  if (info.size === 0) throw new NotPlayableError(absolute, 'the file is empty (0 bytes)');
  throwIfAborted(context.signal);

  const log = LogCapture.start(av);
  const input = new av.FormatContext();
  let opened = false;
  try {
    context.log?.(`node-av: probe ${absolute}`);
    let ret = await input.openInput(absolute, null, null);
    if (ret < 0) throw await unreadable(av, absolute, ret, log);
    opened = true;
    ret = await input.findStreamInfo(null);
    if (ret < 0) throw await unreadable(av, absolute, ret, log);
    throwIfAborted(context.signal);
    return readProbe(av, absolute, input);
  } finally {
    log.stop();
    if (opened) await input.closeInput();
    else input.freeContext();
  }
}

async function unreadable(av: NodeAv, file: string, code: number, log: LogCapture): Promise<NotPlayableError> {
  await settleLog();
  const said = log.lines.at(-1);
  return new NotPlayableError(file, `FFmpeg could not read it (${strerror(av, code)}${said && !said.includes(strerror(av, code)) ? `; ${said}` : ''})`);
}

function readProbe(av: NodeAv, file: string, input: InstanceType<NodeAv['FormatContext']>): MediaProbe {
  const streams = input.streams;
  // Cover art inside an audio file is a "video" stream too; it is not a playable video.
  const video = streams.find((s) => s.codecpar.codecType === av.AVMEDIA_TYPE_VIDEO && !s.hasDisposition(av.AV_DISPOSITION_ATTACHED_PIC));
  const audio = streams.find((s) => s.codecpar.codecType === av.AVMEDIA_TYPE_AUDIO);
  if (!video) {
    const why = audio ? 'it holds audio only, no video stream' : streams.length ? 'it has no video stream' : 'it has no streams';
    throw new NotPlayableError(file, why);
  }
  const par = video.codecpar;
  const codedWidth = par.width;
  const codedHeight = par.height;
  if (codedWidth <= 0 || codedHeight <= 0) throw new NotPlayableError(file, 'its video stream has no frame size');

  const videoDurationSeconds = streamSeconds(av, video);
  const formatSeconds = input.duration === av.AV_NOPTS_VALUE || input.duration <= 0n ? null : Number(input.duration) / 1_000_000;
  const durationSeconds = formatSeconds ?? videoDurationSeconds;
  if (durationSeconds === null || durationSeconds <= 0) throw new NotPlayableError(file, 'its duration is unknown or zero');

  const sar = par.sampleAspectRatio;
  const pixelFormat = av.avGetPixFmtName(par.format as never) ?? 'unknown';
  return {
    durationSeconds,
    ...orientedSize(codedWidth, codedHeight, rotationOf(av, video)),
    ...frameRates(rationalValue(video.avgFrameRate) ?? undefined, rationalValue(video.rFrameRate) ?? undefined),
    videoCodec: av.avGetCodecName(par.codecId) ?? 'unknown',
    videoProfile: profileName(av, par.codecId, par.profile),
    pixelFormat,
    sampleAspectRatio: sar.num > 0 && sar.den > 0 ? rationalText(sar, ':') : '1:1',
    colourMatrix: colourMatrixName(par.colorSpace),
    colourRange: colourRangeOf(par.colorRange, pixelFormat),
    colourTransfer: colourTransferName(par.colorTrc),
    videoTimeBase: rationalText(video.timeBase, '/'),
    // ffprobe's extradata_hash: equal setups (H.264 SPS/PPS) can be joined without re-encoding.
    videoSetupHash: par.extradata?.length ? createHash('sha256').update(par.extradata).digest('hex') : null,
    hasAudio: audio !== undefined,
    audioCodec: audio ? (av.avGetCodecName(audio.codecpar.codecId) ?? 'unknown') : null,
    audioSampleRate: audio ? audio.codecpar.sampleRate || null : null,
    audioChannels: audio ? audio.codecpar.channelLayout.nbChannels || audio.codecpar.channels || null : null,
    videoDurationSeconds,
    audioDurationSeconds: audio ? streamSeconds(av, audio) : null,
  };
}

type AvStream = InstanceType<NodeAv['Stream']>;

function streamSeconds(av: NodeAv, stream: AvStream): number | null {
  // Matroska keeps no per-stream duration; ffprobe reports none then, and so do we.
  if (stream.duration === av.AV_NOPTS_VALUE || stream.duration <= 0n) return null;
  return toSeconds(stream.duration, stream.timeBase);
}

function profileName(av: NodeAv, codecId: number, profile: number): string | null {
  if (profile < 0) return null;
  const decoder = av.Codec.findDecoder(codecId as Parameters<NodeAv['Codec']['findDecoder']>[0]);
  return decoder?.profiles?.find((p) => p.profile === profile)?.name ?? null;
}

/**
 * Clockwise display rotation. An old-style `rotate` tag is clockwise; the display matrix
 * (what av_display_rotation_get reads, recomputed here) turns counter-clockwise.
 */
function rotationOf(av: NodeAv, stream: AvStream): number {
  const tagged = Number.parseFloat(stream.metadata?.get('rotate') ?? '');
  let clockwise = Number.isFinite(tagged) ? tagged : 0;
  const matrix = stream.codecpar.getCodedSideData(av.AV_PKT_DATA_DISPLAYMATRIX);
  if (!Number.isFinite(tagged) && matrix && matrix.length >= 36) {
    const m = (i: number) => matrix.readInt32LE(i * 4) / 65536;
    const scale0 = Math.hypot(m(0), m(3));
    const scale1 = Math.hypot(m(1), m(4));
    if (scale0 > 0 && scale1 > 0) {
      const counterClockwise = -(Math.atan2(m(1) / scale1, m(0) / scale0) * 180) / Math.PI;
      clockwise = -counterClockwise;
    }
  }
  return (((Math.round(clockwise / 90) * 90) % 360) + 360) % 360;
}
