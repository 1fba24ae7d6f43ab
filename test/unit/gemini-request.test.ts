/** Veo on the Gemini API: which shots it can take, and the generateVideos parameters a shot becomes. Pure. */
import { describe, expect, it } from 'vitest';
import type { GenerationRequest } from '../../src/main/engines/engine';
import { toGenerateVideosParameters, veoRequestProblems } from '../../src/main/engines/gemini/request';
import { generationRequest } from '../support/generation-request';

function shot(changes: Partial<GenerationRequest> = {}): GenerationRequest {
  return generationRequest({ prompt: 'a lighthouse at dawn, waves below', audio: true, ...changes });
}

describe('veoRequestProblems', () => {
  it('takes 4, 6 and 8 s at 720p in both aspects', () => {
    for (const durationSeconds of [4, 6, 8]) {
      for (const aspect of ['16:9', '9:16'] as const) expect(veoRequestProblems(shot({ durationSeconds, aspect }))).toEqual([]);
    }
  });

  it('needs 8 s at 1080p and 4k, and with a reference image', () => {
    expect(veoRequestProblems(shot({ resolution: '1080p', durationSeconds: 4 }))).toEqual(['duration: Veo makes 1080p clips at 8 s only, not 4 s']);
    expect(veoRequestProblems(shot({ resolution: '4k', durationSeconds: 6 }))).toEqual(['duration: Veo makes 4k clips at 8 s only, not 6 s']);
    expect(veoRequestProblems(shot({ referenceImagePath: '/tmp/ref.png', durationSeconds: 4 }))).toEqual([
      'duration: Veo makes clips from a reference image at 8 s only, not 4 s',
    ]);
    expect(veoRequestProblems(shot({ resolution: '1080p', referenceImagePath: '/tmp/ref.png', durationSeconds: 8 }))).toEqual([]);
  });

  it('names every field it cannot take: duration, resolution, aspect, seed', () => {
    expect(veoRequestProblems(shot({ durationSeconds: 5, resolution: '480p', aspect: '1:1', seed: 7 }))).toEqual([
      'resolution: Veo makes 720p, 1080p, 4k, not 480p',
      'aspect: Veo makes 16:9 or 9:16, not 1:1',
      'duration: Veo makes 4, 6, 8 s clips, not 5 s',
      'seed: Veo on the Gemini API takes no seed',
    ]);
  });
});

describe('toGenerateVideosParameters', () => {
  it('text-to-video: prompt in the source, one video, duration, aspect, resolution, negative prompt; no audio or seed fields', () => {
    const parameters = toGenerateVideosParameters({ model: 'veo-3.1-lite-generate-preview' }, shot({ aspect: '9:16', negativePrompt: 'text, watermarks' }));
    expect(parameters).toEqual({
      model: 'veo-3.1-lite-generate-preview',
      source: { prompt: 'a lighthouse at dawn, waves below' },
      config: { numberOfVideos: 1, durationSeconds: 4, aspectRatio: '9:16', resolution: '720p', negativePrompt: 'text, watermarks' },
    });
  });

  it('image-to-video: the image goes as base64 bytes with its media type', () => {
    const parameters = toGenerateVideosParameters(
      { model: 'veo-3.1-generate-preview' },
      shot({ referenceImagePath: '/tmp/ref.png', durationSeconds: 8, resolution: '1080p' }),
      { base64: 'iVBORw0KGgo=', mimeType: 'image/png' },
    );
    expect(parameters.source).toEqual({ prompt: 'a lighthouse at dawn, waves below', image: { imageBytes: 'iVBORw0KGgo=', mimeType: 'image/png' } });
    expect(parameters.config).toEqual({ numberOfVideos: 1, durationSeconds: 8, aspectRatio: '16:9', resolution: '1080p' });
  });
});
