/**
 * ComfyUI through the whole pipeline: a real studio (shipped registry and workflow,
 * router, real adapters, gate, stitcher, ledger) whose ComfyUI is the emulator. ComfyUI
 * is the user's own box: every render charges 0.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { StoryboardInput } from '../../src/shared/storyboard';
import { ComfyUIEmulator, comfyuiEnv } from '../emulators/comfyui/server';
import { EmulatorStudio } from '../support/emulator-studio';
import { nastyTempDir, removeDir } from './media-fixtures';

describe('ComfyUI through the pipeline', () => {
  let dir: string;
  let comfy: ComfyUIEmulator;
  let studio: EmulatorStudio;

  beforeAll(async () => {
    dir = await nastyTempDir('comfyui pipeline');
    comfy = new ComfyUIEmulator({ clipDirectory: join(dir, 'clips'), timing: { minMs: 100, maxMs: 250 } });
    await comfy.start();
    studio = await new EmulatorStudio({ env: comfyuiEnv(comfy), pollIntervalMs: 50 }).open();
    // No registry edit: COMFYUI_URL alone makes the engine configured and routable.
    studio.services.registry.setChain('comfy-then-animatic', ['comfyui-local', 'animatic']);
  });
  afterAll(async () => {
    await studio?.close();
    await comfy?.close();
    await removeDir(dir);
  });
  beforeEach(() => {
    comfy.faults.reset();
    comfy.outOfMemoryPrompts = 0;
  });

  const board = (title: string, prompt: string, routing: { engine?: string; chain?: string }): StoryboardInput => ({
    title,
    mode: 'final',
    output: { resolution: '720p', aspect: '16:9', fps: 24 },
    shots: [{ id: 's1', kind: 'establishing', prompt, negative: 'blurry', seed: 1234, duration: 1, ...routing }],
  });

  it('renders a ComfyUI shot end to end and charges nothing', async () => {
    const prompt = 'A lighthouse keeper says "ready?" at dawn';
    const report = await studio.render(board('ComfyUI end to end', prompt, { engine: 'comfyui-local' }));
    expect(report.status).toBe('completed');
    expect(report.shots[0]).toMatchObject({ engineId: 'comfyui-local', status: 'accepted', costMicros: 0 });
    expect(existsSync(report.outputPath!)).toBe(true);
    const job = comfy.jobs.find((candidate) => candidate.request.prompt === prompt)!;
    expect(job.request.graph['3']!.inputs.seed).toBe(1234);
    expect(job.request.graph['7']!.inputs.text).toBe('blurry');
    expect(report.shots[0]!.attempts[0]!.providerJobId).toBe(job.id);
    expect(studio.chargedMicros(report.episodeId)).toBe(0);
    expect(studio.heldMicros()).toBe(0);
  });

  it('falls back to the animatic when the GPU runs out of memory, with the reason in the report', async () => {
    comfy.outOfMemoryPrompts = 10;
    const report = await studio.render(board('Out of memory', 'A storm over the harbour', { chain: 'comfy-then-animatic' }));
    expect(report.status).toBe('completed');
    expect(report.shots[0]!.engineId).toBe('animatic');
    const failed = report.shots[0]!.attempts.filter((attempt) => attempt.engineId === 'comfyui-local');
    expect(failed.length).toBeGreaterThan(0);
    for (const attempt of failed) {
      expect(attempt).toMatchObject({ status: 'failed', errorKind: 'unavailable', costMicros: 0 });
      expect(attempt.reason).toContain('CUDA out of memory');
    }
    expect(comfy.fired.outOfMemory).toBe(failed.length);
    expect(studio.chargedMicros(report.episodeId)).toBe(0);
  });
});
