/**
 * Whether an engine can take a request at all, decided from its registry entry before
 * anything is sent: a request the model cannot take would be refused by the provider at
 * best, and at worst accepted, billed and failed. The boundary runs this before every
 * submit, so an unsupported combination costs nothing and names its reason.
 * Provider-specific limits (Runway's ratios, OpenAI's sizes) are checked by the adapter
 * itself, also before any call.
 */
import type { EngineSpec } from '../../../shared/domain';
import { describeDurations, durationsFor } from '../../router/fit';
import type { GenerationRequest } from '../engine';

/** The largest seed every provider that takes one accepts (Runway, Kling, ComfyUI: 0..2^32-1). */
export const MAX_SEED = 4_294_967_295;

/** What stops `spec` from making `request`; empty when it can. Each line names the field. */
export function requestProblems(spec: EngineSpec, request: GenerationRequest): string[] {
  const problems: string[] = [];
  const withReference = request.referenceImagePath !== undefined;
  const name = spec.displayName || spec.id;

  if (withReference && !spec.modes.includes('image')) problems.push(`reference: ${name} makes text-to-video only and cannot take a reference image`);
  if (!withReference && !spec.modes.includes('text')) problems.push(`reference: ${name} makes image-to-video only and needs a reference image`);

  if (request.prompt.trim().length === 0) problems.push('prompt: empty');
  else if (request.prompt.length > spec.capabilities.maxPromptChars) {
    problems.push(`prompt: ${request.prompt.length} characters, ${name} takes at most ${spec.capabilities.maxPromptChars}`);
  }
  if (request.negativePrompt !== undefined && !spec.capabilities.negativePrompt) problems.push(`negative: ${name} takes no negative prompt`);
  else if (request.negativePrompt !== undefined && request.negativePrompt.length > spec.capabilities.maxPromptChars) {
    problems.push(`negative: ${request.negativePrompt.length} characters, ${name} takes at most ${spec.capabilities.maxPromptChars}`);
  }
  if (request.seed !== undefined && !spec.capabilities.seed) problems.push(`seed: ${name} takes no seed`);
  else if (request.seed !== undefined && !(Number.isInteger(request.seed) && request.seed >= 0 && request.seed <= MAX_SEED)) {
    problems.push(`seed: ${request.seed} is not a whole number from 0 to ${MAX_SEED}`);
  }

  if (!spec.resolutions.includes(request.resolution)) problems.push(`resolution: ${name} makes ${spec.resolutions.join(', ')}, not ${request.resolution}`);
  if (!spec.aspects.includes(request.aspect)) problems.push(`aspect: ${name} makes ${spec.aspects.join(', ')}, not ${request.aspect}`);
  if (request.audio && spec.audio === 'none') problems.push(`audio: ${name} makes silent clips only`);

  const durations = durationsFor(spec, request.resolution, withReference);
  const allowed =
    durations.kind === 'range'
      ? Number.isInteger(request.durationSeconds) && request.durationSeconds >= durations.min && request.durationSeconds <= durations.max
      : durations.values.includes(request.durationSeconds);
  if (!allowed) {
    const when = durations === spec.durations ? '' : ` at ${request.resolution}${withReference ? ' with a reference image' : ''}`;
    problems.push(`duration: ${name} makes ${describeDurations(durations)}${when}, not ${request.durationSeconds} s`);
  }
  return problems;
}
