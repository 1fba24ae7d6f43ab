/**
 * Colour consistency across an episode: which shots are graded unlike the rest (much
 * darker, washed out, a colour cast), from each shot's average signalstats.
 *
 * The rule, per measure (luma, saturation, U, V), is a robust outlier test:
 *   - the episode's level is the MEDIAN over the reference shots, its spread the MAD
 *     (median absolute deviation) scaled by 1.4826 to match a standard deviation, but
 *     never below a floor (so an episode of near-identical shots does not make every
 *     small wobble a "many sigmas" outlier);
 *   - a shot is flagged when it is at least `zLimit` (3.5, Iglewicz and Hoaglin's
 *     cut-off) spreads from the median AND at least `minDifference` away in absolute
 *     terms: a uniform episode flags nothing however small its spread.
 * Fewer than 3 reference shots flag nothing: with two, nobody can say which one is off.
 *
 * Stylized shots ('stylized' kind) are graded on purpose: they are left out of the
 * reference (they never move the episode's median) and judged leniently: on luma only,
 * with twice the minimum difference, so only a broken one (near black, blown out) is
 * flagged, never its deliberate palette.
 */
import type { ConsistencyAction, ConsistencyFlag, ClipColourStats, ShotColour } from './types';

type Measure = 'luma' | 'saturation' | 'u' | 'v';

export interface ColourRuleOptions {
  /** Robust z (distance in spreads from the median) at or beyond which a shot is an outlier; default 3.5. */
  zLimit?: number;
  /** Least absolute difference (8-bit levels) that counts; defaults: luma 30, saturation 25, U/V 12. */
  minDifference?: Partial<Record<Measure, number>>;
  /** Least spread used (8-bit levels); defaults: luma 6, saturation 5, U/V 3. */
  spreadFloor?: Partial<Record<Measure, number>>;
}

const DEFAULT_MIN_DIFFERENCE: Record<Measure, number> = { luma: 30, saturation: 25, u: 12, v: 12 };
const DEFAULT_SPREAD_FLOOR: Record<Measure, number> = { luma: 6, saturation: 5, u: 3, v: 3 };
const MAD_TO_SIGMA = 1.4826;
const MIN_REFERENCE_SHOTS = 3;
const STYLIZED = 'stylized';

const VALUE: Record<Measure, (stats: ClipColourStats) => number> = {
  luma: (s) => s.lumaMean,
  saturation: (s) => s.saturationMean,
  u: (s) => s.uMean,
  v: (s) => s.vMean,
};
const MEASURES: readonly Measure[] = ['luma', 'saturation', 'u', 'v'];

interface Deviation {
  measure: Measure;
  value: number;
  median: number;
  difference: number;
  z: number;
  severe: boolean;
}

export interface EpisodeColour {
  median: ClipColourStats;
  spread: ClipColourStats;
  referenceShots: number;
}

/** The episode's level and spread per measure over the reference (non-stylized) shots, or null with fewer than 3. */
export function episodeColour(shots: readonly ShotColour[], options: ColourRuleOptions = {}): EpisodeColour | null {
  const reference = shots.filter((shot) => shot.kind !== STYLIZED && validStats(shot.stats));
  if (reference.length < MIN_REFERENCE_SHOTS) return null;
  const floor = { ...DEFAULT_SPREAD_FLOOR, ...options.spreadFloor };
  const level = (measure: Measure) => median(reference.map((shot) => VALUE[measure](shot.stats)));
  const spreadOf = (measure: Measure) => {
    const centre = level(measure);
    return Math.max(floor[measure], MAD_TO_SIGMA * median(reference.map((shot) => Math.abs(VALUE[measure](shot.stats) - centre))));
  };
  return {
    median: { lumaMean: level('luma'), saturationMean: level('saturation'), uMean: level('u'), vMean: level('v') },
    spread: { lumaMean: spreadOf('luma'), saturationMean: spreadOf('saturation'), uMean: spreadOf('u'), vMean: spreadOf('v') },
    referenceShots: reference.length,
  };
}

/** Pure: one flag per shot whose grade is off the episode's, in the shots' order. */
export function findColourOutliers(shots: readonly ShotColour[], options: ColourRuleOptions = {}): ConsistencyFlag[] {
  const episode = episodeColour(shots, options);
  if (!episode) return [];
  const zLimit = options.zLimit ?? 3.5;
  const minDifference = { ...DEFAULT_MIN_DIFFERENCE, ...options.minDifference };

  const deviations = new Map<string, Deviation[]>();
  for (const shot of shots) {
    if (!validStats(shot.stats)) continue;
    const stylized = shot.kind === STYLIZED;
    const found: Deviation[] = [];
    for (const measure of stylized ? (['luma'] as const) : MEASURES) {
      const value = VALUE[measure](shot.stats);
      const centre = VALUE[measure](episode.median);
      const spread = VALUE[measure](episode.spread);
      const difference = value - centre;
      const least = minDifference[measure] * (stylized ? 2 : 1);
      const z = difference / spread;
      if (Math.abs(difference) >= least && Math.abs(z) >= zLimit) {
        found.push({ measure, value, median: centre, difference, z, severe: Math.abs(difference) >= 2 * least || Math.abs(z) >= 2 * zLimit });
      }
    }
    if (found.length > 0) deviations.set(shot.shotId, found);
  }
  if (deviations.size === 0) return [];

  // Shots that match the episode: reference candidates, and evidence about engines.
  const matching = shots.filter((shot) => shot.kind !== STYLIZED && validStats(shot.stats) && !deviations.has(shot.shotId));
  const closest = closestToEpisode(matching, episode);
  const matchingByEngine = new Map<string, number>();
  for (const shot of matching) if (shot.engineId) matchingByEngine.set(shot.engineId, (matchingByEngine.get(shot.engineId) ?? 0) + 1);

  const flags: ConsistencyFlag[] = [];
  for (const shot of shots) {
    const found = deviations.get(shot.shotId);
    if (!found) continue;
    const reason = `shot ${shot.shotId} ${found.map((d, i) => describe(d, i === 0)).join(' and ')}`;
    const { action, suggestion } = remedy(shot, found, closest?.shotId, matchingByEngine);
    flags.push({ shotId: shot.shotId, kind: 'colour', reason, action, suggestion, ...(closest && action !== 'other_engine' ? { referenceShotId: closest.shotId } : {}) });
  }
  return flags;
}

function remedy(
  shot: ShotColour,
  found: readonly Deviation[],
  referenceShot: string | undefined,
  matchingByEngine: ReadonlyMap<string, number>,
): { action: ConsistencyAction; suggestion: string } {
  // This engine made nothing that matches the episode, while another made at least two shots that do.
  if (shot.engineId && !matchingByEngine.get(shot.engineId)) {
    const [better, count] = [...matchingByEngine.entries()].sort((a, b) => b[1] - a[1])[0] ?? [];
    if (better && count !== undefined && count >= 2) {
      return { action: 'other_engine', suggestion: `regenerate ${shot.shotId} on ${better}, which made ${count} shots that match the episode's grade (${shot.engineId} made none)` };
    }
  }
  const fix = found.map((d) => fixWords(d)).join(', ');
  if (found.some((d) => d.severe) && referenceShot) {
    return {
      action: 'regenerate_with_reference',
      suggestion: `regenerate ${shot.shotId} with a frame of ${referenceShot} as the reference image so the grade matches; say "${fix}" in the prompt`,
    };
  }
  return {
    action: 'regenerate',
    suggestion: `regenerate ${shot.shotId} (another take); say "${fix}" in the prompt${referenceShot ? `, or use a frame of ${referenceShot} as the reference image if it stays off` : ''}`,
  };
}

function describe(d: Deviation, first: boolean): string {
  const much = d.severe ? 'much ' : '';
  const values = (label: string) => `(${label} ${round(d.value)} vs median ${round(d.median)})`;
  const prefix = first ? 'is ' : '';
  const suffix = first ? ' than the episode' : '';
  switch (d.measure) {
    case 'luma':
      return `${prefix}${much}${d.difference < 0 ? 'darker' : 'brighter'}${suffix} ${values('luma')}`;
    case 'saturation':
      return `${prefix}${much}${d.difference < 0 ? 'less saturated' : 'more saturated'}${suffix} ${values('saturation')}`;
    case 'u':
      return `has a ${d.severe ? 'strong ' : ''}${d.difference > 0 ? 'blue' : 'yellow'} cast${first ? ' against the episode' : ''} ${values('U')}`;
    case 'v':
      return `has a ${d.severe ? 'strong ' : ''}${d.difference > 0 ? 'red/magenta' : 'green'} cast${first ? ' against the episode' : ''} ${values('V')}`;
  }
}

function fixWords(d: Deviation): string {
  switch (d.measure) {
    case 'luma':
      return d.difference < 0 ? 'brighter, well-lit' : 'darker, lower exposure';
    case 'saturation':
      return d.difference < 0 ? 'richer, more saturated colour' : 'muted, natural colour';
    case 'u':
      return d.difference > 0 ? 'warmer, neutral white balance' : 'cooler, neutral white balance';
    case 'v':
      return d.difference > 0 ? 'neutral skin tones, less magenta' : 'neutral white balance, less green';
  }
}

function closestToEpisode(shots: readonly ShotColour[], episode: EpisodeColour): ShotColour | undefined {
  let best: { shot: ShotColour; distance: number } | undefined;
  for (const shot of shots) {
    let distance = 0;
    for (const measure of MEASURES) distance += ((VALUE[measure](shot.stats) - VALUE[measure](episode.median)) / VALUE[measure](episode.spread)) ** 2;
    if (!best || distance < best.distance) best = { shot, distance };
  }
  return best?.shot;
}

function validStats(stats: ClipColourStats): boolean {
  return [stats.lumaMean, stats.saturationMean, stats.uMean, stats.vMean].every((value) => typeof value === 'number' && Number.isFinite(value));
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function round(value: number): string {
  return String(Math.round(value));
}
