/**
 * A GenerationRequest in Kling's words (pure): which endpoint, which body, and what in
 * the request Kling cannot take. Field rules from Kling's API docs
 * (reference/provider-facts.md §4): `duration` and `mode` are strings, the prompt and
 * the negative prompt take at most 2500 characters, image-to-video has no aspect_ratio
 * (the picture decides), `sound` exists from v2.6 on, `cfg_scale` only on v1.x (never
 * sent: the request has nothing to fill it with), and there is no seed.
 */
import type { Aspect, EngineSpec, Resolution } from '../../../shared/domain';
import type { GenerationRequest } from '../engine';

export type KlingEndpoint = 'text2video' | 'image2video';

export const KLING_MAX_PROMPT_CHARS = 2500;
export const KLING_ASPECTS: readonly Aspect[] = ['16:9', '9:16', '1:1'];

/** Kling's two quality modes are its two resolutions. */
const MODE_FOR_RESOLUTION: Partial<Record<Resolution, 'std' | 'pro'>> = { '720p': 'std', '1080p': 'pro' };

/** Models from before `sound` (v2.6): sending it to them is a 1201. */
const SILENT_MODELS = new Set(['kling-v1', 'kling-v1-5', 'kling-v1-6', 'kling-v2-master', 'kling-v2-1', 'kling-v2-1-master', 'kling-v2-5-turbo']);

/** Durations are whole seconds; which ones a model takes is the registry's list (docs: "3" to "15", older models "5"|"10"). */
const SHORTEST_SECONDS = 3;
const LONGEST_SECONDS = 15;

export interface KlingCreateCall {
  endpoint: KlingEndpoint;
  body: Record<string, unknown>;
}

export function endpointFor(request: Pick<GenerationRequest, 'referenceImagePath'>): KlingEndpoint {
  return request.referenceImagePath === undefined ? 'text2video' : 'image2video';
}

function takesSound(model: string): boolean {
  return !SILENT_MODELS.has(model);
}

/** What Kling itself would refuse (or could not be asked for), one line per field; empty when it can take the request. */
export function klingRequestProblems(spec: Pick<EngineSpec, 'model'>, request: GenerationRequest): string[] {
  const problems: string[] = [];
  if (request.prompt.length > KLING_MAX_PROMPT_CHARS) problems.push(`prompt: ${request.prompt.length} characters, Kling takes at most ${KLING_MAX_PROMPT_CHARS}`);
  if (request.negativePrompt !== undefined && request.negativePrompt.length > KLING_MAX_PROMPT_CHARS) {
    problems.push(`negative: ${request.negativePrompt.length} characters, Kling takes at most ${KLING_MAX_PROMPT_CHARS}`);
  }
  if (request.seed !== undefined) problems.push('seed: Kling has no seed field');
  if (!MODE_FOR_RESOLUTION[request.resolution]) problems.push(`resolution: Kling makes 720p (mode std) or 1080p (mode pro), not ${request.resolution}`);
  if (!KLING_ASPECTS.includes(request.aspect)) problems.push(`aspect: Kling makes ${KLING_ASPECTS.join(', ')}, not ${request.aspect}`);
  const seconds = request.durationSeconds;
  if (!(Number.isInteger(seconds) && seconds >= SHORTEST_SECONDS && seconds <= LONGEST_SECONDS)) {
    problems.push(`duration: Kling takes whole seconds from ${SHORTEST_SECONDS} to ${LONGEST_SECONDS}, not ${seconds} s`);
  }
  if (request.audio && !takesSound(spec.model)) problems.push(`audio: ${spec.model} makes silent clips only (sound came with kling-v2-6)`);
  return problems;
}

/**
 * The create body. `imageBase64` is the reference image as bare base64: Kling refuses a
 * `data:` URI prefix with 1201. Call klingRequestProblems first; this only translates.
 */
export function klingCreateCall(spec: Pick<EngineSpec, 'model'>, request: GenerationRequest, clientReference: string, imageBase64?: string): KlingCreateCall {
  const endpoint = endpointFor(request);
  if (endpoint === 'image2video' && (imageBase64 === undefined || imageBase64.startsWith('data:'))) {
    throw new Error('image: image-to-video needs the reference image as bare base64 (no data: prefix)');
  }
  const body: Record<string, unknown> = {
    model_name: spec.model,
    prompt: request.prompt,
    mode: MODE_FOR_RESOLUTION[request.resolution],
    duration: String(request.durationSeconds),
    external_task_id: clientReference,
  };
  if (request.negativePrompt !== undefined) body.negative_prompt = request.negativePrompt;
  if (endpoint === 'text2video') body.aspect_ratio = request.aspect;
  else body.image = imageBase64;
  if (takesSound(spec.model)) body.sound = request.audio ? 'on' : 'off';
  return { endpoint, body };
}

/**
 * Kling polls a task on the endpoint that made it, so the job id the pipeline stores
 * carries both: "text2video/867283741759111202".
 */
export function klingJobId(endpoint: KlingEndpoint, taskId: string): string {
  return `${endpoint}/${taskId}`;
}

export function parseKlingJobId(jobId: string): { endpoint: KlingEndpoint; taskId: string } | null {
  const match = /^(text2video|image2video)\/(.+)$/.exec(jobId);
  return match ? { endpoint: match[1] as KlingEndpoint, taskId: match[2]! } : null;
}
