/**
 * The Runway adapter, through the classification boundary, against the Runway emulator:
 * real @runwayml/sdk on the wire, real MP4s, every fault knob. What the pipeline makes of
 * them is in adapter-runway-pipeline.test.ts.
 */
import { testMedia } from '../support/test-media';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { frameSize, type EngineSpec } from '../../src/shared/domain';
import { EngineError } from '../../src/shared/errors';
import { guardEngine, type BoundaryOptions, type GuardedEngine, type GuardedPoll } from '../../src/main/engines/boundary';
import type { GenerationRequest } from '../../src/main/engines/engine';
import type { AdapterDeps } from '../../src/main/engines';
import { createRunwayEngine } from '../../src/main/engines/runway/adapter';
import { defaultSeedPath, loadSeedFile } from '../../src/main/registry';
import { RUNWAY_API_VERSION, RunwayEmulator, type RunwayEmulatorOptions } from '../emulators/runway/server';
import { bins, nastyTempDir, removeDir, sha256File } from './media-fixtures';

const KEY = 'rw-test-secret-0123456789abcdef';
const SPECS = new Map(loadSeedFile(defaultSeedPath()).engines.map((spec) => [spec.id, spec]));
const spec = (id: string): EngineSpec => SPECS.get(id)!;

let dir: string;
let referencePng: string;
const emulators: RunwayEmulator[] = [];
let emulatorCount = 0;
const clipDirectories = new Map<RunwayEmulator, string>();

beforeAll(async () => {
  dir = await nastyTempDir('runway adapter');
  referencePng = join(dir, 'kite.png');
  execFileSync(bins.ffmpeg, ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'color=c=orange:s=64x64', '-frames:v', '1', referencePng]);
});
afterEach(async () => {
  await Promise.all(emulators.splice(0).map((emulator) => emulator.close()));
});
afterAll(() => removeDir(dir));

async function startEmulator(options: Partial<RunwayEmulatorOptions> = {}): Promise<RunwayEmulator> {
  // A folder per emulator: a closed emulator's encode may still be finishing, and two caches must not write one file.
  const clipDirectory = join(dir, 'clips', String(emulatorCount++));
  const emulator = new RunwayEmulator({ clipDirectory, apiKey: KEY, timing: { minMs: 100, maxMs: 400, queuedShare: 0.3 }, ...options });
  clipDirectories.set(emulator, clipDirectory);
  emulators.push(emulator);
  await emulator.start();
  return emulator;
}

interface Setup {
  key?: () => string | undefined;
  logs?: string[];
  timeoutsMs?: BoundaryOptions['timeoutsMs'];
}

/** The adapter behind the boundary, pointed at `provider` (an emulator, or any loopback server) through RUNWAYML_BASE_URL. */
async function engineFor(provider: { url: string }, engineSpec: EngineSpec, setup: Setup = {}): Promise<GuardedEngine> {
  const key = setup.key ?? (() => KEY);
  const deps: AdapterDeps = {
    media: testMedia(),
    credentials: (providerId) => {
      const value = providerId === 'runway' ? key() : undefined;
      return value === undefined ? undefined : { RUNWAYML_API_SECRET: value };
    },
    workDir: () => join(dir, 'work'),
    env: { RUNWAYML_BASE_URL: provider.url },
    log: (line) => setup.logs?.push(line),
  };
  return guardEngine(await createRunwayEngine(engineSpec, deps), { secrets: () => [KEY], ...(setup.timeoutsMs ? { timeoutsMs: setup.timeoutsMs } : {}) });
}

function request(overrides: Partial<GenerationRequest> = {}): GenerationRequest {
  const resolution = overrides.resolution ?? '720p';
  const aspect = overrides.aspect ?? '16:9';
  return { shotId: 's01', kind: 'action', prompt: 'a red kite over a grey sea', durationSeconds: 2, resolution, aspect, ...frameSize(resolution, aspect), fps: 24, audio: false, characters: [], ...overrides };
}

const signal = () => new AbortController().signal;

async function thrown(promise: Promise<unknown>): Promise<EngineError> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(EngineError);
  expect((error as Error).message).not.toContain(KEY);
  return error as EngineError;
}

async function pollToEnd(engine: GuardedEngine, jobId: string): Promise<{ final: Extract<GuardedPoll, { state: 'succeeded' | 'failed' }>; seen: GuardedPoll[] }> {
  const seen: GuardedPoll[] = [];
  for (let i = 0; i < 200; i++) {
    const result = await engine.poll(jobId, signal());
    seen.push(result);
    if (result.state === 'succeeded' || result.state === 'failed') return { final: result, seen };
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`job ${jobId} did not finish`);
}

async function succeeded(engine: GuardedEngine, jobId: string) {
  const { final } = await pollToEnd(engine, jobId);
  if (final.state !== 'succeeded') throw final.error;
  return final;
}

describe('Runway adapter against the emulator', () => {
  it('text-to-video end to end: the body Runway gets, queued then running with progress, a playable MP4 billed in credits', async () => {
    const emulator = await startEmulator({ timing: { minMs: 700, maxMs: 700, queuedShare: 0.5 } });
    const engine = await engineFor(emulator, spec('runway-gen4.5'));
    expect(engine.canFindJob).toBe(false); // Runway keeps no client reference: a lost create stays unknown
    const submitted = await engine.submit(request({ seed: 42 }), 'ref-t2v', signal());
    expect(submitted.providerEstimate.micros).toBe(240_000); // 12 credits/s x 2 s
    const { final, seen } = await pollToEnd(engine, submitted.jobId);
    expect(seen[0]!.state).toBe('queued');
    const progress = seen.flatMap((poll) => (poll.state === 'running' && poll.progress !== undefined ? [poll.progress] : []));
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.every((p) => p >= 0 && p <= 1)).toBe(true);
    expect(final.state).toBe('succeeded');
    if (final.state !== 'succeeded') return;
    expect(final.billed.micros).toBe(240_000);
    expect(final.output.location.startsWith(`${emulator.url}/_cdn/`)).toBe(true);

    const target = join(dir, 't2v', 'clip.mp4');
    const clip = await engine.download(submitted.jobId, final.output, target, signal());
    expect(clip).toMatchObject({ path: target, sha256: await sha256File(target) });
    expect(clip.sha256).toBe(await sha256File(join(clipDirectories.get(emulator)!, '2s-1280x720-24fps-silent.mp4'))); // the bytes Runway served
    expect(await testMedia().probe(target)).toMatchObject({ width: 1280, height: 720, hasAudio: false });
    expect((await testMedia().probe(target)).durationSeconds).toBeCloseTo(2, 0);

    const [job] = emulator.jobs;
    expect(job!.request).toMatchObject({ route: 'text_to_video', model: 'gen4.5', ratio: '1280:720', durationSeconds: 2, seed: 42, promptText: 'a red kite over a grey sea' });
    expect(job!.request.keys.sort()).toEqual(['duration', 'model', 'promptText', 'ratio', 'seed']);
    expect(emulator.counts).toMatchObject({ creates: 1, unauthorized: 0 });
    expect(emulator.invoiceMicros).toBe(240_000);
  });

  it('image-to-video: the reference goes as a PNG data URI, portrait 720:1280 on gen4_turbo', async () => {
    const emulator = await startEmulator();
    const engine = await engineFor(emulator, spec('runway-gen4-turbo'));
    const submitted = await engine.submit(request({ aspect: '9:16', ...frameSize('720p', '9:16'), referenceImagePath: referencePng, seed: 7 }), 'ref-i2v', signal());
    const final = await succeeded(engine, submitted.jobId);
    expect(final.billed.micros).toBe(100_000); // 5 credits/s x 2 s
    const target = join(dir, 'i2v', 'clip.mp4');
    await engine.download(submitted.jobId, final.output, target, signal());
    expect(await testMedia().probe(target)).toMatchObject({ width: 720, height: 1280 });
    const { request: received } = emulator.jobs[0]!;
    expect(received).toMatchObject({ route: 'image_to_video', model: 'gen4_turbo', ratio: '720:1280', durationSeconds: 2, seed: 7 });
    expect(received.promptImage).toEqual([{ form: 'data_uri', mimeType: 'image/png', bytes: (await stat(referencePng)).size, position: 'first' }]);
  });

  it('Veo 3.1 Fast with audio: the flag, the negative prompt, the audio price and a clip with sound', async () => {
    const emulator = await startEmulator();
    const engine = await engineFor(emulator, spec('runway-veo3.1-fast'));
    const submitted = await engine.submit(request({ durationSeconds: 4, audio: true, negativePrompt: 'no text' }), 'ref-veo', signal());
    const final = await succeeded(engine, submitted.jobId);
    expect(final.billed.micros).toBe(600_000); // 15 credits/s x 4 s
    const target = join(dir, 'veo', 'clip.mp4');
    await engine.download(submitted.jobId, final.output, target, signal());
    expect(await testMedia().probe(target)).toMatchObject({ hasAudio: true, width: 1280 });
    expect(emulator.jobs[0]!.request).toMatchObject({ model: 'veo3.1_fast', audio: true, negativePrompt: 'no text', durationSeconds: 4 });
  });

  it('a task over the account concurrency reads THROTTLED at Runway and queued to the pipeline', async () => {
    const emulator = await startEmulator({ concurrency: 1, timing: { minMs: 600, maxMs: 600, queuedShare: 0.6 } });
    const engine = await engineFor(emulator, spec('runway-gen4.5'));
    await engine.submit(request({ prompt: 'first' }), 'ref-a', signal());
    const second = await engine.submit(request({ prompt: 'second' }), 'ref-b', signal());
    const raw = await fetch(`${emulator.url}/v1/tasks/${second.jobId}`, { headers: { authorization: `Bearer ${KEY}`, 'x-runway-version': RUNWAY_API_VERSION } });
    expect(((await raw.json()) as { status: string }).status).toBe('THROTTLED');
    expect((await engine.poll(second.jobId, signal())).state).toBe('queued');
  });
});

describe('Runway fault knobs → EngineError kinds', () => {
  it('429 → rate_limited with the Retry-After wait; no job was made', async () => {
    const emulator = await startEmulator();
    emulator.faults.set({ rateLimitCreates: 1, retryAfterSeconds: 3 });
    const error = await thrown((await engineFor(emulator, spec('runway-gen4.5'))).submit(request(), 'ref', signal()));
    expect(error).toMatchObject({ kind: 'rate_limited', details: { retryAfterMs: 3_000, jobMayExist: false, httpStatus: 429 } });
    expect(emulator.jobs).toHaveLength(0);
  });

  it('a burst of 5xx → unavailable each time, then it works; down → unavailable on every call', async () => {
    const emulator = await startEmulator();
    const engine = await engineFor(emulator, spec('runway-gen4.5'));
    emulator.faults.set({ serverErrors: 2, serverErrorStatus: 500 });
    for (let i = 0; i < 2; i++) expect(await thrown(engine.submit(request(), `ref-${i}`, signal()))).toMatchObject({ kind: 'unavailable', details: { httpStatus: 500 } });
    const submitted = await engine.submit(request(), 'ref-ok', signal());
    emulator.faults.set({ down: true });
    expect(await thrown(engine.submit(request(), 'ref-down', signal()))).toMatchObject({ kind: 'unavailable', details: { httpStatus: 503, jobMayExist: false } });
    expect((await thrown(engine.poll(submitted.jobId, signal()))).kind).toBe('unavailable');
    expect(emulator.jobs).toHaveLength(1);
  });

  it('a poll that hangs → timeout at the boundary; the next poll works', async () => {
    const emulator = await startEmulator();
    const engine = await engineFor(emulator, spec('runway-gen4.5'), { timeoutsMs: { poll: 300 } });
    const submitted = await engine.submit(request(), 'ref', signal());
    emulator.faults.set({ hangs: 1, hangRoutes: ['poll'] });
    expect((await thrown(engine.poll(submitted.jobId, signal()))).kind).toBe('timeout');
    await succeeded(engine, submitted.jobId);
  });

  it.each([
    ['hang', 'timeout'],
    ['bad_gateway', 'unavailable'],
    ['reset', 'unavailable'],
  ] as const)('a create whose answer is lost (%s) → %s, the job may exist, and exactly one job was made', async (how, kind) => {
    const emulator = await startEmulator();
    const engine = await engineFor(emulator, spec('runway-gen4.5'), { timeoutsMs: { submit: 400 } });
    emulator.faults.set({ lostCreateAnswers: 1, lostCreateAnswerAs: how });
    expect(await thrown(engine.submit(request(), 'ref', signal()))).toMatchObject({ kind, details: { jobMayExist: true } });
    await new Promise((resolve) => setTimeout(resolve, 100)); // nothing re-sent behind our back
    expect(emulator.counts.creates).toBe(1);
    expect(emulator.jobs).toHaveLength(1);
  });

  it('malformed JSON → unavailable (on a create the job may exist)', async () => {
    const emulator = await startEmulator();
    const engine = await engineFor(emulator, spec('runway-gen4.5'));
    emulator.faults.set({ malformedJson: 1 });
    expect(await thrown(engine.submit(request(), 'ref', signal()))).toMatchObject({ kind: 'unavailable', details: { jobMayExist: true } });
    expect(emulator.jobs).toHaveLength(1);
    emulator.faults.set({ malformedJson: 1 });
    expect((await thrown(engine.poll(emulator.jobs[0]!.id, signal()))).kind).toBe('unavailable');
  });

  it('content policy → a failed job of kind content_policy with the SAFETY code, billed nothing', async () => {
    const emulator = await startEmulator();
    const engine = await engineFor(emulator, spec('runway-gen4.5'));
    emulator.faults.set({ contentPolicy: 1 });
    const submitted = await engine.submit(request(), 'ref', signal());
    const { final } = await pollToEnd(engine, submitted.jobId);
    expect(final).toMatchObject({ state: 'failed', billed: { micros: 0 } });
    expect(final.state === 'failed' && final.error).toMatchObject({ kind: 'content_policy', details: { providerCode: 'SAFETY.INPUT.TEXT' } });
    expect(emulator.invoiceMicros).toBe(0);
  });

  it('downloads: a slow one still arrives whole; a cut-off one is unavailable and leaves nothing behind', async () => {
    const emulator = await startEmulator();
    const engine = await engineFor(emulator, spec('runway-gen4.5'));
    const submitted = await engine.submit(request(), 'ref', signal());
    const final = await succeeded(engine, submitted.jobId);
    const fast = await engine.download(submitted.jobId, final.output, join(dir, 'fast', 'clip.mp4'), signal());
    emulator.faults.set({ slowDownloadBytesPerSecond: fast.bytes * 2 });
    const started = Date.now();
    const slow = await engine.download(submitted.jobId, final.output, join(dir, 'slow', 'clip.mp4'), signal());
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(slow).toMatchObject({ sha256: fast.sha256, bytes: fast.bytes });
    emulator.faults.set({ slowDownloadBytesPerSecond: null, truncatedDownloads: 1 });
    const cutDir = join(dir, 'cut');
    await mkdir(cutDir, { recursive: true });
    expect((await thrown(engine.download(submitted.jobId, final.output, join(cutDir, 'clip.mp4'), signal()))).kind).toBe('unavailable');
    expect(await readdir(cutDir)).toEqual([]);
  });

  it('an expired link: the task is retrieved again for a fresh one; a task gone for good → expired_output', async () => {
    const emulator = await startEmulator();
    const logs: string[] = [];
    const engine = await engineFor(emulator, spec('runway-gen4.5'), { logs });
    const submitted = await engine.submit(request(), 'ref', signal());
    const final = await succeeded(engine, submitted.jobId);
    emulator.faults.expireIssuedLinks();
    const polls = emulator.counts.polls;
    const clip = await engine.download(submitted.jobId, final.output, join(dir, 'renewed', 'clip.mp4'), signal());
    expect(clip.sha256).toBe(await sha256File(clip.path));
    expect(emulator.counts.polls).toBe(polls + 1);
    expect(emulator.faults.fired.expired).toBeGreaterThan(0);
    expect(logs.join('\n')).toContain('had expired');

    emulator.faults.expireIssuedLinks();
    await fetch(`${emulator.url}/v1/tasks/${submitted.jobId}`, { method: 'DELETE', headers: { authorization: `Bearer ${KEY}`, 'x-runway-version': RUNWAY_API_VERSION } });
    const target = join(dir, 'gone', 'clip.mp4');
    expect((await thrown(engine.download(submitted.jobId, final.output, target, signal()))).kind).toBe('expired_output');
    expect(existsSync(target)).toBe(false);
  });

  it('a wrong key → auth; no key → auth before anything is sent; a key set later is used at once', async () => {
    const emulator = await startEmulator();
    let key: string | undefined = 'rw-wrong-key';
    const engine = await engineFor(emulator, spec('runway-gen4.5'), { key: () => key });
    expect(await thrown(engine.submit(request(), 'ref', signal()))).toMatchObject({ kind: 'auth', details: { jobMayExist: false, httpStatus: 401 } });
    expect(emulator.counts.unauthorized).toBe(1);
    key = undefined;
    const creates = emulator.counts.creates;
    expect(await thrown(engine.submit(request(), 'ref', signal()))).toMatchObject({ kind: 'auth', details: { jobMayExist: false } });
    expect(emulator.counts.creates).toBe(creates);
    key = KEY;
    await succeeded(engine, (await engine.submit(request(), 'ref', signal())).jobId);
  });

  it('the emulator holds the SDK to the protocol: no version header or a bad body is a 400 in Runway shape', async () => {
    const emulator = await startEmulator();
    const post = (body: unknown, headers: Record<string, string>) =>
      fetch(`${emulator.url}/v1/text_to_video`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}`, ...headers }, body: JSON.stringify(body) });
    const noVersion = await post({ model: 'gen4.5', promptText: 'x', ratio: '1280:720', duration: 2 }, {});
    expect(noVersion.status).toBe(400);
    expect(await noVersion.json()).toEqual({ error: expect.stringContaining('X-Runway-Version') });
    const badRatio = await post({ model: 'gen4.5', promptText: 'x', ratio: '960:960', duration: 11 }, { 'x-runway-version': RUNWAY_API_VERSION });
    expect(badRatio.status).toBe(400);
    const body = (await badRatio.json()) as { error: string; issues: unknown[] };
    expect(body.error).toMatch(/ratio: must be one of 1280:720, 720:1280.*duration: must be an integer from 2 to 10/);
    expect(emulator.jobs).toHaveLength(0);
  });
});

describe('requests Runway cannot take are refused before anything is sent', () => {
  it('gen4_turbo without a reference, an aspect the model lacks, a duration off its list → invalid_request at the boundary', async () => {
    const emulator = await startEmulator();
    const refusals = [
      (await engineFor(emulator, spec('runway-gen4-turbo'))).submit(request(), 'ref', signal()),
      (await engineFor(emulator, spec('runway-gen4.5'))).submit(request({ aspect: '1:1', ...frameSize('720p', '1:1') }), 'ref', signal()),
      (await engineFor(emulator, spec('runway-veo3.1'))).submit(request({ durationSeconds: 5 }), 'ref', signal()),
    ];
    for (const refusal of refusals) expect(await thrown(refusal)).toMatchObject({ kind: 'invalid_request', details: { jobMayExist: false } });
    expect(emulator.counts.creates).toBe(0);
  });

  it("the adapter's own check, where a registry entry promises more than Runway takes: named by field, nothing sent", async () => {
    const emulator = await startEmulator();
    const cases: [EngineSpec, Partial<GenerationRequest>, RegExp][] = [
      [{ ...spec('runway-gen4.5'), aspects: ['16:9', '9:16', '1:1'] }, { aspect: '1:1', ...frameSize('720p', '1:1') }, /aspect: Runway gen4\.5 text-to-video makes 16:9 \(1280:720\), 9:16 \(720:1280\) at 720p, not 1:1/],
      [{ ...spec('runway-gen4-turbo'), aspects: ['16:9', '4:3'] }, { aspect: '4:3', ...frameSize('720p', '4:3'), referenceImagePath: referencePng }, /frame: .* 1104x832 .* expects 960x720/],
      [{ ...spec('runway-veo3.1'), durations: { kind: 'range', min: 2, max: 10 } }, { durationSeconds: 5 }, /duration: Runway veo3\.1 makes 4, 6, 8 s, not 5 s/],
      [{ ...spec('runway-gen4-turbo'), modes: ['text', 'image'] }, {}, /reference: Runway gen4_turbo makes image-to-video only/],
      [{ ...spec('runway-gen4.5'), model: 'gen3a_turbo' }, {}, /model: "gen3a_turbo" is not a Runway model this adapter knows/],
    ];
    for (const [engineSpec, overrides, wording] of cases) {
      const error = await thrown((await engineFor(emulator, engineSpec)).submit(request(overrides), 'ref', signal()));
      expect(error).toMatchObject({ kind: 'invalid_request', details: { jobMayExist: false } });
      expect(error.message).toMatch(wording);
    }
    expect(emulator.counts.creates).toBe(0);
  });
});

describe('cancel and odd answers', () => {
  it('cancel stops a task still in progress (billed nothing) and leaves a finished one alone: a DELETE would delete its paid output', async () => {
    const slow = await startEmulator({ timing: { minMs: 5_000, maxMs: 5_000, queuedShare: 0.2 } });
    const slowEngine = await engineFor(slow, spec('runway-gen4.5'));
    const early = await slowEngine.submit(request({ prompt: 'stopped early' }), 'ref-a', signal());
    await slowEngine.cancel(early.jobId, signal());
    const stopped = await slowEngine.poll(early.jobId, signal());
    expect(stopped).toMatchObject({ state: 'failed', billed: { micros: 0 } });
    expect(stopped.state === 'failed' && stopped.error.kind).toBe('cancelled');
    expect(slow.counts.cancels).toBe(1);
    expect(slow.invoiceMicros).toBe(0);

    const emulator = await startEmulator();
    const engine = await engineFor(emulator, spec('runway-gen4.5'));
    const done = await engine.submit(request({ prompt: 'already done' }), 'ref-b', signal());
    await succeeded(engine, done.jobId);
    await engine.cancel(done.jobId, signal());
    expect(emulator.counts.cancels).toBe(0);
    expect((await engine.poll(done.jobId, signal())).state).toBe('succeeded');
    expect(emulator.invoiceMicros).toBe(240_000);
  });

  it('a status Runway does not document is logged and read as running', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: 'task-x', status: 'ARCHIVED', createdAt: new Date().toISOString() }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const logs: string[] = [];
      const engine = await engineFor({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }, spec('runway-gen4.5'), { logs });
      expect(await engine.poll('task-x', signal())).toEqual({ state: 'running' });
      expect(logs).toEqual([expect.stringMatching(/task-x reads status ARCHIVED, which Runway does not document/)]);
      expect(logs.join('')).not.toContain(KEY);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
