/** A GenerationRequest for adapter tests: a 720p 16:9 silent shot, its frame size following its resolution and aspect. */
import type { GenerationRequest } from '../../src/main/engines/engine';
import { frameSize } from '../../src/shared/domain';

export function generationRequest(fields: Partial<GenerationRequest> = {}): GenerationRequest {
  const resolution = fields.resolution ?? '720p';
  const aspect = fields.aspect ?? '16:9';
  return {
    shotId: 's1',
    kind: 'establishing',
    prompt: 'a lighthouse in fog',
    durationSeconds: 4,
    resolution,
    aspect,
    ...frameSize(resolution, aspect),
    fps: 24,
    audio: false,
    characters: [],
    ...fields,
  };
}
