import { PARITY_BACKENDS, parityPool, suiteMediaSettings } from '../support/test-media';
import { readdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GateCheck, GateCheckName } from '../../src/shared/quality';
import type { MediaOps } from '../../src/main/media/backend/types';
import { checkClip, DEFAULT_THRESHOLDS, type AiScoreInput, type CheckClipOptions, type ClipExpectation, type ClipGateResult } from '../../src/main/media/gate/index';
import { MediaPool } from '../../src/main/media/worker/pool';
import { makeGateClips, type GateClips } from './gate-fixtures';
import { nastyTempDir, removeDir } from './media-fixtures';

let dir: string;
let clips: GateClips;
let pool: MediaPool;
const graphRuns: string[] = [];

/** The pool, counting analysis passes. */
const media: MediaOps = {
  info: (o) => pool.info(o),
  probe: (file, o) => pool.probe(file, o),
  runGraph: (job, o) => {
    graphRuns.push(job.inputs[0]!.path);
    return pool.runGraph(job, o);
  },
  concatCopy: (job, o) => pool.concatCopy(job, o),
  mux: (job, o) => pool.mux(job, o),
  tryEncoder: (trial, o) => pool.tryEncoder(trial, o),
};

beforeAll(async () => {
  pool = new MediaPool({ settings: suiteMediaSettings(), size: 2 });
  dir = await nastyTempDir('gate');
  clips = await makeGateClips(dir);
});

afterAll(async () => {
  pool?.close();
  await removeDir(dir);
});

const shot: ClipExpectation = { durationSeconds: 2, width: 320, height: 180, audio: true, prompt: 'a test card' };
const AI_SKIPPED = 'no Gemini key: AI score skipped';

function gate(clip: string, expect: Partial<ClipExpectation> = {}, options: Partial<CheckClipOptions> = {}): Promise<ClipGateResult> {
  // Analysis files go to the awkwardly named folder too: their paths travel inside the filter graph.
  return checkClip(media, clip, { ...shot, ...expect }, { strictness: 'final', aiSkippedReason: AI_SKIPPED, scratchDir: dir, ...options });
}

function byName(result: ClipGateResult): Record<GateCheckName, GateCheck> {
  return Object.fromEntries(result.verdict.checks.map((c) => [c.name, c])) as Record<GateCheckName, GateCheck>;
}

describe.each(PARITY_BACKENDS)('checkClip on real clips (%s FFmpeg)', (backend) => {
  beforeAll(() => {
    pool?.close();
    pool = parityPool(backend);
  });

  it('passes a clean clip after one analysis pass, with measurements and colour statistics', async () => {
    const before = graphRuns.length;
    const result = await gate(clips.clean);
    expect(graphRuns.length - before).toBe(1);
    expect(result.verdict).toMatchObject({ decision: 'pass', qualityScore: 1, problems: [] });
    const checks = byName(result);
    for (const name of ['decodes', 'resolution', 'aspect', 'duration', 'fps', 'audio', 'black', 'freeze', 'silence'] as const) expect(checks[name].outcome, name).toBe('pass');
    expect(checks.ai_score).toMatchObject({ outcome: 'skipped', detail: AI_SKIPPED });
    expect(checks.decodes.measured).toBe('48 frames, no errors');
    expect(checks.audio.value).toBeGreaterThan(-30);
    expect(checks.black.value).toBe(0);
    expect(result.probe).toMatchObject({ width: 320, height: 180, hasAudio: true });
    expect(result.colour!.frames).toBe(48);
    expect(result.colour!.lumaMean).toBeGreaterThan(40);
    expect(result.colour!.saturationMean).toBeGreaterThan(10);
    expect((await readdir(dir)).filter((name) => name.startsWith('shotline-gate-'))).toEqual([]);
  });

  it("fails a clip with damaged media data on decoding, with FFmpeg's first message", async () => {
    const result = await gate(clips.damaged, { audio: false });
    const decodes = byName(result).decodes;
    expect(decodes.outcome).toBe('fail');
    expect(decodes.value).toBeGreaterThan(0);
    expect(decodes.detail).toMatch(/^corrupt data: .*(error|concealing|corrupt|invalid|out of range)/i);
    expect(result.verdict.decision).toBe('retry_same_engine');
    expect(byName(result).resolution.outcome).toBe('pass');
  });

  it.each([
    ['empty', 'the file is empty (0 bytes)'],
    ['audioOnly', 'it holds audio only, no video stream'],
    ['garbage', 'FFmpeg could not read it'],
    ['missing', 'the file does not exist'],
  ] as const)('fails a file that is not a video (%s) on decoding with the reason', async (key, reason) => {
    const result = await gate(clips[key]);
    expect(result).toMatchObject({ probe: null, colour: null });
    expect(result.verdict.decision).toBe('retry_same_engine');
    expect(result.verdict.problems).toEqual([expect.stringContaining(`not a playable video: ${reason}`)]);
    expect(result.verdict.checks.filter((c) => c.outcome !== 'skipped').map((c) => c.name)).toEqual(['decodes']);
  });

  it('reads the rotation: a portrait clip passes a portrait shot and fails a landscape one', async () => {
    const portrait = await gate(clips.portrait, { width: 180, height: 320, audio: false });
    expect(portrait.probe).toMatchObject({ width: 180, height: 320, codedWidth: 320, codedHeight: 180 });
    expect(portrait.probe!.rotation).not.toBe(0);
    expect(portrait.verdict.decision).toBe('pass');
    expect(byName(portrait).aspect).toMatchObject({ outcome: 'pass', measured: '9:16', detail: expect.stringContaining('portrait after the') });
    const landscape = await gate(clips.portrait, { audio: false });
    expect(byName(landscape).aspect.outcome).toBe('fail');
    expect(landscape.verdict.decision).toBe('escalate');
  });

  it('lets a variable-frame-rate clip through, saying it will be made constant', async () => {
    const result = await gate(clips.vfr, { durationSeconds: 3, audio: false });
    expect(result.probe!.variableFrameRate).toBe(true);
    expect(byName(result).fps).toMatchObject({ outcome: 'pass', detail: expect.stringMatching(/^variable frame rate, will be converted to constant/) });
    expect(byName(result).fps.value).toBeGreaterThan(15);
    expect(result.verdict.decision).toBe('pass');
  });

  it('escalates a clip far longer than the shot', async () => {
    const result = await gate(clips.clean, { durationSeconds: 0.5 });
    expect(byName(result).duration).toMatchObject({ outcome: 'fail', detail: expect.stringMatching(/^far longer than requested: 2\.0\d s for a 0\.50 s shot/) });
    expect(result.verdict.decision).toBe('escalate');
  });

  it('escalates a clip of the wrong aspect ratio', async () => {
    const result = await gate(clips.clean, { width: 320, height: 240 });
    expect(byName(result).aspect).toMatchObject({ outcome: 'fail', measured: '16:9', limit: '4:3 within 1 %' });
    expect(result.verdict).toMatchObject({ decision: 'escalate', problems: expect.arrayContaining([expect.stringMatching(/^aspect ratio: a 16:9 landscape clip for a 4:3 landscape shot/)]) });
  });

  it('passes a larger clip of the same aspect: it will be scaled', async () => {
    const result = await gate(clips.large, { audio: false });
    expect(result.probe).toMatchObject({ width: 640, height: 360 });
    expect(byName(result).resolution).toMatchObject({ outcome: 'pass', detail: 'will be scaled to 320x180' });
    expect(result.verdict.decision).toBe('pass');
  });

  it('retries a black clip (black, not also frozen)', async () => {
    const result = await gate(clips.black, { audio: false });
    expect(byName(result).black).toMatchObject({ outcome: 'fail', value: 1 });
    expect(byName(result).freeze.outcome).toBe('pass');
    expect(result.verdict.decision).toBe('retry_same_engine');
    expect(result.colour!.lumaMean).toBeLessThan(20);
  });

  it('retries a frozen clip (one picture held)', async () => {
    const result = await gate(clips.frozen, { audio: false });
    expect(byName(result).freeze.outcome).toBe('fail');
    expect(byName(result).freeze.value).toBeGreaterThan(0.5);
    expect(byName(result).black.outcome).toBe('pass');
    expect(result.verdict.decision).toBe('retry_same_engine');
  });

  it('fails silent audio and missing audio when sound was asked for, and skips both when not', async () => {
    const silent = await gate(clips.silentAudio);
    expect(byName(silent).audio).toMatchObject({ outcome: 'fail', detail: 'the audio track is silent (peak -inf dBFS)' });
    expect(byName(silent).silence).toMatchObject({ outcome: 'fail', value: 1 });
    expect(silent.verdict.decision).toBe('escalate');
    const missing = await gate(clips.noAudio);
    expect(byName(missing).audio).toMatchObject({ outcome: 'fail', detail: 'no audio track, but the shot asks for sound' });
    expect(byName(missing).silence.outcome).toBe('skipped');
    expect(missing.verdict.decision).toBe('escalate');
    const notAsked = await gate(clips.silentAudio, { audio: false });
    expect(byName(notAsked).audio).toMatchObject({ outcome: 'skipped', detail: expect.stringMatching(/^no audio requested/) });
    expect(notAsked.verdict.decision).toBe('pass');
  });

  it('holds a 30 % black clip to the strictness: preview passes, final fails, an override passes', async () => {
    const preview = await gate(clips.partBlack, { audio: false }, { strictness: 'preview' });
    expect(byName(preview).black).toMatchObject({ outcome: 'pass', limit: `at most ${DEFAULT_THRESHOLDS.preview.maxBlackFraction * 100} % black` });
    expect(byName(preview).black.value).toBeCloseTo(0.3, 1);
    const final = await gate(clips.partBlack, { audio: false });
    expect(byName(final).black.outcome).toBe('fail');
    expect(final.verdict.decision).toBe('retry_same_engine');
    const relaxed = await gate(clips.partBlack, { audio: false }, { thresholds: { maxBlackFraction: 0.4 } });
    expect(relaxed.verdict.decision).toBe('pass');
  });

  it('asks the AI scorer only after the technical checks pass, and uses its score', async () => {
    const inputs: AiScoreInput[] = [];
    const scorer = (value: number) => async (input: AiScoreInput): Promise<GateCheck> => {
      inputs.push(input);
      return { name: 'ai_score', value, measured: `${value}`, limit: `at least ${input.minScore}`, outcome: value >= input.minScore ? 'pass' : 'fail', detail: value >= input.minScore ? '' : 'the clip does not show the prompt' };
    };
    const good = await gate(clips.clean, {}, { aiScore: scorer(0.9), shotId: 's01' });
    expect(good.verdict).toMatchObject({ decision: 'pass', qualityScore: 0.9 });
    expect(inputs[0]).toMatchObject({ clipPath: clips.clean, prompt: 'a test card', shotId: 's01', minScore: DEFAULT_THRESHOLDS.final.minAiScore, strictness: 'final', expectation: { prompt: 'a test card' } });
    expect(inputs[0]!.probe.width).toBe(320);
    const off = await gate(clips.clean, {}, { aiScore: scorer(0.2) });
    expect(off.verdict).toMatchObject({ decision: 'escalate', qualityScore: 0.2, problems: ['AI score: the clip does not show the prompt'] });
    const black = await gate(clips.black, { audio: false }, { aiScore: scorer(0.9) });
    expect(inputs).toHaveLength(2);
    expect(byName(black).ai_score).toMatchObject({ outcome: 'skipped', detail: 'not run: the clip failed the technical checks' });
    const broken = await gate(clips.clean, {}, { aiScore: () => Promise.reject(new Error('503 from the scorer')) });
    expect(byName(broken).ai_score).toMatchObject({ outcome: 'skipped', detail: 'AI score failed: 503 from the scorer' });
    expect(broken.verdict.decision).toBe('pass');
  });

  it('gives up on a cancelled check instead of judging the clip', async () => {
    await expect(gate(clips.clean, {}, { signal: AbortSignal.abort() })).rejects.toThrow();
  });
});
