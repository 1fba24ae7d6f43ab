/**
 * The encoding half of a graph job: the video and audio encoders ffmpeg's output options
 * describe, writing into mp4/matroska/wav, or a single PNG. Encoders open on their first
 * frame (a hardware encoder needs the frames context the graph made); the header waits
 * until every encoder is open, and packets made before that wait with it.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { MediaJobError } from '../errors';
import type { AudioEncoding, GraphJob, VideoEncoding } from '../types';
import { HARDWARE_FORMATS, type Sink } from './graph-build';
import type { NodeAv } from './load';
import { OutputFile } from './muxer';
import { rateToRational, strerror } from './runtime';

type Frame = InstanceType<NodeAv['Frame']>;
type Packet = InstanceType<NodeAv['Packet']>;
type CodecContext = InstanceType<NodeAv['CodecContext']>;
type Rational = { num: number; den: number };

interface Track {
  role: 'video' | 'audio';
  encoder: CodecContext | null;
  stream: InstanceType<NodeAv['Stream']> | null;
  timeBase: Rational;
  keyframes: bigint[];
  ended: boolean;
}

export class OutputWriter {
  private readonly file: OutputFile | null;
  private readonly tracks: Track[] = [];
  private readonly waiting: { track: Track; packet: Packet }[] = [];
  private readonly packet: InstanceType<NodeAv['Packet']>;

  constructor(
    private readonly av: NodeAv,
    private readonly job: GraphJob,
    private readonly device: InstanceType<NodeAv['HardwareDeviceContext']> | null,
    private readonly onProgress: (seconds: number) => void,
  ) {
    const container = job.output.container;
    if (container === 'wav' && job.video) throw new MediaJobError('a wav output holds audio only, but the job has a video output', '', null);
    if (container === 'png' && !job.video) throw new MediaJobError('a png output needs the job to name a video output', '', null);
    this.file = container === 'mp4' || container === 'matroska' || container === 'wav' ? new OutputFile(av, job.output.path, container) : null;
    this.packet = new av.Packet();
    this.packet.alloc();
    if (job.video && container !== 'null') this.tracks.push(this.track('video'));
    if (job.audio && (container === 'mp4' || container === 'matroska' || container === 'wav')) this.tracks.push(this.track('audio'));
  }

  private track(role: 'video' | 'audio'): Track {
    return { role, encoder: null, stream: null, timeBase: { num: 1, den: 1 }, keyframes: [], ended: false };
  }

  async open(): Promise<void> {
    await this.file?.open();
  }

  /** One frame from the sink; returns false when that output wants no more (a PNG's one frame). */
  async frame(sink: Sink, frame: Frame): Promise<boolean> {
    const track = this.tracks.find((t) => t.role === sink.role);
    if (!track || track.ended) return false;
    if (this.job.output.container === 'png') {
      await this.writePng(frame);
      track.ended = true;
      return false;
    }
    if (!track.encoder) await this.openEncoder(track, frame, sink);
    const encoder = track.encoder!;
    frame.pts = frame.pts === this.av.AV_NOPTS_VALUE ? frame.pts : this.av.avRescaleQ(frame.pts, frame.timeBase, track.timeBase);
    frame.timeBase = new this.av.Rational(track.timeBase.num, track.timeBase.den);
    if (track.role === 'video') this.forceKeyframe(track, frame);
    await this.encode(track, encoder, frame);
    return true;
  }

  /** The sink reached its end: flush the encoder (opening it from the sink's parameters if it saw nothing). */
  async end(sink: Sink): Promise<void> {
    const track = this.tracks.find((t) => t.role === sink.role);
    if (!track || track.ended) return;
    if (this.job.output.container === 'png') throw new MediaJobError(`the graph produced no frame for ${this.job.output.path}`, '', null);
    if (!track.encoder) await this.openEncoder(track, null, sink);
    await this.encode(track, track.encoder!, null);
    track.ended = true;
  }

  async finish(): Promise<void> {
    if (!this.file) return;
    if (!this.file.headerWritten) throw new MediaJobError(`nothing was written to ${this.file.file}`, '', null);
    await this.file.finish();
  }

  private async openEncoder(track: Track, frame: Frame | null, sink: Sink): Promise<void> {
    const { av, job } = this;
    const encoding = (track.role === 'video' ? job.video!.encoding : job.audio!.encoding) as VideoEncoding & AudioEncoding;
    const codec = av.Codec.findEncoderByName(encoding.encoder as never);
    if (!codec) throw new MediaJobError(`the encoder ${encoding.encoder} is not in this FFmpeg`, '', null);
    const encoder = new av.CodecContext();
    encoder.allocContext3(codec);
    track.encoder = encoder;
    const context = sink.context;
    if (track.role === 'video') {
      const rate = rateToRational(encoding.fps);
      track.timeBase = { num: rate.den, den: rate.num };
      encoder.width = frame?.width ?? context.buffersinkGetWidth();
      encoder.height = frame?.height ?? context.buffersinkGetHeight();
      encoder.pixelFormat = (frame?.format ?? context.buffersinkGetFormat()) as never;
      encoder.sampleAspectRatio = frame?.sampleAspectRatio ?? context.buffersinkGetSampleAspectRatio();
      encoder.framerate = new av.Rational(rate.num, rate.den);
      encoder.colorRange = frame?.colorRange ?? context.buffersinkGetColorRange();
      encoder.colorSpace = frame?.colorSpace ?? context.buffersinkGetColorspace();
      if (frame) {
        encoder.colorPrimaries = frame.colorPrimaries;
        encoder.colorTrc = frame.colorTrc;
      }
      if (frame?.hwFramesCtx) encoder.hwFramesCtx = frame.hwFramesCtx;
      // Only an encoder fed device frames takes the job's device: the graph may have opened
      // Vulkan for its filters, which NVENC (fed from memory, on its own CUDA context) refuses.
      if (this.device && HARDWARE_FORMATS.has(encoding.pixelFormat)) encoder.hwDeviceCtx = this.device;
      if (encoding.gopFrames) encoder.gopSize = encoding.gopFrames;
      track.keyframes = (encoding.keyframesAt ?? [])
        .map((t) => av.avRescaleQ(BigInt(Math.round(t * 1_000_000)), { num: 1, den: 1_000_000 }, track.timeBase))
        .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    } else {
      const sampleRate = frame?.sampleRate ?? context.buffersinkGetSampleRate();
      track.timeBase = { num: 1, den: sampleRate };
      encoder.sampleRate = sampleRate;
      encoder.sampleFormat = (frame?.format ?? context.buffersinkGetFormat()) as never;
      encoder.channelLayout = frame?.channelLayout ?? context.buffersinkGetChannelLayout();
      if (encoding.bitrate) encoder.bitRate = BigInt(encoding.bitrate);
    }
    encoder.timeBase = new av.Rational(track.timeBase.num, track.timeBase.den);
    if (this.file?.wantsGlobalHeader) encoder.setFlags(av.AV_CODEC_FLAG_GLOBAL_HEADER);
    const options = track.role === 'video' ? encoderOptions(av, job.video!.encoding.options) : null;
    let ret: number;
    try {
      ret = await encoder.open2(codec, options);
    } finally {
      options?.free();
    }
    if (ret < 0) throw new MediaJobError(`could not open the encoder ${encoding.encoder} for ${job.output.path}`, strerror(av, ret), null);

    if (this.file) {
      const stream = this.file.addStream();
      stream.timeBase = encoder.timeBase;
      ret = stream.codecpar.fromContext(encoder);
      if (ret < 0) throw this.file.fail('the encoder parameters could not be copied', ret);
      if (track.role === 'video' && job.video!.encoding.tag) stream.codecpar.codecTag = job.video!.encoding.tag;
      track.stream = stream;
      if (this.tracks.every((t) => t.encoder)) {
        await this.file.writeHeader(job.output.faststart ?? false);
        for (const { track: waited, packet } of this.waiting.splice(0)) {
          try {
            await this.writePacket(waited, packet);
          } finally {
            packet.free();
          }
        }
      }
    }
  }

  /** -force_key_frames: the first frame at or after each time starts a keyframe; others are the encoder's choice. */
  private forceKeyframe(track: Track, frame: Frame): void {
    const { av } = this;
    let forced = false;
    while (track.keyframes.length && frame.pts !== av.AV_NOPTS_VALUE && frame.pts >= track.keyframes[0]!) {
      track.keyframes.shift();
      forced = true;
    }
    // A decoded frame still carries its source's picture type, which encoders would obey.
    frame.pictType = forced ? av.AV_PICTURE_TYPE_I : av.AV_PICTURE_TYPE_NONE;
    if (forced) frame.setFlags(av.AV_FRAME_FLAG_KEY);
    else frame.clearFlags(av.AV_FRAME_FLAG_KEY);
  }

  private async encode(track: Track, encoder: CodecContext, frame: Frame | null): Promise<void> {
    const { av } = this;
    for (;;) {
      const sent = encoder.sendFrameSync(frame);
      if (sent < 0 && sent !== av.AVERROR_EAGAIN && sent !== av.AVERROR_EOF) {
        throw new MediaJobError(`the ${track.role} encoder refused a frame for ${this.job.output.path}`, strerror(av, sent), null);
      }
      for (;;) {
        const ret = encoder.receivePacketSync(this.packet);
        if (ret === av.AVERROR_EAGAIN || ret === av.AVERROR_EOF) break;
        if (ret < 0) throw new MediaJobError(`the ${track.role} encoder failed for ${this.job.output.path}`, strerror(av, ret), null);
        // Encoders do not all carry frame durations over; the muxer needs the last one (ffmpeg sets 1/fps too).
        if (track.role === 'video' && this.packet.duration <= 0n) this.packet.duration = 1n;
        if (this.file?.headerWritten) {
          await this.writePacket(track, this.packet);
          this.packet.unref();
        } else {
          const held = this.packet.clone();
          this.packet.unref();
          if (held) this.waiting.push({ track, packet: held });
        }
      }
      if (sent !== av.AVERROR_EAGAIN) return;
    }
  }

  private async writePacket(track: Track, packet: Packet): Promise<void> {
    if (!this.file || !track.stream) return;
    this.onProgress(this.file.write(packet, track.stream, track.timeBase));
  }

  private async writePng(frame: Frame): Promise<void> {
    const { av } = this;
    const codec = av.Codec.findEncoderByName('png' as never);
    if (!codec) throw new MediaJobError('the png encoder is not in this FFmpeg', '', null);
    const encoder = new av.CodecContext();
    try {
      encoder.allocContext3(codec);
      encoder.width = frame.width;
      encoder.height = frame.height;
      encoder.pixelFormat = frame.format as never;
      encoder.timeBase = new av.Rational(1, 25);
      let ret = await encoder.open2(codec, null);
      if (ret < 0) throw new MediaJobError(`could not open the png encoder for ${this.job.output.path}`, strerror(av, ret), null);
      frame.pictType = av.AV_PICTURE_TYPE_NONE;
      ret = await encoder.sendFrame(frame);
      if (ret >= 0) ret = await encoder.sendFrame(null);
      if (ret >= 0) ret = await encoder.receivePacket(this.packet);
      if (ret < 0 || !this.packet.data) throw new MediaJobError(`the png encoder failed for ${this.job.output.path}`, strerror(av, ret), null);
      await writeFile(path.resolve(this.job.output.path), this.packet.data);
      this.packet.unref();
    } finally {
      encoder.freeContext();
    }
  }

  async close(): Promise<void> {
    for (const { packet } of this.waiting.splice(0)) packet.free();
    for (const track of this.tracks) track.encoder?.freeContext();
    this.packet.free();
    await this.file?.close();
  }
}

/** Command-line spellings ("-b:v", "profile:v") become the encoder's own option names. */
function encoderOptions(av: NodeAv, options: Record<string, string>): InstanceType<NodeAv['Dictionary']> | null {
  const entries = Object.entries(options);
  if (!entries.length) return null;
  return av.Dictionary.fromObject(Object.fromEntries(entries.map(([key, value]) => [key.replace(/^-/, '').replace(/:v(:\d+)?$/, ''), value])));
}
