/**
 * The ComfyUI adapter against the emulated ComfyUI (test/emulators/comfyui), always
 * through the classification boundary, as the pipeline calls it.
 */
import { testMedia } from '../support/test-media';
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EngineSpec } from '../../src/shared/domain';
import { EngineError } from '../../src/shared/errors';
import { guardEngine, type BoundaryOptions, type GuardedEngine, type GuardedPoll } from '../../src/main/engines/boundary';
import { createComfyUIEngine } from '../../src/main/engines/comfyui/adapter';
import type { GenerationRequest } from '../../src/main/engines/engine';
import { defaultSeedPath, loadSeedFile } from '../../src/main/registry';
import { ComfyUIEmulator, comfyuiEnv } from '../emulators/comfyui/server';
import type { JobTiming } from '../emulators/common/job-book';
import { nastyTempDir, removeDir, sha256File } from './media-fixtures';

const RESOURCES = join(defaultSeedPath(), '..');
const SHIPPED = loadSeedFile(defaultSeedPath()).engines.find((engine) => engine.id === 'comfyui-local')!;
const REFERENCE = join(RESOURCES, 'examples', 'refs', 'harbour.png');

let dir: string;
let emulator: ComfyUIEmulator;
beforeAll(async () => {
  dir = await nastyTempDir('comfyui adapter');
});
afterEach(async () => {
  await emulator?.close();
});
afterAll(async () => {
  await removeDir(dir);
});

async function startEmulator(timing: Partial<JobTiming> = { minMs: 150, maxMs: 300, queuedShare: 0.2 }): Promise<ComfyUIEmulator> {
  emulator = new ComfyUIEmulator({ clipDirectory: join(dir, 'clips'), timing });
  await emulator.start();
  return emulator;
}

async function engineFor(spec: EngineSpec = SHIPPED, boundary: BoundaryOptions = {}, env: NodeJS.ProcessEnv = comfyuiEnv(emulator)): Promise<GuardedEngine> {
  const engine = await createComfyUIEngine(spec, { media: testMedia(), credentials: () => undefined, workDir: () => join(dir, 'work'), env });
  return guardEngine(engine, boundary);
}

function shot(overrides: Partial<GenerationRequest> = {}): GenerationRequest {
  return { shotId: 's1', kind: 'establishing', prompt: 'A lighthouse in fog', durationSeconds: 1, resolution: '720p', aspect: '16:9', width: 1280, height: 720, fps: 24, audio: false, characters: [], ...overrides };
}

/** The user's Cancel, never pressed here: the boundary's own per-call timeouts end every call (a timer here could fire first on a loaded machine and read as a cancel). */
const signal = () => new AbortController().signal;
let references = 0;
const reference = () => `attempt-${++references}`;

async function untilDone(engine: GuardedEngine, jobId: string): Promise<Extract<GuardedPoll, { state: 'succeeded' | 'failed' }>> {
  for (;;) {
    const result = await engine.poll(jobId, signal());
    if (result.state === 'succeeded' || result.state === 'failed') return result;
    await new Promise((resolve) => setTimeout(resolve, 40));
  }
}

async function refusal(work: Promise<unknown>): Promise<EngineError> {
  const error = await work.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(EngineError);
  return error as EngineError;
}

async function templateFile(name: string, edit: (graph: Record<string, { class_type: string; inputs: Record<string, unknown> }>) => void): Promise<string> {
  const graph = JSON.parse(await readFile(join(RESOURCES, 'comfyui', 'text-to-video.json'), 'utf8'));
  edit(graph);
  const file = join(dir, name);
  await writeFile(file, JSON.stringify(graph));
  return file;
}

describe('ComfyUI adapter: renders', () => {
  it('makes text-to-video with the shipped workflow, filled with values of the right JSON types', async () => {
    await startEmulator();
    const engine = await engineFor();
    const ref = reference();
    const { jobId, providerEstimate } = await engine.submit(shot({ seed: 4242, negativePrompt: 'blurry, text' }), ref, signal());
    expect(providerEstimate.micros).toBe(0);
    const done = await untilDone(engine, jobId);
    expect(done).toMatchObject({ state: 'succeeded', billed: { micros: 0 } });
    const destination = join(dir, 'out', 'text "clip" ü.mp4');
    const saved = await engine.download(jobId, (done as Extract<GuardedPoll, { state: 'succeeded' }>).output, destination, signal());
    expect(saved.sha256).toBe(await sha256File(destination));
    expect(await testMedia().probe(destination)).toMatchObject({ width: 1280, height: 720, videoCodec: 'h264' });

    const [job] = emulator.jobs;
    const graph = job!.request.graph;
    expect(graph['6']!.inputs.text).toBe('A lighthouse in fog');
    expect(graph['7']!.inputs.text).toBe('blurry, text');
    expect(graph['3']!.inputs.seed).toBe(4242);
    expect(graph['55']!.inputs).toEqual({ vae: ['39', 0], width: 1280, height: 720, length: 25, batch_size: 1 });
    expect(graph['57']!.inputs.fps).toBe(24);
    expect(graph['56']).toBeUndefined();
    expect(job!.request.extraData).toMatchObject({ shotline_client_reference: ref });
    expect(emulator.invoiceMicros).toBe(0);
  });

  it('makes image-to-video: the image is uploaded under a new name and LoadImage names it', async () => {
    await startEmulator();
    const engine = await engineFor();
    const { jobId } = await engine.submit(shot({ referenceImagePath: REFERENCE }), reference(), signal());
    const done = await untilDone(engine, jobId);
    expect(done.state).toBe('succeeded');
    const image = emulator.jobs[0]!.request.graph['56']!.inputs.image as string;
    expect(image).toMatch(/^shotline-attempt-\d+-[0-9a-f]{8}\.png$/);
    expect(emulator.inputFiles.get(image)).toEqual(await readFile(REFERENCE));
    expect(emulator.jobs[0]!.request.graph['55']!.inputs.start_image).toEqual(['56', 0]);
    expect(typeof emulator.jobs[0]!.request.graph['3']!.inputs.seed).toBe('number');
  });

  it('delivers a hostile prompt byte for byte', async () => {
    await startEmulator();
    const engine = await engineFor();
    const prompt = 'She says "it\'s {{seed}}" \\ C:\\path\\n\nnew line\ttab — ünïcödé 🎬 }}{{negative}} </script>';
    const negative = 'no "quotes" \\ or {{prompt}}';
    const { jobId } = await engine.submit(shot({ prompt, negativePrompt: negative }), reference(), signal());
    expect(emulator.jobs[0]!.request.graph['6']!.inputs.text).toBe(prompt);
    expect(emulator.jobs[0]!.request.graph['7']!.inputs.text).toBe(negative);
    expect(emulator.jobs[0]!.request.prompt).toBe(prompt);
    expect((await untilDone(engine, jobId)).state).toBe('succeeded');
  });

  it('works the same under /api, where ComfyUI serves every route too', async () => {
    await startEmulator();
    const engine = await engineFor(SHIPPED, {}, { COMFYUI_URL: `${emulator.url}/api/` });
    const { jobId } = await engine.submit(shot({ referenceImagePath: REFERENCE }), reference(), signal());
    const done = await untilDone(engine, jobId);
    if (done.state !== 'succeeded') throw new Error(done.error.message);
    expect(done.output.location.startsWith(`${emulator.url}/api/view?`)).toBe(true);
    expect((await engine.download(jobId, done.output, join(dir, 'api', 'clip.mp4'), signal())).bytes).toBeGreaterThan(0);
  });
});

describe('ComfyUI adapter: faults', () => {
  it('reads a burst of 5xx and a server that is down as unavailable', async () => {
    await startEmulator();
    const engine = await engineFor();
    emulator.faults.set({ serverErrors: 2, serverErrorStatus: 500 });
    expect(await refusal(engine.submit(shot(), reference(), signal()))).toMatchObject({ kind: 'unavailable', details: { jobMayExist: false, httpStatus: 500 } });
    expect((await refusal(engine.poll('whatever', signal()))).kind).toBe('unavailable');
    emulator.faults.set({ down: true });
    expect(await refusal(engine.submit(shot(), reference(), signal()))).toMatchObject({ kind: 'unavailable', details: { httpStatus: 503 } });
    expect(emulator.jobs).toHaveLength(0);
  });

  it('times out a poll that is never answered', async () => {
    await startEmulator();
    const engine = await engineFor(SHIPPED, { timeoutsMs: { poll: 300 } });
    const { jobId } = await engine.submit(shot(), reference(), signal());
    emulator.faults.set({ hangs: 1, hangRoutes: ['poll'] });
    expect((await refusal(engine.poll(jobId, signal()))).kind).toBe('timeout');
  });

  it.each(['hang', 'bad_gateway', 'reset'] as const)('finds the one prompt a create whose answer was lost (%s) queued', async (how) => {
    await startEmulator();
    const engine = await engineFor(SHIPPED, { timeoutsMs: { submit: 500 } });
    emulator.faults.set({ lostCreateAnswers: 1, lostCreateAnswerAs: how });
    const ref = reference();
    const submittedAfter = Date.now();
    const lost = await refusal(engine.submit(shot(), ref, signal()));
    expect(lost.details.jobMayExist).toBe(true);
    expect(emulator.jobs).toHaveLength(1);
    const found = await engine.findJob({ clientReference: ref, request: shot(), submittedAfter }, signal());
    expect(found).toEqual({ jobId: emulator.jobs[0]!.id });
    expect(await engine.findJob({ clientReference: 'never-sent', request: shot(), submittedAfter }, signal())).toBeNull();
    // Found again once it has run and moved to the history.
    await untilDone(engine, found!.jobId);
    expect(await engine.findJob({ clientReference: ref, request: shot(), submittedAfter }, signal())).toEqual(found);
  });

  it('reads a cut-off JSON answer as unavailable', async () => {
    await startEmulator();
    const engine = await engineFor();
    emulator.faults.set({ malformedJson: 1 });
    expect(await refusal(engine.submit(shot(), reference(), signal()))).toMatchObject({ kind: 'unavailable', details: { jobMayExist: true } });
    emulator.faults.set({ malformedJson: 1 });
    expect((await refusal(engine.poll(emulator.jobs[0]!.id, signal()))).kind).toBe('unavailable');
  });

  it('reads an out-of-memory execution error as unavailable, billed nothing', async () => {
    await startEmulator();
    const engine = await engineFor();
    emulator.outOfMemoryPrompts = 1;
    const { jobId } = await engine.submit(shot(), reference(), signal());
    const done = await untilDone(engine, jobId);
    expect(done.state).toBe('failed');
    const { error, billed } = done as Extract<GuardedPoll, { state: 'failed' }>;
    expect(error.kind).toBe('unavailable');
    expect(error.message).toContain('CUDA out of memory');
    expect(error.message).toContain('node 3 (KSampler)');
    expect(billed.micros).toBe(0);
  });

  it('reads a workflow ComfyUI refuses (400 node_errors) as invalid_request naming the node', async () => {
    await startEmulator();
    const workflow = await templateFile('steps-as-text.json', (graph) => {
      graph['3']!.inputs.steps = 'twenty';
    });
    const engine = await engineFor({ ...SHIPPED, workflow });
    const error = await refusal(engine.submit(shot(), reference(), signal()));
    expect(error).toMatchObject({ kind: 'invalid_request', details: { jobMayExist: false, httpStatus: 400, providerCode: 'prompt_outputs_failed_validation' } });
    expect(error.message).toContain('node 3 (KSampler): Failed to convert an input value to a INT value: steps');
    expect(emulator.jobs).toHaveLength(0);
  });
});

describe('ComfyUI adapter: downloads', () => {
  async function finishedJob(engine: GuardedEngine) {
    const { jobId } = await engine.submit(shot(), reference(), signal());
    const done = await untilDone(engine, jobId);
    if (done.state !== 'succeeded') throw new Error(`job ${jobId} failed: ${done.error.message}`);
    return { jobId, output: done.output };
  }

  it('waits out a slow download', async () => {
    await startEmulator();
    const engine = await engineFor();
    const { jobId, output } = await finishedJob(engine);
    emulator.faults.set({ slowDownloadBytesPerSecond: 2_000_000 });
    const saved = await engine.download(jobId, output, join(dir, 'slow', 'clip.mp4'), signal());
    expect(saved.bytes).toBeGreaterThan(0);
    expect(saved.sha256).toBe(await sha256File(join(dir, 'slow', 'clip.mp4')));
  });

  it('refuses a cut-off download and leaves nothing at the destination', async () => {
    await startEmulator();
    const engine = await engineFor();
    const { jobId, output } = await finishedJob(engine);
    emulator.faults.set({ truncatedDownloads: 1 });
    const destination = join(dir, 'cut', 'clip.mp4');
    expect((await refusal(engine.download(jobId, output, destination, signal()))).kind).toBe('unavailable');
    expect(existsSync(destination)).toBe(false);
    expect(await readdir(join(dir, 'cut'))).toEqual([]);
  });

  it('reads a file deleted from the output folder as expired_output', async () => {
    await startEmulator();
    const engine = await engineFor();
    const { jobId, output } = await finishedJob(engine);
    emulator.faults.expireIssuedLinks();
    expect((await refusal(engine.download(jobId, output, join(dir, 'gone.mp4'), signal()))).kind).toBe('expired_output');
  });
});

describe('ComfyUI adapter: cancel', () => {
  it('deletes a pending prompt from the queue without interrupting the one running, then interrupts its own', async () => {
    await startEmulator({ minMs: 3000, maxMs: 3000, queuedShare: 0 });
    const engine = await engineFor();
    const first = await engine.submit(shot({ prompt: 'first' }), reference(), signal());
    const second = await engine.submit(shot({ prompt: 'second' }), reference(), signal());
    expect(await engine.poll(first.jobId, signal())).toMatchObject({ state: 'running' });
    expect(await engine.poll(second.jobId, signal())).toMatchObject({ state: 'queued' });

    await engine.cancel(second.jobId, signal());
    expect(emulator.fired).toMatchObject({ queueDeletes: 1, interrupts: 0 });
    expect(await engine.poll(second.jobId, signal())).toMatchObject({ state: 'failed', error: { kind: 'cancelled' } });
    expect(await engine.poll(first.jobId, signal())).toMatchObject({ state: 'running' });

    await engine.cancel(first.jobId, signal());
    expect(emulator.fired).toMatchObject({ queueDeletes: 1, interrupts: 1 });
    expect(await engine.poll(first.jobId, signal())).toMatchObject({ state: 'failed', error: { kind: 'cancelled' } });
    // A prompt that has ended is left alone.
    await engine.cancel(first.jobId, signal());
    expect(emulator.fired.interrupts).toBe(1);
  });
});

describe('ComfyUI adapter: workflow problems cost nothing', () => {
  it('refuses an image shot when the workflow has no reference-image placeholder, before any call', async () => {
    await startEmulator();
    const workflow = await templateFile('text-only.json', (graph) => {
      delete graph['56'];
      delete graph['55']!.inputs.start_image;
    });
    const engine = await engineFor({ ...SHIPPED, workflow });
    const error = await refusal(engine.submit(shot({ referenceImagePath: REFERENCE }), reference(), signal()));
    expect(error).toMatchObject({ kind: 'invalid_request', details: { jobMayExist: false } });
    expect(error.message).toContain('{{reference_image}}');
    expect(emulator.counts.creates).toBe(0);
    expect(emulator.extraCounts.uploads).toBe(0);
    // The same workflow makes text-to-video.
    expect((await untilDone(engine, (await engine.submit(shot(), reference(), signal())).jobId)).state).toBe('succeeded');
  });

  it('refuses a broken workflow file, naming it', async () => {
    await startEmulator();
    const broken = join(dir, 'broken workflow.json');
    await writeFile(broken, '{"3": {"class_type": "KSampler", "inputs": ');
    const error = await refusal((await engineFor({ ...SHIPPED, workflow: broken })).submit(shot(), reference(), signal()));
    expect(error).toMatchObject({ kind: 'invalid_request', details: { jobMayExist: false } });
    expect(error.message).toContain(`ComfyUI workflow ${broken}: not valid JSON`);
    const missing = await refusal((await engineFor({ ...SHIPPED, workflow: join(dir, 'nowhere.json') })).submit(shot(), reference(), signal()));
    expect(missing.message).toContain(`${join(dir, 'nowhere.json')} cannot be read (ENOENT)`);
    expect(emulator.counts.creates).toBe(0);
  });
});
