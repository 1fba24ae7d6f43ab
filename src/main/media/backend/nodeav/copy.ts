/**
 * Jobs that move packets without decoding: the concat demuxer's join (-f concat -c copy)
 * and muxing one file's video with another's audio. Timestamps follow ffmpeg's defaults:
 * each file starts at its own zero, and each joined part starts where the previous ended.
 */
import path from 'node:path';
import { MediaJobError } from '../errors';
import type { ConcatCopyJob, MuxJob, RunContext } from '../types';
import type { NodeAv } from './load';
import { OutputFile } from './muxer';
import { abortReason, strerror, throwIfAborted, TurnBudget } from './runtime';

type FormatContext = InstanceType<NodeAv['FormatContext']>;
type Stream = InstanceType<NodeAv['Stream']>;
const MICROSECONDS = { num: 1, den: 1_000_000 };

async function openInput(av: NodeAv, file: string, role: string): Promise<FormatContext> {
  const format = new av.FormatContext();
  let ret = await format.openInput(path.resolve(file), null, null);
  if (ret < 0) {
    format.freeContext();
    throw new MediaJobError(`${role} ${path.resolve(file)} could not be opened`, strerror(av, ret), null);
  }
  if (headerSaysAll(av, format)) return format;
  ret = await format.findStreamInfo(null);
  if (ret < 0) {
    await format.closeInput();
    throw new MediaJobError(`${role} ${path.resolve(file)} could not be read`, strerror(av, ret), null);
  }
  return format;
}

/**
 * An MP4's header already carries everything a packet copy needs (codec, size, sample
 * rate, channels, codec setup); finding the stream info would decode frames of every
 * part for nothing (about 5 ms a clip, a third of a 12-clip join).
 */
function headerSaysAll(av: NodeAv, format: FormatContext): boolean {
  if (!(format.iformat?.name ?? '').includes('mp4')) return false;
  return format.streams.every((stream) => {
    const par = stream.codecpar;
    if (par.codecId === av.AV_CODEC_ID_NONE || par.extradataSize === 0) return false;
    if (par.codecType === av.AVMEDIA_TYPE_VIDEO) return par.width > 0 && par.height > 0;
    if (par.codecType === av.AVMEDIA_TYPE_AUDIO) return par.sampleRate > 0 && par.channelLayout.nbChannels > 0;
    return false;
  });
}

/** Moves a packet's timestamps by `shift` (in its stream's time base), leaving unset ones unset. */
function shiftPacket(av: NodeAv, packet: InstanceType<NodeAv['Packet']>, shift: bigint): void {
  if (packet.pts !== av.AV_NOPTS_VALUE) packet.pts += shift;
  if (packet.dts !== av.AV_NOPTS_VALUE) packet.dts += shift;
}

/**
 * Where the next part starts, in microseconds: after this part's length on the timeline
 * when the job gives one, else, as the concat demuxer does, after its container
 * duration (or its last packet's end when the container has none).
 */
function nextPartStart(av: NodeAv, part: FormatContext, offset: bigint, lastPacketEnd: bigint, givenSeconds: number | undefined): bigint {
  if (givenSeconds !== undefined) return offset + BigInt(Math.round(givenSeconds * 1_000_000));
  return part.duration > 0n && part.duration !== av.AV_NOPTS_VALUE ? offset + part.duration : lastPacketEnd;
}

function startOf(av: NodeAv, format: FormatContext): bigint {
  return format.startTime === av.AV_NOPTS_VALUE ? 0n : format.startTime;
}

/** -c copy keeps an MP4 codec tag (hvc1 vs hev1) only when it came from an MP4 family file. */
function copyStream(av: NodeAv, output: OutputFile, input: Stream, from: FormatContext, container: string): Stream {
  const stream = output.addStream();
  const ret = input.codecpar.copy(stream.codecpar);
  if (ret < 0) throw output.fail('stream parameters could not be copied', ret);
  const fromMp4 = (from.iformat?.name ?? '').includes('mp4');
  if (!(container === 'mp4' && fromMp4)) stream.codecpar.codecTag = 0;
  stream.timeBase = input.timeBase;
  return stream;
}

function progress(context: RunContext, expected: number, seconds: number, last: { at: number }): void {
  const now = Date.now();
  if (now - last.at < 200) return;
  last.at = now;
  context.onProgress?.({ seconds, fraction: expected > 0 ? Math.min(1, seconds / expected) : 0 });
}

export async function concatCopyJob(av: NodeAv, job: ConcatCopyJob, context: RunContext): Promise<void> {
  const container = job.output.container;
  if (container === 'png') throw new MediaJobError('pieces cannot be joined into a png', '', null);
  if (!job.parts.length) throw new MediaJobError(`no pieces to join into ${job.output.path}`, '', null);
  throwIfAborted(context.signal);
  context.log?.(`node-av: join ${job.parts.length} pieces into ${job.output.path}`);
  const output = new OutputFile(av, job.output.path, container);
  const packet = new av.Packet();
  packet.alloc();
  let part: FormatContext | null = null;
  const last = { at: 0 };
  const turn = new TurnBudget();
  try {
    await output.open();
    let outStreams: Stream[] = [];
    let offset = 0n;
    for (const [index, file] of job.parts.entries()) {
      part = await openInput(av, file, `piece ${index + 1}`);
      const streams = joinedStreams(av, part, job.videoOnly ?? false);
      if (index === 0) {
        outStreams = streams.map((s) => copyStream(av, output, s, part!, container));
        await output.writeHeader(job.output.faststart ?? false);
      } else if (streams.length !== outStreams.length || streams.some((s, i) => s.codecpar.codecId !== codecIdAt(outStreams, i))) {
        throw new MediaJobError(`piece ${index + 1} ${path.resolve(file)} does not have the streams of piece 1`, streams.map((s) => av.avGetCodecName(s.codecpar.codecId)).join(', '), null);
      }
      const start = startOf(av, part);
      let end = offset;
      for (;;) {
        if (turn.due()) await turn.pause();
        throwIfAborted(context.signal);
        const ret = part.readFrameSync(packet);
        if (ret === av.AVERROR_EOF) break;
        if (ret < 0) throw new MediaJobError(`piece ${index + 1} ${path.resolve(file)} could not be read to its end`, strerror(av, ret), null);
        const at = streams.findIndex((s) => s.index === packet.streamIndex);
        if (at < 0) {
          packet.unref();
          continue;
        }
        const input = streams[at]!;
        shiftPacket(av, packet, av.avRescaleQ(offset - start, MICROSECONDS, input.timeBase));
        if (packet.pts !== av.AV_NOPTS_VALUE) {
          const packetEnd = av.avRescaleQ(packet.pts + packet.duration, input.timeBase, MICROSECONDS);
          if (packetEnd > end) end = packetEnd;
        }
        const seconds = output.write(packet, outStreams[at]!, input.timeBase);
        packet.unref();
        progress(context, job.expectedSeconds, seconds, last);
      }
      offset = nextPartStart(av, part, offset, end, job.partSeconds?.[index]);
      await part.closeInput();
      part = null;
    }
    await output.finish();
    context.onProgress?.({ seconds: job.expectedSeconds, fraction: 1 });
  } catch (error) {
    if (context.signal.aborted) throw abortReason(context.signal);
    throw error;
  } finally {
    packet.free();
    if (part) await part.closeInput();
    await output.close();
  }
}

/** The streams a join takes from a part: all of them, or its first video stream. */
function joinedStreams(av: NodeAv, part: FormatContext, videoOnly: boolean): Stream[] {
  if (!videoOnly) return part.streams;
  const video = part.streams.find((s) => s.codecpar.codecType === av.AVMEDIA_TYPE_VIDEO && !s.hasDisposition(av.AV_DISPOSITION_ATTACHED_PIC));
  return video ? [video] : [];
}

function codecIdAt(streams: Stream[], index: number): number {
  return streams[index]?.codecpar.codecId ?? -1;
}

interface MuxSource {
  format: FormatContext;
  stream: Stream;
  out: Stream | null;
  packet: InstanceType<NodeAv['Packet']>;
  /** The packet holds the next one of `stream`, not yet written. */
  pending: boolean;
  done: boolean;
}

export async function muxJob(av: NodeAv, job: MuxJob, context: RunContext): Promise<void> {
  throwIfAborted(context.signal);
  context.log?.(`node-av: mux ${job.video}${job.audio ? ` + ${job.audio}` : ''} into ${job.output.path}`);
  const output = new OutputFile(av, job.output.path, 'mp4');
  const inputs: MuxSource[] = [];
  const last = { at: 0 };
  const turn = new TurnBudget();
  try {
    await output.open();
    const sources: [string, 'video' | 'audio'][] = [[job.video, 'video']];
    if (job.audio) sources.push([job.audio, 'audio']);
    for (const [file, kind] of sources) {
      const format = await openInput(av, file, `the ${kind} source`);
      const type = kind === 'video' ? av.AVMEDIA_TYPE_VIDEO : av.AVMEDIA_TYPE_AUDIO;
      const stream = format.streams.find((s) => s.codecpar.codecType === type && !s.hasDisposition(av.AV_DISPOSITION_ATTACHED_PIC));
      if (!stream) {
        await format.closeInput();
        throw new MediaJobError(`the ${kind} source ${path.resolve(file)} has no ${kind} stream`, '', null);
      }
      const packet = new av.Packet();
      packet.alloc();
      inputs.push({ format, stream, out: null, packet, pending: false, done: false });
      inputs.at(-1)!.out = copyStream(av, output, stream, format, 'mp4');
    }
    await output.writeHeader(job.output.faststart);

    // Interleave by time so the muxer never has to hold one whole stream in memory.
    for (;;) {
      if (turn.due()) await turn.pause();
      throwIfAborted(context.signal);
      for (const input of inputs) {
        while (!input.pending && !input.done) {
          const ret = input.format.readFrameSync(input.packet);
          if (ret === av.AVERROR_EOF) input.done = true;
          else if (ret < 0) throw new MediaJobError(`${input.format.url ?? 'a source'} could not be read to its end`, strerror(av, ret), null);
          else if (input.packet.streamIndex === input.stream.index) input.pending = true;
          else input.packet.unref();
        }
      }
      const ready = inputs.filter((i) => i.pending);
      if (!ready.length) break;
      const next = ready.reduce((a, b) => (dtsSeconds(av, b) < dtsSeconds(av, a) ? b : a));
      shiftPacket(av, next.packet, av.avRescaleQ(-startOf(av, next.format), MICROSECONDS, next.stream.timeBase));
      const seconds = output.write(next.packet, next.out!, next.stream.timeBase);
      next.packet.unref();
      next.pending = false;
      progress(context, job.expectedSeconds, seconds, last);
    }
    await output.finish();
    context.onProgress?.({ seconds: job.expectedSeconds, fraction: 1 });
  } catch (error) {
    if (context.signal.aborted) throw abortReason(context.signal);
    throw error;
  } finally {
    for (const input of inputs) {
      input.packet.free();
      await input.format.closeInput();
    }
    await output.close();
  }
}

function dtsSeconds(av: NodeAv, input: MuxSource): number {
  const ts = input.packet.dts !== av.AV_NOPTS_VALUE ? input.packet.dts : input.packet.pts;
  if (ts === av.AV_NOPTS_VALUE) return Number.NEGATIVE_INFINITY;
  return (Number(ts) * input.stream.timeBase.num) / input.stream.timeBase.den - Number(startOf(av, input.format)) / 1e6;
}
