/**
 * What a shot becomes on the /v1/videos protocol (OpenAI's Sora API and the servers that
 * copy it): the model, the prompt, `seconds` as the string '4' | '8' | '12' (an integer
 * is refused with a 400) and `size` as "WIDTHxHEIGHT" from a short fixed list. There is
 * no seed, negative prompt or audio switch: every clip has sound (the registry says
 * audio "always", so the pipeline asks for it and prices it). Pure: the adapter
 * calls it before anything is sent, so a shot the protocol cannot take costs nothing.
 */
import type { Aspect, EngineSpec, Resolution } from '../../../shared/domain';
import { EngineError } from '../../../shared/errors';
import type { GenerationRequest } from '../engine';

export const VIDEO_SECONDS = ['4', '8', '12'] as const;
export type VideoSeconds = (typeof VIDEO_SECONDS)[number];

/** Every size the protocol names; 1024x1792 and 1792x1024 were sora-2-pro only. */
export const VIDEO_SIZES = ['720x1280', '1280x720', '1024x1792', '1792x1024'] as const;
export type VideoSize = (typeof VIDEO_SIZES)[number];

/**
 * Sizes Shotline can ask for, by resolution and aspect. Only 720p has a label: the pro
 * sizes have a 1024-pixel short side, which is no resolution of ours, and calling them
 * 1080p would fail the quality gate's frame-size check on every clip.
 */
const SIZE_BY_RESOLUTION: Partial<Record<Resolution, Partial<Record<Aspect, VideoSize>>>> = {
  '720p': { '16:9': '1280x720', '9:16': '720x1280' },
};

export interface VideoCreateFields {
  model: string;
  prompt: string;
  seconds: VideoSeconds;
  size: VideoSize;
}

/** The protocol's size for a resolution and aspect, or null when it has none. */
export function videoSizeFor(resolution: Resolution, aspect: Aspect): VideoSize | null {
  return SIZE_BY_RESOLUTION[resolution]?.[aspect] ?? null;
}

/** `seconds` as the protocol spells it, or null for a duration it does not offer. */
export function videoSecondsFor(durationSeconds: number): VideoSeconds | null {
  return VIDEO_SECONDS.find((seconds) => Number(seconds) === durationSeconds) ?? null;
}

/** Width and height of a size string. */
export function dimensionsOf(size: VideoSize): { width: number; height: number } {
  const [width, height] = size.split('x').map(Number) as [number, number];
  return { width, height };
}

/** What stops the protocol from taking `request`; empty when it can. Each line names the field. */
export function createFieldProblems(request: GenerationRequest): string[] {
  const problems: string[] = [];
  const size = videoSizeFor(request.resolution, request.aspect);
  if (size === null) {
    const offered = Object.entries(SIZE_BY_RESOLUTION).flatMap(([resolution, aspects]) => Object.keys(aspects ?? {}).map((aspect) => `${resolution} ${aspect}`));
    problems.push(`size: the /v1/videos protocol has no size for ${request.resolution} ${request.aspect} (offers ${offered.join(', ')})`);
  } else {
    const { width, height } = dimensionsOf(size);
    if (request.width !== width || request.height !== height) {
      problems.push(`size: ${request.resolution} ${request.aspect} is ${size} on this protocol, but the shot asks for ${request.width}x${request.height}`);
    }
  }
  if (videoSecondsFor(request.durationSeconds) === null) problems.push(`seconds: ${request.durationSeconds} s is not one of ${VIDEO_SECONDS.join(', ')} s`);
  if (request.seed !== undefined) problems.push('seed: the /v1/videos protocol takes no seed');
  if (request.negativePrompt !== undefined) problems.push('negativePrompt: the /v1/videos protocol takes no negative prompt');
  return problems;
}

/** The create call's fields; throws invalid_request (nothing sent) when the protocol cannot take the shot. */
export function videoCreateFields(spec: Pick<EngineSpec, 'id' | 'model'>, request: GenerationRequest): VideoCreateFields {
  const problems = createFieldProblems(request);
  if (problems.length > 0) throw new EngineError('invalid_request', `${spec.id} cannot take shot ${request.shotId}: ${problems.join('; ')}`, { jobMayExist: false });
  return {
    model: spec.model,
    prompt: request.prompt,
    seconds: videoSecondsFor(request.durationSeconds)!,
    size: videoSizeFor(request.resolution, request.aspect)!,
  };
}
