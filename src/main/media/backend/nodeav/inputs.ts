/**
 * One graph input: its demuxer and the decoders of the streams the graph names ([i:v],
 * [i:a]). Timestamps are shifted like ffmpeg's -ss/-t before -i: the file's start is
 * time 0, minus the seek; the trim that drops frames before 0 and after the read limit
 * lives in the graph (graph-build.ts), as ffmpeg does it.
 */
import path from 'node:path';
import { MediaJobError } from '../errors';
import type { MediaInput } from '../types';
import type { NodeAv } from './load';
import { strerror, toSeconds } from './runtime';

type Frame = InstanceType<NodeAv['Frame']>;
type FilterContext = InstanceType<NodeAv['FilterContext']>;
export type Kind = 'v' | 'a';

export interface DecodeErrors {
  count: number;
  first: string | null;
}

export class InputStream {
  /** Buffer sources fed with this stream (a label may appear more than once in a graph). */
  readonly sources: FilterContext[] = [];
  /** Frames decoded before the graph could be configured from the first of them; null marks the end. */
  readonly pending: (Frame | null)[] = [];
  seconds = Number.NEGATIVE_INFINITY;
  ended = false;
  offset = 0n;
  /** The rate the buffer source announces (filters such as xfade compare their inputs'). */
  frameRate = { num: 0, den: 1 };

  constructor(
    readonly label: string,
    readonly kind: Kind,
    readonly streamIndex: number,
    readonly timeBase: { num: number; den: number },
    readonly decoder: InstanceType<NodeAv['CodecContext']>,
  ) {}
}

export class InputReader {
  readonly format: InstanceType<NodeAv['FormatContext']>;
  readonly streams: InputStream[] = [];
  readonly file: string;
  private opened = false;
  private readonly packet: InstanceType<NodeAv['Packet']>;
  private readonly frame: Frame;
  finished = false;

  constructor(
    private readonly av: NodeAv,
    readonly index: number,
    private readonly input: MediaInput,
    private readonly errors: DecodeErrors,
  ) {
    this.file = path.resolve(input.path);
    this.format = new av.FormatContext();
    this.packet = new av.Packet();
    this.packet.alloc();
    this.frame = new av.Frame();
    this.frame.alloc();
  }

  private fail(what: string, detail: string): MediaJobError {
    return new MediaJobError(`input ${this.index} (${this.file}) ${what}`, detail, null);
  }

  async open(kinds: Set<Kind>): Promise<void> {
    const { av } = this;
    let ret = await this.format.openInput(this.file, null, null);
    if (ret < 0) throw this.fail('could not be opened', strerror(av, ret));
    this.opened = true;
    ret = await this.format.findStreamInfo(null);
    if (ret < 0) throw this.fail('could not be read', strerror(av, ret));
    for (const kind of kinds) {
      const type = kind === 'v' ? av.AVMEDIA_TYPE_VIDEO : av.AVMEDIA_TYPE_AUDIO;
      const index = this.format.findBestStream(type, -1, -1);
      if (index < 0) throw this.fail(`has no ${kind === 'v' ? 'video' : 'audio'} stream for the graph's [${this.index}:${kind}]`, strerror(av, index));
      const stream = this.format.streams[index]!;
      const codec = av.Codec.findDecoder(stream.codecpar.codecId);
      if (!codec) throw this.fail(`has a stream no decoder here can read`, av.avGetCodecName(stream.codecpar.codecId) ?? 'unknown codec');
      const decoder = new av.CodecContext();
      decoder.allocContext3(codec);
      decoder.parametersToContext(stream.codecpar);
      decoder.pktTimebase = stream.timeBase;
      decoder.threadCount = 0;
      const input = new InputStream(`${this.index}:${kind}`, kind, index, { num: stream.timeBase.num, den: stream.timeBase.den }, decoder);
      const rate = stream.avgFrameRate.num > 0 ? stream.avgFrameRate : stream.rFrameRate;
      input.frameRate = { num: rate.num, den: rate.den || 1 };
      this.streams.push(input);
      ret = await decoder.open2(codec, null);
      if (ret < 0) throw this.fail(`could not open its ${codec.name} decoder`, strerror(av, ret));
    }
    for (const stream of this.format.streams) if (!this.streams.some((s) => s.streamIndex === stream.index)) stream.discard = av.AVDISCARD_ALL;

    // Time 0 is the file's start (ffmpeg's default without -copyts), moved by the seek.
    const start = this.format.startTime === av.AV_NOPTS_VALUE ? 0n : this.format.startTime;
    const seek = BigInt(Math.round((this.input.seekSeconds ?? 0) * 1_000_000));
    for (const s of this.streams) s.offset = -av.avRescaleQ(start + seek, { num: 1, den: 1_000_000 }, s.timeBase);
    if (seek > 0n) {
      // Like ffmpeg: land on the keyframe at or before the target, then decode and drop.
      ret = await this.format.seekFile(-1, av.INT64_MIN, start + seek, start + seek);
      if (ret < 0) throw this.fail(`could not seek to ${this.input.seekSeconds} s`, strerror(av, ret));
    }
  }

  /** Seconds (after the shift) this stream may read to; undefined for the whole file. */
  get limit(): number | undefined {
    return this.input.durationSeconds;
  }

  /** The position the scheduler compares: the earliest stream still running. */
  position(): number {
    const running = this.streams.filter((s) => !s.ended);
    return running.length ? Math.min(...running.map((s) => s.seconds)) : Number.POSITIVE_INFINITY;
  }

  /** Reads one packet and hands over the frames it decodes to; at the end, flushes the decoders. */
  async step(deliver: (stream: InputStream, frame: Frame | null) => Promise<void>): Promise<void> {
    const { av } = this;
    if (this.finished) return;
    const ret = this.format.readFrameSync(this.packet);
    if (ret < 0) {
      if (ret !== av.AVERROR_EOF) this.noteError(`Error retrieving a packet from the demuxer: ${strerror(av, ret)}`);
      await this.finish(deliver);
      return;
    }
    try {
      const stream = this.streams.find((s) => s.streamIndex === this.packet.streamIndex && !s.ended);
      if (stream) await this.decode(stream, this.packet, deliver);
    } finally {
      this.packet.unref();
    }
    const limit = this.limit;
    if (limit !== undefined && this.streams.every((s) => s.ended || s.seconds >= limit)) await this.finish(deliver);
  }

  private async finish(deliver: (stream: InputStream, frame: Frame | null) => Promise<void>): Promise<void> {
    this.finished = true;
    for (const stream of this.streams) {
      if (stream.ended) continue;
      await this.decode(stream, null, deliver);
      await deliver(stream, null);
    }
  }

  private async decode(
    stream: InputStream,
    packet: InstanceType<NodeAv['Packet']> | null,
    deliver: (stream: InputStream, frame: Frame | null) => Promise<void>,
  ): Promise<void> {
    const { av } = this;
    let sent = false;
    while (!sent) {
      const ret = stream.decoder.sendPacketSync(packet);
      // A full decoder takes the packet after its frames are taken out.
      if (ret === av.AVERROR_EAGAIN) {
        await this.receive(stream, deliver);
        continue;
      }
      sent = true;
      // A corrupt packet: count it and keep going, as the ffmpeg CLI does.
      if (ret < 0 && ret !== av.AVERROR_EOF) this.noteError(`Error while decoding stream #${this.index}:${stream.streamIndex}: ${strerror(av, ret)}`);
    }
    await this.receive(stream, deliver);
  }

  private async receive(stream: InputStream, deliver: (stream: InputStream, frame: Frame | null) => Promise<void>): Promise<void> {
    const { av } = this;
    for (;;) {
      const ret = stream.decoder.receiveFrameSync(this.frame);
      if (ret === av.AVERROR_EAGAIN || ret === av.AVERROR_EOF) return;
      if (ret < 0) {
        this.noteError(`Error while decoding stream #${this.index}:${stream.streamIndex}: ${strerror(av, ret)}`);
        return;
      }
      if (this.frame.decodeErrorFlags || this.frame.hasFlags(av.AV_FRAME_FLAG_CORRUPT)) {
        this.noteError(`corrupt decoded frame in stream #${this.index}:${stream.streamIndex}`);
      }
      // The graph takes its own reference; ours goes back to the decoder's pool when the next frame arrives.
      const owned = this.frame.clone();
      this.frame.unref();
      if (!owned) throw this.fail('could not keep a decoded frame', 'out of memory');
      const ts = owned.bestEffortTimestamp === av.AV_NOPTS_VALUE ? owned.pts : owned.bestEffortTimestamp;
      owned.pts = ts === av.AV_NOPTS_VALUE ? av.AV_NOPTS_VALUE : ts + stream.offset;
      owned.timeBase = new av.Rational(stream.timeBase.num, stream.timeBase.den);
      if (owned.pts !== av.AV_NOPTS_VALUE) stream.seconds = toSeconds(owned.pts, stream.timeBase);
      await deliver(stream, owned);
    }
  }

  private noteError(message: string): void {
    this.errors.count++;
    this.errors.first ??= message;
  }

  async close(): Promise<void> {
    for (const stream of this.streams) {
      for (const frame of stream.pending.splice(0)) frame?.free();
      stream.decoder.freeContext();
    }
    this.packet.free();
    this.frame.free();
    if (this.opened) await this.format.closeInput();
    else this.format.freeContext();
  }
}
