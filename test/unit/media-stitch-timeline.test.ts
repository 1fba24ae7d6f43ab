import { describe, expect, it } from 'vitest';
import { whyNotStreamCopy } from '../../src/main/media/stitch/copy-path';
import { parseIntegratedLoudness } from '../../src/main/media/stitch/piece-graphs';
import { clipSamples, planTimeline, sampleAt, SAMPLE_RATE, videoSegments, type TimelineClip } from '../../src/main/media/stitch/timeline';
import type { MediaProbe } from '../../src/main/media/backend/types';

const clip = (seconds: number, type: TimelineClip['transitionToNext']['type'] = 'cut', duration = 0): TimelineClip => ({ durationSeconds: seconds, transitionToNext: { type, duration } });

describe('planTimeline', () => {
  it('cuts the episode into bodies and transitions that tile it exactly, in frames', () => {
    const t = planTimeline([clip(4, 'fade', 0.5), clip(3, 'dissolve', 0.5), clip(5)], 24);
    expect(t.clipFrames).toEqual([96, 72, 120]);
    expect(t.totalFrames).toBe(96 + 72 + 120 - 12 - 12);
    expect(t.pieces.map((p) => [p.kind, p.start, p.end])).toEqual([
      ['body', 0, 84],
      ['transition', 84, 96],
      ['body', 96, 144],
      ['transition', 144, 156],
      ['body', 156, 264],
    ]);
    // Every frame belongs to exactly one piece.
    t.pieces.forEach((piece, i) => expect(piece.start).toBe(i === 0 ? 0 : t.pieces[i - 1]!.end));
  });

  it('leaves out a body that transitions use up, and takes a frame from the outgoing side when rounding overfills a clip', () => {
    const t = planTimeline([clip(1, 'fade', 0.5), clip(1, 'fade', 0.5), clip(1)], 25);
    expect(t.pieces.filter((p) => p.kind === 'body' && p.clip === 1)).toEqual([]);
    const tight = planTimeline([clip(1, 'fade', 0.52), clip(1, 'fade', 0.52), clip(1)], 25); // 13 + 13 > 25 frames
    const middle = tight.pieces.filter((p) => p.clip === 1 || (p.kind === 'transition' && p.clip === 0));
    expect(middle.reduce((sum, p) => sum + (p.end - p.start), 0)).toBeLessThanOrEqual(25);
  });

  it('gives a real transition at least one frame and a cut none, whatever its duration says', () => {
    const t = planTimeline([clip(2, 'fade', 0.001), clip(2, 'cut', 5), clip(2)], 24);
    expect(t.pieces.filter((p) => p.kind === 'transition').map((p) => p.end - p.start)).toEqual([1]);
    expect(t.totalFrames).toBe(48 * 3 - 1);
  });
});

describe('videoSegments', () => {
  it('makes one segment per clip, its body and the transition out of it, tiling the episode', () => {
    const t = planTimeline([clip(4, 'fade', 0.5), clip(3, 'wipeleft', 0.5), clip(5)], 24);
    expect(videoSegments(t)).toEqual([
      { clip: 0, fromFrame: 0, toFrame: 96, blend: { type: 'fade', frames: 12 }, start: 0, end: 96 },
      { clip: 1, fromFrame: 12, toFrame: 72, blend: { type: 'wipeleft', frames: 12 }, start: 96, end: 156 },
      { clip: 2, fromFrame: 12, toFrame: 120, blend: null, start: 156, end: 264 },
    ]);
  });

  it('keeps a clip that is all transition as a blend alone, and leaves out one wholly inside the transition into it', () => {
    const t = planTimeline([clip(1, 'fade', 0.5), clip(1, 'fade', 0.5), clip(0.5)], 24);
    const segments = videoSegments(t);
    expect(segments.map((s) => [s.clip, s.fromFrame, s.toFrame, s.blend?.frames ?? 0])).toEqual([
      [0, 0, 24, 12],
      [1, 12, 24, 12],
    ]);
    segments.forEach((segment, i) => {
      expect(segment.toFrame - segment.fromFrame).toBe(segment.end - segment.start);
      expect(segment.start).toBe(i === 0 ? 0 : segments[i - 1]!.end);
    });
    expect(segments.at(-1)!.end).toBe(t.totalFrames);
  });
});

describe('audio samples follow the frame boundaries', () => {
  it('never drifts at NTSC rates: pieces add up to the whole episode exactly', () => {
    const fps = 30000 / 1001;
    const t = planTimeline(Array.from({ length: 200 }, (_, i) => clip(1.3, i % 3 === 0 ? 'fade' : 'cut', 0.4)), fps);
    let total = 0;
    for (const piece of t.pieces) {
      const { from, to } = clipSamples(t, piece.clip + (piece.kind === 'transition' ? 1 : 0), piece.start, piece.end);
      total += to - from;
    }
    expect(total).toBe(sampleAt(t.totalFrames, fps));
    expect(Math.abs(total / SAMPLE_RATE - t.seconds)).toBeLessThan(1 / SAMPLE_RATE);
  });
});

describe('the stream-copy path', () => {
  const probe = (fields: Partial<MediaProbe> = {}): MediaProbe => ({
    durationSeconds: 2, width: 640, height: 360, codedWidth: 640, codedHeight: 360, rotation: 0, fps: 24, baseFps: 24, variableFrameRate: false,
    videoCodec: 'h264', videoProfile: 'High', pixelFormat: 'yuv420p', sampleAspectRatio: '1:1', colourMatrix: null, colourRange: null, colourTransfer: null, videoTimeBase: '1/12288', videoSetupHash: 'abc',
    hasAudio: true, audioCodec: 'aac', audioSampleRate: 48000, audioChannels: 2, videoDurationSeconds: 2, audioDurationSeconds: 2, ...fields,
  });
  const target = { width: 640, height: 360, fps: 24, codec: 'h264' as const };
  const cuts = planTimeline([clip(2), clip(2)], 24);

  it('is taken only when every clip matches the output down to its codec setup', () => {
    expect(whyNotStreamCopy(cuts, [probe(), probe()], target)).toBeNull();
    expect(whyNotStreamCopy(cuts, [probe(), probe({ videoSetupHash: 'other' })], target)).toBe('clip 2 was encoded with other settings than clip 1');
    expect(whyNotStreamCopy(cuts, [probe(), probe({ fps: 25 })], target)).toBe('clip 2 runs at 25 fps, the output at 24');
    expect(whyNotStreamCopy(cuts, [probe({ rotation: 90 }), probe()], target)).toMatch(/^clip 1 is/);
    expect(whyNotStreamCopy(cuts, [probe(), probe({ videoDurationSeconds: 2.5 })], target)).toBe('clip 2 is 60 frames long, its shot 48');
    expect(whyNotStreamCopy(planTimeline([clip(2, 'fade', 0.5), clip(2)], 24), [probe(), probe()], target)).toBe('the episode has transitions');
  });
});

describe('parseIntegratedLoudness', () => {
  it('reads the last integrated value ebur128 printed, and null for silence', () => {
    expect(parseIntegratedLoudness('frame:0 pts:0\nlavfi.r128.I=-70.0\nframe:9 pts:9\nlavfi.r128.I=-21.93\n')).toBe(-21.93);
    expect(parseIntegratedLoudness('lavfi.r128.I=-inf\n')).toBeNull();
    expect(parseIntegratedLoudness('')).toBeNull();
  });
});
