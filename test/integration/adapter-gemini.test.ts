/**
 * The Veo adapter (real @google/genai 2.x) against the Gemini emulator, through the
 * classification boundary as the pipeline calls it: what goes on the wire, what comes
 * back, and what every fault becomes.
 */
import { testMedia } from '../support/test-media';
import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { EngineSpec } from '../../src/shared/domain';
import { EngineError } from '../../src/shared/errors';
import { guardEngine, type BoundaryOptions, type GuardedEngine, type GuardedPoll } from '../../src/main/engines/boundary';
import type { GenerationRequest, JobOutput } from '../../src/main/engines/engine';
import { createGeminiEngine } from '../../src/main/engines/gemini/adapter';
import type { AdapterDeps } from '../../src/main/engines';
import { runFfmpeg } from '../../src/main/media/ffmpeg';
import { defaultSeedPath, loadSeedFile } from '../../src/main/registry';
import type { FaultsFired } from '../emulators/common/faults';
import type { CallCounts } from '../emulators/common/provider-server';
import { GeminiEmulator, VEO_PRICES } from '../emulators/gemini/server';
import { bins, nastyTempDir, removeDir, sha256File } from './media-fixtures';

const API_KEY = 'AIzaSyGeminiEmulator-0123456789abcdefgh';
const seed = loadSeedFile(defaultSeedPath());
const specOf = (id: string): EngineSpec => {
  const spec = seed.engines.find((engine) => engine.id === id);
  if (!spec) throw new Error(`no engine ${id} in the shipped registry`);
  return spec;
};

let dir: string;
let emulator: GeminiEmulator;
let reference: string;
const logs: string[] = [];

beforeAll(async () => {
  dir = await nastyTempDir('gemini adapter');
  emulator = new GeminiEmulator({ clipDirectory: join(dir, 'clips'), timing: { minMs: 100, maxMs: 300 }, apiKey: API_KEY });
  await emulator.start();
  reference = join(dir, 'référence.png');
  await runFfmpeg(bins.ffmpeg, ['-y', '-f', 'lavfi', '-i', 'color=c=teal:size=64x64', '-frames:v', '1', reference]);
});
afterAll(async () => {
  await emulator?.close();
  await removeDir(dir);
});
beforeEach(() => emulator.faults.reset());

async function engineFor(id: string, options: { key?: string | null; boundary?: BoundaryOptions } = {}): Promise<GuardedEngine> {
  const key = options.key === undefined ? API_KEY : options.key;
  const deps: AdapterDeps = {
    media: testMedia(),
    credentials: (provider) => (provider === 'gemini' && key !== null ? { GEMINI_API_KEY: key } : undefined),
    workDir: () => join(dir, 'work'),
    env: { GOOGLE_GEMINI_BASE_URL: emulator.url },
    log: (line) => logs.push(line),
  };
  return guardEngine(await createGeminiEngine(specOf(id), deps), { secrets: () => [API_KEY, ...(key ? [key] : [])], ...options.boundary });
}

let shotNo = 0;
function shot(changes: Partial<GenerationRequest> = {}): GenerationRequest {
  shotNo += 1;
  return {
    shotId: `s${shotNo}`,
    kind: 'establishing',
    prompt: `shot ${shotNo}: a lighthouse at dawn, waves below`,
    durationSeconds: 4,
    resolution: '720p',
    aspect: '16:9',
    width: 1280,
    height: 720,
    fps: 24,
    audio: true,
    characters: [],
    ...changes,
  };
}

const signal = () => new AbortController().signal;

async function thrown(call: Promise<unknown>): Promise<EngineError> {
  const error = await call.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(EngineError);
  expect((error as EngineError).message).not.toContain(API_KEY);
  return error as EngineError;
}

async function pollUntilDone(engine: GuardedEngine, jobId: string): Promise<Exclude<GuardedPoll, { state: 'queued' | 'running' }>> {
  for (;;) {
    const answer = await engine.poll(jobId, signal());
    if (answer.state === 'succeeded' || answer.state === 'failed') return answer;
    await new Promise((resolve) => setTimeout(resolve, 40));
  }
}

async function finishedOutput(engine: GuardedEngine, request: GenerationRequest): Promise<{ jobId: string; output: JobOutput }> {
  const { jobId } = await engine.submit(request, `ref-${request.shotId}`, signal());
  const done = await pollUntilDone(engine, jobId);
  if (done.state !== 'succeeded') throw done.error;
  return { jobId, output: done.output };
}

type Tally = CallCounts & FaultsFired & { jobs: number };

/** How many calls of each kind arrived, faults fired and jobs were made while `work` ran. */
async function callsDuring(work: () => Promise<unknown>): Promise<Tally> {
  const tally = (): Tally => ({ ...emulator.counts, ...emulator.faults.fired, jobs: emulator.jobs.length });
  const before = tally();
  await work();
  const after = tally();
  return Object.fromEntries(Object.entries(after).map(([name, count]) => [name, count - before[name as keyof Tally]])) as unknown as Tally;
}

describe('Veo through the Gemini API, end to end', () => {
  it('text-to-video: the wire carries model, duration, aspect, resolution and negative prompt; the clip arrives whole and playable', async () => {
    const engine = await engineFor('veo-3.1-lite');
    const request = shot({ negativePrompt: 'text, watermarks' });
    const { jobId, output } = await finishedOutput(engine, request);
    expect(jobId).toMatch(/^models\/veo-3\.1-lite-generate-preview\/operations\/[a-z0-9]+$/);
    expect(output.location).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/v1beta\/files\/[a-z0-9]+:download\?alt=media$/);

    const job = emulator.jobs.at(-1)!;
    expect(job.request).toMatchObject({ model: 'veo-3.1-lite-generate-preview', prompt: request.prompt, durationSeconds: 4, aspectRatio: '16:9', resolution: '720p', negativePrompt: 'text, watermarks' });
    expect(job.request.image).toBeUndefined();
    expect(job.request.body.parameters).toEqual({ sampleCount: 1, durationSeconds: 4, aspectRatio: '16:9', resolution: '720p', negativePrompt: 'text, watermarks' });

    const destination = join(dir, 'out', 'clip t2v.mp4');
    const clip = await engine.download(jobId, output, destination, signal());
    expect(clip.sha256).toBe(await sha256File(destination));
    expect(clip.bytes).toBe((await stat(destination)).size);
    const probe = await testMedia().probe(destination);
    expect(probe).toMatchObject({ width: 1280, height: 720, hasAudio: true });
    expect(probe.durationSeconds).toBeCloseTo(4, 0);
    expect(emulator.counts.unauthorized).toBe(0);
  });

  it('image-to-video: the reference goes as base64 with its media type, at 8 s, portrait', async () => {
    const engine = await engineFor('veo-3.1-fast');
    const { jobId, output } = await finishedOutput(engine, shot({ referenceImagePath: reference, durationSeconds: 8, aspect: '9:16', width: 720, height: 1280 }));
    const job = emulator.jobs.at(-1)!;
    expect(job.request).toMatchObject({ model: 'veo-3.1-fast-generate-preview', durationSeconds: 8, aspectRatio: '9:16', resolution: '720p', image: { mimeType: 'image/png', bytes: (await stat(reference)).size } });
    const destination = join(dir, 'out', 'clip i2v.mp4');
    const clip = await engine.download(jobId, output, destination, signal());
    expect(clip.sha256).toBe(await sha256File(destination));
    expect(await testMedia().probe(destination)).toMatchObject({ width: 720, height: 1280, hasAudio: true });
  });

  it('the emulator bills the registry\'s list prices for every Gemini engine', () => {
    for (const spec of seed.engines.filter((engine) => engine.provider === 'gemini')) {
      for (const row of spec.pricing) expect(VEO_PRICES[spec.model]?.[row.resolution as '720p']).toBe(row.microsPerSecond);
    }
  });
});

describe('requests Veo cannot take are refused before any call', () => {
  it.each([
    ['a 1080p 4 s shot', { resolution: '1080p' as const, width: 1920, height: 1080 }, /duration/],
    ['4 s with a reference image', { referenceImagePath: '/nonexistent/ref.png' }, /duration/],
    ['a seed', { seed: 42 }, /seed/],
    ['a square frame', { aspect: '1:1' as const }, /aspect/],
  ])('%s: invalid_request, nothing sent', async (_name, changes, field) => {
    const engine = await engineFor('veo-3.1');
    const calls = await callsDuring(async () => {
      const error = await thrown(engine.submit(shot(changes), 'ref', signal()));
      expect(error).toMatchObject({ kind: 'invalid_request', details: { jobMayExist: false } });
      expect(error.message).toMatch(field);
    });
    expect(calls.creates).toBe(0);
  });

  it('no key: auth before any call; a wrong key: auth from Google\'s 400 API_KEY_INVALID, no job', async () => {
    const calls = await callsDuring(async () => {
      const none = await thrown((await engineFor('veo-3.1-lite', { key: null })).submit(shot(), 'ref', signal()));
      expect(none).toMatchObject({ kind: 'auth', details: { jobMayExist: false } });
    });
    expect(calls.creates).toBe(0);
    const wrongKey = 'AIzaSyWrongKey-zyxwvutsrqponmlkjihgfedcba';
    const wrong = await thrown((await engineFor('veo-3.1-lite', { key: wrongKey })).submit(shot(), 'ref', signal()));
    expect(wrong).toMatchObject({ kind: 'auth', details: { httpStatus: 400, jobMayExist: false } });
    expect(wrong.message).not.toContain(wrongKey);
    expect(emulator.counts.unauthorized).toBeGreaterThan(0);
  });
});

describe('every fault knob', () => {
  it('429 RESOURCE_EXHAUSTED: rate_limited with the RetryInfo delay (the SDK drops Retry-After), no job', async () => {
    emulator.faults.set({ rateLimitCreates: 1, retryAfterSeconds: 7 });
    const engine = await engineFor('veo-3.1-lite');
    const calls = await callsDuring(async () => {
      expect(await thrown(engine.submit(shot(), 'ref', signal()))).toMatchObject({ kind: 'rate_limited', details: { retryAfterMs: 7_000, httpStatus: 429, jobMayExist: false } });
    });
    expect(calls).toMatchObject({ creates: 1, jobs: 0 });
  });

  it('a burst of 5xx: unavailable on submit (no job) and on poll; the SDK retries nothing', async () => {
    const engine = await engineFor('veo-3.1-lite');
    const { jobId } = await engine.submit(shot(), 'ref', signal());
    emulator.faults.set({ serverErrors: 2, serverErrorStatus: 500 });
    const calls = await callsDuring(async () => {
      expect(await thrown(engine.submit(shot(), 'ref', signal()))).toMatchObject({ kind: 'unavailable', details: { httpStatus: 500, jobMayExist: false } });
      expect(await thrown(engine.poll(jobId, signal()))).toMatchObject({ kind: 'unavailable', details: { httpStatus: 500 } });
    });
    expect(calls).toMatchObject({ creates: 1, polls: 1, jobs: 0, serverErrors: 2 });
  });

  it('down (503 UNAVAILABLE): unavailable for submit and poll', async () => {
    const engine = await engineFor('veo-3.1-lite');
    const { jobId } = await engine.submit(shot(), 'ref', signal());
    emulator.faults.set({ down: true });
    const calls = await callsDuring(async () => {
      expect(await thrown(engine.submit(shot(), 'ref', signal()))).toMatchObject({ kind: 'unavailable', details: { httpStatus: 503, jobMayExist: false } });
      expect(await thrown(engine.poll(jobId, signal()))).toMatchObject({ kind: 'unavailable', details: { httpStatus: 503 } });
    });
    expect(calls).toMatchObject({ creates: 1, polls: 1, jobs: 0, down: 2 });
  });

  it('a poll that hangs: timeout at the boundary\'s deadline', async () => {
    const engine = await engineFor('veo-3.1-lite', { boundary: { timeoutsMs: { poll: 300 } } });
    const { jobId } = await engine.submit(shot(), 'ref', signal());
    emulator.faults.set({ hangs: 1, hangRoutes: ['poll'] });
    const calls = await callsDuring(async () => expect(await thrown(engine.poll(jobId, signal()))).toMatchObject({ kind: 'timeout' }));
    expect(calls).toMatchObject({ polls: 1, hangs: 1 });
  });

  it.each(['hang', 'bad_gateway', 'reset'] as const)('a create answer lost as %s: the job may exist, and exactly one operation was made', async (how) => {
    emulator.faults.set({ lostCreateAnswers: 1, lostCreateAnswerAs: how });
    const engine = await engineFor('veo-3.1-lite', { boundary: { timeoutsMs: { submit: 500 } } });
    const calls = await callsDuring(async () => {
      const error = await thrown(engine.submit(shot(), 'ref', signal()));
      expect(error.details.jobMayExist).toBe(true);
      expect(error.kind).toBe(how === 'hang' ? 'timeout' : 'unavailable');
    });
    expect(calls).toMatchObject({ creates: 1, jobs: 1, lostCreateAnswers: 1 });
  });

  it('malformed JSON: unavailable; on a create the job may exist (it was made)', async () => {
    const engine = await engineFor('veo-3.1-lite');
    emulator.faults.set({ malformedJson: 1 });
    const calls = await callsDuring(async () => {
      expect(await thrown(engine.submit(shot(), 'ref', signal()))).toMatchObject({ kind: 'unavailable', details: { jobMayExist: true } });
    });
    expect(calls).toMatchObject({ creates: 1, jobs: 1, malformedJson: 1 });
    const { jobId } = await engine.submit(shot(), 'ref', signal());
    emulator.faults.set({ malformedJson: 1 });
    const polls = await callsDuring(async () => expect(await thrown(engine.poll(jobId, signal()))).toMatchObject({ kind: 'unavailable' }));
    expect(polls).toMatchObject({ polls: 1, malformedJson: 1 });
  });

  it('Google\'s RAI filter (done, raiMediaFilteredCount, no videos): content_policy, billed nothing', async () => {
    emulator.faults.set({ contentPolicy: 1 });
    const engine = await engineFor('veo-3.1-lite');
    const { jobId } = await engine.submit(shot(), 'ref', signal());
    const done = await pollUntilDone(engine, jobId);
    expect(done).toMatchObject({ state: 'failed', error: { kind: 'content_policy' }, billed: { micros: 0 } });
    expect(emulator.invoicedFor(emulator.jobs.at(-1)!)).toBe(0);
  });

  it('a slow download still arrives whole', async () => {
    const engine = await engineFor('veo-3.1-lite');
    const { jobId, output } = await finishedOutput(engine, shot());
    emulator.faults.set({ slowDownloadBytesPerSecond: 3_000_000 });
    const destination = join(dir, 'out', 'slow.mp4');
    const clip = await engine.download(jobId, output, destination, signal());
    expect(clip.sha256).toBe(await sha256File(destination));
  });

  it('a truncated download: unavailable, and nothing is left at the destination', async () => {
    const engine = await engineFor('veo-3.1-lite');
    const { jobId, output } = await finishedOutput(engine, shot());
    emulator.faults.set({ truncatedDownloads: 1 });
    const folder = join(dir, 'truncated');
    const destination = join(folder, 'cut.mp4');
    const calls = await callsDuring(async () => expect(await thrown(engine.download(jobId, output, destination, signal()))).toMatchObject({ kind: 'unavailable' }));
    expect(calls).toMatchObject({ downloads: 1, truncatedDownloads: 1 });
    expect(existsSync(destination)).toBe(false);
    expect(await readdir(folder)).toEqual([]);
  });

  it('an expired file: expired_output, and re-polling gives the same (still expired) file', async () => {
    const engine = await engineFor('veo-3.1-lite');
    const { jobId, output } = await finishedOutput(engine, shot());
    emulator.faults.expireIssuedLinks();
    const calls = await callsDuring(async () =>
      expect(await thrown(engine.download(jobId, output, join(dir, 'out', 'gone.mp4'), signal()))).toMatchObject({ kind: 'expired_output', details: { httpStatus: 404 } }),
    );
    expect(calls).toMatchObject({ downloads: 1, expired: 1 });
    expect(await engine.poll(jobId, signal())).toMatchObject({ state: 'succeeded', output: { location: output.location } });
  });

  it('a stored job id that is not an operation name never reaches a URL', async () => {
    const engine = await engineFor('veo-3.1-lite');
    const calls = await callsDuring(async () => {
      for (const jobId of ['../files/abc123:download', 'models/veo/operations/../../x', 'files/abc123']) {
        expect(await thrown(engine.poll(jobId, signal()))).toMatchObject({ kind: 'invalid_request' });
      }
    });
    expect(calls).toMatchObject({ polls: 0, downloads: 0 });
  });

  it('cancel and job lookup are not offered: the Gemini API has neither for Veo', async () => {
    const engine = await engineFor('veo-3.1-lite');
    expect(engine.canCancel).toBe(false);
    expect(engine.canFindJob).toBe(false);
  });
});
