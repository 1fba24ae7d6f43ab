import { describe, expect, it } from 'vitest';
import { colourStats, overlap, runs, summariseAudio, summariseVideo, total, union } from '../../src/main/media/gate/analysis';
import { numberValue, parseMetadataPrint, type MetadataFrame } from '../../src/main/media/gate/metadata';

// Shape captured from ffmpeg 5.1 (`blackdetect,freezedetect,signalstats,metadata=mode=print:file=`), trimmed.
const CAPTURED = `frame:0    pts:0       pts_time:0
lavfi.black_start=0
lavfi.signalstats.YMIN=16
lavfi.signalstats.YAVG=16
frame:1    pts:512     pts_time:0.0416667
lavfi.signalstats.YAVG=16
frame:24   pts:12288   pts_time:1
lavfi.black_end=1
lavfi.freezedetect.freeze_duration=1
lavfi.freezedetect.freeze_end=1
lavfi.signalstats.YAVG=122.039
`;

/** A header and key=value lines per frame, as metadata=print writes them. */
function print(frames: { t: number; values?: Record<string, string | number> }[]): string {
  return frames.map(({ t, values = {} }, i) => [`frame:${i}    pts:${Math.round(t * 12288)}   pts_time:${t}`, ...Object.entries(values).map(([k, v]) => `${k}=${v}`)].join('\n')).join('\n');
}

/** `count` frames at `fps`, with extra metadata on some of them. */
function clip(count: number, fps: number, marks: Record<number, Record<string, string | number>> = {}): MetadataFrame[] {
  return parseMetadataPrint(print(Array.from({ length: count }, (_, i) => ({ t: i / fps, values: { 'lavfi.signalstats.YAVG': 100, ...marks[i] } }))));
}

describe('parseMetadataPrint', () => {
  it('reads frames, their times and their values', () => {
    const frames = parseMetadataPrint(CAPTURED);
    expect(frames.map((f) => [f.frame, f.ptsTime])).toEqual([
      [0, 0],
      [1, 0.0416667],
      [24, 1],
    ]);
    expect(frames[0]!.values).toEqual({ 'lavfi.black_start': '0', 'lavfi.signalstats.YMIN': '16', 'lavfi.signalstats.YAVG': '16' });
    expect(frames[2]!.values['lavfi.freezedetect.freeze_end']).toBe('1');
  });

  it('survives CRLF, NOPTS, lines before the first header and values holding "="', () => {
    const frames = parseMetadataPrint('stray=1\r\nframe:3 pts:NOPTS pts_time:NOPTS\r\nlavfi.x=a=b\r\nnot a pair\r\n');
    expect(frames).toEqual([{ frame: 3, ptsTime: null, values: { 'lavfi.x': 'a=b' } }]);
    expect(parseMetadataPrint('')).toEqual([]);
  });

  it('reads numbers, -inf and unreadable values', () => {
    const [frame] = parseMetadataPrint('frame:0 pts:0 pts_time:0\na=-13.46\nb=-inf\nc=nan\n');
    expect(numberValue(frame!, 'a')).toBe(-13.46);
    expect(numberValue(frame!, 'b')).toBe(Number.NEGATIVE_INFINITY);
    expect(numberValue(frame!, 'c')).toBeNull();
    expect(numberValue(frame!, 'missing')).toBeNull();
  });
});

describe('interval helpers', () => {
  it('merges, totals and intersects runs', () => {
    expect(union([[2, 3], [0, 1], [0.5, 1.5]])).toEqual([[0, 1.5], [2, 3]]);
    expect(total([[0, 1.5], [2, 3]])).toBe(2.5);
    expect(overlap([[0, 2]], [[1, 3], [4, 5]])).toBe(1);
  });

  it('closes a run still open at the end and opens one that only ends', () => {
    const frames = clip(10, 10, { 2: { 'lavfi.x_end': 0.3 }, 6: { 'lavfi.x_start': 0.6 } });
    expect(runs(frames, 'lavfi.x_start', 'lavfi.x_end', { start: 0, end: 1 })).toEqual([[0, 0.3], [0.6, 1]]);
  });
});

describe('summariseVideo', () => {
  it('measures black to the end of the last frame when it never ends', () => {
    const video = summariseVideo(clip(48, 24, { 24: { 'lavfi.black_start': 1 } }), 2);
    expect(video.frames).toBe(48);
    expect(video.durationSeconds).toBeCloseTo(2, 6);
    expect(video.black).toHaveLength(1);
    expect(video.blackSeconds).toBeCloseTo(1, 6);
    expect(video.maxFrameGapSeconds).toBeCloseTo(1 / 24, 6);
  });

  it('does not count a black run as frozen too', () => {
    const frames = clip(40, 10, {
      0: { 'lavfi.black_start': 0, 'lavfi.freezedetect.freeze_start': 0 },
      10: { 'lavfi.black_end': 1 },
      30: { 'lavfi.freezedetect.freeze_end': 3 },
    });
    const video = summariseVideo(frames, 4);
    expect(video.blackSeconds).toBeCloseTo(1, 6);
    expect(video.freezeSeconds).toBeCloseTo(2, 6);
  });

  it('finds the longest gap between frames and falls back to the probe for a single frame', () => {
    const frames = parseMetadataPrint(print([{ t: 0 }, { t: 0.04 }, { t: 0.7 }, { t: 0.74 }].map((f) => ({ ...f, values: { k: 1 } }))));
    expect(summariseVideo(frames, 1).maxFrameGapSeconds).toBeCloseTo(0.66, 6);
    expect(summariseVideo(clip(1, 24), 3).durationSeconds).toBe(3);
  });
});

describe('summariseAudio', () => {
  it('takes the loudest cumulative peak and closes open silence', () => {
    const frames = parseMetadataPrint(
      print([
        { t: 0, values: { 'lavfi.astats.Overall.Peak_level': -20 } },
        { t: 0.5, values: { 'lavfi.astats.Overall.Peak_level': -13.5, 'lavfi.silence_start': 0.5 } },
        { t: 1, values: { 'lavfi.astats.Overall.Peak_level': -13.5 } },
        { t: 1.5, values: { 'lavfi.astats.Overall.Peak_level': -13.5 } },
      ]),
    );
    const audio = summariseAudio(frames, 2);
    expect(audio.peakDb).toBe(-13.5);
    expect(audio.durationSeconds).toBeCloseTo(2, 6);
    expect(audio.silenceSeconds).toBeCloseTo(1.5, 6);
  });

  it('reports digital silence as -Infinity', () => {
    const frames = parseMetadataPrint(print([{ t: 0, values: { 'lavfi.astats.Overall.Peak_level': '-inf', 'lavfi.silence_start': 0 } }, { t: 0.1, values: { 'lavfi.astats.Overall.Peak_level': '-inf' } }]));
    expect(summariseAudio(frames, 0.2).peakDb).toBe(Number.NEGATIVE_INFINITY);
  });
});

describe('colourStats', () => {
  it('averages luma and chroma and takes the circular mean of the hue', () => {
    const stats = (yavg: number, hue: number) => ({
      'lavfi.signalstats.YAVG': yavg,
      'lavfi.signalstats.YLOW': yavg - 10,
      'lavfi.signalstats.YHIGH': yavg + 10,
      'lavfi.signalstats.UAVG': 120,
      'lavfi.signalstats.VAVG': 140,
      'lavfi.signalstats.SATAVG': 30,
      'lavfi.signalstats.HUEAVG': hue,
    });
    const frames = parseMetadataPrint(print([{ t: 0, values: stats(100, 350) }, { t: 0.1, values: stats(50, 10) }, { t: 0.2, values: { 'lavfi.black_start': 0 } }]));
    const colour = colourStats(frames);
    expect(colour).toMatchObject({ frames: 2, lumaMean: 75, lumaLow: 65, lumaHigh: 85, uMean: 120, vMean: 140, saturationMean: 30 });
    // 350° and 10° average to 0°, not 180°.
    expect(Math.min(colour!.hueMeanDegrees, 360 - colour!.hueMeanDegrees)).toBeLessThan(0.01);
    expect(colourStats(parseMetadataPrint(CAPTURED))).toBeNull();
  });
});
