/**
 * A shot as Veo on the Gemini API takes it (@google/genai 2.x `generateVideos`). Pure:
 * the adapter reads the reference image and adds the signal and timeout.
 *
 * The boundary has already checked the request against the registry entry; the Veo
 * rules are checked here again because a user can edit that entry, and a request the
 * Gemini API refuses should be refused before it is sent, naming the field.
 */
import type { GenerateVideosParameters } from '@google/genai';
import type { EngineSpec } from '../../../shared/domain';
import type { GenerationRequest } from '../engine';

export const VEO_DURATIONS: readonly number[] = [4, 6, 8];
export const VEO_ASPECTS: readonly string[] = ['16:9', '9:16'];
/** Wire values of `parameters.resolution`; 4k is not offered by every model (the registry says which). */
export const VEO_RESOLUTIONS: readonly string[] = ['720p', '1080p', '4k'];
/** Veo 3.1 on the Gemini API makes 1080p, 4k and image-to-video clips at 8 s only. */
export const VEO_LONG_ONLY_SECONDS = 8;

export interface ReferenceImageBytes {
  base64: string;
  mimeType: string;
}

/** What stops Veo on the Gemini API from taking this request; empty when nothing does. Each line names the field. */
export function veoRequestProblems(request: GenerationRequest): string[] {
  const problems: string[] = [];
  const withReference = request.referenceImagePath !== undefined;
  if (!VEO_RESOLUTIONS.includes(request.resolution)) problems.push(`resolution: Veo makes ${VEO_RESOLUTIONS.join(', ')}, not ${request.resolution}`);
  if (!VEO_ASPECTS.includes(request.aspect)) problems.push(`aspect: Veo makes ${VEO_ASPECTS.join(' or ')}, not ${request.aspect}`);
  if (!VEO_DURATIONS.includes(request.durationSeconds)) {
    problems.push(`duration: Veo makes ${VEO_DURATIONS.join(', ')} s clips, not ${request.durationSeconds} s`);
  } else if (request.durationSeconds !== VEO_LONG_ONLY_SECONDS) {
    if (request.resolution === '1080p' || request.resolution === '4k') {
      problems.push(`duration: Veo makes ${request.resolution} clips at ${VEO_LONG_ONLY_SECONDS} s only, not ${request.durationSeconds} s`);
    }
    if (withReference) problems.push(`duration: Veo makes clips from a reference image at ${VEO_LONG_ONLY_SECONDS} s only, not ${request.durationSeconds} s`);
  }
  // The SDK itself throws on a seed outside Vertex AI; saying so here keeps the reason readable.
  if (request.seed !== undefined) problems.push('seed: Veo on the Gemini API takes no seed');
  return problems;
}

/**
 * The SDK call's parameters. No `generateAudio`: the Gemini API always makes sound with
 * Veo 3.x and the SDK refuses the field there. No `personGeneration`: the API's default
 * differs by mode (allow_all for text, allow_adult for an image), and a wrong one is a 400.
 */
export function toGenerateVideosParameters(spec: Pick<EngineSpec, 'model'>, request: GenerationRequest, image?: ReferenceImageBytes): GenerateVideosParameters {
  return {
    model: spec.model,
    source: {
      prompt: request.prompt,
      ...(image ? { image: { imageBytes: image.base64, mimeType: image.mimeType } } : {}),
    },
    config: {
      // One video per operation: one clip is what the shot pays for.
      numberOfVideos: 1,
      durationSeconds: request.durationSeconds,
      aspectRatio: request.aspect,
      resolution: request.resolution,
      ...(request.negativePrompt !== undefined ? { negativePrompt: request.negativePrompt } : {}),
    },
  };
}
