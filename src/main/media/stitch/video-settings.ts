/**
 * How the stitcher makes pictures on this machine: the video encoder it does best
 * (media/encoders.ts) and where clips are scaled and their colour converted, with
 * libplacebo on a Vulkan GPU or with FFmpeg's own scaler on the CPU.
 */
import type { OutputCodec } from '../../../shared/domain';
import type { HardwareDevice, MediaOps, VideoEncoding } from '../backend/types';
import { chooseEncoder, ENCODER_CANDIDATES, encoderChoice, gpuFilters, VULKAN, type EncoderChoice, type GpuFilters, type VideoCodec } from '../encoders';

export type Scaling = 'cpu' | 'libplacebo';

const CPU_SCALER = "FFmpeg's scaler on the CPU (the default)";

export interface StitchVideoSettings {
  codec: VideoCodec;
  encoding: Omit<VideoEncoding, 'fps'>;
  /** Filters a hardware encoder needs at the graph's end; empty for CPU encoders. */
  encoderTail: string[];
  /** The device every picture job opens: the encoder's, or Vulkan for libplacebo; absent when all runs on the CPU. */
  hardware?: HardwareDevice;
  /** Why this encoder (shown in reports). */
  reason: string;
  scaling: Scaling;
  /** Why clips are scaled where they are (shown in reports). */
  scalingReason: string;
}

/** The codec's software encoder and the CPU scaler: what a stitch uses when nothing was chosen for it. */
export function softwareVideo(codec: OutputCodec): StitchVideoSettings {
  const encoder = codec === 'hevc' ? 'libx265' : 'libx264';
  const candidate = ENCODER_CANDIDATES.find((c) => c.encoder === encoder)!;
  return stitchVideoFrom(encoderChoice(candidate, `${encoder}: the default CPU encoder`, []));
}

/**
 * The encoder choice and what the GPU filters probe found, as one setting. A job opens
 * one device, so libplacebo (Vulkan) joins an encoder that needs none (software, NVENC,
 * VideoToolbox take frames from memory) or Vulkan's own, never VA-API's or Quick Sync's.
 */
export function stitchVideoFrom(choice: EncoderChoice, gpu?: GpuFilters): StitchVideoSettings {
  const { fps: _ignored, ...encoding } = choice.encoding(24);
  const settings = { codec: choice.codec, encoding, encoderTail: choice.filterTail, reason: choice.reason };
  const onCpu = (scalingReason: string): StitchVideoSettings => ({ ...settings, ...(choice.hardware ? { hardware: choice.hardware } : {}), scaling: 'cpu', scalingReason });
  if (!gpu) return onCpu(CPU_SCALER);
  if (!gpu.libplacebo) return onCpu(`FFmpeg's scaler on the CPU: ${gpu.reason}`);
  if (choice.hardware && choice.hardware.type !== 'vulkan') {
    return onCpu(`FFmpeg's scaler on the CPU: ${choice.encoder} works on its own ${choice.hardware.type} device, and a job opens one device`);
  }
  return { ...settings, hardware: choice.hardware ?? VULKAN, scaling: 'libplacebo', scalingReason: `libplacebo on ${gpu.device ?? 'the Vulkan device'}: scaling and conversion to BT.709` };
}

export const DEFAULT_VIDEO: StitchVideoSettings = softwareVideo('h264');

/** The codec's encoder this machine does best and where scaling runs, each tried once per process. */
export async function chooseStitchVideo(media: MediaOps, codec: OutputCodec = 'h264', signal?: AbortSignal): Promise<StitchVideoSettings> {
  const [choice, gpu] = await Promise.all([chooseEncoder(media, codec, 'auto', signal), gpuFilters(media, signal)]);
  return stitchVideoFrom(choice, gpu);
}
