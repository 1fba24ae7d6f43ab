/**
 * What this FFmpeg offers (info) and whether an encoder really works here (tryEncoder):
 * a hardware encoder is listed whether or not the machine has the device or driver, so
 * the only proof is opening it and encoding a frame.
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { MediaJobError } from '../errors';
import type { BackendInfo, EncoderTrial, EncoderTrialResult, RunContext } from '../types';
import { buildGraph } from './graph-build';
import { openDevice } from './graph-run';
import type { NodeAv } from './load';
import { abortReason, LogCapture, settleLog, strerror, throwIfAborted } from './runtime';

export function backendInfo(av: NodeAv): BackendInfo {
  const encoders = new Set<string>();
  for (const codec of av.Codec.getCodecList()) if (codec.isEncoder() && codec.name) encoders.add(codec.name);
  return {
    name: 'node-av',
    version: av.getFFmpegInfo().version,
    origin: `node-av ${packageVersion()} (bundled FFmpeg)`,
    encoders: [...encoders],
    filters: av.Filter.getList().map((f) => f.name).filter((name): name is string => Boolean(name)),
    hardwareTypes: av.HardwareDeviceContext.iterateTypes()
      .map((type) => av.HardwareDeviceContext.getTypeName(type))
      .filter((name): name is NonNullable<typeof name> => Boolean(name))
      .map(String),
  };
}

function packageVersion(): string {
  try {
    // The package's exports map hides package.json; find it next to the resolved entry point.
    let dir = path.dirname(createRequire(import.meta.url).resolve('node-av'));
    for (let depth = 0; depth < 4; depth++, dir = path.dirname(dir)) {
      try {
        const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
        if (manifest.name === 'node-av' && manifest.version) return manifest.version;
      } catch {
        // not this folder
      }
    }
  } catch {
    // resolution can fail inside a bundle; the version is only informative
  }
  return 'unknown';
}

const MEANINGFUL = /error|fail|cannot|can't|not|unsupported|no device|invalid/i;

/**
 * FFmpeg's own words about this trial: a line from the encoder itself ("[h264_nvenc @ ...]
 * Cannot load libcuda.so.1"), else one about its device type. The log is shared by the
 * whole process, so a line naming neither may belong to another trial and is not used.
 */
function ownLine(lines: readonly string[], trial: EncoderTrial): string | undefined {
  const strip = (line: string) => line.replace(/^\[[^\]]*\]\s*/, '');
  const fromEncoder = lines.find((line) => line.startsWith(`[${trial.encoder} @`) && MEANINGFUL.test(line));
  if (fromEncoder) return strip(fromEncoder);
  const device = trial.hardware?.type;
  const aboutDevice = device ? lines.find((line) => line.toLowerCase().includes(device) && MEANINGFUL.test(line)) : undefined;
  return aboutDevice ? strip(aboutDevice) : undefined;
}

export async function tryEncoderJob(av: NodeAv, trial: EncoderTrial, context: RunContext): Promise<EncoderTrialResult> {
  throwIfAborted(context.signal);
  context.log?.(`node-av: try encoder ${trial.encoder}${trial.hardware ? ` on ${trial.hardware.type}` : ''}`);
  // Lines of the previous trial can still be on their way: let them land before listening.
  await settleLog();
  await settleLog();
  const log = LogCapture.start(av);
  let device: InstanceType<NodeAv['HardwareDeviceContext']> | null = null;
  const graph = new av.FilterGraph();
  const encoder = new av.CodecContext();
  const frame = new av.Frame();
  const packet = new av.Packet();
  frame.alloc();
  packet.alloc();
  let allocated = false;
  try {
    const codec = av.Codec.findEncoderByName(trial.encoder as never);
    if (!codec) return { encoder: trial.encoder, works: false, reason: `Unknown encoder '${trial.encoder}'` };
    if (trial.hardware) device = (await openDevice(av, trial.hardware.type, trial.hardware.device)).context;
    graph.alloc();
    const filters = [`format=${trial.upload ? 'nv12' : trial.pixelFormat}`, ...(trial.upload ? [trial.upload] : [])].join(',');
    const [sink] = await buildGraph(av, graph, `color=c=gray:s=256x256:r=25:d=0.2,${filters}[out]`, new Map(), [{ label: 'out', role: 'video' }], device, async () => {
      await settleLog();
      return log.text();
    });
    let ret = await sink!.context.buffersinkGetFrame(frame);
    if (ret < 0) throw new MediaJobError('the test frame could not be made', strerror(av, ret), null);

    encoder.allocContext3(codec);
    allocated = true;
    encoder.width = frame.width;
    encoder.height = frame.height;
    encoder.pixelFormat = frame.format as never;
    encoder.timeBase = new av.Rational(1, 25);
    encoder.framerate = new av.Rational(25, 1);
    if (frame.hwFramesCtx) encoder.hwFramesCtx = frame.hwFramesCtx;
    if (device) encoder.hwDeviceCtx = device;
    // x265 prints a banner straight to stderr (not through FFmpeg's log) unless told not to.
    const quiet = trial.encoder === 'libx265' ? av.Dictionary.fromObject({ 'x265-params': 'log-level=error' }) : null;
    try {
      ret = await encoder.open2(codec, quiet);
    } finally {
      quiet?.free();
    }
    if (ret < 0) throw new MediaJobError(`could not open ${trial.encoder}`, strerror(av, ret), null);
    frame.pts = 0n;
    frame.pictType = av.AV_PICTURE_TYPE_NONE;
    ret = await encoder.sendFrame(frame);
    if (ret >= 0) ret = await encoder.sendFrame(null);
    if (ret < 0) throw new MediaJobError(`${trial.encoder} refused a frame`, strerror(av, ret), null);
    ret = await encoder.receivePacket(packet);
    if (ret < 0) throw new MediaJobError(`${trial.encoder} produced no packet`, strerror(av, ret), null);
    return { encoder: trial.encoder, works: true, reason: null };
  } catch (error) {
    if (context.signal.aborted) throw abortReason(context.signal);
    await settleLog();
    // FFmpeg's own line ("Cannot load libcuda.so.1") says more than the error code does.
    const said = ownLine(log.lines, trial);
    const own = error instanceof MediaJobError ? `${error.message.split('\n')[0]}: ${error.detail.split('\n')[0]}` : String(error);
    return { encoder: trial.encoder, works: false, reason: said ?? own };
  } finally {
    log.stop();
    frame.free();
    packet.free();
    if (allocated) encoder.freeContext();
    graph.free();
    device?.free();
  }
}
