/**
 * What Shotline asks for, in Luma's words: the body of POST /generations/video. Pure, so
 * the same mapping serves the submit and the lost-submit lookup (which must recognise
 * its own body among the account's recent generations).
 *
 * Luma takes no seed, no negative prompt and no audio flag on create; the registry says
 * so and the boundary refuses such requests before they get here. They are refused here
 * again because sending a shot without what it asked for would be a paid, wrong clip.
 */
import type LumaAI from 'lumaai';
import type { EngineSpec } from '../../../shared/domain';
import { EngineError } from '../../../shared/errors';
import type { GenerationRequest } from '../engine';

export type LumaCreateBody = LumaAI.GenerationCreateParams;

/** The wire values lumaai 1.19.1 types for a video generation. */
export const LUMA_DURATIONS = ['5s', '9s'] as const;
export const LUMA_RESOLUTIONS = ['540p', '720p', '1080p', '4k'] as const;
export const LUMA_ASPECT_RATIOS = ['1:1', '16:9', '9:16', '4:3', '3:4', '21:9', '9:21'] as const;

type LumaAspect = (typeof LUMA_ASPECT_RATIOS)[number];

/**
 * Why a reference image is refused rather than sent. Luma takes a start frame only as
 * `keyframes.frame0 = {type: 'image', url}`, and its docs say: "You should upload and use
 * your own cdn image urls, currently this is the only way to pass an image". Shotline's
 * references are local files and it has no public host to put them on. Whether Luma
 * would take a `data:` URI in `url` is unconfirmed; if it accepted one and ignored it, the
 * shot would come back as a billed text-to-video clip that still passes the quality gate,
 * so nothing is sent. The registry lists the Luma engines as text-only for this reason.
 */
export const REFERENCE_REFUSAL =
  'Luma takes a start frame only as a public image URL it downloads itself ("upload and use your own cdn image urls"); ' +
  'a local reference image cannot be sent';

/** What stops Luma from taking the request, one line per field; empty when it can. */
export function lumaRequestProblems(request: GenerationRequest): string[] {
  const problems: string[] = [];
  if (request.referenceImagePath !== undefined) problems.push(`reference: ${REFERENCE_REFUSAL}`);
  if (request.seed !== undefined) problems.push('seed: Luma takes no seed');
  if (request.negativePrompt !== undefined) problems.push('negative: Luma takes no negative prompt');
  if (request.audio) problems.push('audio: Luma makes silent clips only');
  if (request.prompt.trim().length === 0) problems.push('prompt: empty');
  if (!durationText(request.durationSeconds)) {
    problems.push(`duration: Luma makes ${LUMA_DURATIONS.map((d) => d.replace('s', ' s')).join(' or ')}, not ${request.durationSeconds} s`);
  }
  if (!(LUMA_RESOLUTIONS as readonly string[]).includes(request.resolution)) {
    problems.push(`resolution: Luma makes ${LUMA_RESOLUTIONS.join(', ')}, not ${request.resolution}`);
  }
  if (!(LUMA_ASPECT_RATIOS as readonly string[]).includes(request.aspect)) {
    problems.push(`aspect: Luma makes ${LUMA_ASPECT_RATIOS.join(', ')}, not ${request.aspect}`);
  }
  return problems;
}

/** The create body, or EngineError('invalid_request') naming every field Luma cannot take. */
export function lumaCreateBody(spec: Pick<EngineSpec, 'id' | 'model'>, request: GenerationRequest): LumaCreateBody {
  const problems = lumaRequestProblems(request);
  if (problems.length > 0) throw new EngineError('invalid_request', `${spec.id} cannot take shot ${request.shotId}: ${problems.join('; ')}`, { jobMayExist: false });
  return {
    // The SDK types the model as ray-2 | ray-flash-2; a newer model named in the registry goes through as written.
    model: spec.model as LumaCreateBody['model'],
    prompt: request.prompt,
    aspect_ratio: request.aspect as LumaAspect,
    resolution: request.resolution,
    duration: durationText(request.durationSeconds)!,
  };
}

/** '5s' for 5: Luma's duration is a string, and only the listed ones exist. */
function durationText(seconds: number): (typeof LUMA_DURATIONS)[number] | undefined {
  const text = `${seconds}s`;
  return (LUMA_DURATIONS as readonly string[]).includes(text) ? (text as (typeof LUMA_DURATIONS)[number]) : undefined;
}
