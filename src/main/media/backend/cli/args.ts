/**
 * Pure translation of the media jobs into FFmpeg CLI arguments. The filter graph itself
 * never goes on the command line: it is written to a file (an episode of 500 shots makes
 * a graph far larger than the kernel's argument limit), passed with
 * `-filter_complex_script` (FFmpeg < 7) or `-/filter_complex` (7 and later, where the
 * old option is deprecated).
 */
import { encoderReadyGraph } from '../encoder-ready';
import type { AudioEncoding, ConcatCopyJob, Container, EncoderTrial, GraphJob, HardwareDevice, MuxJob, VideoEncoding } from '../types';

export interface CliFlavour {
  /** FFmpeg's major version; decides how a graph file is passed. */
  major: number;
}

/** The graph text to write to the file graphJobArgs names. */
export function graphFileText(job: GraphJob): string {
  return encoderReadyGraph(job).graph;
}

export function graphJobArgs(job: GraphJob, graphFile: string, flavour: CliFlavour): string[] {
  const ready = encoderReadyGraph(job);
  // Only the verbose log names the device FFmpeg opened (device-log.ts).
  const args = ['-y', ...(job.hardware ? ['-v', 'verbose'] : []), ...hardwareArgs(job.hardware)];
  for (const input of job.inputs) {
    if (input.seekSeconds !== undefined && input.seekSeconds > 0) args.push('-ss', seconds(input.seekSeconds));
    if (input.durationSeconds !== undefined) args.push('-t', seconds(input.durationSeconds));
    args.push('-i', input.path);
  }
  args.push(...(flavour.major >= 7 ? ['-/filter_complex', graphFile] : ['-filter_complex_script', graphFile]));

  if (job.video) args.push('-map', `[${ready.videoLabel}]`, ...videoArgs(job.video.encoding, job.output.container));
  if (job.audio) args.push('-map', `[${ready.audioLabel}]`, ...audioArgs(job.audio.encoding));
  if (job.video || job.audio || !job.discard?.length) args.push(...containerArgs(job.output.container, job.output.faststart), outputTarget(job.output));
  // Analysis outputs: each pulled through the null muxer (wrapped frames, no copy).
  for (const label of job.discard ?? []) args.push('-map', `[${label}]`, '-f', 'null', '-');
  return args;
}

export function videoArgs(encoding: VideoEncoding, container: Container): string[] {
  if (container === 'png') return ['-frames:v', '1', '-update', '1', '-c:v', 'png'];
  if (container === 'null') return [];
  const args = ['-c:v', encoding.encoder];
  for (const [key, value] of Object.entries(encoding.options)) args.push(`-${key}`, value);
  // A hardware encoder receives hardware frames: the graph ends in hwupload and sets the format.
  if (!isHardwareFormat(encoding.pixelFormat)) args.push('-pix_fmt', encoding.pixelFormat);
  args.push('-fps_mode', 'cfr', '-r', String(encoding.fps));
  if (encoding.gopFrames) args.push('-g', String(encoding.gopFrames));
  if (encoding.keyframesAt?.length) args.push('-force_key_frames', encoding.keyframesAt.map(seconds).join(','));
  if (encoding.tag) args.push('-tag:v', encoding.tag);
  return args;
}

export function audioArgs(encoding: AudioEncoding): string[] {
  const args = ['-c:a', encoding.encoder, '-ar', String(encoding.sampleRate), '-ac', String(encoding.channels)];
  if (encoding.bitrate) args.push('-b:a', String(encoding.bitrate));
  return args;
}

function containerArgs(container: Container, faststart = false): string[] {
  switch (container) {
    case 'mp4':
      return [...(faststart ? ['-movflags', '+faststart'] : []), '-f', 'mp4'];
    case 'matroska':
      return ['-f', 'matroska'];
    case 'wav':
      return ['-f', 'wav'];
    case 'png':
      return ['-f', 'image2'];
    case 'null':
      return ['-f', 'null'];
  }
}

function outputTarget(output: GraphJob['output']): string {
  return output.container === 'null' ? '-' : output.path;
}

export function hardwareArgs(hardware: HardwareDevice | undefined): string[] {
  if (!hardware) return [];
  const device = hardware.device ? `:${hardware.device}` : '';
  return ['-init_hw_device', `${hardware.type}=hw${device}`, '-filter_hw_device', 'hw'];
}

function isHardwareFormat(format: string): boolean {
  return ['vulkan', 'vaapi', 'qsv', 'cuda', 'videotoolbox'].includes(format);
}

/** The concat demuxer's list: one `file` line per part, quoted as the demuxer's tokenizer expects, with its `duration` when given. */
export function concatList(parts: readonly string[], partSeconds?: readonly number[]): string {
  return parts
    .map((part, i) => {
      const duration = partSeconds?.[i];
      return `file '${part.replace(/'/g, "'\\''")}'\n${duration === undefined ? '' : `duration ${seconds(duration)}\n`}`;
    })
    .join('');
}

export function concatCopyArgs(job: ConcatCopyJob, listFile: string): string[] {
  return ['-y', '-f', 'concat', '-safe', '0', '-i', listFile, '-map', job.videoOnly ? '0:v:0' : '0', '-c', 'copy', ...containerArgs(job.output.container, job.output.faststart), job.output.path];
}

export function muxArgs(job: MuxJob): string[] {
  const inputs = ['-i', job.video, ...(job.audio ? ['-i', job.audio] : [])];
  const maps = ['-map', '0:v:0', ...(job.audio ? ['-map', '1:a:0'] : [])];
  return ['-y', ...inputs, ...maps, '-c', 'copy', ...containerArgs('mp4', job.output.faststart), job.output.path];
}

/** One small frame through the encoder, with the device and upload the encoder needs. */
export function encoderTrialArgs(trial: EncoderTrial): string[] {
  const filters = [`format=${trial.upload ? 'nv12' : trial.pixelFormat}`, ...(trial.upload ? [trial.upload] : [])].join(',');
  return [
    '-y',
    ...hardwareArgs(trial.hardware),
    ...['-f', 'lavfi', '-i', 'color=c=gray:s=256x256:r=25:d=0.2'],
    ...['-vf', filters, '-frames:v', '2', '-c:v', trial.encoder, '-f', 'null', '-'],
  ];
}

/** Fixed notation with microsecond precision: FFmpeg's time parser takes no exponents. */
export function seconds(value: number): string {
  return value.toFixed(6).replace(/0+$/, '').replace(/\.$/, '');
}
