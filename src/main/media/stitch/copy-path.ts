/**
 * When the episode can be joined without re-encoding a single video frame: only cuts,
 * and every clip already is what the output wants, down to the codec setup (joining
 * H.264 with different SPS/PPS packet for packet makes a file players cannot decode).
 * Pure.
 */
import type { MediaProbe } from '../backend/types';
import type { Timeline } from './timeline';

export interface CopyTarget {
  width: number;
  height: number;
  fps: number;
  /** The codec the output is encoded with (h264, hevc). */
  codec: string;
}

/** Null when every clip can be copied; otherwise the first reason it cannot, for the report. */
export function whyNotStreamCopy(timeline: Timeline, probes: readonly MediaProbe[], target: CopyTarget): string | null {
  if (timeline.pieces.some((piece) => piece.kind === 'transition')) return 'the episode has transitions';
  const first = probes[0];
  if (!first) return 'no clips';
  for (const [i, probe] of probes.entries()) {
    const name = `clip ${i + 1}`;
    if (probe.videoCodec !== target.codec) return `${name} is ${probe.videoCodec}, the output is ${target.codec}`;
    if (probe.width !== target.width || probe.height !== target.height || probe.rotation !== 0) return `${name} is ${probe.width}x${probe.height}, the output is ${target.width}x${target.height}`;
    if (probe.variableFrameRate || Math.abs(probe.fps - target.fps) > 0.01) return `${name} runs at ${round(probe.fps)} fps, the output at ${target.fps}`;
    if (probe.pixelFormat !== 'yuv420p') return `${name} is ${probe.pixelFormat}, the output is yuv420p`;
    if (probe.sampleAspectRatio !== '1:1') return `${name} has non-square pixels (${probe.sampleAspectRatio})`;
    if (!probe.videoSetupHash || probe.videoSetupHash !== first.videoSetupHash) return `${name} was encoded with other settings than clip 1`;
    const frames = Math.round((probe.videoDurationSeconds ?? probe.durationSeconds) * target.fps);
    if (frames !== timeline.clipFrames[i]) return `${name} is ${frames} frames long, its shot ${timeline.clipFrames[i]}`;
  }
  return null;
}

function round(n: number): string {
  return Number(n.toFixed(3)).toString();
}
