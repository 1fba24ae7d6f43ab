/** Shots to /v1/videos create fields: sizes, seconds as strings, and the fields the protocol lacks. */
import { describe, expect, it } from 'vitest';
import { frameSize, type Aspect, type Resolution } from '../../src/shared/domain';
import { EngineError } from '../../src/shared/errors';
import type { GenerationRequest } from '../../src/main/engines/engine';
import { createFieldProblems, videoCreateFields, videoSecondsFor, videoSizeFor } from '../../src/main/engines/openai/create-fields';

const spec = { id: 'my-video', model: 'acme-video-1' };

function shot(overrides: Partial<GenerationRequest> = {}): GenerationRequest {
  const resolution: Resolution = overrides.resolution ?? '720p';
  const aspect: Aspect = overrides.aspect ?? '16:9';
  return { shotId: 's1', kind: 'action', prompt: 'a fox at dawn', durationSeconds: 4, resolution, aspect, ...frameSize(resolution, aspect), fps: 24, audio: true, characters: [], ...overrides };
}

describe('size and seconds', () => {
  it('720p 16:9 and 9:16 are the two sizes a shot can ask for; everything else has none', () => {
    expect(videoSizeFor('720p', '16:9')).toBe('1280x720');
    expect(videoSizeFor('720p', '9:16')).toBe('720x1280');
    expect(videoSizeFor('1080p', '16:9')).toBeNull();
    expect(videoSizeFor('720p', '1:1')).toBeNull();
  });

  it('seconds are the strings 4, 8 and 12', () => {
    expect([4, 8, 12].map(videoSecondsFor)).toEqual(['4', '8', '12']);
    expect([5, 6, 10, 4.5, 0].map(videoSecondsFor)).toEqual([null, null, null, null, null]);
  });
});

describe('videoCreateFields', () => {
  it('maps a shot to model, prompt, seconds and size, nothing else', () => {
    expect(videoCreateFields(spec, shot({ durationSeconds: 8, aspect: '9:16', width: 720, height: 1280 }))).toEqual({
      model: 'acme-video-1',
      prompt: 'a fox at dawn',
      seconds: '8',
      size: '720x1280',
    });
  });

  it('refuses, naming each field, what the protocol cannot take', () => {
    const problems = createFieldProblems(shot({ durationSeconds: 5, seed: 7, negativePrompt: 'rain', resolution: '1080p', width: 1920, height: 1080 }));
    expect(problems).toEqual([
      'size: the /v1/videos protocol has no size for 1080p 16:9 (offers 720p 16:9, 720p 9:16)',
      'seconds: 5 s is not one of 4, 8, 12 s',
      'seed: the /v1/videos protocol takes no seed',
      'negativePrompt: the /v1/videos protocol takes no negative prompt',
    ]);
  });

  it('refuses a frame that is not the size the resolution and aspect name', () => {
    expect(createFieldProblems(shot({ width: 1024, height: 576 }))).toEqual(['size: 720p 16:9 is 1280x720 on this protocol, but the shot asks for 1024x576']);
  });

  it('throws invalid_request saying nothing was sent', () => {
    const error = (() => {
      try {
        videoCreateFields(spec, shot({ aspect: '21:9' }));
      } catch (thrown) {
        return thrown;
      }
    })();
    expect(error).toBeInstanceOf(EngineError);
    expect(error).toMatchObject({ kind: 'invalid_request', details: { jobMayExist: false } });
    expect((error as Error).message).toMatch(/^my-video cannot take shot s1: size: .*21:9/);
  });
});
