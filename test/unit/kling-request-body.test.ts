import { describe, expect, it } from 'vitest';
import type { GenerationRequest } from '../../src/main/engines/engine';
import { imageSizeOf, klingReferenceProblems } from '../../src/main/engines/kling/reference-fit';
import { klingCreateCall, klingJobId, klingRequestProblems, parseKlingJobId } from '../../src/main/engines/kling/request-body';
import { generationRequest } from '../support/generation-request';

const spec = { model: 'kling-v2-6' };

function request(extra: Partial<GenerationRequest> = {}): GenerationRequest {
  return generationRequest({ kind: 'action', prompt: 'a fox runs through snow at dawn', durationSeconds: 5, ...extra });
}

describe('klingCreateCall', () => {
  it('text-to-video: model_name, prompt, std for 720p, duration as a string, aspect_ratio, sound, external_task_id', () => {
    expect(klingCreateCall(spec, request({ negativePrompt: 'blur, text' }), 'attempt-7')).toEqual({
      endpoint: 'text2video',
      body: {
        model_name: 'kling-v2-6',
        prompt: 'a fox runs through snow at dawn',
        negative_prompt: 'blur, text',
        mode: 'std',
        duration: '5',
        aspect_ratio: '16:9',
        sound: 'off',
        external_task_id: 'attempt-7',
      },
    });
  });

  it('image-to-video: the picture as bare base64 and no aspect_ratio (Kling takes the picture\'s shape); pro for 1080p; sound on', () => {
    const call = klingCreateCall(spec, request({ referenceImagePath: '/x/ref.png', resolution: '1080p', durationSeconds: 10, audio: true }), 'attempt-8', 'iVBORw0KGgo=');
    expect(call.endpoint).toBe('image2video');
    expect(call.body).toEqual({ model_name: 'kling-v2-6', prompt: 'a fox runs through snow at dawn', mode: 'pro', duration: '10', image: 'iVBORw0KGgo=', sound: 'on', external_task_id: 'attempt-8' });
    expect(call.body).not.toHaveProperty('aspect_ratio');
    expect(call.body).not.toHaveProperty('negative_prompt');
  });

  it('refuses a data: URI or a missing picture for image-to-video', () => {
    expect(() => klingCreateCall(spec, request({ referenceImagePath: '/x/ref.png' }), 'a', 'data:image/png;base64,iVBOR')).toThrow(/image: .*no data: prefix/);
    expect(() => klingCreateCall(spec, request({ referenceImagePath: '/x/ref.png' }), 'a')).toThrow(/image:/);
  });

  it('older models get no sound field (it would be a 1201)', () => {
    expect(klingCreateCall({ model: 'kling-v2-5-turbo' }, request(), 'a').body).not.toHaveProperty('sound');
  });
});

describe('klingRequestProblems', () => {
  it('a request Kling can take has none', () => {
    expect(klingRequestProblems(spec, request({ negativePrompt: 'n'.repeat(2500), prompt: 'p'.repeat(2500) }))).toEqual([]);
  });

  it('names each field Kling cannot take', () => {
    const problems = klingRequestProblems(
      { model: 'kling-v2-1-master' },
      request({ prompt: 'p'.repeat(2501), negativePrompt: 'n'.repeat(2600), seed: 7, resolution: '4k', aspect: '4:3', durationSeconds: 7.5, audio: true }),
    );
    expect(problems).toEqual([
      'prompt: 2501 characters, Kling takes at most 2500',
      'negative: 2600 characters, Kling takes at most 2500',
      'seed: Kling has no seed field',
      'resolution: Kling makes 720p (mode std) or 1080p (mode pro), not 4k',
      'aspect: Kling makes 16:9, 9:16, 1:1, not 4:3',
      'duration: Kling takes whole seconds from 3 to 15, not 7.5 s',
      'audio: kling-v2-1-master makes silent clips only (sound came with kling-v2-6)',
    ]);
  });
});

describe('job ids carry the endpoint (Kling polls a task where it was made)', () => {
  it('round-trips, and rejects anything else', () => {
    expect(parseKlingJobId(klingJobId('image2video', '867283741759111202'))).toEqual({ endpoint: 'image2video', taskId: '867283741759111202' });
    expect(parseKlingJobId('867283741759111202')).toBeNull();
    expect(parseKlingJobId('videos/1')).toBeNull();
  });
});

/** A PNG header of the given size (the IHDR is all imageSizeOf reads). */
function pngOf(width: number, height: number, extraBytes = 0): Buffer {
  const header = Buffer.alloc(33 + extraBytes);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(header, 0);
  header.writeUInt32BE(13, 8);
  header.write('IHDR', 12, 'latin1');
  header.writeUInt32BE(width, 16);
  header.writeUInt32BE(height, 20);
  return header;
}

/** A JPEG with an APP0 segment before its SOF0. */
function jpegOf(width: number, height: number): Buffer {
  const app0 = Buffer.from([0xff, 0xe0, 0x00, 0x10, ...Buffer.from('JFIF\0'), 1, 1, 0, 0, 1, 0, 1, 0, 0]);
  const sof0 = Buffer.alloc(19);
  sof0.writeUInt16BE(0xffc0, 0);
  sof0.writeUInt16BE(17, 2);
  sof0[4] = 8;
  sof0.writeUInt16BE(height, 5);
  sof0.writeUInt16BE(width, 7);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, sof0, Buffer.from([0xff, 0xd9])]);
}

describe('klingReferenceProblems', () => {
  it('reads PNG and JPEG sizes', () => {
    expect(imageSizeOf(pngOf(1280, 720))).toEqual({ width: 1280, height: 720 });
    expect(imageSizeOf(jpegOf(720, 1280))).toEqual({ width: 720, height: 1280 });
    expect(imageSizeOf(Buffer.from('not a picture'))).toBeUndefined();
  });

  it('takes a PNG or JPEG of the shot\'s shape', () => {
    expect(klingReferenceProblems({ bytes: pngOf(1280, 720), mimeType: 'image/png' }, '16:9')).toEqual([]);
    expect(klingReferenceProblems({ bytes: jpegOf(1080, 1920), mimeType: 'image/jpeg' }, '9:16')).toEqual([]);
  });

  it('names what Kling would refuse or make in the wrong shape', () => {
    expect(klingReferenceProblems({ bytes: pngOf(1280, 720), mimeType: 'image/webp' }, '16:9')).toEqual(['reference: Kling takes JPEG or PNG pictures, not image/webp']);
    expect(klingReferenceProblems({ bytes: pngOf(1024, 768), mimeType: 'image/png' }, '16:9')).toEqual([
      "reference: 1024x768 is not 16:9; Kling makes image-to-video in the picture's own shape",
    ]);
    expect(klingReferenceProblems({ bytes: pngOf(299, 299), mimeType: 'image/png' }, '1:1')).toEqual(['reference: 299x299, Kling needs at least 300 px on each side']);
    expect(klingReferenceProblems({ bytes: pngOf(3000, 1000), mimeType: 'image/png' }, '16:9')).toEqual([
      'reference: 3000x1000 is wider or taller than Kling takes (between 1:2.5 and 2.5:1)',
    ]);
    expect(klingReferenceProblems({ bytes: pngOf(1280, 720, 10 * 1024 * 1024), mimeType: 'image/png' }, '16:9')[0]).toMatch(/^reference: \d+ bytes, Kling takes at most 10485760/);
  });
});
