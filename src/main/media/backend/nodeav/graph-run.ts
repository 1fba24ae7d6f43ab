/**
 * runGraph on node-av: decode the inputs, run the graph, encode what comes out.
 *
 * ffmpeg feeds the graph the input it is waiting for (buffersrc's failed-request count);
 * node-av does not expose that, and frames move past the first filter whether or not
 * they are wanted. So the scheduler watches outcomes: an input whose recent packets
 * brought nothing out of the graph is fed only when every other input is in the same
 * state. In an xfade chain the next clip then waits with one packet in the graph while
 * the current clip plays, instead of every later clip being decoded into memory at once.
 */
import { DEVICE_SELECTED, selectedDevice } from '../device-log';
import { MediaJobError } from '../errors';
import type { GraphJob, GraphRunResult, RunContext } from '../types';
import { adaptGraph, buildGraph, inputKinds } from './graph-build';
import { InputReader, type DecodeErrors, type InputStream } from './inputs';
import type { NodeAv } from './load';
import { OutputWriter } from './outputs';
import { abortReason, LogCapture, settleLog, strerror, throwIfAborted, toSeconds, TurnBudget } from './runtime';

type Frame = InstanceType<NodeAv['Frame']>;

export async function runGraphJob(av: NodeAv, job: GraphJob, context: RunContext): Promise<GraphRunResult> {
  const { signal } = context;
  throwIfAborted(signal);
  const log = LogCapture.start(av, 40, DECODER_COMPLAINT);
  const errors: DecodeErrors = { count: 0, first: null };
  const readers: InputReader[] = [];
  let device: OpenedDevice | null = null;
  let graph: InstanceType<NodeAv['FilterGraph']> | null = null;
  let writer: OutputWriter | null = null;
  const scratch = new av.Frame();
  scratch.alloc();
  const detail = async () => {
    await settleLog();
    return log.text();
  };
  context.log?.(`node-av: graph job writing ${job.output.container === 'null' ? 'nothing' : job.output.path} from ${job.inputs.map((i) => i.path).join(', ') || 'no inputs'}`);

  try {
    if (job.hardware) device = await openDevice(av, job.hardware.type, job.hardware.device);
    const wanted = inputKinds(job.graph, job.inputs.length);
    for (const [index, kinds] of wanted) {
      const reader = new InputReader(av, index, job.inputs[index]!, errors);
      readers.push(reader);
      await reader.open(kinds);
    }

    // The buffer sources are described by each stream's first frame, as ffmpeg does.
    const collect = async (stream: InputStream, frame: Frame | null) => {
      stream.pending.push(frame);
    };
    for (const reader of readers) {
      while (!reader.finished && reader.streams.some((s) => s.pending.length === 0)) {
        throwIfAborted(signal);
        await reader.step(collect);
      }
    }

    const adapted = adaptGraph(av, job);
    const streams = new Map<string, { stream: InputStream; trim: string | null }>();
    for (const reader of readers) for (const stream of reader.streams) streams.set(stream.label, { stream, trim: trimFor(job.inputs[reader.index]!) });
    graph = new av.FilterGraph();
    graph.alloc();
    const sinks = await buildGraph(av, graph, adapted.text, streams, adapted.sinks, device?.context ?? null, detail);
    context.log?.(`node-av: graph configured with ${sinks.length} output(s): ${sinks.map((s) => `[${s.label}] ${s.role}`).join(', ')}`);

    let reportedAt = 0;
    const report = (seconds: number) => {
      const now = Date.now();
      if (now - reportedAt < 200) return;
      reportedAt = now;
      context.onProgress?.({ seconds, fraction: job.expectedSeconds > 0 ? Math.min(1, seconds / job.expectedSeconds) : 0 });
    };
    writer = new OutputWriter(av, job, device?.context ?? null, report);
    await writer.open();
    const out = writer;

    /** Hands a frame (ours to free) to every buffer source of its stream; null ends the stream. */
    const push = async (stream: InputStream, frame: Frame | null) => {
      try {
        for (const source of stream.sources) {
          const ret = source.buffersrcAddFrameSync(frame, (av.AV_BUFFERSRC_FLAG_PUSH | av.AV_BUFFERSRC_FLAG_KEEP_REF) as never);
          if (ret < 0 && ret !== av.AVERROR_EOF) throw new MediaJobError(`the filter graph refused a frame of input [${stream.label}]`, [strerror(av, ret), await detail()].join('\n'), null);
        }
      } finally {
        frame?.free();
      }
      if (!frame) stream.ended = true;
    };

    let produced = 0;
    // Every call below is synchronous; the loops hand the event loop back on this budget.
    const turn = new TurnBudget();
    const analysis = job.output.container === 'null' || (!job.video && !job.audio);
    const drain = async (): Promise<boolean> => {
      let moved = false;
      for (const sink of sinks) {
        while (!sink.eof) {
          if (turn.due()) await turn.pause();
          throwIfAborted(signal);
          const ret = sink.context.buffersinkGetFrameSync(scratch);
          if (ret === av.AVERROR_EAGAIN) break;
          moved = true;
          produced++;
          if (ret === av.AVERROR_EOF) {
            sink.eof = true;
            if (sink.role !== 'discard' && !sink.satisfied) await out.end(sink);
            break;
          }
          if (ret < 0) throw new MediaJobError('the filter graph failed', [strerror(av, ret), await detail()].join('\n'), null);
          try {
            scratch.timeBase = sink.context.buffersinkGetTimeBase();
            if (sink.role !== 'discard' && !sink.satisfied) {
              if (!(await out.frame(sink, scratch))) sink.satisfied = true;
            } else if (analysis && scratch.pts !== av.AV_NOPTS_VALUE) {
              // An analysis job writes nothing; its progress is how far the graph has got.
              report(toSeconds(scratch.pts, scratch.timeBase));
            }
          } finally {
            scratch.unref();
          }
          // A finished output is still drained so the graph does not pile frames up, a frame per
          // turn, so a source that never ends (color without d=) cannot hold the loop here.
          if (sink.satisfied) break;
        }
      }
      return moved;
    };
    const done = () => sinks.every((sink) => sink.eof || sink.satisfied);

    for (const { stream } of streams.values()) for (const frame of stream.pending.splice(0)) await push(stream, frame);
    await drain();

    /** Packets read from each input since one last brought frames out of the graph. */
    const idle = new Map<InputReader, number>();
    let stalls = 0;
    while (!done()) {
      if (turn.due()) await turn.pause();
      throwIfAborted(signal);
      const running = readers.filter((r) => !r.finished);
      if (running.length) {
        const pick = running.reduce((a, b) => {
          const idleA = idle.get(a) ?? 0;
          const idleB = idle.get(b) ?? 0;
          return idleB < idleA || (idleB === idleA && b.position() < a.position()) ? b : a;
        });
        const before = produced;
        await pick.step(push);
        await drain();
        idle.set(pick, produced > before ? 0 : (idle.get(pick) ?? 0) + 1);
        continue;
      }
      // Every input has ended; what is left comes from the graph's own sources and buffers.
      if (await drain()) {
        stalls = 0;
        continue;
      }
      const ret = graph.requestOldestSync();
      if (++stalls > 50) throw new MediaJobError('the filter graph stopped before all its outputs ended', [strerror(av, ret), await detail()].join('\n'), null);
    }
    await out.finish();
    context.onProgress?.({ seconds: job.expectedSeconds, fraction: 1 });
    await settleLog();
    // The decoder's own line ("error while decoding MB 7 3") says more than our count does.
    const said = errors.first && log.firstMatch ? `${errors.first}: ${log.firstMatch.replace(/^\[[^\]]*\]\s*/, '')}` : errors.first;
    return { decodeErrors: errors.count, firstDecodeError: said, device: device?.name ?? null };
  } catch (error) {
    if (signal.aborted) throw abortReason(signal);
    if (error instanceof MediaJobError) throw error;
    throw new MediaJobError(`the media job writing ${job.output.path} failed`, [error instanceof Error ? error.message : String(error), await detail()].join('\n'), null);
  } finally {
    log.stop();
    scratch.free();
    await writer?.close();
    graph?.free();
    for (const reader of readers) await reader.close();
    device?.context.free();
  }
}

/** What decoders log about damaged data (the same words the CLI backend counts). */
const DECODER_COMPLAINT = /error while decoding|invalid data found|corrupt|concealing|decode_slice_header error|no frame!|missing picture|non-existing pps|invalid nal/i;

/** -ss and -t before -i: drop what precedes the seek point and what follows the read limit. */
function trimFor(input: GraphJob['inputs'][number]): string | null {
  const parts: string[] = [];
  if (input.seekSeconds !== undefined && input.seekSeconds > 0) parts.push('start=0');
  if (input.durationSeconds !== undefined) parts.push(`end=${input.durationSeconds}`);
  return parts.length ? parts.join(':') : null;
}

export interface OpenedDevice {
  context: InstanceType<NodeAv['HardwareDeviceContext']>;
  /** As FFmpeg named it in its verbose log, or null when it did not say. */
  name: string | null;
}

export async function openDevice(av: NodeAv, type: string, device: string | undefined): Promise<OpenedDevice> {
  const context = new av.HardwareDeviceContext();
  const kind = av.HardwareDeviceContext.findTypeByName(type as never);
  const log = LogCapture.start(av, 4, DEVICE_SELECTED, av.AV_LOG_VERBOSE);
  try {
    const ret = kind === av.AV_HWDEVICE_TYPE_NONE ? av.AVERROR_EINVAL : context.create(kind, device ?? null, null);
    if (ret < 0) {
      context.free();
      throw new MediaJobError(`could not open the ${type} device${device ? ` ${device}` : ''}`, strerror(av, ret), null);
    }
    // The log reaches JavaScript a turn or two later (more the first time); only Vulkan names its device.
    for (const until = performance.now() + 20; log.firstMatch === null && type === 'vulkan' && performance.now() < until; ) await settleLog();
    return { context, name: log.firstMatch === null ? null : selectedDevice(log.firstMatch) };
  } finally {
    log.stop();
  }
}
