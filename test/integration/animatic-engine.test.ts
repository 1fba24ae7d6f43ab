import { testMedia } from '../support/test-media';
import { suiteMediaSettings } from '../support/test-media';
import type { GraphJob, MediaOps, OpOptions } from '../../src/main/media/backend/types';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineSpec } from '../../src/shared/domain';
import { EngineError } from '../../src/shared/errors';
import { createAnimaticEngine } from '../../src/main/engines/animatic';
import { JobStore, newJobId } from '../../src/main/engines/animatic/job-store';
import type { Engine, GenerationRequest, PollResult } from '../../src/main/engines/engine';
import { MediaPool } from '../../src/main/media/worker/pool';
import { bins, nastyTempDir, removeDir, sha256File } from './media-fixtures';

const spec: EngineSpec = {
  id: 'animatic',
  provider: 'animatic',
  model: 'animatic-1',
  displayName: 'Animatic (offline)',
  modes: ['text'],
  audio: 'optional',
  durations: { kind: 'range', min: 1, max: 20 },
  capabilities: { seed: true, negativePrompt: true, maxPromptChars: 4000 },
  resolutions: ['480p', '540p', '720p', '1080p'],
  aspects: ['16:9', '9:16', '1:1', '4:3', '3:4', '21:9'],
  pricing: [],
  speed: { baseSeconds: 0.2, secondsPerVideoSecond: 0.2 },
  quality: { establishing: 0.1, dialogue: 0.1, action: 0.1, closeup: 0.1, stylized: 0.1, insert: 0.1 },
  concurrency: 2,
  status: 'active',
  priceSource: 'free',
  pollIntervalMs: 250,
  previewOnly: true,
  enabled: true,
};

const NASTY_PROMPT =
  `She says "it's 100% done" \\ C:\\path: %{pts} %{eif:t:d} [a,b;c] \n second line 🎬👩‍👩‍👧 עברית مرحبا ` + 'long '.repeat(800);

const request = (overrides: Partial<GenerationRequest> = {}): GenerationRequest => ({
  shotId: 's01',
  kind: 'establishing',
  prompt: NASTY_PROMPT,
  durationSeconds: 2,
  resolution: '480p',
  aspect: '16:9',
  width: 320,
  height: 180,
  fps: 24,
  audio: true,
  characters: [],
  ...overrides,
});

const ctx = () => ({ signal: new AbortController().signal });
let workDir: string;
let pool: MediaPool;
let key = 0;
const nextKey = () => `attempt-${++key}-${Date.now()}`;

/** An engine whose card renders are counted (one media job each), whichever FFmpeg backend runs them. */
function engineWithLog(): { engine: Engine; commands: string[] } {
  const commands: string[] = [];
  const counting: MediaOps = Object.assign(Object.create(pool) as MediaPool, {
    runGraph: (job: GraphJob, options?: OpOptions) => {
      commands.push(job.output.path);
      return pool.runGraph(job, options);
    },
  });
  const engine = createAnimaticEngine(spec, { media: counting, workDir });
  return { engine, commands };
}

/** Polls until ffmpeg has reported some progress, so a child process is surely running. */
async function waitForProgress(engine: Engine, jobId: string): Promise<void> {
  for (;;) {
    const result = await engine.poll(jobId, ctx());
    if (result.state !== 'running') throw new Error(`expected a running job, got ${JSON.stringify(result)}`);
    if ((result.progress ?? 0) > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function waitFor(engine: Engine, jobId: string): Promise<PollResult> {
  for (;;) {
    const result = await engine.poll(jobId, ctx());
    if (result.state !== 'running' && result.state !== 'queued') return result;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

beforeAll(async () => {
  pool = new MediaPool({ settings: suiteMediaSettings(), size: 2 });
  workDir = path.join(await nastyTempDir('animatic'), `work "dir" it's ünï`);
});

afterAll(async () => {
  pool?.close();
  await removeDir(path.dirname(workDir));
});

describe('animatic engine', () => {
  it('renders a nasty prompt with audio at the requested duration, size and rate, and downloads it', async () => {
    const { engine } = engineWithLog();
    const { jobId, estimatedCostMicros } = await engine.submit(request(), { ...ctx(), clientReference: nextKey() });
    expect(jobId).toMatch(/^anim_[0-9a-f]{16}$/);
    expect(estimatedCostMicros).toBe(0);
    const result = await waitFor(engine, jobId);
    if (result.state !== 'succeeded') throw new Error(`expected success, got ${JSON.stringify(result)}`);
    expect(result.billedMicros).toBe(0);
    expect(result.output.durationSeconds).toBe(2);

    const probe = await testMedia().probe(result.output.location);
    expect(Math.abs(probe.durationSeconds - 2)).toBeLessThanOrEqual(0.05);
    expect(probe).toMatchObject({ width: 320, height: 180, fps: 24, hasAudio: true, audioCodec: 'aac', videoCodec: 'h264', pixelFormat: 'yuv420p' });

    const destination = path.join(workDir, 'downloads', 'shot "s01".mp4');
    const download = await engine.download(jobId, result.output, destination, ctx());
    expect(download).toEqual({ path: destination, sha256: await sha256File(result.output.location), bytes: (await stat(destination)).size });
    expect(download.bytes).toBeGreaterThan(1000);
  });

  it('leaves out the audio stream when audio was not requested', async () => {
    const { engine } = engineWithLog();
    const { jobId } = await engine.submit(request({ audio: false, kind: 'action', fps: 30, width: 180, height: 320 }), { ...ctx(), clientReference: nextKey() });
    const result = await waitFor(engine, jobId);
    if (result.state !== 'succeeded') throw new Error(`expected success, got ${JSON.stringify(result)}`);
    const probe = await testMedia().probe(result.output.location);
    expect(probe).toMatchObject({ width: 180, height: 320, fps: 30, hasAudio: false, audioCodec: null });
    expect(Math.abs(probe.durationSeconds - 2)).toBeLessThanOrEqual(0.05);
  });

  it('makes a second job for a re-sent submit, as a real provider does, and finds the latest by its client reference', async () => {
    const { engine, commands } = engineWithLog();
    const clientReference = nextKey();
    const a = await engine.submit(request({ audio: false }), { ...ctx(), clientReference });
    const b = await engine.submit(request({ audio: false }), { ...ctx(), clientReference });
    expect(b.jobId).not.toBe(a.jobId);
    expect((await waitFor(engine, a.jobId)).state).toBe('succeeded');
    expect((await waitFor(engine, b.jobId)).state).toBe('succeeded');
    expect(commands).toHaveLength(2);
    const lookup = { clientReference, request: request({ audio: false }), submittedAfter: 0 };
    expect(await engine.findJob!(lookup, ctx())).toEqual({ jobId: b.jobId });
    // A fresh engine (a new process) finds it too; an unknown reference finds nothing.
    expect(await engineWithLog().engine.findJob!(lookup, ctx())).toEqual({ jobId: b.jobId });
    expect(await engine.findJob!({ ...lookup, clientReference: nextKey() }, ctx())).toBeNull();
  });

  it('recovers a job whose process died mid-render: a new engine restarts it on poll', async () => {
    const jobId = newJobId();
    const store = new JobStore(path.join(workDir, 'jobs'));
    await store.saveRequest(jobId, request({ audio: false }));
    // The dead process's half-written clip, named with a pid that no longer exists.
    const dead = spawnSync('true').pid;
    const orphan = path.join(store.dir, `.${jobId}.${dead}-deadbeef.partial.mp4`);
    await writeFile(orphan, 'half a clip');

    const { engine, commands } = engineWithLog();
    const first = await engine.poll(jobId, ctx());
    expect(first.state).toBe('running');
    const result = await waitFor(engine, jobId);
    expect(result.state).toBe('succeeded');
    expect(commands).toHaveLength(1);
    expect(existsSync(orphan)).toBe(false);
    const probe = await testMedia().probe(store.clipPath(jobId));
    expect(Math.abs(probe.durationSeconds - 2)).toBeLessThanOrEqual(0.05);
  });

  it('cancels a render, leaves no clip, and a later process does not resurrect it', async () => {
    const { engine } = engineWithLog();
    const { jobId } = await engine.submit(request({ durationSeconds: 20, width: 1280, height: 720, audio: true }), { ...ctx(), clientReference: nextKey() });
    await waitForProgress(engine, jobId);
    await engine.cancel!(jobId, ctx());
    const result = await engine.poll(jobId, ctx());
    expect(result.state).toBe('failed');
    expect(result.state === 'failed' && (result.error as EngineError).kind).toBe('cancelled');
    const store = new JobStore(path.join(workDir, 'jobs'));
    expect(store.hasClip(jobId)).toBe(false);
    expect((await readdir(store.dir)).filter((name) => name.includes(jobId) && name.includes('.partial'))).toEqual([]);

    const later = engineWithLog();
    const again = await later.engine.poll(jobId, ctx());
    expect(again.state === 'failed' && (again.error as EngineError).kind).toBe('cancelled');
    expect(later.commands).toHaveLength(0);
  });

  it('does not record a media worker dying under the render as a failure, so the next process renders the job', async () => {
    const { engine } = engineWithLog();
    const { jobId } = await engine.submit(request({ durationSeconds: 20, width: 1280, height: 720 }), { ...ctx(), clientReference: nextKey() });
    await waitForProgress(engine, jobId);
    // The app closing its workers (or a crash) kills the worker that runs the job.
    for (const pid of pool.workerPids()) process.kill(pid, 'SIGKILL');
    const dying = await waitFor(engine, jobId);
    expect(dying.state === 'failed' && (dying.error as EngineError).kind).toBe('unavailable');
    expect(dying.state === 'failed' && (dying.error as EngineError).message).toContain('media worker');

    const next = engineWithLog();
    expect((await next.engine.poll(jobId, ctx())).state).toBe('running');
    await waitForProgress(next.engine, jobId);
    await next.engine.cancel!(jobId, ctx());
    expect(next.commands).toHaveLength(1);
  });

  it('answers unknown and forged job ids with expired_output', async () => {
    const { engine } = engineWithLog();
    for (const jobId of ['anim_0000000000000000', '../../etc/passwd', 'anim_../x']) {
      const result = await engine.poll(jobId, ctx());
      expect(result.state === 'failed' && (result.error as EngineError).kind).toBe('expired_output');
    }
    await expect(engine.download('anim_0000000000000000', { location: '/etc/passwd' }, path.join(workDir, 'x.mp4'), ctx())).rejects.toMatchObject({
      kind: 'expired_output',
    });
  });

  it('rejects a request it cannot render, naming the field', async () => {
    const { engine, commands } = engineWithLog();
    const error = await engine.submit(request({ width: 321, fps: 0 }), { ...ctx(), clientReference: nextKey() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EngineError);
    expect((error as EngineError).kind).toBe('invalid_request');
    expect((error as Error).message).toMatch(/width 321 must be an even whole number.*fps 0 must be between 1 and 120/);
    expect(commands).toHaveLength(0);
  });

  it('renders a 5 s 1280x720 24 fps card quickly', async () => {
    const { engine } = engineWithLog();
    const started = Date.now();
    const { jobId } = await engine.submit(request({ durationSeconds: 5, width: 1280, height: 720, resolution: '720p' }), { ...ctx(), clientReference: nextKey() });
    const result = await waitFor(engine, jobId);
    const elapsed = Date.now() - started;
    console.log(`animatic: 5 s 1280x720 24 fps card with audio rendered in ${elapsed} ms`);
    if (result.state !== 'succeeded') throw new Error(`expected success, got ${JSON.stringify(result)}`);
    const probe = await testMedia().probe(result.output.location);
    expect(probe).toMatchObject({ width: 1280, height: 720, fps: 24, hasAudio: true });
    expect(Math.abs(probe.durationSeconds - 5)).toBeLessThanOrEqual(0.05);
  });
});
