/**
 * Pure: a probed and analysed clip, held against what the shot asked for, as one
 * GateCheck per technical check (every check is present: 'skipped' says why it could
 * not run, never a silent pass). The AI score is added by the caller.
 */
import type { GateCheck, GateCheckName } from '../../../shared/quality';
import type { MediaProbe } from '../backend/types';
import type { AudioSummary, Interval, VideoSummary } from './analysis';
import { durationBounds, type GateThresholds } from './thresholds';

export interface ClipExpectation {
  durationSeconds: number;
  /** The shot's frame (display size). */
  width: number;
  height: number;
  /** Whether the shot asks for sound. */
  audio: boolean;
  /** The prompt, for the AI score. */
  prompt?: string;
  /** The episode's frame rate: a clip at the rate the episode asked for is never too slow. */
  fps?: number;
}

/** What the analysis pass measured, or why it could not. */
export type AnalysisOutcome =
  | { ok: true; decodeErrors: number; firstDecodeError: string | null; video: VideoSummary; audio: AudioSummary | null }
  | { ok: false; error: string };

export const TECHNICAL_CHECKS = ['decodes', 'resolution', 'aspect', 'duration', 'fps', 'audio', 'black', 'freeze', 'silence'] as const satisfies readonly GateCheckName[];

export function check(name: GateCheckName, outcome: GateCheck['outcome'], value: number | null, measured: string, limit: string, detail = ''): GateCheck {
  return { name, value, measured, limit, outcome, detail };
}

export function skipped(name: GateCheckName, detail: string, limit = ''): GateCheck {
  return check(name, 'skipped', null, 'not measured', limit, detail);
}

/** A file FFmpeg cannot play at all: decodes fails with the reason, the rest is skipped. */
export function notPlayableChecks(reason: string): GateCheck[] {
  return TECHNICAL_CHECKS.map((name) =>
    name === 'decodes' ? check('decodes', 'fail', null, 'not playable', 'a playable video', `not a playable video: ${reason}`) : skipped(name, 'not checked: the file is not a playable video'),
  );
}

export function technicalChecks(probe: MediaProbe, analysis: AnalysisOutcome, expect: ClipExpectation, limits: GateThresholds): GateCheck[] {
  const audioAnalysis = analysis.ok ? analysis.audio : null;
  return [
    decodesCheck(analysis),
    resolutionCheck(probe, expect, limits),
    aspectCheck(probe, expect, limits),
    durationCheck(probe, expect),
    fpsCheck(probe, analysis.ok ? analysis.video : null, { ...limits, minFps: Math.min(limits.minFps, episodeRateFloor(expect.fps) ?? limits.minFps) }),
    audioCheck(probe, audioAnalysis, analysis.ok, expect, limits),
    analysis.ok ? fractionCheck('black', analysis.video.blackSeconds, analysis.video.durationSeconds, analysis.video.black, limits.maxBlackFraction) : notAnalysed('black'),
    analysis.ok ? fractionCheck('freeze', analysis.video.freezeSeconds, analysis.video.durationSeconds, analysis.video.freeze, limits.maxFreezeFraction) : notAnalysed('freeze'),
    silenceCheck(probe, audioAnalysis, analysis.ok, expect, limits),
  ];
}

function decodesCheck(analysis: AnalysisOutcome): GateCheck {
  const limit = 'decodes without errors';
  if (!analysis.ok) return check('decodes', 'fail', null, 'decoding failed', limit, `FFmpeg could not decode it: ${analysis.error}`);
  if (analysis.decodeErrors > 0) {
    const n = analysis.decodeErrors;
    return check('decodes', 'fail', n, `${n} decode error${n === 1 ? '' : 's'}`, limit, `corrupt data: ${analysis.firstDecodeError ?? 'FFmpeg reported decode errors'}`);
  }
  if (analysis.video.frames === 0) return check('decodes', 'fail', 0, 'no frames', limit, 'no video frame could be decoded');
  return check('decodes', 'pass', 0, `${analysis.video.frames} frames, no errors`, limit);
}

/** Display aspect ratio: the display size with non-square pixels widened. */
export function displayAspect(probe: Pick<MediaProbe, 'width' | 'height' | 'rotation' | 'sampleAspectRatio'>): number {
  const [num, den] = probe.sampleAspectRatio.split(':').map(Number) as [number, number];
  const sar = num > 0 && den > 0 ? num / den : 1;
  const turned = probe.rotation === 90 || probe.rotation === 270;
  // SAR stretches the coded width, which is the display height once turned.
  return turned ? probe.width / (probe.height * sar) : (probe.width * sar) / probe.height;
}

function aspectMatches(actual: number, wanted: number, tolerance: number): boolean {
  return Math.abs(actual - wanted) / wanted <= tolerance;
}

function resolutionCheck(probe: MediaProbe, expect: ClipExpectation, limits: GateThresholds): GateCheck {
  const measured = `${probe.width}x${probe.height}`;
  const wanted = `${expect.width}x${expect.height}`;
  const limit = `${wanted} or scalable to it, enlarged at most ${limits.maxUpscale}x`;
  const rotated = probe.rotation ? ` (coded ${probe.codedWidth}x${probe.codedHeight}, turned ${probe.rotation}°)` : '';
  const square = probe.sampleAspectRatio === '1:1';
  if (probe.width === expect.width && probe.height === expect.height && square) return check('resolution', 'pass', 1, measured, limit, rotated.trim());
  const aspect = displayAspect(probe);
  if (!aspectMatches(aspect, expect.width / expect.height, limits.aspectTolerance)) {
    return check('resolution', 'fail', null, measured, limit, `${measured}${rotated} cannot be scaled to ${wanted} without distortion`);
  }
  // Scale factor for the frame's height (the width follows: same aspect).
  const factor = expect.height / probe.height;
  const rounded = Math.round(factor * 100) / 100;
  if (factor > limits.maxUpscale) {
    return check('resolution', 'fail', rounded, measured, limit, `too small: it would be enlarged ${rounded}x to ${wanted} (at most ${limits.maxUpscale}x)`);
  }
  const how = factor > 1 ? `will be scaled up ${rounded}x to ${wanted}` : `will be scaled to ${wanted}`;
  return check('resolution', 'pass', rounded, measured, limit, `${how}${rotated}`);
}

function aspectCheck(probe: MediaProbe, expect: ClipExpectation, limits: GateThresholds): GateCheck {
  const actual = displayAspect(probe);
  const wanted = expect.width / expect.height;
  const limit = `${ratioName(expect.width, expect.height)} within ${Math.round(limits.aspectTolerance * 1000) / 10} %`;
  const measured = ratioName(actual * probe.height, probe.height, actual);
  const portrait = (r: number) => (r < 1 ? 'portrait' : r > 1 ? 'landscape' : 'square');
  if (aspectMatches(actual, wanted, limits.aspectTolerance)) {
    return check('aspect', 'pass', round3(actual), measured, limit, probe.rotation ? `${portrait(actual)} after the ${probe.rotation}° rotation in its metadata` : '');
  }
  return check('aspect', 'fail', round3(actual), measured, limit, `a ${measured} ${portrait(actual)} clip for a ${ratioName(expect.width, expect.height)} ${portrait(wanted)} shot: it would be stretched or cropped`);
}

function durationCheck(probe: MediaProbe, expect: ClipExpectation): GateCheck {
  const { shortest, longest } = durationBounds(expect.durationSeconds);
  const actual = probe.durationSeconds;
  const measured = seconds(actual);
  const limit = `expected ${seconds(expect.durationSeconds)}, ${seconds(shortest)} to ${seconds(longest)}`;
  if (actual < shortest) return check('duration', 'fail', round3(actual), measured, limit, `shorter than requested: ${measured} for a ${seconds(expect.durationSeconds)} shot`);
  if (actual > longest) return check('duration', 'fail', round3(actual), measured, limit, `far longer than requested: ${measured} for a ${seconds(expect.durationSeconds)} shot`);
  const trimmed = actual > expect.durationSeconds + 0.05 ? `will be trimmed to ${seconds(expect.durationSeconds)}` : '';
  return check('duration', 'pass', round3(actual), measured, limit, trimmed);
}

/** Just under the episode's own rate, so 23.976 passes for 24: a clip at the rate asked for is never too slow. */
function episodeRateFloor(fps: number | undefined): number | undefined {
  return fps === undefined ? undefined : fps - 0.5;
}

function fpsCheck(probe: MediaProbe, video: VideoSummary | null, limits: GateThresholds): GateCheck {
  const fps = round3(probe.fps);
  const measured = `${formatNumber(probe.fps)} fps`;
  const limit = `at least ${limits.minFps} fps, frames at most ${limits.maxFrameGapSeconds} s apart`;
  if (!(probe.fps > 0)) return check('fps', 'fail', null, 'unknown', limit, 'the frame rate is unknown');
  if (probe.fps < limits.minFps) return check('fps', 'fail', fps, measured, limit, `too few frames per second: ${measured} (at least ${limits.minFps} fps)`);
  if (video && video.maxFrameGapSeconds > limits.maxFrameGapSeconds) {
    return check('fps', 'fail', fps, measured, limit, `the picture stalls: ${seconds(video.maxFrameGapSeconds)} between two frames (at most ${limits.maxFrameGapSeconds} s)`);
  }
  if (probe.variableFrameRate) {
    return check('fps', 'pass', fps, measured, limit, `variable frame rate, will be converted to constant (average ${measured}, base ${formatNumber(probe.baseFps)} fps)`);
  }
  return check('fps', 'pass', fps, measured, limit);
}

/** dBFS floor for a value: digital silence (-inf) is stored as the 24-bit floor. */
const SILENCE_FLOOR_DB = -144;

function audioCheck(probe: MediaProbe, audio: AudioSummary | null, analysed: boolean, expect: ClipExpectation, limits: GateThresholds): GateCheck {
  const limit = `an audio track with sound, peak above ${limits.silentTrackPeakDb} dBFS`;
  if (!expect.audio) return skipped('audio', probe.hasAudio ? 'no audio requested (the clip has a track; it is not checked)' : 'no audio requested', limit);
  if (!probe.hasAudio) return check('audio', 'fail', null, 'no audio stream', limit, 'no audio track, but the shot asks for sound');
  if (!analysed || !audio) return skipped('audio', 'not measured: the clip does not decode', limit);
  if (audio.peakDb === null) return skipped('audio', 'not measured: FFmpeg reported no audio level', limit);
  const value = Math.max(SILENCE_FLOOR_DB, Math.round(audio.peakDb * 10) / 10);
  const measured = `peak ${Number.isFinite(audio.peakDb) ? value.toFixed(1) : '-inf'} dBFS`;
  if (audio.peakDb < limits.silentTrackPeakDb) return check('audio', 'fail', value, measured, limit, `the audio track is silent (${measured})`);
  return check('audio', 'pass', value, measured, limit);
}

function silenceCheck(probe: MediaProbe, audio: AudioSummary | null, analysed: boolean, expect: ClipExpectation, limits: GateThresholds): GateCheck {
  const limit = `at most ${percent(limits.maxSilenceFraction)} silent`;
  if (!expect.audio) return skipped('silence', 'no audio requested', limit);
  if (!probe.hasAudio) return skipped('silence', 'no audio stream (see audio)', limit);
  if (!analysed || !audio) return notAnalysed('silence');
  return fractionCheck('silence', audio.silenceSeconds, audio.durationSeconds, audio.silence, limits.maxSilenceFraction);
}

const WORDS: Record<'black' | 'freeze' | 'silence', string> = { black: 'black', freeze: 'frozen', silence: 'silent' };

function fractionCheck(name: 'black' | 'freeze' | 'silence', part: number, whole: number, runs: Interval[], maxFraction: number): GateCheck {
  const fraction = whole > 0 ? Math.min(1, part / whole) : 0;
  const word = WORDS[name];
  const measured = `${percent(fraction)} ${word} (${seconds(part)})`;
  const limit = `at most ${percent(maxFraction)} ${word}`;
  const where = runs.length ? `: ${runs.slice(0, 3).map(([s, e]) => `${s.toFixed(2)}–${e.toFixed(2)} s`).join(', ')}${runs.length > 3 ? ', …' : ''}` : '';
  if (fraction > maxFraction) return check(name, 'fail', round3(fraction), measured, limit, `${percent(fraction)} ${word} (${seconds(part)} of ${seconds(whole)}, at most ${percent(maxFraction)})${where}`);
  return check(name, 'pass', round3(fraction), measured, limit, part > 0 ? `${word} for ${seconds(part)}${where}` : '');
}

function notAnalysed(name: GateCheckName): GateCheck {
  return skipped(name, 'not measured: the clip does not decode');
}

/** "16:9" when the ratio is a small whole-number one, else the decimal ("1.85"). */
export function ratioName(width: number, height: number, ratio = width / height): string {
  const w = Math.round(width);
  const h = Math.round(height);
  const divisor = gcd(w, h);
  if (w > 0 && h > 0 && w / divisor <= 32 && h / divisor <= 32 && Math.abs(w / h - ratio) < 1e-6) return `${w / divisor}:${h / divisor}`;
  for (const [a, b] of [[16, 9], [9, 16], [4, 3], [3, 4], [1, 1], [21, 9], [9, 21], [3, 2], [2, 3]] as const) if (Math.abs(a / b - ratio) / ratio < 0.002) return `${a}:${b}`;
  return formatNumber(ratio, 3);
}

function gcd(a: number, b: number): number {
  return b === 0 ? Math.max(1, a) : gcd(b, a % b);
}

export function seconds(value: number): string {
  return `${value.toFixed(2)} s`;
}

function percent(fraction: number): string {
  return `${Math.round(fraction * 100)} %`;
}

function formatNumber(value: number, digits = 2): string {
  return String(Math.round(value * 10 ** digits) / 10 ** digits);
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
