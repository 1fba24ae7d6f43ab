/**
 * A GenerationRequest as a Runway create body, or every reason Runway would refuse it.
 * Pure: the adapter reads the reference image and adds it as `promptImage` afterwards.
 *
 * The frame check matters for money: the quality gate expects exactly the request's
 * width x height, and Runway's frames for some aspects differ from ours (1:1 at 720p is
 * 960:960 there, 720x720 here). Such a clip would be paid for and then rejected, so
 * the request is refused instead.
 */
import type { GenerationRequest } from '../engine';
import {
  describeRunwayDurations,
  ratioSize,
  RUNWAY_MAX_DATA_URI_BYTES,
  RUNWAY_MAX_PROMPT_CHARS,
  RUNWAY_MAX_SEED,
  type RatioTable,
  type RunwayModelRules,
  type RunwayRoute,
} from './models';

export interface RunwayTask {
  route: RunwayRoute;
  ratio: string;
  /** The create body, less `promptImage` for image-to-video. */
  body: Record<string, unknown>;
}

export type RunwayMapping = { ok: true; task: RunwayTask } | { ok: false; problems: string[] };

const ROUTE_WORDS: Record<RunwayRoute, string> = { text_to_video: 'text-to-video', image_to_video: 'image-to-video' };

export function mapRunwayRequest(rules: RunwayModelRules, request: GenerationRequest): RunwayMapping {
  const route: RunwayRoute = request.referenceImagePath !== undefined ? 'image_to_video' : 'text_to_video';
  const name = `Runway ${rules.model}`;
  const table = rules.ratios[route];
  if (!table) {
    const needs = route === 'text_to_video' ? 'makes image-to-video only and needs a reference image' : 'makes text-to-video only and cannot take a reference image';
    return { ok: false, problems: [`reference: ${name} ${needs}`] };
  }

  const problems: string[] = [];
  const ratio = table[request.resolution]?.[request.aspect];
  if (ratio === undefined) {
    problems.push(`aspect: ${name} ${ROUTE_WORDS[route]} makes ${describeRatios(table)}, not ${request.aspect} at ${request.resolution}`);
  } else {
    const frame = ratioSize(ratio);
    if (frame.width !== request.width || frame.height !== request.height) {
      problems.push(
        `frame: ${name} makes ${request.aspect} at ${request.resolution} as ${frame.width}x${frame.height} (ratio ${ratio}), ` +
          `but the shot expects ${request.width}x${request.height}; the clip would fail the quality gate after being paid for`,
      );
    }
  }
  problems.push(...durationProblems(rules, request.durationSeconds, name));
  problems.push(...textProblems(request, name));
  if (request.negativePrompt !== undefined && !rules.negativePrompt) problems.push(`negative: ${name} takes no negative prompt`);
  if (request.seed !== undefined) {
    if (!rules.seed) problems.push(`seed: ${name} takes no seed`);
    else if (!(Number.isInteger(request.seed) && request.seed >= 0 && request.seed <= RUNWAY_MAX_SEED)) {
      problems.push(`seed: ${request.seed} is not a whole number from 0 to ${RUNWAY_MAX_SEED}`);
    }
  }
  if (request.audio && !rules.audio) problems.push(`audio: ${name} makes silent clips only`);
  if (problems.length > 0 || ratio === undefined) return { ok: false, problems };

  const body: Record<string, unknown> = {
    model: rules.model,
    promptText: request.prompt,
    ratio,
    duration: request.durationSeconds,
  };
  if (request.seed !== undefined) body.seed = request.seed;
  // Sent either way: Runway's default for a missing flag is undocumented, and it changes the price.
  if (rules.audio) body.audio = request.audio;
  if (request.negativePrompt !== undefined) body.negativePrompt = request.negativePrompt;
  return { ok: true, task: { route, ratio, body } };
}

/** Why Runway would refuse this `data:` URI as a promptImage, or undefined when it is fine. */
export function promptImageProblem(dataUri: string): string | undefined {
  if (dataUri.length <= RUNWAY_MAX_DATA_URI_BYTES) return undefined;
  const megabytes = (dataUri.length / (1024 * 1024)).toFixed(1);
  return `reference: the image is ${megabytes} MB as a data URI; Runway takes at most 5 MB (use a smaller or more compressed image)`;
}

function durationProblems(rules: RunwayModelRules, seconds: number, name: string): string[] {
  const { durations } = rules;
  const allowed =
    durations.kind === 'range' ? Number.isInteger(seconds) && seconds >= durations.min && seconds <= durations.max : durations.values.includes(seconds);
  return allowed ? [] : [`duration: ${name} makes ${describeRunwayDurations(durations)}, not ${seconds} s`];
}

function textProblems(request: GenerationRequest, name: string): string[] {
  const problems: string[] = [];
  if (request.prompt.trim().length === 0) problems.push('prompt: empty');
  else if (request.prompt.length > RUNWAY_MAX_PROMPT_CHARS) problems.push(`prompt: ${request.prompt.length} characters, ${name} takes at most ${RUNWAY_MAX_PROMPT_CHARS}`);
  if (request.negativePrompt !== undefined && request.negativePrompt.length > RUNWAY_MAX_PROMPT_CHARS) {
    problems.push(`negative: ${request.negativePrompt.length} characters, ${name} takes at most ${RUNWAY_MAX_PROMPT_CHARS}`);
  }
  return problems;
}

/** "16:9 (1280:720), 9:16 (720:1280) at 720p; 16:9 (1920:1080) ... at 1080p" */
function describeRatios(table: RatioTable): string {
  return Object.entries(table)
    .map(([resolution, byAspect]) => `${Object.entries(byAspect ?? {}).map(([aspect, ratio]) => `${aspect} (${ratio})`).join(', ')} at ${resolution}`)
    .join('; ');
}
