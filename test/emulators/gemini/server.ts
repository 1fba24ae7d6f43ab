/**
 * Google Veo through the Gemini Developer API, on loopback, as @google/genai 2.x speaks to
 * it (reference/provider-facts.md §3). Every route needs `x-goog-api-key`; a missing key
 * is 403 PERMISSION_DENIED, a wrong one 400 INVALID_ARGUMENT with reason API_KEY_INVALID,
 * as Google answers. Errors are google.rpc.Status documents: {error:{code,message,status,details}}.
 *
 *   POST /v1beta/models/{model}:predictLongRunning   (literal colon)
 *     {instances:[{prompt, image?:{bytesBase64Encoded, mimeType}}],
 *      parameters:{sampleCount?, durationSeconds?, aspectRatio?, resolution?, negativePrompt?, personGeneration?, enhancePrompt?}}
 *     -> 200 {name: "models/{model}/operations/{id}"}
 *     Strict: an unknown field, a wrong value, or a shorter clip than 8 s at 1080p, 4k or
 *     with an image is 400 INVALID_ARGUMENT naming the field. No job is made then.
 *   GET /v1beta/models/{model}/operations/{id}
 *     -> {name}                       queued
 *        {name, done:false}            running
 *        {name, done:true, response:{@type, generateVideoResponse:{generatedSamples:[{video:{uri}}]}}}
 *        {name, done:true, response:{@type, generateVideoResponse:{raiMediaFilteredCount:1, raiMediaFilteredReasons}}}  (unbilled)
 *        {name, done:true, error:{code:13, message}}
 *   GET /v1beta/files/{id}:download?alt=media  -> the clip; 404 NOT_FOUND once the file has
 *     expired (Google keeps generated files about 2 days).
 *
 * The video URI has the `https` scheme and a lowercase id, because that is what the SDK
 * can parse; its host is this emulator's, but clients (like the SDK) fetch
 * `{their base URL}/v1beta/files/{id}:download?alt=media`, so the scheme never matters here.
 *
 * 429s are RESOURCE_EXHAUSTED with a google.rpc.RetryInfo `retryDelay` and a Retry-After
 * header; the SDK drops headers, so the RetryInfo is what a client can read. Bills are
 * the Gemini API's list prices per model, resolution and second (resources/engines.json).
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatedJob, JobRequest } from '../common/job-book';
import { ProviderEmulator, type EmulatorOptions, type ErrorReason } from '../common/provider-server';

export interface GeminiEmulatorOptions extends EmulatorOptions {
  apiKey: string;
}

/** What one predictLongRunning asked for, as the emulator read it off the wire. */
export interface GeminiJobRequest extends JobRequest {
  aspectRatio: '16:9' | '9:16';
  resolution: VeoResolution;
  negativePrompt?: string;
  personGeneration?: string;
  /** The first-frame image, when one was sent. */
  image?: { mimeType: string; bytes: number };
  /** The body exactly as it arrived, for tests that check the wire. */
  body: Record<string, unknown>;
}

type VeoResolution = '720p' | '1080p' | '4k';

/** Micro-dollars per second of video, audio included: the Gemini API's list prices. */
export const VEO_PRICES: Readonly<Record<string, Partial<Record<VeoResolution, number>>>> = {
  'veo-3.1-generate-preview': { '720p': 400_000, '1080p': 400_000, '4k': 600_000 },
  'veo-3.1-fast-generate-preview': { '720p': 100_000, '1080p': 120_000, '4k': 300_000 },
  'veo-3.1-lite-generate-preview': { '720p': 50_000, '1080p': 80_000 },
};

const FRAME_SIZES: Record<VeoResolution, { long: number; short: number }> = {
  '720p': { long: 1280, short: 720 },
  '1080p': { long: 1920, short: 1080 },
  '4k': { long: 3840, short: 2160 },
};

/** Veo makes 24 fps. */
const VEO_FPS = 24;
const DURATIONS = [4, 6, 8];
const PARAMETER_FIELDS = new Set(['sampleCount', 'durationSeconds', 'aspectRatio', 'resolution', 'negativePrompt', 'personGeneration', 'enhancePrompt']);
const INSTANCE_FIELDS = new Set(['prompt', 'image']);
const PERSON_GENERATION = new Set(['allow_all', 'allow_adult', 'dont_allow']);
const IMAGE_SIGNATURES: Record<string, (bytes: Buffer) => boolean> = {
  'image/png': (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  'image/jpeg': (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff,
  'image/webp': (b) => b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP',
};

const RPC_STATUS_BY_HTTP: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

const CREATE_ROUTE = /^\/v1beta\/models\/([^/:]+):predictLongRunning$/;
const OPERATION_ROUTE = /^\/v1beta\/models\/([^/:]+)\/operations\/([^/:]+)$/;
const DOWNLOAD_ROUTE = /^\/v1beta\/files\/([^/:]+):download$/;

export class GeminiEmulator extends ProviderEmulator<GeminiJobRequest> {
  constructor(private readonly geminiOptions: GeminiEmulatorOptions) {
    super(geminiOptions, (request) => (VEO_PRICES[request.model]?.[request.resolution] ?? 0) * request.durationSeconds);
  }

  /** The operation name a job answers to. */
  operationName(job: EmulatedJob<GeminiJobRequest>): string {
    return `models/${job.request.model}/operations/${job.id}`;
  }

  protected override async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const create = CREATE_ROUTE.exec(url.pathname);
    if (create && req.method === 'POST') return this.create(req, res, decodeURIComponent(create[1]!));
    const operation = OPERATION_ROUTE.exec(url.pathname);
    if (operation && req.method === 'GET') return this.poll(req, res, decodeURIComponent(operation[1]!), operation[2]!);
    const download = DOWNLOAD_ROUTE.exec(url.pathname);
    if (download && req.method === 'GET') return this.download(req, res, url, download[1]!);
    this.sendError(res, 'not_found', 404, `Method not found: ${req.method} ${url.pathname}`);
  }

  protected override errorBody(reason: ErrorReason, status: number, message: string): unknown {
    const rpcStatus = reason === 'rate_limited' || reason === 'quota_exhausted' ? 'RESOURCE_EXHAUSTED' : (RPC_STATUS_BY_HTTP[status] ?? 'UNKNOWN');
    const details: unknown[] = [];
    if (reason === 'rate_limited') {
      details.push(
        { '@type': 'type.googleapis.com/google.rpc.QuotaFailure', violations: [{ quotaMetric: 'generativelanguage.googleapis.com/predict_long_running_requests', quotaId: 'PredictLongRunningRequestsPerMinutePerProjectPerModel' }] },
        { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${this.faults.knobs.retryAfterSeconds}s` },
      );
    }
    if (reason === 'auth' && status === 400) {
      details.push({ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com', metadata: { service: 'generativelanguage.googleapis.com' } });
    }
    return { error: { code: status, message, status: rpcStatus, ...(details.length > 0 ? { details } : {}) } };
  }

  private authorized(req: IncomingMessage, res: ServerResponse): boolean {
    const key = req.headers['x-goog-api-key'];
    if (key === this.geminiOptions.apiKey) return true;
    if (key === undefined) {
      this.sendError(res, 'auth', 403, 'Method doesn\'t allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.');
    } else {
      this.sendError(res, 'auth', 400, 'API key not valid. Please pass a valid API key.');
    }
    return false;
  }

  private async create(req: IncomingMessage, res: ServerResponse, model: string): Promise<void> {
    this.counts.creates++;
    // Read first: answering before the body is in can break the client's upload.
    const body = await this.readJson(req);
    if (this.callFault('create', res) || !this.authorized(req, res)) return;
    if (!VEO_PRICES[model]) {
      return this.sendError(res, 'not_found', 404, `models/${model} is not found for API version v1beta, or is not supported for predictLongRunning. Call ListModels to see the list of available models and their supported methods.`);
    }
    if (body === null) return this.sendError(res, 'invalid_request', 400, 'Invalid JSON payload received: the body is not a JSON object.');
    const request = parsePredictBody(model, body);
    if (typeof request === 'string') return this.sendError(res, 'invalid_request', 400, request);
    this.createJob(req, res, request, (job) => ({ status: 200, body: { name: this.operationName(job) } }), newResourceId());
  }

  private poll(req: IncomingMessage, res: ServerResponse, model: string, id: string): void {
    this.counts.polls++;
    if (this.callFault('poll', res) || !this.authorized(req, res)) return;
    const job = this.job(id);
    if (!job || job.request.model !== model) return this.sendError(res, 'not_found', 404, `Operation models/${model}/operations/${id} not found.`);
    this.sendJson(res, 200, this.operationView(job));
  }

  private operationView(job: EmulatedJob<GeminiJobRequest>): Record<string, unknown> {
    const name = this.operationName(job);
    const status = this.status(job);
    if (status === 'queued') return { name };
    if (status === 'running') return { name, done: false };
    const responseType = 'type.googleapis.com/google.ai.generativelanguage.v1beta.PredictLongRunningResponse';
    if (status === 'succeeded') {
      const host = new URL(this.url).host;
      const uri = `https://${host}/v1beta/files/${job.outputToken}:download?alt=media`;
      return { name, done: true, response: { '@type': responseType, generateVideoResponse: { generatedSamples: [{ video: { uri } }] } } };
    }
    if (this.failureOf(job) === 'content_policy') {
      const reasons = [
        "We encountered an issue with the audio for your prompt. You have not been charged for this request. Please try changing your prompt or adding dialogue to generate the video.",
      ];
      return { name, done: true, response: { '@type': responseType, generateVideoResponse: { raiMediaFilteredCount: 1, raiMediaFilteredReasons: reasons } } };
    }
    return { name, done: true, error: { code: 13, message: 'Video generation failed due to an internal error.' } };
  }

  private async download(req: IncomingMessage, res: ServerResponse, url: URL, fileId: string): Promise<void> {
    this.counts.downloads++;
    if (!this.authorized(req, res)) return;
    if (url.searchParams.get('alt') !== 'media') return this.sendError(res, 'invalid_request', 400, 'alt: this emulator serves file bytes only (alt=media)');
    const job = this.jobs.find((candidate) => candidate.outputToken === fileId);
    const ttlMs = this.options.linkTtlMs ?? 3_600_000;
    // The file exists from the moment the job finished; it ages out from then, re-poll or not.
    const expired = job !== undefined && (this.faults.linkExpired(job.readyAt) || Date.now() > job.readyAt + ttlMs);
    if (!job || this.status(job) !== 'succeeded' || expired) return this.sendError(res, 'not_found', 404, `File files/${fileId} not found.`);
    await this.sendClip(res, job);
  }
}

/** The environment a user would export to point Shotline (and the SDK) at this emulator. */
export function geminiEnv(emulator: ProviderEmulator<GeminiJobRequest>, apiKey: string): Record<string, string> {
  return { GEMINI_API_KEY: apiKey, GOOGLE_GEMINI_BASE_URL: emulator.url };
}

/** Google's ids are lowercase letters and digits (the SDK's file-id parser relies on it). */
function newResourceId(): string {
  return randomBytes(6).toString('hex');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The request, or Google-style wording of what is wrong with it (naming the field). */
export function parsePredictBody(model: string, body: Record<string, unknown>): GeminiJobRequest | string {
  for (const field of Object.keys(body)) {
    if (field !== 'instances' && field !== 'parameters') return `Invalid JSON payload received. Unknown name "${field}": Cannot find field.`;
  }
  const instances = body.instances;
  if (!Array.isArray(instances) || instances.length !== 1 || !isRecord(instances[0])) return 'instances: exactly one instance is required';
  const instance = instances[0];
  for (const field of Object.keys(instance)) {
    if (!INSTANCE_FIELDS.has(field)) return `Invalid JSON payload received. Unknown name "${field}" at 'instances[0]': Cannot find field.`;
  }
  const parameters = body.parameters ?? {};
  if (!isRecord(parameters)) return 'parameters: must be an object';
  for (const field of Object.keys(parameters)) {
    if (!PARAMETER_FIELDS.has(field)) return `Invalid JSON payload received. Unknown name "${field}" at 'parameters': Cannot find field.`;
  }

  const prompt = instance.prompt;
  if (typeof prompt !== 'string' || prompt.trim() === '') return 'instances[0].prompt: a non-empty prompt is required';
  let image: GeminiJobRequest['image'];
  if (instance.image !== undefined) {
    const parsed = parseImage(instance.image);
    if (typeof parsed === 'string') return parsed;
    image = parsed;
  }

  if (parameters.sampleCount !== undefined && parameters.sampleCount !== 1) return `parameters.sampleCount: ${JSON.stringify(parameters.sampleCount)} is out of range; Veo 3.1 makes 1 video per request`;
  const durationSeconds = parameters.durationSeconds ?? 8;
  if (typeof durationSeconds !== 'number' || !DURATIONS.includes(durationSeconds)) return `parameters.durationSeconds: ${JSON.stringify(durationSeconds)} is not supported; use 4, 6 or 8`;
  const aspectRatio = parameters.aspectRatio ?? '16:9';
  if (aspectRatio !== '16:9' && aspectRatio !== '9:16') return `parameters.aspectRatio: ${JSON.stringify(aspectRatio)} is not supported; use 16:9 or 9:16`;
  const resolution = parameters.resolution ?? '720p';
  if (typeof resolution !== 'string' || VEO_PRICES[model]?.[resolution as VeoResolution] === undefined) {
    return `parameters.resolution: ${JSON.stringify(resolution)} is not supported by ${model}; use ${Object.keys(VEO_PRICES[model] ?? {}).join(', ')}`;
  }
  if ((resolution === '1080p' || resolution === '4k') && durationSeconds !== 8) return `parameters.durationSeconds: ${resolution} videos must be 8 seconds long, not ${durationSeconds}`;
  if (image && durationSeconds !== 8) return `parameters.durationSeconds: image-to-video must be 8 seconds long, not ${durationSeconds}`;
  const negativePrompt = parameters.negativePrompt;
  if (negativePrompt !== undefined && typeof negativePrompt !== 'string') return 'parameters.negativePrompt: must be a string';
  const personGeneration = parameters.personGeneration;
  if (personGeneration !== undefined && (typeof personGeneration !== 'string' || !PERSON_GENERATION.has(personGeneration))) {
    return `parameters.personGeneration: ${JSON.stringify(personGeneration)} is not one of ${[...PERSON_GENERATION].join(', ')}`;
  }
  if (parameters.enhancePrompt !== undefined && typeof parameters.enhancePrompt !== 'boolean') return 'parameters.enhancePrompt: must be true or false';

  const frame = FRAME_SIZES[resolution as VeoResolution];
  const landscape = aspectRatio === '16:9';
  return {
    clientReference: '',
    model,
    prompt,
    durationSeconds,
    width: landscape ? frame.long : frame.short,
    height: landscape ? frame.short : frame.long,
    fps: VEO_FPS,
    audio: true, // Veo 3.x on the Gemini API always makes sound
    aspectRatio,
    resolution: resolution as VeoResolution,
    ...(negativePrompt !== undefined ? { negativePrompt } : {}),
    ...(personGeneration !== undefined ? { personGeneration } : {}),
    ...(image ? { image } : {}),
    body,
  };
}

function parseImage(value: unknown): GeminiJobRequest['image'] | string {
  if (!isRecord(value)) return 'instances[0].image: must be an object';
  for (const field of Object.keys(value)) {
    if (field !== 'bytesBase64Encoded' && field !== 'mimeType') return `Invalid JSON payload received. Unknown name "${field}" at 'instances[0].image': Cannot find field.`;
  }
  const { bytesBase64Encoded, mimeType } = value;
  if (typeof bytesBase64Encoded !== 'string' || bytesBase64Encoded === '' || !/^[A-Za-z0-9+/]+={0,2}$/.test(bytesBase64Encoded)) {
    return 'instances[0].image.bytesBase64Encoded: must be non-empty base64 (no data: prefix)';
  }
  if (typeof mimeType !== 'string' || !IMAGE_SIGNATURES[mimeType]) return `instances[0].image.mimeType: ${JSON.stringify(mimeType)} is not image/png, image/jpeg or image/webp`;
  const bytes = Buffer.from(bytesBase64Encoded, 'base64');
  if (!IMAGE_SIGNATURES[mimeType](bytes)) return `instances[0].image: the bytes are not a ${mimeType} image`;
  return { mimeType, bytes: bytes.length };
}
