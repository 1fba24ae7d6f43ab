/**
 * The quality gate, first version: is the clip a playable video of the length, frame
 * size and audio the shot asked for? Problems come back as lines a filmmaker can read.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { isAbortError } from '../../shared/errors';
import { NotPlayableError, probeMedia, type MediaProbe } from './probe';

export interface ClipExpectation {
  durationSeconds: number;
  width: number;
  height: number;
  audio: boolean;
}

export interface GateResult {
  ok: boolean;
  problems: string[];
  /** Null when the file is not a playable video at all. */
  probe: MediaProbe | null;
}

export async function checkClip(
  ffprobe: string,
  clipPath: string,
  expect: ClipExpectation,
  options: { signal?: AbortSignal; log?: (line: string) => void } = {},
): Promise<GateResult> {
  let probe: MediaProbe;
  try {
    probe = await probeCached(ffprobe, clipPath, options);
  } catch (error) {
    if (isAbortError(error) || !(error instanceof NotPlayableError)) throw error;
    return { ok: false, problems: [`not a playable video: ${error.reason}`], probe: null };
  }
  const problems = clipProblems(probe, expect);
  return { ok: problems.length === 0, problems, probe };
}

/** Pure: what is wrong with a probed clip, one human line per problem. */
export function clipProblems(probe: MediaProbe, expect: ClipExpectation): string[] {
  const problems: string[] = [];
  const { shortest, longest } = durationBounds(expect.durationSeconds);
  if (probe.durationSeconds < shortest || probe.durationSeconds > longest) {
    problems.push(`duration ${probe.durationSeconds.toFixed(2)} s, expected ${expect.durationSeconds.toFixed(2)} s`);
  }
  if (probe.width !== expect.width || probe.height !== expect.height) {
    problems.push(`frame size ${probe.width}x${probe.height}, expected ${expect.width}x${expect.height}`);
  }
  if (expect.audio && !probe.hasAudio) problems.push('no audio stream, but audio was requested');
  return problems;
}

/**
 * Engines round durations, and containers add a few ms of audio priming: a little
 * shorter is fine (max(0.25 s, 3 %)), and longer is fine up to 1 s + 10 % because the
 * stitcher trims; beyond that the engine made something else.
 */
export function durationBounds(expectedSeconds: number): { shortest: number; longest: number } {
  return {
    shortest: expectedSeconds - Math.max(0.25, expectedSeconds * 0.03),
    longest: expectedSeconds + 1 + expectedSeconds * 0.1,
  };
}

const MAX_CACHED = 512;
const probes = new Map<string, MediaProbe>();

/** Probes keyed by (path, size, mtime): a file rewritten in place is probed again. */
async function probeCached(ffprobe: string, file: string, options: { signal?: AbortSignal; log?: (line: string) => void }): Promise<MediaProbe> {
  const absolute = path.resolve(file);
  const info = await stat(absolute).catch(() => undefined);
  if (!info) return probeMedia(ffprobe, absolute, options); // reports the missing file
  const key = `${ffprobe}\0${absolute}\0${info.size}\0${info.mtimeMs}`;
  const cached = probes.get(key);
  if (cached) return cached;
  const probe = await probeMedia(ffprobe, absolute, options);
  if (probes.size >= MAX_CACHED) probes.delete(probes.keys().next().value as string);
  probes.set(key, probe);
  return probe;
}

/** How many probes are memoised (for tests and diagnostics). */
export function cachedProbeCount(): number {
  return probes.size;
}
