/**
 * Luma Dream Machine on loopback, as lumaai 1.19.1 speaks to it (see
 * shared/reference/provider-facts.md, section 5). Everything lives under
 * /dream-machine/v1 and needs `Authorization: Bearer <key>`; errors are FastAPI's
 * `{"detail": "..."}`.
 *
 *   POST   /generations/video  {model, prompt, aspect_ratio?, resolution?, duration?, loop?, keyframes?}
 *          -> 201 generation (state "queued"). 400 for anything Luma would not take.
 *   GET    /generations/{id}   -> generation; 404 once deleted or never made
 *   GET    /generations?limit=&offset=  -> {generations, count, has_more, limit, offset}, newest first
 *   DELETE /generations/{id}   -> 204; a running generation stops (unbilled), a finished one stays billed
 *
 * A generation: {id, generation_type: "video", state: queued|dreaming|completed|failed,
 * failure_reason, created_at, model, assets: {video, image, progress_video} | null, request}.
 * A completed generation's video link is issued once and the same link is returned on
 * every poll, as Luma does: when it expires it stays expired. Content-policy failures read
 * "Advanced moderation failed". A 429 carries both retry-after-ms and retry-after.
 *
 * Prices are the shipped registry's per-second list prices for the model and
 * resolution; Luma reports none, so the client charges the same list price.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { defaultSeedPath, loadSeedFile } from '../../../src/main/registry';
import { frameSize, type Aspect, type Resolution } from '../../../src/shared/domain';
import type { FaultRoute } from '../common/faults';
import type { EmulatedJob, JobRequest } from '../common/job-book';
import { ProviderEmulator, type EmulatorOptions, type ErrorReason } from '../common/provider-server';

export const LUMA_PREFIX = '/dream-machine/v1';

const MODELS = ['ray-2', 'ray-flash-2'] as const;
const DURATIONS = ['5s', '9s'] as const;
const RESOLUTIONS = ['540p', '720p', '1080p', '4k'] as const;
const ASPECT_RATIOS = ['1:1', '16:9', '9:16', '4:3', '3:4', '21:9', '9:21'] as const;
const CREATE_FIELDS = new Set(['model', 'prompt', 'aspect_ratio', 'resolution', 'duration', 'loop', 'keyframes', 'callback_url', 'concepts', 'generation_type']);
/** Luma makes 24 fps clips (what a probe of its output shows is unconfirmed; the gate does not check fps). */
const LUMA_FPS = 24;

/** A create as Luma took it: the defaults filled in, and the body exactly as it arrived. */
export interface LumaJobRequest extends JobRequest {
  aspect_ratio: (typeof ASPECT_RATIOS)[number];
  resolution: (typeof RESOLUTIONS)[number];
  duration: (typeof DURATIONS)[number];
  loop: boolean;
  keyframes?: Record<string, unknown>;
  received: Record<string, unknown>;
}

export interface LumaEmulatorOptions extends EmulatorOptions {
  apiKey: string;
}

type Route = { call: Exclude<FaultRoute, 'download'>; id?: string } | null;

export class LumaEmulator extends ProviderEmulator<LumaJobRequest> {
  private readonly videoLinks = new Map<string, string>();
  private readonly deleted = new Set<string>();

  constructor(private readonly lumaOptions: LumaEmulatorOptions) {
    super(lumaOptions, listPriceMicros);
  }

  /** The base URL the SDK takes (LUMAAI_BASE_URL): the prefix included. */
  get apiBaseUrl(): string {
    return `${this.url}${LUMA_PREFIX}`;
  }

  protected errorBody(_reason: ErrorReason, _status: number, message: string): unknown {
    return { detail: message };
  }

  /** Stainless clients read retry-after-ms before retry-after: a Luma 429 carries both. */
  protected override sendError(res: ServerResponse, reason: ErrorReason, status: number, message: string, headers: Record<string, string> = {}): void {
    const seconds = Number(headers['retry-after']);
    const extra: Record<string, string> = reason === 'rate_limited' && Number.isFinite(seconds) ? { 'retry-after-ms': String(Math.round(seconds * 1000)) } : {};
    super.sendError(res, reason, status, message, { ...headers, ...extra });
  }

  protected async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const route = routeOf(req.method ?? 'GET', url.pathname);
    if (route === null) return this.sendError(res, 'not_found', 404, 'Not Found');
    this.count(route.call);
    if (this.callFault(route.call, res)) return;
    if (req.headers.authorization !== `Bearer ${this.lumaOptions.apiKey}`) return this.sendError(res, 'auth', 401, 'Invalid API key');

    switch (route.call) {
      case 'create':
        return this.create(req, res);
      case 'lookup':
        return this.list(url, res);
      case 'poll':
      case 'cancel': {
        const job = this.job(route.id!);
        if (!job || this.deleted.has(job.id)) return this.sendError(res, 'not_found', 404, 'Generation not found');
        if (route.call === 'poll') return this.sendJson(res, 200, this.generation(job));
        this.cancelJob(job);
        this.deleted.add(job.id);
        res.writeHead(204);
        res.end();
        return;
      }
    }
  }

  private count(call: FaultRoute): void {
    if (call === 'create') this.counts.creates++;
    else if (call === 'poll') this.counts.polls++;
    else if (call === 'lookup') this.counts.lookups++;
    else if (call === 'cancel') this.counts.cancels++;
  }

  private async create(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await this.readJson(req);
    if (body === null) return this.sendError(res, 'invalid_request', 400, 'body: must be a JSON object');
    const request = parseCreate(body);
    if (typeof request === 'string') return this.sendError(res, 'invalid_request', 400, request);
    this.createJob(req, res, request, (job) => ({ status: 201, body: this.generation(job) }), randomUUID());
  }

  private list(url: URL, res: ServerResponse): void {
    const limit = wholeParam(url, 'limit', 10, 1, 100);
    const offset = wholeParam(url, 'offset', 0, 0, Number.MAX_SAFE_INTEGER);
    if (typeof limit === 'string') return this.sendError(res, 'invalid_request', 400, limit);
    if (typeof offset === 'string') return this.sendError(res, 'invalid_request', 400, offset);
    // Newest first; jobs made in the same millisecond keep their making order reversed.
    const live = this.jobs.filter((job) => !this.deleted.has(job.id)).reverse();
    live.sort((a, b) => b.createdAt - a.createdAt);
    const page = live.slice(offset, offset + limit);
    this.sendJson(res, 200, { generations: page.map((job) => this.generation(job)), count: page.length, has_more: offset + page.length < live.length, limit, offset });
  }

  private generation(job: EmulatedJob<LumaJobRequest>) {
    const status = this.status(job);
    const { model, prompt, aspect_ratio, resolution, duration, loop, keyframes } = job.request;
    return {
      id: job.id,
      generation_type: 'video',
      state: status === 'running' ? 'dreaming' : status === 'succeeded' ? 'completed' : status,
      failure_reason: status === 'failed' ? failureReason(this.failureOf(job)) : null,
      created_at: new Date(job.createdAt).toISOString(),
      model,
      assets: status === 'succeeded' ? { video: this.videoLinkOf(job), image: null, progress_video: null } : null,
      request: { generation_type: 'video', model, prompt, aspect_ratio, resolution, duration, loop, ...(keyframes ? { keyframes } : {}) },
    };
  }

  /** Issued once, when the generation completed: Luma hands out the same URL on every poll. */
  private videoLinkOf(job: EmulatedJob<LumaJobRequest>): string {
    let link = this.videoLinks.get(job.id);
    if (!link) {
      link = this.issueLink(job, job.readyAt);
      this.videoLinks.set(job.id, link);
    }
    return link;
  }
}

/** The env a user would export to point the lumaai SDK (and Shotline) at this emulator. */
export function lumaEnv(emulator: LumaEmulator, apiKey: string): Record<string, string> {
  return { LUMAAI_API_KEY: apiKey, LUMAAI_BASE_URL: emulator.apiBaseUrl };
}

function routeOf(method: string, pathname: string): Route {
  if (!pathname.startsWith(`${LUMA_PREFIX}/`)) return null;
  const parts = pathname.slice(LUMA_PREFIX.length + 1).split('/');
  if (parts[0] !== 'generations') return null;
  if (parts.length === 1) return method === 'GET' ? { call: 'lookup' } : null;
  if (parts.length !== 2 || !parts[1]) return null;
  if (parts[1] === 'video' && method === 'POST') return { call: 'create' };
  const id = decodeURIComponent(parts[1]);
  if (method === 'GET') return { call: 'poll', id };
  if (method === 'DELETE') return { call: 'cancel', id };
  return null;
}

function failureReason(failure: string | null): string {
  if (failure === 'content_policy') return 'Advanced moderation failed';
  if (failure === 'cancelled') return 'Generation was cancelled';
  return 'Internal error while generating the video';
}

/** Strict like a validating API: a wrong field is a 400 naming it, never a guess. */
function parseCreate(body: Record<string, unknown>): LumaJobRequest | string {
  // The real API may ignore unknown fields; refusing them here catches a seed or negative prompt an adapter tried to sneak in.
  const unknown = Object.keys(body).filter((key) => !CREATE_FIELDS.has(key));
  if (unknown.length > 0) return `${unknown[0]}: not a field of a video generation`;
  const model = body.model;
  if (!isOneOf(MODELS, model)) return `model: must be one of ${MODELS.join(', ')}`;
  if (typeof body.prompt !== 'string' || body.prompt.trim().length === 0) return 'prompt: must be a non-empty string';
  const duration = body.duration ?? '5s';
  if (!isOneOf(DURATIONS, duration)) return `duration: must be the string ${DURATIONS.map((d) => `'${d}'`).join(' or ')}, not ${JSON.stringify(body.duration)}`;
  const resolution = body.resolution ?? '720p';
  if (!isOneOf(RESOLUTIONS, resolution)) return `resolution: must be one of ${RESOLUTIONS.join(', ')}, not ${JSON.stringify(body.resolution)}`;
  const aspect = body.aspect_ratio ?? '16:9';
  if (!isOneOf(ASPECT_RATIOS, aspect)) return `aspect_ratio: must be one of ${ASPECT_RATIOS.join(', ')}, not ${JSON.stringify(body.aspect_ratio)}`;
  if (body.loop !== undefined && typeof body.loop !== 'boolean') return 'loop: must be true or false';
  if (body.generation_type !== undefined && body.generation_type !== 'video') return "generation_type: must be 'video'";
  const keyframeProblem = body.keyframes === undefined ? null : keyframesProblem(body.keyframes);
  if (keyframeProblem) return keyframeProblem;
  return {
    clientReference: '',
    model,
    prompt: body.prompt,
    aspect_ratio: aspect,
    resolution,
    duration,
    loop: body.loop === true,
    ...(body.keyframes !== undefined ? { keyframes: body.keyframes as Record<string, unknown> } : {}),
    received: body,
    durationSeconds: Number(duration.replace('s', '')),
    ...frameSize(resolution as Resolution, aspect as Aspect),
    fps: LUMA_FPS,
    audio: false,
  };
}

/**
 * Keyframes are {frame0?, frame1?}, each an image by URL or an earlier generation by id.
 * Luma's docs: "You should upload and use your own cdn image urls, currently this is the
 * only way to pass an image", so anything but an http(s) URL is refused here.
 */
function keyframesProblem(keyframes: unknown): string | null {
  if (typeof keyframes !== 'object' || keyframes === null || Array.isArray(keyframes)) return 'keyframes: must be an object';
  for (const [name, frame] of Object.entries(keyframes)) {
    if (name !== 'frame0' && name !== 'frame1') return `keyframes.${name}: only frame0 and frame1 exist`;
    const f = frame as Record<string, unknown> | null;
    if (f?.type === 'generation' && typeof f.id === 'string' && f.id.length > 0) continue;
    if (f?.type !== 'image') return `keyframes.${name}.type: must be 'image' or 'generation'`;
    if (typeof f.url !== 'string' || !/^https?:\/\/\S+$/i.test(f.url)) return `keyframes.${name}.url: must be an http(s) URL of the image`;
  }
  return null;
}

function isOneOf<T extends string>(allowed: readonly T[], value: unknown): value is T {
  return typeof value === 'string' && (allowed as readonly string[]).includes(value);
}

function wholeParam(url: URL, name: string, fallback: number, min: number, max: number): number | string {
  const raw = url.searchParams.get(name);
  if (raw === null) return fallback;
  const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (Number.isSafeInteger(value) && value >= min && value <= max) return value;
  return max === Number.MAX_SAFE_INTEGER ? `${name}: must be a whole number, ${min} or more` : `${name}: must be a whole number from ${min} to ${max}`;
}

let listPrices: Map<string, number> | undefined;

/** The registry's list price for the model and resolution, times the seconds: what Luma is assumed to bill. */
function listPriceMicros(request: JobRequest): number {
  listPrices ??= new Map(
    loadSeedFile(defaultSeedPath())
      .engines.filter((engine) => engine.provider === 'luma')
      .flatMap((engine) => engine.pricing.map((price) => [`${engine.model} ${price.resolution}`, price.microsPerSecond as number] as const)),
  );
  const { resolution } = request as LumaJobRequest;
  const perSecond = listPrices.get(`${request.model} ${resolution}`);
  if (perSecond === undefined) throw new Error(`no list price for ${request.model} at ${resolution} in resources/engines.json`);
  return perSecond * request.durationSeconds;
}
