/**
 * The Runway adapter's request mapping, pure: every field Runway takes, every reason it
 * would refuse a request (named by field), and that everything the shipped registry lets
 * the router ask of a Runway engine maps to a body the emulator (written independently
 * from the SDK types) accepts.
 */
import { describe, expect, it } from 'vitest';
import { frameSize, type Aspect, type Resolution } from '../../src/shared/domain';
import type { GenerationRequest } from '../../src/main/engines/engine';
import { RUNWAY_MODELS, rulesForModel } from '../../src/main/engines/runway/models';
import { mapRunwayRequest, promptImageProblem } from '../../src/main/engines/runway/request-mapping';
import { defaultSeedPath, loadSeedFile } from '../../src/main/registry';
import { readCreateBody } from '../emulators/runway/request-body';
import { generationRequest } from '../support/generation-request';

function request(overrides: Partial<GenerationRequest> = {}): GenerationRequest {
  return generationRequest({ shotId: 's01', kind: 'action', prompt: 'a red kite over a grey sea', durationSeconds: 2, ...overrides });
}

const rules = (model: string) => rulesForModel(model)!;
const problemsOf = (model: string, overrides: Partial<GenerationRequest>) => {
  const mapping = mapRunwayRequest(rules(model), request(overrides));
  return mapping.ok ? [] : mapping.problems;
};

describe('mapRunwayRequest', () => {
  it('gen4.5 text-to-video: model, prompt, pixel ratio, duration and seed; no audio key on a silent model', () => {
    const mapping = mapRunwayRequest(rules('gen4.5'), request({ seed: 42 }));
    expect(mapping).toEqual({
      ok: true,
      task: { route: 'text_to_video', ratio: '1280:720', body: { model: 'gen4.5', promptText: 'a red kite over a grey sea', ratio: '1280:720', duration: 2, seed: 42 } },
    });
  });

  it('image-to-video when the shot has a reference; portrait is 720:1280', () => {
    const mapping = mapRunwayRequest(rules('gen4_turbo'), request({ aspect: '9:16', ...frameSize('720p', '9:16'), referenceImagePath: '/refs/kite.png', durationSeconds: 5 }));
    expect(mapping.ok && mapping.task).toMatchObject({ route: 'image_to_video', ratio: '720:1280', body: { model: 'gen4_turbo', duration: 5 } });
  });

  it('Veo: 1080p ratios, the audio flag always sent (it sets the price), the negative prompt passed on', () => {
    const silent = mapRunwayRequest(rules('veo3.1'), request({ resolution: '1080p', aspect: '9:16', ...frameSize('1080p', '9:16'), durationSeconds: 4, negativePrompt: 'text, logos' }));
    expect(silent.ok && silent.task.body).toEqual({ model: 'veo3.1', promptText: 'a red kite over a grey sea', ratio: '1080:1920', duration: 4, audio: false, negativePrompt: 'text, logos' });
    const loud = mapRunwayRequest(rules('veo3.1_fast'), request({ durationSeconds: 8, audio: true }));
    expect(loud.ok && loud.task.body).toMatchObject({ model: 'veo3.1_fast', ratio: '1280:720', audio: true });
  });

  it('gen4_turbo without a reference image is refused before any body is made', () => {
    expect(problemsOf('gen4_turbo', {})).toEqual(['reference: Runway gen4_turbo makes image-to-video only and needs a reference image']);
  });

  it('an aspect the model has no ratio for names the ratios it has', () => {
    expect(problemsOf('gen4.5', { aspect: '1:1', ...frameSize('720p', '1:1') })).toEqual([
      'aspect: Runway gen4.5 text-to-video makes 16:9 (1280:720), 9:16 (720:1280) at 720p, not 1:1 at 720p',
    ]);
    expect(problemsOf('gen4.5', { resolution: '1080p', ...frameSize('1080p', '16:9') })[0]).toMatch(/^aspect: .* not 16:9 at 1080p$/);
  });

  it("a ratio whose frame is not the shot's frame is refused: the gate would reject the paid clip", () => {
    const problems = problemsOf('gen4_turbo', { aspect: '1:1', ...frameSize('720p', '1:1'), referenceImagePath: '/r.png' });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^frame: Runway gen4_turbo makes 1:1 at 720p as 960x960 \(ratio 960:960\), but the shot expects 720x720/);
  });

  it('durations outside the model list, fractions, audio on a silent model, negative and seed limits: one problem per field', () => {
    expect(problemsOf('veo3.1', { durationSeconds: 5 })).toEqual(['duration: Runway veo3.1 makes 4, 6, 8 s, not 5 s']);
    expect(problemsOf('gen4.5', { durationSeconds: 11 })).toEqual(['duration: Runway gen4.5 makes 2-10 s, not 11 s']);
    expect(problemsOf('gen4.5', { durationSeconds: 2.5 })).toEqual(['duration: Runway gen4.5 makes 2-10 s, not 2.5 s']);
    expect(problemsOf('gen4.5', { audio: true, negativePrompt: 'blur', seed: -1 })).toEqual([
      'negative: Runway gen4.5 takes no negative prompt',
      'seed: -1 is not a whole number from 0 to 4294967295',
      'audio: Runway gen4.5 makes silent clips only',
    ]);
    expect(problemsOf('gen4.5', { prompt: 'x'.repeat(1001) })).toEqual(['prompt: 1001 characters, Runway gen4.5 takes at most 1000']);
    expect(problemsOf('gen4.5', { prompt: '   ' })).toEqual(['prompt: empty']);
  });

  it('a data URI over 5 MB is refused; a small one is fine', () => {
    expect(promptImageProblem('data:image/png;base64,AAAA')).toBeUndefined();
    expect(promptImageProblem(`data:image/png;base64,${'A'.repeat(5 * 1024 * 1024)}`)).toMatch(/^reference: the image is 5\.0 MB as a data URI; Runway takes at most 5 MB/);
  });
});

describe('the shipped registry against the adapter and the emulator', () => {
  const engines = loadSeedFile(defaultSeedPath()).engines.filter((spec) => spec.provider === 'runway');
  const tinyPng = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

  it('lists the four Runway models this adapter knows', () => {
    expect(engines.map((spec) => spec.model).sort()).toEqual(Object.keys(RUNWAY_MODELS).sort());
  });

  it('every mode, aspect, resolution, duration and audio choice a Runway engine offers maps to a body the emulator accepts, at the listed price', () => {
    let checked = 0;
    for (const spec of engines) {
      const offered = spec.durations;
      const durations = offered.kind === 'list' ? offered.values : Array.from({ length: offered.max - offered.min + 1 }, (_, i) => offered.min + i);
      for (const mode of spec.modes) {
        for (const resolution of spec.resolutions as Resolution[]) {
          for (const aspect of spec.aspects as Aspect[]) {
            for (const durationSeconds of durations) {
              for (const audio of spec.audio === 'optional' ? [false, true] : [spec.audio === 'always']) {
                const withReference = mode === 'image' ? { referenceImagePath: '/ref.png' } : {};
                const mapping = mapRunwayRequest(rules(spec.model), request({ resolution, aspect, ...frameSize(resolution, aspect), durationSeconds, audio, seed: 7, ...withReference }));
                const where = `${spec.id} ${mode} ${resolution} ${aspect} ${durationSeconds}s audio=${audio}`;
                expect(mapping.ok ? [] : mapping.problems, where).toEqual([]);
                if (!mapping.ok) continue;
                const body = mode === 'image' ? { ...mapping.task.body, promptImage: tinyPng } : mapping.task.body;
                const accepted = readCreateBody(mapping.task.route, body);
                expect(Array.isArray(accepted) ? accepted : [], where).toEqual([]);
                if (Array.isArray(accepted)) continue;
                expect({ width: accepted.width, height: accepted.height }, where).toEqual(frameSize(resolution, aspect));
                const listed = spec.pricing.find((row) => row.resolution === resolution && row.audio === audio)!.microsPerSecond;
                expect(accepted.credits * 10_000, where).toBe(listed * durationSeconds);
                checked++;
              }
            }
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(50);
  });
});
