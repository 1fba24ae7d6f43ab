/**
 * The Kling adapter through the classification boundary, against the Kling emulator:
 * what goes on the wire, what comes back, and every fault a real Kling account shows.
 */
import { testMedia } from '../support/test-media';
import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EngineError } from '../../src/shared/errors';
import type { EngineSpec } from '../../src/shared/domain';
import { guardEngine, type GuardedEngine, type GuardedPoll } from '../../src/main/engines/boundary';
import type { GenerationRequest } from '../../src/main/engines/engine';
import { engineErrorFromResponse } from '../../src/main/engines/errors';
import { createKlingEngine } from '../../src/main/engines/kling/adapter';
import { mintKlingToken } from '../../src/main/engines/kling/jwt';
import { runFfmpeg } from '../../src/main/media/ffmpeg';
import { defaultSeedPath, loadSeedFile } from '../../src/main/registry';
import { KlingEmulator } from '../emulators/kling/server';
import { bins, nastyTempDir, removeDir, sha256File } from './media-fixtures';

const ACCESS_KEY = 'AK-kling-emulated-0123456789';
const SECRET_KEY = 'SK-kling-emulated-secret-9876543210';
const STD: EngineSpec = loadSeedFile(defaultSeedPath()).engines.find((engine) => engine.id === 'kling-v2.6-std')!;

/** One clock for the adapter's tokens and the emulator's token check: tests move it forward. */
let clockOffsetMs = 0;
const clock = () => Date.now() + clockOffsetMs;

let dir: string;
let emulator: KlingEmulator;
let picture16x9: string;
let picture4x3: string;
let references = 0;

beforeAll(async () => {
  dir = await nastyTempDir('kling adapter');
  emulator = new KlingEmulator({ clipDirectory: join(dir, 'clips'), timing: { minMs: 100, maxMs: 400 }, accessKey: ACCESS_KEY, secretKey: SECRET_KEY, clock });
  await emulator.start();
  picture16x9 = join(dir, 'still 16x9.png');
  picture4x3 = join(dir, 'still 4x3.png');
  await runFfmpeg(bins.ffmpeg, ['-y', '-f', 'lavfi', '-i', 'color=c=orange:s=640x360', '-frames:v', '1', picture16x9]);
  await runFfmpeg(bins.ffmpeg, ['-y', '-f', 'lavfi', '-i', 'color=c=teal:s=640x480', '-frames:v', '1', picture4x3]);
});

afterAll(async () => {
  await emulator?.close();
  await removeDir(dir);
});

beforeEach(() => {
  clockOffsetMs = 0;
  emulator.faults.reset();
  Object.assign(emulator.knobs, { arrears: false, rateLimitCode: 1302, blockedWords: [] });
  for (const key of Object.keys(emulator.counts) as (keyof typeof emulator.counts)[]) emulator.counts[key] = 0;
});

function engine(options: { secretKey?: string; keys?: boolean; timeoutsMs?: Partial<Record<'submit' | 'poll' | 'download' | 'findJob', number>> } = {}): Promise<GuardedEngine> {
  const credentials = options.keys === false ? undefined : { KLING_ACCESS_KEY: ACCESS_KEY, KLING_SECRET_KEY: options.secretKey ?? SECRET_KEY };
  const deps = {
    media: testMedia(),
    credentials: () => credentials,
    workDir: () => join(dir, 'work'),
    env: { KLING_BASE_URL: emulator.url },
  };
  return createKlingEngine(STD, deps, { clock }).then((raw) => guardEngine(raw, { secrets: () => [ACCESS_KEY, SECRET_KEY], timeoutsMs: options.timeoutsMs }));
}

function request(extra: Partial<GenerationRequest> = {}): GenerationRequest {
  return { shotId: 's1', kind: 'action', prompt: `a fox in the snow #${++references}`, durationSeconds: 5, resolution: '720p', aspect: '16:9', width: 1280, height: 720, fps: 24, audio: false, characters: [], ...extra };
}

const reference = () => `attempt-${++references}-é`;

async function failure(call: Promise<unknown>): Promise<EngineError> {
  const outcome = await call.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(outcome).toBeInstanceOf(EngineError);
  return outcome as EngineError;
}

async function finished(kling: GuardedEngine, jobId: string): Promise<Exclude<GuardedPoll, { state: 'queued' | 'running' }>> {
  for (;;) {
    const polled = await kling.poll(jobId, new AbortController().signal);
    if (polled.state === 'succeeded' || polled.state === 'failed') return polled;
    await new Promise((resolve) => setTimeout(resolve, 40));
  }
}

const signal = () => new AbortController().signal;
const jobsWith = (clientReference: string) => emulator.jobs.filter((job) => job.request.clientReference === clientReference);

describe('Kling end to end', () => {
  it('text to video: the body Kling gets, the units billed as money, a real MP4 with the checksum of what was sent', async () => {
    const kling = await engine();
    const ref = reference();
    const submitted = await kling.submit(request({ negativePrompt: 'blurry, captions' }), ref, signal());
    const [job] = jobsWith(ref);
    expect(submitted.jobId).toBe(`text2video/${job!.id}`);
    expect(job!.request.body).toEqual({
      model_name: 'kling-v2-6',
      prompt: job!.request.prompt,
      negative_prompt: 'blurry, captions',
      mode: 'std',
      duration: '5',
      aspect_ratio: '16:9',
      sound: 'off',
      external_task_id: ref,
    });

    const done = await finished(kling, submitted.jobId);
    expect(done.state).toBe('succeeded');
    if (done.state !== 'succeeded') return;
    expect(done.billed.micros).toBe(emulator.invoicedFor(job!));
    expect(done.billed.micros).toBe(1.5 * 140_000);
    expect(done.output.durationSeconds).toBe(5);

    const clip = await kling.download(submitted.jobId, done.output, join(dir, 'out', 'fox t2v.mp4'), signal());
    expect(clip.sha256).toBe(await sha256File(clip.path));
    expect(clip.sha256).toBe(await sha256File(join(dir, 'clips', '5s-1280x720-24fps-silent.mp4')));
    expect(await testMedia().probe(clip.path)).toMatchObject({ width: 1280, height: 720, hasAudio: false });
  });

  it('image to video: the picture as bare base64 on image2video, sound on, a clip in the picture\'s shape', async () => {
    const kling = await engine();
    const ref = reference();
    const submitted = await kling.submit(request({ referenceImagePath: picture16x9, audio: true }), ref, signal());
    expect(submitted.jobId).toMatch(/^image2video\/\d+$/);
    const [job] = jobsWith(ref);
    const image = job!.request.body.image as string;
    expect(image).toBe((await readFile(picture16x9)).toString('base64'));
    expect(image.startsWith('data:')).toBe(false);
    expect(job!.request.body).not.toHaveProperty('aspect_ratio');
    expect(job!.request.body).toMatchObject({ external_task_id: ref, duration: '5', sound: 'on', mode: 'std' });

    const done = await finished(kling, submitted.jobId);
    if (done.state !== 'succeeded') throw new Error(`expected success, got ${done.state}`);
    expect(done.billed.micros).toBe(3 * 140_000); // 3 units per 5 s with sound at std
    const clip = await kling.download(submitted.jobId, done.output, join(dir, 'out', 'fox i2v.mp4'), signal());
    expect(await testMedia().probe(clip.path)).toMatchObject({ width: 1280, height: 720, hasAudio: true });
  });
});

describe('the emulator is as strict as Kling', () => {
  it('a picture sent as a data: URI is a 400 with code 1201 (what the adapter never sends): invalid_request', async () => {
    const token = mintKlingToken({ accessKey: ACCESS_KEY, secretKey: SECRET_KEY }, Date.now()).token;
    const image = `data:image/png;base64,${(await readFile(picture16x9)).toString('base64')}`;
    const response = await fetch(`${emulator.url}/v1/videos/image2video`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model_name: 'kling-v2-6', image, duration: '5', external_task_id: reference() }),
    });
    expect(response.status).toBe(400);
    const error = await engineErrorFromResponse(response, { provider: 'kling', operation: 'submit', secrets: [token] });
    expect(error).toMatchObject({ kind: 'invalid_request', details: { providerCode: '1201', jobMayExist: false } });
    expect(error.message).toContain('data: prefix');
    expect(emulator.jobs.filter((job) => job.request.body.image === image)).toHaveLength(0);
  });
});

describe('the JWT', () => {
  it('is refreshed before it expires, so calls keep passing as the clock moves on', async () => {
    const kling = await engine();
    const submitted = await kling.submit(request(), reference(), signal());
    const first = emulator.acceptedTokens.at(-1);

    clockOffsetMs = 26 * 60_000; // inside the refresh margin of the 30-minute token
    await kling.poll(submitted.jobId, signal());
    const second = emulator.acceptedTokens.at(-1);
    expect(second).not.toBe(first);

    clockOffsetMs = 55 * 60_000; // the first token is long dead; the second still lives
    await kling.poll(submitted.jobId, signal());
    expect(emulator.counts.unauthorized).toBe(0);
  });

  it('an expired token is refused with 401 code 1004: auth', async () => {
    const stale = mintKlingToken({ accessKey: ACCESS_KEY, secretKey: SECRET_KEY }, Date.now() - 31 * 60_000).token;
    const response = await fetch(`${emulator.url}/v1/videos/text2video/123`, { headers: { authorization: `Bearer ${stale}` } });
    expect(response.status).toBe(401);
    const error = await engineErrorFromResponse(response, { provider: 'kling', operation: 'poll', secrets: [stale] });
    expect(error).toMatchObject({ kind: 'auth', details: { providerCode: '1004' } });
  });

  it('a wrong secret key: auth, no task, and neither key nor token in the message', async () => {
    const kling = await engine({ secretKey: 'SK-wrong-secret-000000000000' });
    const error = await failure(kling.submit(request(), reference(), signal()));
    expect(error).toMatchObject({ kind: 'auth', details: { providerCode: '1002', httpStatus: 401, jobMayExist: false } });
    expect(error.message).not.toMatch(/SK-wrong|eyJ/);
    expect(emulator.counts.unauthorized).toBe(1);
  });

  it('no credentials: auth before anything is sent', async () => {
    const kling = await engine({ keys: false });
    const error = await failure(kling.submit(request(), reference(), signal()));
    expect(error).toMatchObject({ kind: 'auth', details: { jobMayExist: false } });
    expect(error.message).toMatch(/KLING_ACCESS_KEY and KLING_SECRET_KEY/);
    expect(emulator.counts.creates).toBe(0);
  });
});

describe('requests Kling cannot take are refused before any call', () => {
  it.each([
    ['a prompt of 2,501 characters', () => ({ prompt: 'p'.repeat(2501) }), /prompt: 2501 characters/],
    ['a seed', () => ({ seed: 42 }), /seed/],
    ['7 seconds', () => ({ durationSeconds: 7 }), /duration/],
    ['a 4:3 picture for a 16:9 shot', () => ({ referenceImagePath: picture4x3 }), /640x480 is not 16:9/],
  ] as const)('%s: invalid_request, no create', async (_label, extra: () => Partial<GenerationRequest>, why) => {
    const kling = await engine();
    const error = await failure(kling.submit(request(extra()), reference(), signal()));
    expect(error).toMatchObject({ kind: 'invalid_request', details: { jobMayExist: false } });
    expect(error.message).toMatch(why);
    expect(emulator.counts.creates).toBe(0);
  });
});

describe('faults', () => {
  it.each([1302, 1303] as const)('429 code %i: rate_limited with the Retry-After, no task', async (code) => {
    emulator.knobs.rateLimitCode = code;
    emulator.faults.set({ rateLimitCreates: 1, retryAfterSeconds: 3 });
    const ref = reference();
    const error = await failure((await engine()).submit(request(), ref, signal()));
    expect(error).toMatchObject({ kind: 'rate_limited', details: { providerCode: String(code), httpStatus: 429, retryAfterMs: 3000, jobMayExist: false } });
    expect(jobsWith(ref)).toHaveLength(0);
  });

  it('a burst of 5xx: unavailable each time, one call per try (no retries of its own)', async () => {
    emulator.faults.set({ serverErrors: 2, serverErrorStatus: 500 });
    const kling = await engine();
    for (let i = 0; i < 2; i++) {
      expect(await failure(kling.submit(request(), reference(), signal()))).toMatchObject({ kind: 'unavailable', details: { providerCode: '5000', jobMayExist: false } });
    }
    await kling.submit(request(), reference(), signal());
    expect(emulator.counts.creates).toBe(3);
  });

  it('down for maintenance: unavailable on create and poll', async () => {
    const kling = await engine();
    const submitted = await kling.submit(request(), reference(), signal());
    emulator.faults.set({ down: true });
    expect(await failure(kling.submit(request(), reference(), signal()))).toMatchObject({ kind: 'unavailable', details: { providerCode: '5001', httpStatus: 503 } });
    expect(await failure(kling.poll(submitted.jobId, signal()))).toMatchObject({ kind: 'unavailable' });
  });

  it('a poll that hangs: timeout', async () => {
    const kling = await engine({ timeoutsMs: { poll: 300 } });
    const submitted = await kling.submit(request(), reference(), signal());
    emulator.faults.set({ hangs: 1, hangRoutes: ['poll'] });
    expect(await failure(kling.poll(submitted.jobId, signal()))).toMatchObject({ kind: 'timeout' });
  });

  it.each(['hang', 'bad_gateway', 'reset'] as const)('a create answer lost (%s): the task may exist, there is exactly one, and findJob finds it by external_task_id', async (how) => {
    emulator.faults.set({ lostCreateAnswers: 1, lostCreateAnswerAs: how });
    const kling = await engine({ timeoutsMs: { submit: 500 } });
    const ref = reference();
    const asked = request();
    const submittedAfter = Date.now();
    const error = await failure(kling.submit(asked, ref, signal()));
    expect(error.kind).toBe(how === 'hang' ? 'timeout' : 'unavailable');
    expect(error.details.jobMayExist).toBe(true);
    const tasks = jobsWith(ref);
    expect(tasks).toHaveLength(1);
    expect(await kling.findJob({ clientReference: ref, request: asked, submittedAfter }, signal())).toEqual({ jobId: `text2video/${tasks[0]!.id}` });
    expect(emulator.counts.creates).toBe(1);
  });

  it('findJob for a reference Kling never saw: null (code 1203)', async () => {
    const kling = await engine();
    expect(await kling.findJob({ clientReference: reference(), request: request(), submittedAfter: Date.now() }, signal())).toBeNull();
    expect(emulator.counts.lookups).toBe(1);
  });

  it('JSON cut off mid-document: unavailable; for a create, the task may exist', async () => {
    const kling = await engine();
    emulator.faults.set({ malformedJson: 1 });
    const ref = reference();
    expect(await failure(kling.submit(request(), ref, signal()))).toMatchObject({ kind: 'unavailable', details: { jobMayExist: true } });
    expect(jobsWith(ref)).toHaveLength(1);
    emulator.faults.set({ malformedJson: 1 });
    expect(await failure(kling.poll(`text2video/${jobsWith(ref)[0]!.id}`, signal()))).toMatchObject({ kind: 'unavailable' });
  });

  it('content policy: the task fails with content_policy and bills nothing; a blocked prompt is refused at create (1301)', async () => {
    const kling = await engine();
    emulator.faults.set({ contentPolicy: 1 });
    const ref = reference();
    const submitted = await kling.submit(request(), ref, signal());
    const done = await finished(kling, submitted.jobId);
    expect(done).toMatchObject({ state: 'failed', error: { kind: 'content_policy' }, billed: { micros: 0 } });
    expect(emulator.invoicedFor(jobsWith(ref)[0]!)).toBe(0);

    emulator.knobs.blockedWords = ['forbidden'];
    const refused = await failure(kling.submit(request({ prompt: 'a forbidden scene' }), reference(), signal()));
    expect(refused).toMatchObject({ kind: 'content_policy', details: { providerCode: '1301', jobMayExist: false } });
  });

  it('resource pack used up (1102): quota_exhausted, no task', async () => {
    emulator.knobs.arrears = true;
    const ref = reference();
    expect(await failure((await engine()).submit(request(), ref, signal()))).toMatchObject({ kind: 'quota_exhausted', details: { providerCode: '1102', jobMayExist: false } });
    expect(jobsWith(ref)).toHaveLength(0);
  });

  describe('downloads', () => {
    async function finishedJob(kling: GuardedEngine) {
      const submitted = await kling.submit(request(), reference(), signal());
      const done = await finished(kling, submitted.jobId);
      if (done.state !== 'succeeded') throw new Error(`expected success, got ${done.state}`);
      return { jobId: submitted.jobId, output: done.output };
    }

    it('a slow download still arrives whole', async () => {
      const kling = await engine();
      const { jobId, output } = await finishedJob(kling);
      const size = (await stat(join(dir, 'clips', '5s-1280x720-24fps-silent.mp4'))).size;
      emulator.faults.set({ slowDownloadBytesPerSecond: Math.ceil(size / 0.6) });
      const started = Date.now();
      const clip = await kling.download(jobId, output, join(dir, 'out', 'slow.mp4'), signal());
      expect(Date.now() - started).toBeGreaterThanOrEqual(400);
      expect(clip.bytes).toBe(size);
    });

    it('a truncated download: unavailable, nothing at the destination', async () => {
      const kling = await engine();
      const { jobId, output } = await finishedJob(kling);
      emulator.faults.set({ truncatedDownloads: 1 });
      const folder = join(dir, 'out', 'truncated');
      expect(await failure(kling.download(jobId, output, join(folder, 'clip.mp4'), signal()))).toMatchObject({ kind: 'unavailable' });
      expect(existsSync(join(folder, 'clip.mp4'))).toBe(false);
      expect(await readdir(folder)).toEqual([]);
    });

    it('an expired link: expired_output; polling again gives a link that works', async () => {
      const kling = await engine();
      const { jobId, output } = await finishedJob(kling);
      emulator.faults.expireIssuedLinks();
      expect(await failure(kling.download(jobId, output, join(dir, 'out', 'expired.mp4'), signal()))).toMatchObject({ kind: 'expired_output' });
      const again = await kling.poll(jobId, signal());
      if (again.state !== 'succeeded') throw new Error('expected the job to stay succeeded');
      expect((await kling.download(jobId, again.output, join(dir, 'out', 'renewed.mp4'), signal())).bytes).toBeGreaterThan(0);
    });
  });
});
