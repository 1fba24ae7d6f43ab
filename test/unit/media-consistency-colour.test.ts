/** The colour-consistency rule (pure): robust outliers against the episode's median, with floors so a uniform episode flags nothing. */
import { describe, expect, it } from 'vitest';
import { episodeColour, findColourOutliers, median } from '../../src/main/media/consistency/colour';
import type { ClipColourStats, ShotColour } from '../../src/main/media/consistency/types';

const neutral: ClipColourStats = { lumaMean: 112, saturationMean: 40, uMean: 128, vMean: 128 };

function shot(shotId: string, stats: Partial<ClipColourStats> = {}, extra: Partial<ShotColour> = {}): ShotColour {
  return { shotId, stats: { ...neutral, ...stats }, ...extra };
}

/** An ordinary episode: small natural variation between shots. */
function episode(): ShotColour[] {
  return [
    shot('s01', { lumaMean: 108, saturationMean: 38, uMean: 127, vMean: 129 }),
    shot('s02', { lumaMean: 115, saturationMean: 42, uMean: 129, vMean: 127 }),
    shot('s03', { lumaMean: 112, saturationMean: 40, uMean: 128, vMean: 128 }),
    shot('s05', { lumaMean: 118, saturationMean: 44, uMean: 126, vMean: 130 }),
    shot('s06', { lumaMean: 104, saturationMean: 37, uMean: 130, vMean: 128 }),
  ];
}

describe('colour outliers', () => {
  it('flags nothing in a uniform episode, even one with zero spread', () => {
    expect(findColourOutliers(episode())).toEqual([]);
    const identical = ['a', 'b', 'c', 'd'].map((id) => shot(id));
    expect(findColourOutliers(identical)).toEqual([]);
    // Zero spread, and one shot a little off: under the minimum difference, so still nothing.
    expect(findColourOutliers([...identical, shot('e', { lumaMean: 112 + 20, uMean: 128 + 8 })])).toEqual([]);
  });

  it('flags a much darker shot with the episode median in the reason', () => {
    const shots = [...episode(), shot('s04', { lumaMean: 38 })];
    const flags = findColourOutliers(shots);
    expect(flags).toHaveLength(1);
    const [flag] = flags;
    expect(flag!.shotId).toBe('s04');
    expect(flag!.kind).toBe('colour');
    expect(flag!.reason).toBe('shot s04 is much darker than the episode (luma 38 vs median 110)');
    // Far off: regenerate anchored on the shot nearest the episode's grade.
    expect(flag!.action).toBe('regenerate_with_reference');
    expect(flag!.referenceShotId).toBe('s03');
    expect(flag!.suggestion).toContain('s03');
    expect(flag!.suggestion).toContain('brighter');
  });

  it('words brighter, washed-out and colour-cast shots, several measures in one flag', () => {
    const shots = [
      ...episode(),
      shot('s07', { lumaMean: 150 }),
      shot('s08', { saturationMean: 8 }),
      shot('s09', { uMean: 150, lumaMean: 60 }),
      shot('s10', { vMean: 110 }),
    ];
    const byShot = Object.fromEntries(findColourOutliers(shots).map((flag) => [flag.shotId, flag]));
    expect(Object.keys(byShot).sort()).toEqual(['s07', 's08', 's09', 's10']);
    expect(byShot.s07!.reason).toBe('shot s07 is brighter than the episode (luma 150 vs median 112)');
    expect(byShot.s07!.action).toBe('regenerate');
    expect(byShot.s08!.reason).toBe('shot s08 is less saturated than the episode (saturation 8 vs median 40)');
    expect(byShot.s09!.reason).toBe('shot s09 is much darker than the episode (luma 60 vs median 112) and has a strong blue cast (U 150 vs median 128)');
    expect(byShot.s10!.reason).toMatch(/^shot s10 has a green cast against the episode \(V 110 vs median 128\)$/);
  });

  it('does not let one outlier move the episode level (median, not mean)', () => {
    const shots = [...episode(), shot('s04', { lumaMean: 5 }), shot('s11', { lumaMean: 250 })];
    const level = episodeColour(shots);
    expect(level?.median.lumaMean).toBe(112);
    expect(findColourOutliers(shots).map((flag) => flag.shotId)).toEqual(['s04', 's11']);
  });

  it('flags nothing with fewer than three reference shots', () => {
    expect(findColourOutliers([shot('a'), shot('b', { lumaMean: 20 })])).toEqual([]);
    // Two ordinary shots plus stylized ones: stylized shots are not a reference.
    const shots = [shot('a'), shot('b'), shot('c', { lumaMean: 20 }, { kind: 'stylized' }), shot('d', { lumaMean: 200 }, { kind: 'stylized' })];
    expect(episodeColour(shots)).toBeNull();
    expect(findColourOutliers(shots)).toEqual([]);
  });

  it('judges stylized shots leniently: their palette is free, only a broken exposure is flagged', () => {
    const base = episode();
    // Deliberately desaturated, tinted and moody (-50 luma): all allowed for a stylized shot.
    const moody = shot('s20', { lumaMean: 62, saturationMean: 5, uMean: 150, vMean: 100 }, { kind: 'stylized' });
    expect(findColourOutliers([...base, moody])).toEqual([]);
    // The same numbers on an ordinary shot are flagged on every measure.
    const flagged = findColourOutliers([...base, { ...moody, kind: 'dialogue' }]);
    expect(flagged).toHaveLength(1);
    expect(flagged[0]!.reason).toMatch(/darker.*less saturated.*blue cast.*green cast/);
    // A near-black stylized shot is still caught.
    const black = findColourOutliers([...base, shot('s21', { lumaMean: 12 }, { kind: 'stylized' })]);
    expect(black.map((flag) => flag.shotId)).toEqual(['s21']);
    // And stylized shots never move the median the others are judged against.
    const withStylized = [...base, shot('x1', { lumaMean: 20 }, { kind: 'stylized' }), shot('x2', { lumaMean: 20 }, { kind: 'stylized' }), shot('x3', { lumaMean: 20 }, { kind: 'stylized' })];
    expect(episodeColour(withStylized)?.median.lumaMean).toBe(112);
  });

  it('suggests another engine when the outlier came from an engine that matched nowhere else', () => {
    const shots = [
      shot('s01', { lumaMean: 110 }, { engineId: 'veo-fast' }),
      shot('s02', { lumaMean: 114 }, { engineId: 'veo-fast' }),
      shot('s03', { lumaMean: 112 }, { engineId: 'runway-gen4' }),
      shot('s04', { lumaMean: 40 }, { engineId: 'luma-ray2' }),
    ];
    const [flag] = findColourOutliers(shots);
    expect(flag?.action).toBe('other_engine');
    expect(flag?.suggestion).toBe("regenerate s04 on veo-fast, which made 2 shots that match the episode's grade (luma-ray2 made none)");
    // The same engine made a shot that matches: a retake there is the advice instead.
    const sameEngine = shots.map((s) => (s.shotId === 's03' ? { ...s, engineId: 'luma-ray2' } : s));
    expect(findColourOutliers(sameEngine)[0]?.action).toBe('regenerate_with_reference');
  });

  it('ignores shots with unusable numbers and honours custom thresholds', () => {
    const shots = [...episode(), shot('bad', { lumaMean: Number.NaN })];
    expect(findColourOutliers(shots)).toEqual([]);
    const mild = [...episode(), shot('s12', { lumaMean: 90 })];
    expect(findColourOutliers(mild)).toEqual([]);
    expect(findColourOutliers(mild, { minDifference: { luma: 15 }, zLimit: 2 }).map((flag) => flag.shotId)).toEqual(['s12']);
  });

  it('median of even and odd lists', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
});
