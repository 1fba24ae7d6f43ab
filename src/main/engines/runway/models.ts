/**
 * What each Runway model accepts on the wire, from the @runwayml/sdk 4.20.1 request types
 * (reference/provider-facts.md §2). The registry says what Shotline may ask of an engine;
 * this table says how Runway spells it, and refuses what Runway would refuse, before
 * anything is sent.
 */
import type { Aspect, Resolution } from '../../../shared/domain';

export type RunwayRoute = 'text_to_video' | 'image_to_video';

/** Runway names frames by pixel ratio ("1280:720"), per resolution and aspect. */
export type RatioTable = Partial<Record<Resolution, Partial<Record<Aspect, string>>>>;

export type RunwayDurations = { kind: 'range'; min: number; max: number } | { kind: 'list'; values: readonly number[] };

export interface RunwayModelRules {
  model: string;
  /** Ratios per route; a route the model does not offer is absent (gen4_turbo makes image-to-video only). */
  ratios: Partial<Record<RunwayRoute, RatioTable>>;
  durations: RunwayDurations;
  /** Takes `audio: boolean` (Veo; it changes the price). Models without it make silent clips. */
  audio: boolean;
  negativePrompt: boolean;
  seed: boolean;
}

/** The six 720p-class frames of gen4.5 image-to-video and gen4_turbo. */
const GEN4_IMAGE_RATIOS: RatioTable = {
  '720p': { '16:9': '1280:720', '9:16': '720:1280', '4:3': '1104:832', '3:4': '832:1104', '1:1': '960:960', '21:9': '1584:672' },
};

const VEO_RATIOS: RatioTable = {
  '720p': { '16:9': '1280:720', '9:16': '720:1280' },
  '1080p': { '16:9': '1920:1080', '9:16': '1080:1920' },
};

const VEO_RULES = {
  ratios: { text_to_video: VEO_RATIOS, image_to_video: VEO_RATIOS },
  durations: { kind: 'list', values: [4, 6, 8] },
  audio: true,
  negativePrompt: true,
  seed: true,
} as const satisfies Omit<RunwayModelRules, 'model'>;

export const RUNWAY_MODELS: Readonly<Record<string, RunwayModelRules>> = {
  'gen4.5': {
    model: 'gen4.5',
    ratios: { text_to_video: { '720p': { '16:9': '1280:720', '9:16': '720:1280' } }, image_to_video: GEN4_IMAGE_RATIOS },
    durations: { kind: 'range', min: 2, max: 10 },
    audio: false,
    negativePrompt: false,
    seed: true,
  },
  // The SDK types `duration` as a bare number here; 2-10 like gen4.5 is Runway's documented range (unconfirmed on the wire).
  gen4_turbo: {
    model: 'gen4_turbo',
    ratios: { image_to_video: GEN4_IMAGE_RATIOS },
    durations: { kind: 'range', min: 2, max: 10 },
    audio: false,
    negativePrompt: false,
    seed: true,
  },
  'veo3.1': { model: 'veo3.1', ...VEO_RULES },
  'veo3.1_fast': { model: 'veo3.1_fast', ...VEO_RULES },
};

/** Runway counts prompt length in UTF-16 code units, as JavaScript's `length` does. */
export const RUNWAY_MAX_PROMPT_CHARS = 1000;

/** Runway's limit on a `data:` URI image (larger images would need the uploads API). */
export const RUNWAY_MAX_DATA_URI_BYTES = 5 * 1024 * 1024;

/** Runway's seeds are unsigned 32-bit integers. */
export const RUNWAY_MAX_SEED = 4_294_967_295;

/** One credit is one US cent: 10,000 micro-dollars. */
export const MICROS_PER_CREDIT = 10_000;

export function rulesForModel(model: string): RunwayModelRules | undefined {
  return Object.hasOwn(RUNWAY_MODELS, model) ? RUNWAY_MODELS[model] : undefined;
}

export function describeRunwayDurations(durations: RunwayDurations): string {
  return durations.kind === 'range' ? `${durations.min}-${durations.max} s` : `${durations.values.join(', ')} s`;
}

/** "1280:720" → {width: 1280, height: 720}. */
export function ratioSize(ratio: string): { width: number; height: number } {
  const [width, height] = ratio.split(':').map(Number) as [number, number];
  return { width, height };
}
