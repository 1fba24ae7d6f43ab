/**
 * The Runway emulator's reading of a create body, strict like the real API: an unknown
 * key, a ratio or duration the model does not take, a prompt too long, an image that is
 * not one, are each a 400 naming the field. Written from the @runwayml/sdk 4.20.1 types
 * (reference/provider-facts.md §2) independently of the adapter's own table, so that a
 * mistake in one is caught by the other.
 */
import type { JobRequest } from '../common/job-book';

export type RunwayRoute = 'text_to_video' | 'image_to_video';

export interface PromptImageInput {
  form: 'data_uri' | 'https' | 'runway_uri';
  position: 'first' | 'last';
  /** For data URIs: the media type and decoded size. */
  mimeType?: string;
  bytes?: number;
}

/** What a task was asked for: the shared job fields plus Runway's own. */
export interface RunwayJobRequest extends JobRequest {
  route: RunwayRoute;
  ratio: string;
  /** What the task costs, in credits ($0.01 each). */
  credits: number;
  promptText?: string;
  promptImage?: PromptImageInput[];
  seed?: number;
  negativePrompt?: string;
  /** The keys of the body as sent (to check that nothing unasked-for went over). */
  keys: string[];
}

interface ModelWire {
  ratios: Partial<Record<RunwayRoute, readonly string[]>>;
  duration: { required: boolean; min: number; max: number; values?: readonly number[]; fallback: number };
  audio: boolean;
  negativePrompt: boolean;
  /** Veo takes a last frame as well as a first. */
  lastFrame: boolean;
  promptTextOptionalWithImage: boolean;
  /** Optional keys beyond model, promptText, promptImage, ratio, duration, seed, audio, negativePrompt. */
  extraKeys: readonly string[];
  creditsPerSecond: { silent: number; audio: number };
}

const GEN4_IMAGE_RATIOS = ['1280:720', '720:1280', '1104:832', '832:1104', '960:960', '1584:672'] as const;
const VEO_RATIOS = ['1280:720', '720:1280', '1080:1920', '1920:1080'] as const;
const VEO_DURATION = { required: false, min: 4, max: 8, values: [4, 6, 8], fallback: 8 } as const;

const MODELS: Record<string, ModelWire> = {
  'gen4.5': {
    ratios: { text_to_video: ['1280:720', '720:1280'], image_to_video: GEN4_IMAGE_RATIOS },
    duration: { required: true, min: 2, max: 10, fallback: 10 },
    audio: false,
    negativePrompt: false,
    lastFrame: false,
    promptTextOptionalWithImage: false,
    extraKeys: ['contentModeration', 'outputFormat', 'proresProfile'],
    creditsPerSecond: { silent: 12, audio: 12 },
  },
  gen4_turbo: {
    ratios: { image_to_video: GEN4_IMAGE_RATIOS },
    duration: { required: false, min: 2, max: 10, fallback: 10 },
    audio: false,
    negativePrompt: false,
    lastFrame: false,
    promptTextOptionalWithImage: true,
    extraKeys: ['contentModeration'],
    creditsPerSecond: { silent: 5, audio: 5 },
  },
  'veo3.1': {
    ratios: { text_to_video: VEO_RATIOS, image_to_video: VEO_RATIOS },
    duration: VEO_DURATION,
    audio: true,
    negativePrompt: true,
    lastFrame: true,
    promptTextOptionalWithImage: true,
    extraKeys: [],
    creditsPerSecond: { silent: 20, audio: 40 },
  },
  'veo3.1_fast': {
    ratios: { text_to_video: VEO_RATIOS, image_to_video: VEO_RATIOS },
    duration: VEO_DURATION,
    audio: true,
    negativePrompt: true,
    lastFrame: true,
    promptTextOptionalWithImage: true,
    extraKeys: [],
    creditsPerSecond: { silent: 10, audio: 15 },
  },
};

const MAX_TEXT = 1000;
const MAX_DATA_URI = 5 * 1024 * 1024;
const MAX_SEED = 4_294_967_295;
/** Runway delivers 24 fps (unconfirmed; the SDK takes no frame rate). */
const OUTPUT_FPS = 24;
const DATA_URI = /^data:(image\/(?:png|jpeg|webp));base64,([A-Za-z0-9+/]+={0,2})$/;

/** The request a body asks for, or the issues that make it a 400, one per field. */
export function readCreateBody(route: RunwayRoute, body: Record<string, unknown> | null): RunwayJobRequest | string[] {
  if (body === null) return ['body: not a JSON object'];
  const issues: string[] = [];
  const model = typeof body.model === 'string' ? body.model : undefined;
  const wire = model !== undefined && Object.hasOwn(MODELS, model) ? MODELS[model]! : undefined;
  const ratios = wire?.ratios[route];
  if (!wire || !ratios) {
    const known = Object.entries(MODELS).filter(([, w]) => w.ratios[route]).map(([name]) => name);
    return [`model: must be one of ${known.join(', ')} for /v1/${route}, got ${JSON.stringify(body.model ?? null)}`];
  }

  const known = new Set(['model', 'promptText', 'ratio', 'duration', 'seed', ...wire.extraKeys]);
  if (route === 'image_to_video') known.add('promptImage');
  if (wire.audio) known.add('audio');
  if (wire.negativePrompt) known.add('negativePrompt');
  for (const key of Object.keys(body)) if (!known.has(key)) issues.push(`${key}: unrecognized key for model ${model}`);

  const promptText = body.promptText;
  const textRequired = route === 'text_to_video' || !wire.promptTextOptionalWithImage;
  if (promptText === undefined) {
    if (textRequired) issues.push('promptText: required');
  } else if (typeof promptText !== 'string' || promptText.length === 0 || promptText.length > MAX_TEXT) {
    issues.push(`promptText: must be a non-empty string of at most ${MAX_TEXT} characters`);
  }

  const ratio = body.ratio;
  if (typeof ratio !== 'string' || !ratios.includes(ratio)) issues.push(`ratio: must be one of ${ratios.join(', ')}, got ${JSON.stringify(ratio ?? null)}`);

  const duration = readDuration(wire, body.duration, issues);
  const seed = body.seed;
  if (seed !== undefined && !(typeof seed === 'number' && Number.isInteger(seed) && seed >= 0 && seed <= MAX_SEED)) issues.push(`seed: must be an integer from 0 to ${MAX_SEED}`);
  const audio = body.audio ?? true; // unconfirmed: Veo's default when the flag is left out
  if (typeof audio !== 'boolean') issues.push('audio: must be a boolean');
  const negativePrompt = body.negativePrompt;
  if (negativePrompt !== undefined && (typeof negativePrompt !== 'string' || negativePrompt.length > MAX_TEXT)) issues.push(`negativePrompt: must be a string of at most ${MAX_TEXT} characters`);
  if (body.outputFormat !== undefined && body.outputFormat !== 'mp4') issues.push('outputFormat: this emulator makes mp4 only');

  const promptImage = route === 'image_to_video' ? readPromptImage(body.promptImage, wire, issues) : undefined;
  if (issues.length > 0) return issues;

  const [width, height] = (ratio as string).split(':').map(Number) as [number, number];
  const withAudio = wire.audio && audio === true;
  return {
    clientReference: '',
    model: model!,
    prompt: typeof promptText === 'string' ? promptText : '',
    durationSeconds: duration,
    width,
    height,
    fps: OUTPUT_FPS,
    audio: withAudio,
    route,
    ratio: ratio as string,
    credits: duration * (withAudio ? wire.creditsPerSecond.audio : wire.creditsPerSecond.silent),
    ...(typeof promptText === 'string' ? { promptText } : {}),
    ...(promptImage ? { promptImage } : {}),
    ...(typeof seed === 'number' ? { seed } : {}),
    ...(typeof negativePrompt === 'string' ? { negativePrompt } : {}),
    keys: Object.keys(body),
  };
}

function readDuration(wire: ModelWire, value: unknown, issues: string[]): number {
  const { duration } = wire;
  if (value === undefined) {
    if (duration.required) issues.push('duration: required');
    return duration.fallback;
  }
  const allowed = duration.values
    ? typeof value === 'number' && duration.values.includes(value)
    : typeof value === 'number' && Number.isInteger(value) && value >= duration.min && value <= duration.max;
  if (!allowed) {
    const words = duration.values ? `one of ${duration.values.join(', ')}` : `an integer from ${duration.min} to ${duration.max}`;
    issues.push(`duration: must be ${words}, got ${JSON.stringify(value)}`);
  }
  return typeof value === 'number' ? value : duration.fallback;
}

function readPromptImage(value: unknown, wire: ModelWire, issues: string[]): PromptImageInput[] | undefined {
  if (value === undefined) {
    issues.push('promptImage: required');
    return undefined;
  }
  const items = typeof value === 'string' ? [{ uri: value, position: 'first' }] : value;
  if (!Array.isArray(items) || items.length === 0 || items.length > 2) {
    issues.push('promptImage: must be an image URI or a list of one or two {uri, position}');
    return undefined;
  }
  const images: PromptImageInput[] = [];
  for (const [index, item] of items.entries()) {
    const { uri, position } = (item ?? {}) as { uri?: unknown; position?: unknown };
    const where = `promptImage[${index}]`;
    if (position !== 'first' && !(position === 'last' && wire.lastFrame)) {
      issues.push(`${where}.position: must be ${wire.lastFrame ? '"first" or "last"' : '"first"'}`);
      continue;
    }
    const image = readImageUri(uri, where, issues);
    if (image) images.push({ ...image, position });
  }
  if (images.length === items.length && !images.some((image) => image.position === 'first')) issues.push('promptImage: a last frame needs a first frame');
  if (new Set(images.map((image) => image.position)).size !== images.length) issues.push('promptImage: each position at most once');
  return images;
}

function readImageUri(uri: unknown, where: string, issues: string[]): Omit<PromptImageInput, 'position'> | undefined {
  if (typeof uri !== 'string') {
    issues.push(`${where}: must be a string`);
    return undefined;
  }
  if (uri.startsWith('https://')) return { form: 'https' };
  if (uri.startsWith('runway://')) return { form: 'runway_uri' };
  if (uri.length > MAX_DATA_URI) {
    issues.push(`${where}: data URI larger than 5 MB`);
    return undefined;
  }
  const match = DATA_URI.exec(uri);
  if (!match) {
    issues.push(`${where}: must be an HTTPS URL, a runway:// upload URI or a base64 data URI of a PNG, JPEG or WebP image`);
    return undefined;
  }
  return { form: 'data_uri', mimeType: match[1]!, bytes: Buffer.from(match[2]!, 'base64').length };
}
