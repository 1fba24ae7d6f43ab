/**
 * Turns a job's graph text into a configured libavfilter graph: the job's text plus the
 * conversions ffmpeg's output options would insert (-pix_fmt, -r, -ar/-ac, AAC's fixed
 * frame size), buffer sources for [i:v]/[i:a] made from each stream's first frame, and
 * a sink for every output the job names.
 */
import { AAC_FRAME_SAMPLES } from '../encoder-ready';
import { MediaJobError } from '../errors';
import type { GraphJob } from '../types';
import type { InputStream, Kind } from './inputs';
import type { NodeAv } from './load';
import { rateToRational, strerror } from './runtime';

type FilterContext = InstanceType<NodeAv['FilterContext']>;
type FilterGraph = InstanceType<NodeAv['FilterGraph']>;
export type SinkRole = 'video' | 'audio' | 'discard';

export interface Sink {
  label: string;
  role: SinkRole;
  context: FilterContext;
  eof: boolean;
  /** The output needs no more frames (a PNG takes one); the graph is still drained. */
  satisfied: boolean;
}

export const HARDWARE_FORMATS = new Set(['vulkan', 'vaapi', 'qsv', 'cuda', 'videotoolbox', 'd3d11', 'drm']);
const VIDEO_OUT = '__shotline_video';
const AUDIO_OUT = '__shotline_audio';

/** The [i:v] / [i:a] references of a graph text, per input. */
export function inputKinds(graph: string, inputCount: number): Map<number, Set<Kind>> {
  const wanted = new Map<number, Set<Kind>>();
  for (const match of graph.matchAll(/\[(\d+):([va])\]/g)) {
    const index = Number(match[1]);
    if (index >= inputCount) throw new MediaJobError(`the graph names [${index}:${match[2]}] but the job has ${inputCount} input(s)`, '', null);
    const kinds = wanted.get(index) ?? new Set<Kind>();
    kinds.add(match[2] as Kind);
    wanted.set(index, kinds);
  }
  return wanted;
}

/** The graph text with the encoders' conversions appended, and the sinks to create. */
export function adaptGraph(av: NodeAv, job: GraphJob): { text: string; sinks: { label: string; role: SinkRole }[] } {
  const chains = [job.graph];
  const sinks: { label: string; role: SinkRole }[] = [];
  const container = job.output.container;
  if (job.video && container !== 'null') {
    const encoding = job.video.encoding;
    const rate = rateToRational(encoding.fps);
    if (container === 'png') {
      // ffmpeg picks the PNG encoder's closest format on its own; the sink must be told.
      const formats = (av.Codec.findEncoderByName('png' as never)?.pixelFormats ?? []).map((f) => av.avGetPixFmtName(f)).filter(Boolean);
      chains.push(`[${job.video.label}]format=pix_fmts=${formats.join('|') || 'rgb24'}[${VIDEO_OUT}]`);
    } else {
      const format = HARDWARE_FORMATS.has(encoding.pixelFormat) ? '' : `format=pix_fmts=${encoding.pixelFormat},`;
      // -fps_mode cfr -r: the frames leave at exactly this rate, duplicated or dropped if need be.
      chains.push(`[${job.video.label}]${format}fps=fps=${rate.num}/${rate.den}[${VIDEO_OUT}]`);
    }
    sinks.push({ label: VIDEO_OUT, role: 'video' });
  } else if (job.video) sinks.push({ label: job.video.label, role: 'discard' });

  if (job.audio && container !== 'null') {
    const encoding = job.audio.encoding;
    const codec = av.Codec.findEncoderByName(encoding.encoder as never);
    const sampleFormat = codec?.sampleFormats?.[0];
    const layout = av.avChannelLayoutDescribe(av.avChannelLayoutDefault(encoding.channels)) ?? `${encoding.channels}c`;
    const formats = [
      sampleFormat === undefined ? null : `sample_fmts=${av.avGetSampleFmtName(sampleFormat)}`,
      `sample_rates=${encoding.sampleRate}`,
      `channel_layouts=${layout}`,
    ].filter(Boolean);
    // AAC takes exactly 1024 samples a frame; the CLI backend adds the same (encoder-ready.ts).
    const framing = encoding.encoder === 'aac' ? `,asetnsamples=n=${AAC_FRAME_SAMPLES}:p=0` : '';
    chains.push(`[${job.audio.label}]aformat=${formats.join(':')}${framing}[${AUDIO_OUT}]`);
    sinks.push({ label: AUDIO_OUT, role: 'audio' });
  } else if (job.audio) sinks.push({ label: job.audio.label, role: 'discard' });

  for (const label of job.discard ?? []) sinks.push({ label, role: 'discard' });
  return { text: chains.join(';\n'), sinks };
}

export interface BuiltGraph {
  graph: FilterGraph;
  sinks: Sink[];
}

export async function buildGraph(
  av: NodeAv,
  graph: FilterGraph,
  text: string,
  streams: Map<string, { stream: InputStream; trim: string | null }>,
  sinkSpecs: { label: string; role: SinkRole }[],
  device: InstanceType<NodeAv['HardwareDeviceContext']> | null,
  detail: () => Promise<string>,
): Promise<Sink[]> {
  const fail = async (what: string, code?: number) =>
    new MediaJobError(`the filter graph ${what}`, [code === undefined ? '' : strerror(av, code), await detail()].filter(Boolean).join('\n'), null);

  const segment = graph.segmentParse(text);
  if (!segment) throw await fail('could not be parsed');
  const inputs = new av.FilterInOut();
  const outputs = new av.FilterInOut();
  const sinks: Sink[] = [];
  try {
    let ret = segment.createFilters();
    if (ret < 0) throw await fail('names a filter that could not be created', ret);
    // Filters such as hwupload take the job's device before their options are applied.
    for (const filter of graph.filters ?? []) if (device && filter.filter?.hasFlags(av.AVFILTER_FLAG_HWDEVICE)) filter.hwDeviceCtx = device;
    ret = segment.applyOpts();
    if (ret < 0) throw await fail('has an option a filter refused', ret);
    ret = segment.apply(inputs, outputs);
    if (ret < 0) throw await fail('could not be linked', ret);

    let serial = 0;
    for (let open: InstanceType<NodeAv['FilterInOut']> | null = inputs; open?.name; open = open.next) {
      const entry = streams.get(open.name);
      if (!entry || !open.filterCtx) throw await fail(`has an input [${open.name}] that is not an input of the job`);
      let upstream = createSource(av, graph, entry.stream, `src_${serial++}`);
      entry.stream.sources.push(upstream);
      if (entry.trim) {
        const trim = graph.createFilter(av.Filter.getByName(entry.stream.kind === 'v' ? 'trim' : 'atrim')!, `trim_${serial++}`, entry.trim);
        if (!trim) throw await fail(`could not limit input [${open.name}] to ${entry.trim}`);
        ret = upstream.link(0, trim, 0);
        if (ret < 0) throw await fail(`could not link input [${open.name}]`, ret);
        upstream = trim;
      }
      ret = upstream.link(0, open.filterCtx, open.padIdx);
      if (ret < 0) throw await fail(`could not link input [${open.name}]`, ret);
    }

    for (let open: InstanceType<NodeAv['FilterInOut']> | null = outputs; open?.name; open = open.next) {
      const spec = sinkSpecs.find((s) => s.label === open!.name);
      if (!spec || !open.filterCtx) throw await fail(`has an output [${open.name}] that the job does not use (name it in video, audio or discard)`);
      sinks.push({ ...spec, context: linkSink(av, graph, open.filterCtx, open.padIdx, spec.role, `sink_${serial++}`), eof: false, satisfied: false });
    }
    const missing = sinkSpecs.filter((spec) => !sinks.some((sink) => sink.label === spec.label));
    if (missing.length) throw await fail(`has no unconnected output ${missing.map((m) => `[${m.label}]`).join(', ')}`);

    ret = await graph.config();
    if (ret < 0) throw await fail('could not be configured', ret);
    return sinks;
  } finally {
    inputs.free();
    outputs.free();
    segment.free();
  }
}

function createSource(av: NodeAv, graph: FilterGraph, stream: InputStream, name: string): FilterContext {
  const first = stream.pending[0] ?? undefined;
  const decoder = stream.decoder;
  const tb = stream.timeBase;
  if (stream.kind === 'v') {
    const source = graph.allocFilter(av.Filter.getByName('buffer')!, name);
    if (!source) throw new MediaJobError(`could not create the buffer source for [${stream.label}]`, '', null);
    let ret = source.buffersrcParametersSet({
      // Without a first frame (an input that decoded nothing), the decoder's view is all there is.
      width: first?.width ?? decoder.width,
      height: first?.height ?? decoder.height,
      format: (first?.format ?? decoder.pixelFormat) as number,
      timeBase: tb,
      frameRate: stream.frameRate,
      sampleAspectRatio: first?.sampleAspectRatio ?? decoder.sampleAspectRatio,
      colorRange: first?.colorRange ?? decoder.colorRange,
      colorSpace: first?.colorSpace ?? decoder.colorSpace,
    } as unknown as Parameters<FilterContext['buffersrcParametersSet']>[0]);
    if (ret >= 0) ret = source.init(null);
    if (ret < 0) throw new MediaJobError(`could not set up the buffer source for [${stream.label}]`, strerror(av, ret), null);
    return source;
  }
  const format = av.avGetSampleFmtName((first?.format ?? decoder.sampleFormat) as never);
  const layout = first?.channelLayout ?? decoder.channelLayout;
  const channelLayout = layout.mask && layout.mask !== 0n ? `0x${layout.mask.toString(16)}` : `${layout.nbChannels}c`;
  const args = `time_base=${tb.num}/${tb.den}:sample_rate=${first?.sampleRate ?? decoder.sampleRate}:sample_fmt=${format}:channel_layout=${channelLayout}`;
  const source = graph.createFilter(av.Filter.getByName('abuffer')!, name, args);
  if (!source) throw new MediaJobError(`could not create the audio buffer source for [${stream.label}]`, args, null);
  return source;
}

/**
 * Discarded outputs may be either kind. A link of the wrong kind is only refused when
 * the graph is configured, so the kind is read from the pad that feeds the sink (or, for
 * filters whose pads are made at run time, from the audio filters' `a` prefix).
 */
function linkSink(av: NodeAv, graph: FilterGraph, from: FilterContext, pad: number, role: SinkRole, name: string): FilterContext {
  const kind = role === 'discard' ? padKind(av, from, pad) : role;
  const sink = graph.createFilter(av.Filter.getByName(kind === 'audio' ? 'abuffersink' : 'buffersink')!, name, null);
  if (!sink) throw new MediaJobError(`could not create the ${kind} output ${name}`, '', null);
  const ret = from.link(pad, sink, 0);
  if (ret < 0) throw new MediaJobError(`the filter graph's output cannot go to a ${kind} output`, strerror(av, ret), null);
  return sink;
}

function padKind(av: NodeAv, from: FilterContext, pad: number): 'audio' | 'video' {
  const type = from.filter?.outputs[pad]?.type as number | undefined;
  if (type === (av.AVMEDIA_TYPE_AUDIO as number)) return 'audio';
  if (type === (av.AVMEDIA_TYPE_VIDEO as number)) return 'video';
  return /^a/.test(from.filter?.name ?? '') ? 'audio' : 'video';
}
