/**
 * The Luma adapter against the Luma emulator, always through the classification boundary
 * (guardEngine), as the pipeline calls it: every fault knob to the kind it must become,
 * and requests Luma cannot take refused before anything is sent. What the pipeline makes
 * of these is in adapter-luma-pipeline.test.ts.
 */
import { testMedia } from '../support/test-media';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { guardEngine, type BoundaryOptions, type GuardedEngine, type GuardedPoll } from '../../src/main/engines/boundary';
import type { GenerationRequest } from '../../src/main/engines/engine';
import type { AdapterDeps } from '../../src/main/engines/index';
import { createLumaEngine } from '../../src/main/engines/luma/adapter';
import { defaultSeedPath, loadSeedFile } from '../../src/main/registry';
import type { EngineSpec } from '../../src/shared/domain';
import { EngineError } from '../../src/shared/errors';
import { LumaEmulator, lumaEnv } from '../emulators/luma/server';
import { sha256File } from './media-fixtures';

const API_KEY = 'luma-test-key-7c1e0f9a2b3d4e5f';
const SEED = loadSeedFile(defaultSeedPath());
const FLASH = SEED.engines.find((engine) => engine.id === 'luma-ray-flash-2')!;

let dir: string;
let emulator: LumaEmulator;
let prompts = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shotline luma adapter '));
  emulator = new LumaEmulator({ apiKey: API_KEY, clipDirectory: join(dir, 'clips'), timing: { minMs: 100, maxMs: 400 }, seed: 11 });
  await emulator.start();
});

afterAll(async () => {
  await emulator?.close();
  await rm(dir, { recursive: true, force: true });
});

beforeEach(() => {
  emulator.faults.reset();
});

/** `null`: no Luma key configured at all. */
function deps(apiKey: string | null): AdapterDeps {
  return {
    media: testMedia(),
    credentials: (provider) => (provider === 'luma' && apiKey !== null ? { LUMAAI_API_KEY: apiKey } : undefined),
    workDir: (engineId) => join(dir, 'engines', engineId),
    env: lumaEnv(emulator, API_KEY),
  };
}

async function engine(options: { apiKey?: string | null; spec?: EngineSpec; timeoutsMs?: BoundaryOptions['timeoutsMs'] } = {}): Promise<GuardedEngine> {
  return guardEngine(await createLumaEngine(options.spec ?? FLASH, deps(options.apiKey === undefined ? API_KEY : options.apiKey)), {
    secrets: () => [API_KEY],
    timeoutsMs: options.timeoutsMs,
  });
}

/** Each test its own prompt: a lost submit is found by content, and the emulator counts jobs per prompt. */
function request(changes: Partial<GenerationRequest> = {}): GenerationRequest {
  prompts += 1;
  return {
    shotId: `s${prompts}`,
    kind: 'establishing',
    prompt: `Shot ${prompts}: a lighthouse at dusk, waves breaking "hard" — ünïcode`,
    durationSeconds: 5,
    resolution: '540p',
    aspect: '16:9',
    width: 960,
    height: 540,
    fps: 24,
    audio: false,
    characters: [],
    ...changes,
  };
}

const never = () => new AbortController().signal;

async function refusal(call: Promise<unknown>): Promise<EngineError> {
  try {
    await call;
  } catch (error) {
    expect(error).toBeInstanceOf(EngineError);
    expect((error as Error).message).not.toContain(API_KEY);
    return error as EngineError;
  }
  throw new Error('expected the call to fail');
}

/** Polls until the job settles, recording each state seen. */
async function settle(luma: GuardedEngine, jobId: string, seen: string[] = []): Promise<Exclude<GuardedPoll, { state: 'queued' | 'running' }>> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const answer = await luma.poll(jobId, never());
    seen.push(answer.state);
    if (answer.state === 'succeeded' || answer.state === 'failed') return answer;
    await new Promise((resolve) => setTimeout(resolve, 40));
  }
  throw new Error(`job ${jobId} did not settle`);
}

const jobOf = (jobId: string) => emulator.jobs.find((job) => job.id === jobId)!;
const destination = (name: string) => join(dir, 'out', `${name} ü.mp4`);

describe('Luma adapter: generations end to end', () => {
  it('text-to-video: the body Luma takes, the states in order, a real MP4 whose checksum matches', async () => {
    const luma = await engine();
    const asked = request({ durationSeconds: 9, aspect: '9:16', width: 540, height: 960 });
    const submitted = await luma.submit(asked, 'ref-unused-by-luma', never());
    expect(submitted.providerEstimate).toEqual({});
    expect(jobOf(submitted.jobId).request.received).toEqual({
      model: 'ray-flash-2',
      prompt: asked.prompt,
      aspect_ratio: '9:16',
      resolution: '540p',
      duration: '9s',
    });

    const seen: string[] = [];
    const done = await settle(luma, submitted.jobId, seen);
    // Never backwards: queued, then running (dreaming), then done.
    const order = ['queued', 'running', 'succeeded'];
    expect(seen.map((state) => order.indexOf(state))).toEqual([...seen.map((state) => order.indexOf(state))].sort());
    if (done.state !== 'succeeded') throw new Error(`failed: ${done.error.message}`);
    expect(done.billed).toEqual({}); // Luma reports no cost: the list price applies
    expect(done.output).toMatchObject({ durationSeconds: 9 });
    // The same link on every poll: Luma does not renew it.
    const again = await luma.poll(submitted.jobId, never());
    expect(again.state === 'succeeded' && again.output.location).toBe(done.output.location);

    const file = destination('t2v');
    const saved = await luma.download(submitted.jobId, done.output, file, never());
    expect(saved.sha256).toBe(await sha256File(file));
    expect(saved.sha256).toBe(await sha256File(join(dir, 'clips', '9s-540x960-24fps-silent.mp4')));
    expect(await testMedia().probe(file)).toMatchObject({ width: 540, height: 960, hasAudio: false });
    expect((await testMedia().probe(file)).durationSeconds).toBeCloseTo(9, 0);
    expect(emulator.invoicedFor(jobOf(submitted.jobId))).toBe(9 * (FLASH.pricing.find((p) => p.resolution === '540p')!.microsPerSecond as number));
  });

  it('image-to-video: a local reference is refused before anything is sent (Luma takes only image URLs it fetches)', async () => {
    const creates = emulator.counts.creates;
    const reference = join(dir, 'frame.png');
    // The shipped registry lists Luma as text-only, so the boundary refuses first...
    expect(FLASH.modes).toEqual(['text']);
    const byRegistry = await refusal((await engine()).submit(request({ referenceImagePath: reference }), 'r', never()));
    expect(byRegistry).toMatchObject({ kind: 'invalid_request', details: { jobMayExist: false } });
    expect(byRegistry.message).toContain('reference');
    // ...and a registry that claimed image mode would still not make the adapter send it.
    const claimingImages = await engine({ spec: { ...FLASH, modes: ['text', 'image'] } });
    const byAdapter = await refusal(claimingImages.submit(request({ referenceImagePath: reference }), 'r', never()));
    expect(byAdapter.kind).toBe('invalid_request');
    expect(byAdapter.message).toContain('public image URL');
    expect(emulator.counts.creates).toBe(creates);
  });

  it('the emulator takes keyframes as Luma documents them (an image URL) and refuses a data: URI', async () => {
    const post = (keyframes: unknown) =>
      fetch(`${emulator.apiBaseUrl}/generations/video`, {
        method: 'POST',
        headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'ray-2', prompt: `keyframe probe ${prompts++}`, resolution: '540p', keyframes }),
      });
    const byUrl = await post({ frame0: { type: 'image', url: 'https://cdn.example/frame.png' } });
    expect(byUrl.status).toBe(201);
    const byData = await post({ frame0: { type: 'image', url: 'data:image/png;base64,iVBORw0KGgo=' } });
    expect(byData.status).toBe(400);
    expect(await byData.json()).toEqual({ detail: 'keyframes.frame0.url: must be an http(s) URL of the image' });
  });

  it('cancel deletes the generation: it stops unbilled and is gone', async () => {
    const luma = await engine();
    const { jobId } = await luma.submit(request(), 'r', never());
    await luma.cancel(jobId, never());
    expect(jobOf(jobId).cancelledAt).not.toBeNull();
    expect((await refusal(luma.poll(jobId, never()))).details.httpStatus).toBe(404);
  });
});

describe('Luma adapter: requests the model cannot take cost nothing', () => {
  it.each([
    ['a seed', { seed: 42 }, /seed/],
    ['a negative prompt', { negativePrompt: 'no gulls' }, /negative/],
    ['audio', { audio: true }, /audio/],
    ['a duration not offered (6 s)', { durationSeconds: 6 }, /duration: .*5, 9/],
    ['a duration not offered (10 s)', { durationSeconds: 10 }, /duration/],
    ['an unsupported resolution (480p)', { resolution: '480p' as const, width: 854, height: 480 }, /resolution/],
  ])('%s: invalid_request, nothing created', async (_name, changes, why) => {
    const creates = emulator.counts.creates;
    const error = await refusal((await engine()).submit(request(changes), 'r', never()));
    expect(error).toMatchObject({ kind: 'invalid_request', details: { jobMayExist: false } });
    expect(error.message).toMatch(why);
    expect(emulator.counts.creates).toBe(creates);
  });
});

describe('Luma adapter: every fault to its kind', () => {
  it('429: rate_limited with the wait Luma asked for, no job', async () => {
    emulator.faults.set({ rateLimitCreates: 1, retryAfterSeconds: 1.5 });
    const jobs = emulator.jobs.length;
    const error = await refusal((await engine()).submit(request(), 'r', never()));
    expect(error).toMatchObject({ kind: 'rate_limited', details: { retryAfterMs: 1500, jobMayExist: false, httpStatus: 429 } });
    expect(emulator.jobs.length).toBe(jobs);
  });

  it('a burst of 5xx: unavailable on submit (no job) and on poll, then it works again', async () => {
    const luma = await engine();
    emulator.faults.set({ serverErrors: 1, serverErrorStatus: 500 });
    expect(await refusal(luma.submit(request(), 'r', never()))).toMatchObject({ kind: 'unavailable', details: { jobMayExist: false, httpStatus: 500 } });
    const { jobId } = await luma.submit(request(), 'r', never());
    emulator.faults.set({ serverErrors: 2, serverErrorStatus: 503 });
    expect(await refusal(luma.poll(jobId, never()))).toMatchObject({ kind: 'unavailable', details: { httpStatus: 503 } });
    expect((await refusal(luma.poll(jobId, never()))).kind).toBe('unavailable');
    expect((await settle(luma, jobId)).state).toBe('succeeded');
    expect(emulator.faults.fired.serverErrors).toBeGreaterThanOrEqual(3);
  });

  it('down: unavailable, nothing made', async () => {
    emulator.faults.set({ down: true });
    const jobs = emulator.jobs.length;
    const luma = await engine();
    expect(await refusal(luma.submit(request(), 'r', never()))).toMatchObject({ kind: 'unavailable', details: { jobMayExist: false, httpStatus: 503 } });
    expect(emulator.jobs.length).toBe(jobs);
  });

  it('a poll that never answers: timeout at the boundary', async () => {
    const luma = await engine({ timeoutsMs: { poll: 300 } });
    const { jobId } = await luma.submit(request(), 'r', never());
    emulator.faults.set({ hangs: 1, hangRoutes: ['poll'] });
    const started = Date.now();
    expect((await refusal(luma.poll(jobId, never()))).kind).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it.each([
    ['hang', 'timeout'],
    ['bad_gateway', 'unavailable'],
    ['reset', 'unavailable'],
  ] as const)('a create whose answer is lost (%s): %s, the job may exist, and findJob finds exactly that one', async (how, kind) => {
    const luma = await engine({ timeoutsMs: { submit: 400 } });
    // Another generation with the same body whose answer did arrive: not the lost one.
    const asked = request();
    const answered = await luma.submit(asked, 'first', never());
    emulator.faults.set({ lostCreateAnswers: 1, lostCreateAnswerAs: how });
    const submittedAfter = Date.now() - 60_000;
    const error = await refusal(luma.submit(asked, 'second', never()));
    expect(error).toMatchObject({ kind, details: { jobMayExist: true } });
    expect(emulator.jobsPerPrompt().get(asked.prompt)).toBe(2);
    const lost = emulator.jobs.filter((job) => job.request.prompt === asked.prompt && job.id !== answered.jobId);
    expect(lost).toHaveLength(1);
    expect(await luma.findJob({ clientReference: 'second', request: asked, submittedAfter }, never())).toEqual({ jobId: lost[0]!.id });
  });

  it('a lookup that finds nothing says so; two lost jobs for one body are ambiguous and keep the money held', async () => {
    const luma = await engine();
    const nothing = request();
    expect(await luma.findJob({ clientReference: 'x', request: nothing, submittedAfter: Date.now() - 60_000 }, never())).toBeNull();
    const twice = request();
    emulator.faults.set({ lostCreateAnswers: 2, lostCreateAnswerAs: 'bad_gateway' });
    await refusal(luma.submit(twice, 'a', never()));
    await refusal(luma.submit(twice, 'b', never()));
    const error = await refusal(luma.findJob({ clientReference: 'b', request: twice, submittedAfter: Date.now() - 60_000 }, never()));
    expect(error.kind).toBe('unavailable');
    expect(error.message).toContain('2 generations match');
  });

  it('malformed JSON: unavailable; on a create the job may exist and is found again', async () => {
    const luma = await engine();
    const asked = request();
    emulator.faults.set({ malformedJson: 1 });
    const submittedAfter = Date.now() - 60_000;
    expect(await refusal(luma.submit(asked, 'r', never()))).toMatchObject({ kind: 'unavailable', details: { jobMayExist: true } });
    const found = await luma.findJob({ clientReference: 'r', request: asked, submittedAfter }, never());
    expect(found).not.toBeNull();
    emulator.faults.set({ malformedJson: 1 });
    expect((await refusal(luma.poll(found!.jobId, never()))).kind).toBe('unavailable');
  });

  it('moderation: content_policy, nothing billed', async () => {
    const luma = await engine();
    emulator.faults.set({ contentPolicy: 1 });
    const { jobId } = await luma.submit(request(), 'r', never());
    const done = await settle(luma, jobId);
    if (done.state !== 'failed') throw new Error('expected a failure');
    expect(done.error.kind).toBe('content_policy');
    expect(done.error.message).toContain('Advanced moderation failed');
    expect(done.billed).toEqual({});
    expect(emulator.invoicedFor(jobOf(jobId))).toBe(0);
  });

  it('a slow download arrives whole; a cut-off one is unavailable and leaves nothing at the destination', async () => {
    const luma = await engine();
    const { jobId } = await luma.submit(request(), 'r', never());
    const done = await settle(luma, jobId);
    if (done.state !== 'succeeded') throw new Error('expected success');
    const clip = join(dir, 'clips', '5s-960x540-24fps-silent.mp4');
    emulator.faults.set({ slowDownloadBytesPerSecond: Math.ceil(statSync(clip).size / 0.5) });
    const slow = await luma.download(jobId, done.output, destination('slow'), never());
    expect(slow.sha256).toBe(await sha256File(clip));

    emulator.faults.set({ slowDownloadBytesPerSecond: null, truncatedDownloads: 1 });
    const target = destination('cut off');
    expect((await refusal(luma.download(jobId, done.output, target, never()))).kind).toBe('unavailable');
    expect(existsSync(target)).toBe(false);
    expect(readdirSync(dirname(target)).filter((name) => name.includes('cut off'))).toEqual([]);
  });

  it('an expired link: expired_output, and polling again gives the same dead link', async () => {
    const luma = await engine();
    const { jobId } = await luma.submit(request(), 'r', never());
    const done = await settle(luma, jobId);
    if (done.state !== 'succeeded') throw new Error('expected success');
    emulator.faults.expireIssuedLinks();
    expect((await refusal(luma.download(jobId, done.output, destination('expired'), never()))).kind).toBe('expired_output');
    const again = await luma.poll(jobId, never());
    if (again.state !== 'succeeded') throw new Error('expected success');
    expect(again.output.location).toBe(done.output.location);
    expect((await refusal(luma.download(jobId, again.output, destination('expired'), never()))).kind).toBe('expired_output');
  });

  it('a wrong key: auth, the key in no message; no key at all: auth before any call', async () => {
    const unauthorized = emulator.counts.unauthorized;
    const wrongKey = 'luma-wrong-key-0000111122223333';
    const wrong = guardEngine(await createLumaEngine(FLASH, deps(wrongKey)), { secrets: () => [wrongKey] });
    const error = await refusal(wrong.submit(request(), 'r', never()));
    expect(error).toMatchObject({ kind: 'auth', details: { jobMayExist: false, httpStatus: 401 } });
    expect(error.message).not.toContain(wrongKey);
    expect(emulator.counts.unauthorized).toBe(unauthorized + 1);

    const creates = emulator.counts.creates;
    const keyless = await engine({ apiKey: null });
    expect(await refusal(keyless.submit(request(), 'r', never()))).toMatchObject({ kind: 'auth', details: { jobMayExist: false } });
    expect((await refusal(keyless.poll('some-id', never()))).kind).toBe('auth');
    expect(emulator.counts.creates).toBe(creates);
  });
});
