import { describe, expect, it } from 'vitest';
import type { TransitionType } from '../../src/shared/domain';
import { escapeFilterArgs, escapeOptionValue, filter } from '../../src/main/media/filtergraph';
import { buildStitchGraph, expectedEpisodeSeconds, stitchProblems, type StitchClip } from '../../src/main/media/stitch-graph';

const output = { width: 640, height: 360, fps: 24, loudness: -16 };
const clip = (durationSeconds: number, type: TransitionType = 'cut', duration = 0, hasAudio = true): StitchClip => ({
  path: `/clips/${durationSeconds}.mp4`,
  durationSeconds,
  hasAudio,
  transitionToNext: { type, duration },
});

describe('stitch offsets and durations', () => {
  it('subtracts only real transition overlaps from the total', () => {
    const clips = [clip(3, 'fade', 0.5), clip(2, 'cut', 0.7), clip(4, 'dissolve', 1), clip(2, 'wipeleft', 2)];
    // The last clip's transition leads nowhere; a cut's duration is ignored.
    expect(expectedEpisodeSeconds(clips)).toBe(3 + 2 + 4 + 2 - 0.5 - 1);
  });

  it('places each xfade at the running length minus its overlap', () => {
    const graph = buildStitchGraph([clip(3, 'fade', 0.5), clip(2, 'cut'), clip(4, 'dissolve', 1), clip(2)], output);
    // 3 -> fade at 2.5 (length 4.5) -> cut (length 8.5) -> dissolve at 7.5 (length 9.5)
    expect(graph.offsets).toEqual([2.5, null, 7.5]);
    expect(graph.expectedSeconds).toBe(9.5);
    expect(graph.filterComplex).toContain('[v0][v1]xfade=transition=fade:duration=0.5:offset=2.5[vj1]');
    expect(graph.filterComplex).toContain('[a0][a1]acrossfade=duration=0.5[aj1]');
    expect(graph.filterComplex).toContain('[vj1][v2]concat=n=2:v=1:a=0[vj2]');
    expect(graph.filterComplex).toContain('[vj2][v3]xfade=transition=dissolve:duration=1:offset=7.5[vj3]');
  });

  it('keeps offsets exact for fractional durations', () => {
    const graph = buildStitchGraph([clip(2.3, 'slideleft', 0.4), clip(1.7, 'wiperight', 0.3), clip(1.1)], output);
    expect(graph.offsets).toEqual([1.9, 3.3]);
    expect(graph.expectedSeconds).toBeCloseTo(2.3 + 1.7 + 1.1 - 0.7, 9);
  });

  it('uses a transition with zero duration as a cut', () => {
    const graph = buildStitchGraph([clip(2, 'fade', 0), clip(2)], output);
    expect(graph.offsets).toEqual([null]);
    expect(graph.filterComplex).not.toContain('xfade');
  });

  it('builds a single clip without any joining filter, trimmed and loudness-normalised', () => {
    const graph = buildStitchGraph([clip(2.5, 'fade', 1)], output);
    expect(graph.offsets).toEqual([]);
    expect(graph.expectedSeconds).toBe(2.5);
    expect(graph.filterComplex).not.toMatch(/xfade|concat|acrossfade/);
    expect(graph.filterComplex).toContain('trim=duration=2.5');
    expect(graph.filterComplex).toContain('loudnorm=I=-16:TP=-1.5:LRA=11');
    expect(graph.filterComplex).toContain('scale=w=640:h=360:force_original_aspect_ratio=decrease');
  });

  it('generates silence for clips without audio and reads audio from the others', () => {
    const graph = buildStitchGraph([clip(2, 'cut', 0, false), clip(3)], output);
    expect(graph.filterComplex).toMatch(/anullsrc=sample_rate=48000:channel_layout=stereo,[^;]*atrim=duration=2\[a0\]/);
    expect(graph.filterComplex).toContain('[1:a]');
    expect(graph.filterComplex).not.toContain('[0:a]');
  });
});

describe('stitchProblems', () => {
  it('names the clip whose transitions do not fit', () => {
    expect(stitchProblems([clip(2, 'fade', 1.5), clip(2, 'fade', 1), clip(3)], output)).toEqual([
      'clip 2: transitions take 2.5 s but the clip is only 2 s long',
    ]);
  });

  it('rejects empty input, bad sizes, durations and loudness', () => {
    expect(stitchProblems([], output)).toEqual(['clips: at least one clip is needed']);
    const problems = stitchProblems([clip(0), clip(Number.NaN)], { width: 641, height: 360, fps: 0, loudness: 3 });
    expect(problems).toEqual([
      'output: frame size 641x360 must be even whole numbers of at least 16',
      'output.fps: 0 must be between 0 and 240',
      'output.loudness: 3 must be between -70 and -5 LUFS',
      'clip 1: duration 0 must be a positive number of seconds',
      'clip 2: duration NaN must be a positive number of seconds',
    ]);
    expect(() => buildStitchGraph([], output)).toThrow(/at least one clip/);
  });
});

describe('filtergraph escaping', () => {
  it('escapes option values and filter arguments at their own level', () => {
    expect(escapeOptionValue("C:\\dir\\it's a file")).toBe("C\\:\\\\dir\\\\it\\'s\\ a\\ file");
    expect(escapeFilterArgs('a,b;c[d]')).toBe('a\\,b\\;c\\[d\\]');
    expect(filter('drawtext', { textfile: "/tmp/it's, [x]; y:z.txt", expansion: 'none' })).toBe(
      // level 1: /tmp/it\'s,\ [x];\ y\:z.txt ; level 2 escapes that again (and the comma, brackets, semicolon)
      "drawtext=textfile=/tmp/it\\\\\\'s\\,\\\\\\ \\[x\\]\\;\\\\\\ y\\\\:z.txt:expansion=none",
    );
    expect(filter('null')).toBe('null');
    expect(filter('trim', { duration: 1 / 3 })).toBe('trim=duration=0.333333');
  });
});
