/**
 * Pure: what the analysis pass's metadata says about a clip. blackdetect, freezedetect
 * and silencedetect mark the start and end of each run on the frames where they see
 * them; a run still going at the end of the stream gets no end mark, so it is closed at
 * the stream's end. signalstats gives per-frame colour figures, averaged here.
 */
import { numberValue, type MetadataFrame } from './metadata';

/** [start, end) in seconds. */
export type Interval = readonly [start: number, end: number];

export interface VideoSummary {
  frames: number;
  /** From the first frame's start to the last frame's end. */
  durationSeconds: number;
  black: Interval[];
  /** Runs of unchanged pictures, as freezedetect reports them (black runs included). */
  freeze: Interval[];
  blackSeconds: number;
  /** Seconds frozen that are not black (a black run is reported as black only). */
  freezeSeconds: number;
  /** The longest time between two consecutive frames. */
  maxFrameGapSeconds: number;
}

export interface AudioSummary {
  durationSeconds: number;
  silence: Interval[];
  silenceSeconds: number;
  /** Loudest sample of the whole track, dBFS; -Infinity for digital silence, null when not measured. */
  peakDb: number | null;
}

/**
 * Colour figures of one clip, means over its frames, on the 8-bit scale (the analysis
 * converts to 8-bit 4:2:0 first, whatever the clip's depth): luma 16..235 for video
 * range, chroma 128 = neutral. For cross-shot consistency (matching grades and exposure).
 */
export interface ClipColourStats {
  frames: number;
  /** Mean of signalstats YAVG: overall brightness. */
  lumaMean: number;
  /** Means of YLOW / YHIGH (10th and 90th percentile of luma): shadows and highlights. */
  lumaLow: number;
  lumaHigh: number;
  /** Means of UAVG / VAVG: colour cast (128 neutral; U up is bluer, V up is redder). */
  uMean: number;
  vMean: number;
  /** Mean of SATAVG: colourfulness. */
  saturationMean: number;
  /** Circular mean of HUEAVG, degrees 0..360. */
  hueMeanDegrees: number;
}

const KEYS = {
  blackStart: 'lavfi.black_start',
  blackEnd: 'lavfi.black_end',
  freezeStart: 'lavfi.freezedetect.freeze_start',
  freezeEnd: 'lavfi.freezedetect.freeze_end',
  silenceStart: 'lavfi.silence_start',
  silenceEnd: 'lavfi.silence_end',
  peak: 'lavfi.astats.Overall.Peak_level',
} as const;

export function summariseVideo(frames: MetadataFrame[], fallbackSeconds: number): VideoSummary {
  const span = streamSpan(frames, fallbackSeconds);
  const black = runs(frames, KEYS.blackStart, KEYS.blackEnd, span);
  const freeze = runs(frames, KEYS.freezeStart, KEYS.freezeEnd, span);
  const blackUnion = union(black);
  return {
    frames: frames.length,
    durationSeconds: span.end - span.start,
    black,
    freeze,
    blackSeconds: total(blackUnion),
    freezeSeconds: Math.max(0, total(union(freeze)) - overlap(union(freeze), blackUnion)),
    maxFrameGapSeconds: maxGap(times(frames)),
  };
}

export function summariseAudio(frames: MetadataFrame[], fallbackSeconds: number): AudioSummary {
  const span = streamSpan(frames, fallbackSeconds);
  const silence = runs(frames, KEYS.silenceStart, KEYS.silenceEnd, span);
  let peakDb: number | null = null;
  for (const frame of frames) {
    const peak = numberValue(frame, KEYS.peak);
    if (peak !== null && (peakDb === null || peak > peakDb)) peakDb = peak;
  }
  return { durationSeconds: span.end - span.start, silence, silenceSeconds: total(union(silence)), peakDb };
}

export function colourStats(frames: MetadataFrame[]): ClipColourStats | null {
  const sums = { y: 0, low: 0, high: 0, u: 0, v: 0, sat: 0, hueX: 0, hueY: 0 };
  let count = 0;
  for (const frame of frames) {
    const get = (name: string) => numberValue(frame, `lavfi.signalstats.${name}`);
    const [y, low, high, u, v, sat, hue] = ['YAVG', 'YLOW', 'YHIGH', 'UAVG', 'VAVG', 'SATAVG', 'HUEAVG'].map(get);
    if ([y, low, high, u, v, sat, hue].some((value) => value === null || !Number.isFinite(value))) continue;
    count++;
    sums.y += y!;
    sums.low += low!;
    sums.high += high!;
    sums.u += u!;
    sums.v += v!;
    sums.sat += sat!;
    sums.hueX += Math.cos((hue! * Math.PI) / 180);
    sums.hueY += Math.sin((hue! * Math.PI) / 180);
  }
  if (count === 0) return null;
  const hue = (Math.atan2(sums.hueY, sums.hueX) * 180) / Math.PI;
  const round = (value: number) => Math.round(value * 1000) / 1000;
  return {
    frames: count,
    lumaMean: round(sums.y / count),
    lumaLow: round(sums.low / count),
    lumaHigh: round(sums.high / count),
    uMean: round(sums.u / count),
    vMean: round(sums.v / count),
    saturationMean: round(sums.sat / count),
    hueMeanDegrees: round((hue + 360) % 360),
  };
}

function times(frames: MetadataFrame[]): number[] {
  return frames.flatMap((frame) => (frame.ptsTime === null ? [] : [frame.ptsTime]));
}

/** First frame's start to last frame's end (its start plus the typical frame length). */
function streamSpan(frames: MetadataFrame[], fallbackSeconds: number): { start: number; end: number } {
  const t = times(frames);
  if (t.length < 2) return { start: t[0] ?? 0, end: (t[0] ?? 0) + Math.max(0, fallbackSeconds) };
  const deltas = t.slice(1).map((time, i) => time - t[i]!).filter((d) => d > 0).sort((a, b) => a - b);
  const typical = deltas.length ? deltas[Math.floor(deltas.length / 2)]! : 0;
  return { start: t[0]!, end: t[t.length - 1]! + typical };
}

/** Start/end marks as runs; a run still open at the end lasts to the stream's end, an end without a start begins at the stream's start. */
export function runs(frames: MetadataFrame[], startKey: string, endKey: string, span: { start: number; end: number }): Interval[] {
  const found: Interval[] = [];
  let open: number | null = null;
  for (const frame of frames) {
    const start = numberValue(frame, startKey);
    const end = numberValue(frame, endKey);
    // A frame can carry both: the end of one run and the start of the next.
    if (end !== null && Number.isFinite(end)) {
      found.push([open ?? span.start, end]);
      open = null;
    }
    if (start !== null && Number.isFinite(start)) open = start;
  }
  if (open !== null) found.push([open, Math.max(open, span.end)]);
  return found.map(([s, e]) => [Math.max(s, span.start), Math.min(Math.max(s, e), span.end)] as Interval).filter(([s, e]) => e > s);
}

export function union(intervals: readonly Interval[]): Interval[] {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [start, end] of sorted) {
    const last = merged[merged.length - 1];
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  return merged;
}

export function total(intervals: readonly Interval[]): number {
  return intervals.reduce((sum, [start, end]) => sum + (end - start), 0);
}

/** Length of the intersection of two sets of disjoint intervals. */
export function overlap(a: readonly Interval[], b: readonly Interval[]): number {
  let sum = 0;
  for (const [s1, e1] of a) for (const [s2, e2] of b) sum += Math.max(0, Math.min(e1, e2) - Math.max(s1, s2));
  return sum;
}

function maxGap(t: number[]): number {
  let gap = 0;
  for (let i = 1; i < t.length; i++) gap = Math.max(gap, t[i]! - t[i - 1]!);
  return gap;
}
