import { describe, expect, it } from 'vitest';
import { EngineError } from '../../src/shared/errors';
import type { GenerationRequest } from '../../src/main/engines/engine';
import { lumaCreateBody, lumaRequestProblems } from '../../src/main/engines/luma/create-body';
import { generationRequest } from '../support/generation-request';

const SPEC = { id: 'luma-ray-2', model: 'ray-2' };

function request(changes: Partial<GenerationRequest> = {}): GenerationRequest {
  return generationRequest({ shotId: 's01', prompt: 'A lighthouse at dusk, waves breaking', durationSeconds: 5, ...changes });
}

function refusal(changes: Partial<GenerationRequest>): EngineError {
  try {
    lumaCreateBody(SPEC, request(changes));
  } catch (error) {
    return error as EngineError;
  }
  throw new Error('expected a refusal');
}

describe('Luma create body', () => {
  it('says duration as the string Luma takes, with the aspect ratio and resolution as asked', () => {
    expect(lumaCreateBody(SPEC, request())).toEqual({
      model: 'ray-2',
      prompt: 'A lighthouse at dusk, waves breaking',
      aspect_ratio: '16:9',
      resolution: '720p',
      duration: '5s',
    });
    expect(lumaCreateBody({ id: 'luma-ray-flash-2', model: 'ray-flash-2' }, request({ durationSeconds: 9, resolution: '4k', aspect: '9:16' }))).toMatchObject({
      model: 'ray-flash-2',
      duration: '9s',
      resolution: '4k',
      aspect_ratio: '9:16',
    });
  });

  it('sends neither seed, negative prompt, audio nor keyframes: it refuses them, naming each field', () => {
    const error = refusal({ seed: 7, negativePrompt: 'no people', audio: true });
    expect(error).toBeInstanceOf(EngineError);
    expect(error.kind).toBe('invalid_request');
    expect(error.details.jobMayExist).toBe(false);
    expect(error.message).toContain('seed: Luma takes no seed');
    expect(error.message).toContain('negative: Luma takes no negative prompt');
    expect(error.message).toContain('audio: Luma makes silent clips only');
  });

  it('refuses a local reference image rather than sending it in a form Luma is not documented to take', () => {
    const error = refusal({ referenceImagePath: '/tmp/frame.png' });
    expect(error.kind).toBe('invalid_request');
    expect(error.message).toMatch(/reference: .*public image URL/);
  });

  it('refuses durations and resolutions Luma does not make', () => {
    expect(lumaRequestProblems(request({ durationSeconds: 6 }))).toEqual(['duration: Luma makes 5 s or 9 s, not 6 s']);
    expect(lumaRequestProblems(request({ durationSeconds: 5.5 }))).toHaveLength(1);
    expect(lumaRequestProblems(request({ resolution: '480p' }))).toEqual(['resolution: Luma makes 540p, 720p, 1080p, 4k, not 480p']);
    expect(lumaRequestProblems(request({ prompt: '   ' }))).toEqual(['prompt: empty']);
    expect(lumaRequestProblems(request())).toEqual([]);
  });
});
