import { describe, expect, it } from 'vitest';
import type { GateCheck, GateCheckName } from '../../src/shared/quality';
import type { MediaProbe } from '../../src/main/media/backend/types';
import type { AudioSummary, VideoSummary } from '../../src/main/media/gate/analysis';
import { displayAspect, notPlayableChecks, ratioName, technicalChecks, type AnalysisOutcome, type ClipExpectation } from '../../src/main/media/gate/evaluate';
import { thresholdsFor } from '../../src/main/media/gate/thresholds';

const probe: MediaProbe = {
  durationSeconds: 5,
  width: 1280,
  height: 720,
  codedWidth: 1280,
  codedHeight: 720,
  rotation: 0,
  fps: 24,
  baseFps: 24,
  variableFrameRate: false,
  videoCodec: 'h264',
  videoProfile: 'High',
  pixelFormat: 'yuv420p',
  sampleAspectRatio: '1:1',
  colourMatrix: 'bt709',
  colourRange: 'tv',
  colourTransfer: 'bt709',
  videoTimeBase: '1/12288',
  videoSetupHash: null,
  hasAudio: true,
  audioCodec: 'aac',
  audioSampleRate: 48000,
  audioChannels: 2,
  videoDurationSeconds: 5,
  audioDurationSeconds: 5,
};
const video: VideoSummary = { frames: 120, durationSeconds: 5, black: [], freeze: [], blackSeconds: 0, freezeSeconds: 0, maxFrameGapSeconds: 1 / 24 };
const audio: AudioSummary = { durationSeconds: 5, silence: [], silenceSeconds: 0, peakDb: -12 };
const clean: Extract<AnalysisOutcome, { ok: true }> = { ok: true, decodeErrors: 0, firstDecodeError: null, video, audio };
const shot: ClipExpectation = { durationSeconds: 5, width: 1280, height: 720, audio: true };
const final = thresholdsFor('final');
const preview = thresholdsFor('preview');

function checks(p: Partial<MediaProbe> = {}, a: AnalysisOutcome = clean, e: Partial<ClipExpectation> = {}, limits = final): Record<GateCheckName, GateCheck> {
  return Object.fromEntries(technicalChecks({ ...probe, ...p }, a, { ...shot, ...e }, limits).map((c) => [c.name, c])) as Record<GateCheckName, GateCheck>;
}
function analysed(v: Partial<VideoSummary> = {}, au: Partial<AudioSummary> | null = {}): AnalysisOutcome {
  return { ...clean, video: { ...video, ...v }, audio: au === null ? null : { ...audio, ...au } };
}

describe('technicalChecks', () => {
  it('passes a clip that is what the shot asked for, every check present with its measurement', () => {
    const all = technicalChecks(probe, clean, shot, final);
    expect(all.map((c) => c.name)).toEqual(['decodes', 'resolution', 'aspect', 'duration', 'fps', 'audio', 'black', 'freeze', 'silence']);
    expect(all.every((c) => c.outcome === 'pass')).toBe(true);
    expect(checks().duration).toMatchObject({ value: 5, measured: '5.00 s', limit: 'expected 5.00 s, 4.75 s to 6.50 s' });
    expect(checks().audio).toMatchObject({ value: -12, measured: 'peak -12.0 dBFS' });
  });

  it('fails decoding with the first FFmpeg message, or when analysis could not run', () => {
    expect(checks({}, { ...clean, decodeErrors: 3, firstDecodeError: '[h264 @ 0x1] error while decoding MB 19 3' }).decodes).toMatchObject({ outcome: 'fail', value: 3, detail: 'corrupt data: [h264 @ 0x1] error while decoding MB 19 3' });
    const broken = checks({}, { ok: false, error: 'Invalid data found when processing input' });
    expect(broken.decodes).toMatchObject({ outcome: 'fail', detail: 'FFmpeg could not decode it: Invalid data found when processing input' });
    expect(broken.black.outcome).toBe('skipped');
    expect(checks({}, analysed({ frames: 0 })).decodes).toMatchObject({ outcome: 'fail', detail: 'no video frame could be decoded' });
  });

  it('passes a larger clip of the same aspect as "will be scaled", and limits enlarging by strictness', () => {
    expect(checks({ width: 1920, height: 1080 }).resolution).toMatchObject({ outcome: 'pass', detail: 'will be scaled to 1280x720' });
    expect(checks({ width: 1922, height: 1080 }).aspect.outcome).toBe('pass');
    expect(checks({ width: 426, height: 240 }).resolution).toMatchObject({ outcome: 'fail', detail: expect.stringMatching(/^too small: it would be enlarged 3x/) });
    expect(checks({ width: 426, height: 240 }, clean, {}, preview).resolution).toMatchObject({ outcome: 'pass', detail: 'will be scaled up 3x to 1280x720' });
  });

  it('fails a wrong aspect ratio on both frame checks', () => {
    const wrong = checks({ width: 960, height: 720 });
    expect(wrong.aspect).toMatchObject({ outcome: 'fail', measured: '4:3', limit: '16:9 within 1 %' });
    expect(wrong.aspect.detail).toContain('a 4:3 landscape clip for a 16:9 landscape shot');
    expect(wrong.resolution).toMatchObject({ outcome: 'fail', detail: '960x720 cannot be scaled to 1280x720 without distortion' });
    expect(checks({ width: 1308, height: 720 }).aspect.outcome).toBe('fail'); // 2.2 % off
  });

  it('uses the display size of a rotated clip and widens non-square pixels', () => {
    const turned = checks({ width: 720, height: 1280, codedWidth: 1280, codedHeight: 720, rotation: 90 }, clean, { width: 720, height: 1280 });
    expect(turned.aspect).toMatchObject({ outcome: 'pass', measured: '9:16' });
    expect(turned.resolution.outcome).toBe('pass');
    expect(displayAspect({ width: 720, height: 480, rotation: 0, sampleAspectRatio: '32:27' })).toBeCloseTo(16 / 9, 3);
    expect(checks({ width: 720, height: 480, sampleAspectRatio: '32:27' }, clean, {}, preview).resolution).toMatchObject({ outcome: 'pass', detail: 'will be scaled up 1.5x to 1280x720' });
  });

  it('keeps the old duration rules: a little short is fine, far longer fails', () => {
    expect(checks({ durationSeconds: 4.8 }).duration.outcome).toBe('pass');
    expect(checks({ durationSeconds: 4.7 }).duration).toMatchObject({ outcome: 'fail', detail: 'shorter than requested: 4.70 s for a 5.00 s shot' });
    expect(checks({ durationSeconds: 6.4 }).duration).toMatchObject({ outcome: 'pass', detail: 'will be trimmed to 5.00 s' });
    expect(checks({ durationSeconds: 6.6 }).duration).toMatchObject({ outcome: 'fail', detail: 'far longer than requested: 6.60 s for a 5.00 s shot' });
  });

  it('holds the frame rate to a floor, lets variable rates through and fails stalls', () => {
    expect(checks({ fps: 10, baseFps: 10 }).fps).toMatchObject({ outcome: 'fail', value: 10 });
    expect(checks({ fps: 14, baseFps: 14 }).fps.outcome).toBe('fail');
    expect(checks({ fps: 14, baseFps: 14 }, clean, {}, preview).fps.outcome).toBe('pass');
    expect(checks({ fps: 20.2, baseFps: 30, variableFrameRate: true }).fps).toMatchObject({ outcome: 'pass', detail: 'variable frame rate, will be converted to constant (average 20.2 fps, base 30 fps)' });
    expect(checks({}, analysed({ maxFrameGapSeconds: 0.6 })).fps).toMatchObject({ outcome: 'fail', detail: expect.stringContaining('the picture stalls: 0.60 s') });
    expect(checks({ fps: 0 }).fps.outcome).toBe('fail');
  });

  it('checks sound only when asked for: missing or silent fails', () => {
    expect(checks({}, clean, { audio: false }).audio).toMatchObject({ outcome: 'skipped', detail: expect.stringMatching(/^no audio requested/) });
    expect(checks({}, clean, { audio: false }).silence.outcome).toBe('skipped');
    expect(checks({ hasAudio: false }, analysed({}, null)).audio).toMatchObject({ outcome: 'fail', detail: 'no audio track, but the shot asks for sound' });
    const silent = checks({}, analysed({}, { peakDb: Number.NEGATIVE_INFINITY, silence: [[0, 5]], silenceSeconds: 5 }));
    expect(silent.audio).toMatchObject({ outcome: 'fail', value: -144, measured: 'peak -inf dBFS', detail: 'the audio track is silent (peak -inf dBFS)' });
    expect(silent.silence).toMatchObject({ outcome: 'fail', value: 1 });
    expect(checks({}, analysed({}, { peakDb: -70 })).audio.outcome).toBe('fail');
  });

  it('holds black, frozen and silent fractions to the strictness', () => {
    const third = analysed({ black: [[0, 1.5]], blackSeconds: 1.5 }, { silence: [[0, 4]], silenceSeconds: 4 });
    expect(checks({}, third).black).toMatchObject({ outcome: 'fail', value: 0.3, measured: '30 % black (1.50 s)', limit: 'at most 20 % black' });
    expect(checks({}, third).black.detail).toBe('30 % black (1.50 s of 5.00 s, at most 20 %): 0.00–1.50 s');
    expect(checks({}, third, {}, preview).black.outcome).toBe('pass');
    expect(checks({}, third).silence.outcome).toBe('fail'); // 80 % > 60 %
    expect(checks({}, third, {}, preview).silence.outcome).toBe('pass'); // 80 % <= 90 %
    const frozen = analysed({ freeze: [[1, 4]], freezeSeconds: 3 });
    expect(checks({}, frozen).freeze).toMatchObject({ outcome: 'fail', value: 0.6 });
    expect(checks({}, frozen, {}, preview).freeze.outcome).toBe('pass');
  });
});

describe('notPlayableChecks', () => {
  it('fails decoding with the reason and skips the rest', () => {
    const all = notPlayableChecks('it holds audio only, no video stream');
    expect(all[0]).toMatchObject({ name: 'decodes', outcome: 'fail', detail: 'not a playable video: it holds audio only, no video stream' });
    expect(all.slice(1).every((c) => c.outcome === 'skipped' && c.detail === 'not checked: the file is not a playable video')).toBe(true);
  });
});

describe('ratioName', () => {
  it('names common ratios and falls back to a decimal', () => {
    expect(ratioName(1920, 1080)).toBe('16:9');
    expect(ratioName(854, 480)).toBe('16:9');
    expect(ratioName(720, 1280)).toBe('9:16');
    expect(ratioName(1998, 1080)).toBe('1.85');
    expect(ratioName(1440, 1080)).toBe('4:3');
    expect(ratioName(2048, 858)).toBe('2.387');
  });
});
