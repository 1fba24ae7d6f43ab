/**
 * The openai adapter (OpenAI-compatible /v1/videos) through the classification boundary,
 * against the loopback emulator: the real SDK on the wire, real clips, every fault knob.
 * The engine is what a user would add: the retired sora-2 entry made active, pointed at
 * a live compatible server, with the server's own model name.
 */
import { testMedia } from '../support/test-media';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import OpenAI, { toFile } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { frameSize, type EngineSpec } from '../../src/shared/domain';
import { EngineError } from '../../src/shared/errors';
import { guardEngine, type BoundaryOptions, type GuardedEngine, type GuardedPoll } from '../../src/main/engines/boundary';
import type { GenerationRequest } from '../../src/main/engines/engine';
import type { AdapterDeps } from '../../src/main/engines';
import { createOpenAIVideoEngine } from '../../src/main/engines/openai/adapter';
import { defaultSeedPath, loadSeedFile } from '../../src/main/registry';
import { OpenAIVideoEmulator } from '../emulators/openai/server';
import { bins, nastyTempDir, removeDir, sha256File } from './media-fixtures';
import { runFfmpeg } from '../../src/main/media/ffmpeg';
import { generationRequest } from '../support/generation-request';

const API_KEY = 'sk-emulated-openai-0123456789abcdefghij';
const MODEL = 'acme-video-1';

let dir: string;
let emulator: OpenAIVideoEmulator;
let spec: EngineSpec;
let stillPng: string;
let stillJpeg: string;
let logs: string[];

beforeAll(async () => {
  dir = await nastyTempDir('openai adapter');
  emulator = new OpenAIVideoEmulator({ clipDirectory: join(dir, 'clips'), timing: { minMs: 100, maxMs: 400 }, apiKey: API_KEY });
  await emulator.start();
  const sora2 = loadSeedFile(defaultSeedPath()).engines.find((engine) => engine.id === 'sora-2')!;
  spec = { ...sora2, id: 'my-compatible-video', model: MODEL, displayName: 'My compatible video', status: 'active', statusDate: undefined, baseUrl: `${emulator.url}/v1` };
  stillPng = join(dir, 'still 640x480.png');
  stillJpeg = join(dir, 'still 1000x1000.jpg');
  await runFfmpeg(bins.ffmpeg, ['-y', '-f', 'lavfi', '-i', 'testsrc2=size=640x480', '-frames:v', '1', stillPng]);
  await runFfmpeg(bins.ffmpeg, ['-y', '-f', 'lavfi', '-i', 'testsrc2=size=1000x1000', '-frames:v', '1', stillJpeg]);
});
afterAll(async () => {
  await emulator?.close();
  await removeDir(dir);
});
beforeEach(() => {
  emulator.faults.reset();
  logs = [];
});

function deps(apiKey: string | null): AdapterDeps {
  return {
    media: testMedia(),
    credentials: (provider) => (provider === 'openai' && apiKey !== null ? { OPENAI_API_KEY: apiKey } : undefined),
    workDir: (engineId) => join(dir, 'engines', engineId),
    env: {},
    log: (line) => logs.push(line),
  };
}

async function engine(options: { apiKey?: string | null; spec?: EngineSpec; boundary?: BoundaryOptions } = {}): Promise<GuardedEngine> {
  return guardEngine(await createOpenAIVideoEngine(options.spec ?? spec, deps(options.apiKey === undefined ? API_KEY : options.apiKey)), { secrets: () => [API_KEY, 'sk-wrong-key-9876543210zyxwvu'], ...options.boundary });
}

let prompts = 0;
/** Each request gets its own prompt: the emulator's jobs are told apart by it. */
function shot(overrides: Partial<GenerationRequest> = {}): GenerationRequest {
  return generationRequest({ prompt: `a lighthouse in fog, take ${++prompts} — "quoted" 100%`, audio: true, ...overrides });
}

const never = () => new AbortController().signal;
const jobsFor = (request: GenerationRequest) => emulator.jobs.filter((job) => job.request.prompt === request.prompt);
const lookup = (request: GenerationRequest, submittedAt: number) => ({ clientReference: 'attempt-ref', request, submittedAfter: submittedAt - 60_000 });

async function rejection(promise: Promise<unknown>): Promise<EngineError> {
  const error = await promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(EngineError);
  expect((error as Error).message).not.toContain(API_KEY);
  return error as EngineError;
}

async function finished(guarded: GuardedEngine, jobId: string): Promise<GuardedPoll> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const result = await guarded.poll(jobId, never());
    if (result.state === 'succeeded' || result.state === 'failed') return result;
    if (Date.now() > deadline) throw new Error(`job ${jobId} still ${result.state}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('end to end', () => {
  it('text to video: a playable 4 s 1280x720 MP4 with sound, the bytes the server sent', async () => {
    const guarded = await engine();
    const request = shot();
    const { jobId, providerEstimate } = await guarded.submit(request, 'ref-1', never());
    expect(providerEstimate).toEqual({});
    const [job] = jobsFor(request);
    expect(job).toMatchObject({ id: jobId, request: { model: MODEL, prompt: request.prompt, seconds: '4', size: '1280x720', reference: null } });
    expect(job!.request.fieldNames.sort()).toEqual(['model', 'prompt', 'seconds', 'size']);

    const result = await finished(guarded, jobId);
    expect(result).toMatchObject({ state: 'succeeded', output: { location: jobId, durationSeconds: 4 }, billed: {} });
    const output = (result as Extract<GuardedPoll, { state: 'succeeded' }>).output;
    expect(output.expiresAt).toBeGreaterThan(Date.now() + 3_000_000);

    const destination = join(dir, 'out', 'tëxt clip.mp4');
    const clip = await guarded.download(jobId, output, destination, never());
    expect(clip.path).toBe(destination);
    expect(await sha256File(destination)).toBe(clip.sha256);
    expect(clip.sha256).toBe(await sha256File(join(dir, 'clips', '4s-1280x720-30fps-tone.mp4')));
    const probe = await testMedia().probe(destination);
    expect(probe).toMatchObject({ width: 1280, height: 720, hasAudio: true });
    expect(probe.durationSeconds).toBeCloseTo(4, 0);
    expect(emulator.invoicedFor(job!)).toBe(400_000); // any other model: 0.10 $/s
  });

  it('image to video: the reference is cropped to the exact size and uploaded as a PNG file', async () => {
    const guarded = await engine();
    for (const [still, aspect] of [
      [stillPng, '16:9'],
      [stillJpeg, '9:16'],
    ] as const) {
      const request = shot({ aspect, ...frameSize('720p', aspect), referenceImagePath: still });
      const { jobId } = await guarded.submit(request, 'ref-2', never());
      const size = aspect === '16:9' ? { width: 1280, height: 720 } : { width: 720, height: 1280 };
      expect(jobsFor(request)[0]!.request).toMatchObject({
        seconds: '4',
        size: `${size.width}x${size.height}`,
        reference: { via: 'file', mediaType: 'image/png', filename: 'reference.png', ...size },
      });
      const result = await finished(guarded, jobId);
      expect(result.state).toBe('succeeded');
      const clip = await guarded.download(jobId, (result as Extract<GuardedPoll, { state: 'succeeded' }>).output, join(dir, 'out', `i2v ${aspect.replace(':', 'x')}.mp4`), never());
      expect(await testMedia().probe(clip.path)).toMatchObject({ ...size, hasAudio: true });
    }
    // The resized copies are not left behind.
    expect(readdirSync(join(dir, 'engines', spec.id))).toEqual([]);
  });

  it('the emulator refuses a reference of another size, as the real API did', async () => {
    const client = new OpenAI({ apiKey: API_KEY, baseURL: `${emulator.url}/v1`, maxRetries: 0 });
    const file = await toFile(await readFile(stillPng), 'still.png', { type: 'image/png' });
    const error = await client.videos.create({ model: MODEL, prompt: 'wrong size', seconds: '4', size: '1280x720', input_reference: file }).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 400, error: { message: 'Inpaint image must match the requested width and height', param: null, code: null } });
    const seconds = await client.videos.create({ model: MODEL, prompt: 'bad seconds', seconds: 5 as unknown as '4' }).catch((e: unknown) => e);
    expect(seconds).toMatchObject({ status: 400, error: { message: "Invalid type for 'seconds': expected one of '4', '8', or '12'", param: 'seconds' } });
  });

  it('cancel deletes a running video (unbilled); a finished one is left alone and stays billed', async () => {
    const guarded = await engine();
    const running = shot();
    const { jobId } = await guarded.submit(running, 'ref-3', never());
    await guarded.cancel(jobId, never());
    expect(await guarded.poll(jobId, never())).toMatchObject({ state: 'failed', error: { kind: 'cancelled' }, billed: {} });
    expect(emulator.invoicedFor(jobsFor(running)[0]!)).toBe(0);

    const done = shot();
    const finishedJob = await guarded.submit(done, 'ref-4', never());
    await finished(guarded, finishedJob.jobId);
    await guarded.cancel(finishedJob.jobId, never());
    expect((await guarded.poll(finishedJob.jobId, never())).state).toBe('succeeded');
    expect(emulator.invoicedFor(jobsFor(done)[0]!)).toBe(400_000);
  });
});

describe('requests the protocol cannot take: invalid_request, nothing sent', () => {
  it('seconds not offered, a seed, a negative prompt, an aspect without a size', async () => {
    const creates = emulator.counts.creates;
    const guarded = await engine();
    // The boundary refuses what the registry entry says the model cannot do.
    for (const request of [shot({ durationSeconds: 5 }), shot({ seed: 42 }), shot({ negativePrompt: 'rain' }), shot({ aspect: '1:1', ...frameSize('720p', '1:1') })]) {
      expect(await rejection(guarded.submit(request, 'ref-5', never()))).toMatchObject({ kind: 'invalid_request', details: { jobMayExist: false } });
    }
    // A user's entry that promises more than the protocol has: the adapter refuses it itself.
    const generous = await engine({ spec: { ...spec, durations: { kind: 'range', min: 1, max: 20 }, aspects: ['16:9', '9:16', '1:1'], capabilities: { ...spec.capabilities, seed: true, negativePrompt: true } } });
    for (const [request, field] of [
      [shot({ durationSeconds: 5 }), 'seconds: 5 s is not one of 4, 8, 12 s'],
      [shot({ seed: 42 }), 'seed: the /v1/videos protocol takes no seed'],
      [shot({ negativePrompt: 'rain' }), 'negativePrompt: the /v1/videos protocol takes no negative prompt'],
      [shot({ aspect: '1:1', ...frameSize('720p', '1:1') }), 'size: the /v1/videos protocol has no size for 720p 1:1'],
    ] as const) {
      const error = await rejection(generous.submit(request, 'ref-6', never()));
      expect(error).toMatchObject({ kind: 'invalid_request', details: { jobMayExist: false } });
      expect(error.message).toContain(field);
    }
    expect(emulator.counts.creates).toBe(creates);
  });
});

describe('fault knobs to error kinds', () => {
  it('429: rate_limited with the wait, sent once (the SDK does not retry), no job', async () => {
    emulator.faults.set({ rateLimitCreates: 1, retryAfterSeconds: 7 });
    const creates = emulator.counts.creates;
    const request = shot();
    const error = await rejection((await engine()).submit(request, 'ref-7', never()));
    expect(error).toMatchObject({ kind: 'rate_limited', details: { retryAfterMs: 7000, httpStatus: 429, jobMayExist: false, providerCode: 'rate_limit_exceeded' } });
    expect(emulator.counts.creates).toBe(creates + 1);
    expect(jobsFor(request)).toHaveLength(0);
  });

  it('a burst of 5xx: unavailable (no job), then it works', async () => {
    emulator.faults.set({ serverErrors: 2, serverErrorStatus: 500 });
    const guarded = await engine();
    const request = shot();
    expect(await rejection(guarded.submit(request, 'ref-8', never()))).toMatchObject({ kind: 'unavailable', details: { httpStatus: 500, jobMayExist: false } });
    expect(await rejection(guarded.poll('video_whatever', never()))).toMatchObject({ kind: 'unavailable', details: { httpStatus: 500 } });
    expect((await guarded.submit(request, 'ref-8b', never())).jobId).toMatch(/^video_/);
    expect(jobsFor(request)).toHaveLength(1);
  });

  it('down: unavailable for every call', async () => {
    const guarded = await engine();
    const { jobId } = await guarded.submit(shot(), 'ref-9', never());
    emulator.faults.set({ down: true });
    expect(await rejection(guarded.submit(shot(), 'ref-9b', never()))).toMatchObject({ kind: 'unavailable', details: { httpStatus: 503, jobMayExist: false } });
    expect(await rejection(guarded.poll(jobId, never()))).toMatchObject({ kind: 'unavailable', details: { httpStatus: 503 } });
  });

  it('a poll that hangs: timeout at the boundary’s limit', async () => {
    const guarded = await engine({ boundary: { timeoutsMs: { poll: 300 } } });
    const { jobId } = await guarded.submit(shot(), 'ref-10', never());
    emulator.faults.set({ hangs: 1, hangRoutes: ['poll'] });
    const started = Date.now();
    expect(await rejection(guarded.poll(jobId, never()))).toMatchObject({ kind: 'timeout' });
    expect(Date.now() - started).toBeLessThan(3_000);
    expect((await finished(guarded, jobId)).state).toBe('succeeded');
  });

  for (const [how, kind] of [
    ['hang', 'timeout'],
    ['bad_gateway', 'unavailable'],
    ['reset', 'unavailable'],
  ] as const) {
    it(`a create answer lost (${how}): ${kind}, the job may exist, exactly one was made and findJob finds it`, async () => {
      const guarded = await engine({ boundary: { timeoutsMs: { submit: 1_000 } } });
      emulator.faults.set({ lostCreateAnswers: 1, lostCreateAnswerAs: how });
      const request = shot();
      const submittedAt = Date.now();
      expect(await rejection(guarded.submit(request, 'ref-11', never()))).toMatchObject({ kind, details: { jobMayExist: true } });
      const made = jobsFor(request);
      expect(made).toHaveLength(1);
      expect(await guarded.findJob(lookup(request, submittedAt), never())).toEqual({ jobId: made[0]!.id });
      expect((await finished(guarded, made[0]!.id)).state).toBe('succeeded');
    });
  }

  it('findJob: none when the submit never arrived; an error when two videos match (the money stays held)', async () => {
    const guarded = await engine({ boundary: { timeoutsMs: { submit: 1_000 } } });
    const request = shot();
    const submittedAt = Date.now();
    expect(await guarded.findJob(lookup(request, submittedAt), never())).toBeNull();
    emulator.faults.set({ lostCreateAnswers: 2, lostCreateAnswerAs: 'bad_gateway' });
    await rejection(guarded.submit(request, 'ref-12', never()));
    await rejection(guarded.submit(request, 'ref-12b', never()));
    const error = await rejection(guarded.findJob(lookup(request, submittedAt), never()));
    expect(error.kind).toBe('unavailable');
    expect(error.message).toContain('2 videos');
  });

  it('findJob pages back through the list (newest first) to the lost video', async () => {
    const guarded = await engine({ boundary: { timeoutsMs: { submit: 1_000 } } });
    emulator.faults.set({ lostCreateAnswers: 1, lostCreateAnswerAs: 'reset' });
    const request = shot();
    const submittedAt = Date.now();
    await rejection(guarded.submit(request, 'ref-page', never()));
    // More videos made since than one page of the list holds (100).
    const client = new OpenAI({ apiKey: API_KEY, baseURL: `${emulator.url}/v1`, maxRetries: 0 });
    await Promise.all(Array.from({ length: 110 }, (_, i) => client.videos.create({ model: MODEL, prompt: `someone else's video ${i}`, seconds: '4', size: '1280x720' })));
    const lookups = emulator.counts.lookups;
    expect(await guarded.findJob(lookup(request, submittedAt), never())).toEqual({ jobId: jobsFor(request)[0]!.id });
    expect(emulator.counts.lookups - lookups).toBe(2);
  });

  it('malformed JSON: unavailable; a create cut off may have made the job, and findJob finds it', async () => {
    const guarded = await engine();
    emulator.faults.set({ malformedJson: 1 });
    const request = shot();
    const submittedAt = Date.now();
    const error = await rejection(guarded.submit(request, 'ref-13', never()));
    expect(error).toMatchObject({ kind: 'unavailable', details: { jobMayExist: true } });
    expect(await guarded.findJob(lookup(request, submittedAt), never())).toEqual({ jobId: jobsFor(request)[0]!.id });
    emulator.faults.set({ malformedJson: 1 });
    expect(await rejection(guarded.poll(jobsFor(request)[0]!.id, never()))).toMatchObject({ kind: 'unavailable' });
  });

  it('content policy: content_policy, unbilled', async () => {
    emulator.faults.set({ contentPolicy: 1 });
    const guarded = await engine();
    const request = shot();
    const { jobId } = await guarded.submit(request, 'ref-14', never());
    const result = await finished(guarded, jobId);
    expect(result).toMatchObject({ state: 'failed', error: { kind: 'content_policy', details: { providerCode: 'moderation_blocked' } }, billed: {} });
    expect(emulator.invoicedFor(jobsFor(request)[0]!)).toBe(0);
  });

  it('a slow download arrives whole', async () => {
    const guarded = await engine();
    const { jobId } = await guarded.submit(shot(), 'ref-15', never());
    const result = (await finished(guarded, jobId)) as Extract<GuardedPoll, { state: 'succeeded' }>;
    emulator.faults.set({ slowDownloadBytesPerSecond: 8 * 1024 * 1024 });
    const started = Date.now();
    const clip = await guarded.download(jobId, result.output, join(dir, 'out', 'slow.mp4'), never());
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(await sha256File(clip.path)).toBe(createHash('sha256').update(await readFile(join(dir, 'clips', '4s-1280x720-30fps-tone.mp4'))).digest('hex'));
  });

  it('a truncated download: unavailable, nothing at the destination', async () => {
    const guarded = await engine();
    const { jobId } = await guarded.submit(shot(), 'ref-16', never());
    const result = (await finished(guarded, jobId)) as Extract<GuardedPoll, { state: 'succeeded' }>;
    emulator.faults.set({ truncatedDownloads: 1 });
    const destination = join(dir, 'out', 'truncated', 'cut.mp4');
    expect(await rejection(guarded.download(jobId, result.output, destination, never()))).toMatchObject({ kind: 'unavailable' });
    expect(existsSync(destination)).toBe(false);
    expect(readdirSync(dirname(destination))).toEqual([]);
  });

  it('expired output: the download and the video itself say expired_output', async () => {
    const guarded = await engine();
    const { jobId } = await guarded.submit(shot(), 'ref-17', never());
    const result = (await finished(guarded, jobId)) as Extract<GuardedPoll, { state: 'succeeded' }>;
    emulator.faults.expireIssuedLinks();
    expect(await rejection(guarded.download(jobId, result.output, join(dir, 'out', 'late.mp4'), never()))).toMatchObject({ kind: 'expired_output', details: { httpStatus: 404 } });
    expect(await guarded.poll(jobId, never())).toMatchObject({ state: 'failed', error: { kind: 'expired_output' } });
  });

  it('a wrong key: auth, and the key is in no message; no key: auth before any call', async () => {
    const wrong = await engine({ apiKey: 'sk-wrong-key-9876543210zyxwvu' });
    const unauthorized = emulator.counts.unauthorized;
    const error = await rejection(wrong.submit(shot(), 'ref-18', never()));
    expect(error).toMatchObject({ kind: 'auth', details: { httpStatus: 401, jobMayExist: false, providerCode: 'invalid_api_key' } });
    expect(error.message).toContain('Incorrect API key provided');
    expect(error.message).not.toContain('sk-wrong-key-9876543210zyxwvu');
    expect(emulator.counts.unauthorized).toBe(unauthorized + 1);

    const creates = emulator.counts.creates;
    const keyless = await engine({ apiKey: null });
    expect(await rejection(keyless.submit(shot(), 'ref-19', never()))).toMatchObject({ kind: 'auth', details: { jobMayExist: false } });
    expect(await rejection(keyless.poll('video_x', never()))).toMatchObject({ kind: 'auth' });
    expect(emulator.counts.creates).toBe(creates);
  });
});
