/** A file being written through libavformat: shared by the graph jobs and the copy jobs. */
import path from 'node:path';
import { MediaJobError } from '../errors';
import type { NodeAv } from './load';
import { strerror, toSeconds } from './runtime';

type Packet = InstanceType<NodeAv['Packet']>;
type Stream = InstanceType<NodeAv['Stream']>;

export class OutputFile {
  readonly format: InstanceType<NodeAv['FormatContext']>;
  readonly file: string;
  private allocated = false;
  private opened = false;
  headerWritten = false;
  private readonly lastDts = new Map<number, bigint>();

  constructor(
    private readonly av: NodeAv,
    file: string,
    private readonly formatName: 'mp4' | 'matroska' | 'wav',
  ) {
    this.file = path.resolve(file);
    this.format = new av.FormatContext();
  }

  fail(what: string, code: number): MediaJobError {
    return new MediaJobError(`writing ${this.file} failed: ${what}`, strerror(this.av, code), null);
  }

  async open(): Promise<void> {
    const ret = this.format.allocOutputContext2(null, this.formatName, this.file);
    if (ret < 0) throw this.fail(`no ${this.formatName} muxer`, ret);
    this.allocated = true;
  }

  /** Encoders must write their headers out of band (avcC, esds) when the container wants it. */
  get wantsGlobalHeader(): boolean {
    return ((this.format.oformat?.flags ?? 0) & this.av.AVFMT_GLOBALHEADER) !== 0;
  }

  addStream(): Stream {
    return this.format.newStream(null);
  }

  async writeHeader(faststart: boolean): Promise<void> {
    const { av } = this;
    let ret = await this.format.openOutput();
    if (ret < 0) throw this.fail('could not create the file', ret);
    this.opened = true;
    const options = faststart && this.formatName === 'mp4' ? av.Dictionary.fromObject({ movflags: '+faststart' }) : null;
    try {
      ret = await this.format.writeHeader(options);
    } finally {
      options?.free();
    }
    if (ret < 0) throw this.fail('the container refused the streams', ret);
    this.headerWritten = true;
  }

  /**
   * Writes a packet whose timestamps are in `from`. DTS that would go backwards (joined
   * pieces whose B-frames start before their own zero) are nudged forward, as ffmpeg does.
   * Synchronous: muxing a packet is a copy into libavformat's buffer (see TurnBudget).
   * Returns where the packet ends, in seconds.
   */
  write(packet: Packet, stream: Stream, from: { num: number; den: number }): number {
    const { av } = this;
    packet.streamIndex = stream.index;
    packet.rescaleTs(from, stream.timeBase);
    packet.pos = -1n;
    const last = this.lastDts.get(stream.index);
    if (packet.dts !== av.AV_NOPTS_VALUE) {
      if (last !== undefined && packet.dts <= last && this.formatName !== 'wav') {
        packet.dts = last + 1n;
        if (packet.pts !== av.AV_NOPTS_VALUE && packet.pts < packet.dts) packet.pts = packet.dts;
      }
      this.lastDts.set(stream.index, packet.dts);
    }
    const seconds = packet.pts === av.AV_NOPTS_VALUE ? 0 : toSeconds(packet.pts + packet.duration, stream.timeBase);
    const ret = this.format.interleavedWriteFrameSync(packet);
    if (ret < 0) throw this.fail('a packet could not be written', ret);
    return seconds;
  }

  async finish(): Promise<void> {
    const ret = await this.format.writeTrailer();
    if (ret < 0) throw this.fail('the file could not be finished', ret);
  }

  async close(): Promise<void> {
    // Without a trailer (a failed or cancelled job) freeing the context deinitialises the muxer.
    if (this.opened) await this.format.closeOutput();
    if (this.allocated) this.format.freeContext();
  }
}
