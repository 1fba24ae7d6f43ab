import { describe, expect, it } from 'vitest';
import type { GateCheck, GateCheckName } from '../../src/shared/quality';
import { GATE_CHECKS } from '../../src/shared/quality';
import { analysisJob, AUDIO_SINK, VIDEO_SINK } from '../../src/main/media/gate/analysis-graph';
import { decide, problemLine, qualityScore } from '../../src/main/media/gate/decision';
import { DEFAULT_THRESHOLDS, durationBounds, thresholdsFor } from '../../src/main/media/gate/thresholds';

function all(overrides: Partial<Record<GateCheckName, Partial<GateCheck>>> = {}): GateCheck[] {
  return GATE_CHECKS.map((name) => ({ name, value: 1, measured: 'm', limit: 'l', outcome: 'pass' as const, detail: '', ...overrides[name] }));
}
const fail = (detail: string): Partial<GateCheck> => ({ outcome: 'fail', detail });

describe('decide', () => {
  it('passes when nothing failed, skipped checks included', () => {
    const verdict = decide(all({ ai_score: { outcome: 'skipped', value: null, detail: 'no Gemini key: AI score skipped' } }));
    expect(verdict).toMatchObject({ decision: 'pass', qualityScore: 1, problems: [] });
  });

  it.each(['decodes', 'black', 'freeze', 'silence'] as const)('asks the same engine again when %s failed', (name) => {
    expect(decide(all({ [name]: fail('x') })).decision).toBe('retry_same_engine');
  });

  it.each(['resolution', 'aspect', 'duration', 'fps', 'audio', 'ai_score'] as const)('escalates when %s failed', (name) => {
    expect(decide(all({ [name]: fail('x') })).decision).toBe('escalate');
  });

  it('escalates when both kinds failed, with one readable line per failure', () => {
    const verdict = decide(all({ black: fail('60 % black (3.00 s of 5.00 s, at most 20 %)'), aspect: fail('a 4:3 landscape clip for a 16:9 landscape shot'), decodes: fail('corrupt data: error while decoding MB 19 3'), ai_score: { outcome: 'skipped', value: null } }));
    expect(verdict.decision).toBe('escalate');
    expect(verdict.qualityScore).toBe(0);
    expect(verdict.problems).toEqual(['corrupt data: error while decoding MB 19 3', 'aspect ratio: a 4:3 landscape clip for a 16:9 landscape shot', 'black picture: 60 % black (3.00 s of 5.00 s, at most 20 %)']);
  });

  it('uses the AI score as the quality score when it ran', () => {
    expect(decide(all({ ai_score: { value: 0.82 } })).qualityScore).toBe(0.82);
    expect(decide(all({ ai_score: { value: 0.3, outcome: 'fail', detail: 'off-prompt' } }))).toMatchObject({ decision: 'escalate', qualityScore: 0.3, problems: ['AI score: off-prompt'] });
    expect(qualityScore(all({ ai_score: { value: null, outcome: 'skipped' } }), 'retry_same_engine')).toBe(0);
  });

  it('falls back to measured and limit when a failure has no detail', () => {
    expect(problemLine({ name: 'fps', value: 8, measured: '8 fps', limit: 'at least 15 fps', outcome: 'fail', detail: '' })).toBe('frame rate: 8 fps (at least 15 fps)');
  });
});

describe('thresholds', () => {
  it('is stricter for final than for preview on every limit', () => {
    const { preview, final } = DEFAULT_THRESHOLDS;
    expect(final.maxBlackFraction).toBeLessThan(preview.maxBlackFraction);
    expect(final.maxFreezeFraction).toBeLessThan(preview.maxFreezeFraction);
    expect(final.maxSilenceFraction).toBeLessThan(preview.maxSilenceFraction);
    expect(final.minFps).toBeGreaterThan(preview.minFps);
    expect(final.maxUpscale).toBeLessThan(preview.maxUpscale);
    expect(final.maxFrameGapSeconds).toBeLessThan(preview.maxFrameGapSeconds);
    expect(final.minAiScore).toBeGreaterThan(preview.minAiScore);
  });

  it('applies overrides and refuses nonsense', () => {
    expect(thresholdsFor('final', { maxBlackFraction: 0.05, minFps: undefined })).toEqual({ ...DEFAULT_THRESHOLDS.final, maxBlackFraction: 0.05 });
    expect(() => thresholdsFor('final', { maxBlackFraction: -1 })).toThrow(/maxBlackFraction/);
    expect(() => thresholdsFor('preview', { minFps: Number.NaN })).toThrow(/minFps/);
    expect(() => thresholdsFor('preview', { bogus: 1 } as never)).toThrow(/unknown gate threshold "bogus"/);
    expect(thresholdsFor('final', { silentTrackPeakDb: -70 }).silentTrackPeakDb).toBe(-70);
  });

  it('keeps the duration bounds: max(0.25 s, 3 %) short, 1 s + 10 % long', () => {
    expect(durationBounds(5)).toEqual({ shortest: 4.75, longest: 6.5 });
    expect(durationBounds(20).shortest).toBeCloseTo(19.4, 9);
  });
});

describe('analysisJob', () => {
  it('runs one graph with a video and an audio analysis chain and escapes the metadata file paths', () => {
    const job = analysisJob("/clips/shot 1.mp4", { video: "/tmp/it's here: [v]/video.txt", audio: '/tmp/a,b;c/audio.txt' }, 4);
    expect(job.inputs).toEqual([{ path: '/clips/shot 1.mp4' }]);
    expect(job.discard).toEqual([VIDEO_SINK, AUDIO_SINK]);
    expect(job.output.container).toBe('null');
    const [video, audio] = job.graph.split(/(?<!\\);/);
    expect(video).toMatch(/^\[0:v\]blackdetect=.*,freezedetect=.*,signalstats,metadata=mode=print:file=.*,format=pix_fmts=yuv420p\[gate_video\]$/);
    expect(video).toContain(String.raw`file=/tmp/it\\\'s\\\ here\\:\\\ \[v\]/video.txt`);
    expect(audio).toMatch(/^\[0:a\]silencedetect=n=-50dB:d=0\.5,astats=.*,ametadata=mode=print:file=.*,aformat=sample_fmts=fltp\[gate_audio\]$/);
    expect(audio).toContain(String.raw`file=/tmp/a\,b\;c/audio.txt`);
  });

  it('leaves the audio chain out for a clip without sound', () => {
    const job = analysisJob('/c.mp4', { video: '/v.txt', audio: null }, 2);
    expect(job.graph).not.toContain('[0:a]');
    expect(job.discard).toEqual([VIDEO_SINK]);
  });
});
