/**
 * An OpenAI-compatible video server (the /v1/videos protocol of OpenAI's retired Sora
 * API) on loopback, for the openai adapter's tests. Every route needs
 * `Authorization: Bearer <apiKey>`, else 401 in OpenAI's error shape
 * `{error: {message, type, param, code}}`.
 *
 *   POST   /v1/videos                    multipart (create-body.ts) -> 200 video object
 *   GET    /v1/videos?after&limit&order   -> {object: "list", data, first_id, last_id, has_more}
 *   GET    /v1/videos/{id}                -> video object
 *   DELETE /v1/videos/{id}                -> {id, object: "video.deleted", deleted: true};
 *                                            an unfinished video is cancelled (unbilled)
 *   GET    /v1/videos/{id}/content?variant=video -> the MP4 (real clip, with sound)
 *
 * Video object: {id, object: "video", model, status: queued | in_progress | completed |
 * failed | expired, progress (0-100), created_at, completed_at, expires_at (Unix s),
 * prompt, seconds, size, remixed_from_video_id, error: {code, message} | null}. A content
 * policy fault fails the video with code `moderation_blocked`. A completed video's file
 * is kept until expires_at (linkTtlMs after completion, an hour by default) or until
 * `faults.expireIssuedLinks()`: then the video reads `expired` and its content 404s.
 * Bills per second by model: the shipped registry's price for sora-2 and sora-2-pro,
 * `microsPerSecond` (default 100_000) for any other model name.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { defaultSeedPath, loadSeedFile } from '../../../src/main/registry';
import type { EmulatedJob } from '../common/job-book';
import { ProviderEmulator, type EmulatorOptions, type ErrorReason } from '../common/provider-server';
import { PRO_ONLY_SIZES, readCreateBody, type OpenAIVideoRequest } from './create-body';

export type { OpenAIVideoRequest, ReceivedReference } from './create-body';

export interface OpenAIVideoEmulatorOptions extends EmulatorOptions {
  apiKey: string;
}

/** sora-2-pro's price at its large sizes, which the registry does not list (no resolution label fits them). */
const PRO_LARGE_SIZE_MICROS_PER_SECOND = 500_000;
const DEFAULT_LINK_TTL_MS = 3_600_000;

const ERROR_SHAPES: Record<ErrorReason, { type: string; code: string | null }> = {
  rate_limited: { type: 'requests', code: 'rate_limit_exceeded' },
  unavailable: { type: 'server_error', code: null },
  auth: { type: 'invalid_request_error', code: 'invalid_api_key' },
  invalid_request: { type: 'invalid_request_error', code: null },
  not_found: { type: 'invalid_request_error', code: null },
  quota_exhausted: { type: 'insufficient_quota', code: 'insufficient_quota' },
};

export class OpenAIVideoEmulator extends ProviderEmulator<OpenAIVideoRequest> {
  private readonly deleted = new Set<string>();

  constructor(private readonly openaiOptions: OpenAIVideoEmulatorOptions) {
    const perSecond = registryPrices();
    super(openaiOptions, (request) => {
      const pro = /^sora-2-pro/.test(request.model) && PRO_ONLY_SIZES.includes(request.size);
      const rate = pro ? PRO_LARGE_SIZE_MICROS_PER_SECOND : (perSecond.get(request.model) ?? openaiOptions.microsPerSecond ?? 100_000);
      return rate * request.durationSeconds;
    });
  }

  protected async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const parts = url.pathname.split('/').filter(Boolean);
    const id = parts[2] === undefined ? undefined : decodeURIComponent(parts[2]);
    const route = parts[0] === 'v1' && parts[1] === 'videos' ? `${req.method} ${id === undefined ? '' : parts[3] === 'content' ? 'content' : parts.length === 3 ? 'video' : '?'}` : '';
    switch (route) {
      case 'POST ':
        return this.create(req, res);
      case 'GET ':
        return this.list(req, res, url);
      case 'GET video':
        return this.retrieve(req, res, id!);
      case 'DELETE video':
        return this.remove(req, res, id!);
      case 'GET content':
        return this.content(req, res, id!, url);
      default:
        await this.readBody(req);
        return this.sendError(res, 'not_found', 404, `Invalid URL (${req.method} ${url.pathname})`);
    }
  }

  protected errorBody(reason: ErrorReason, _status: number, message: string): unknown {
    return { error: { message, ...ERROR_SHAPES[reason], param: null } };
  }

  /** A 429 says the client may retry: a client that must not retry by itself has to turn the SDK's retries off. */
  protected override sendError(res: ServerResponse, reason: ErrorReason, status: number, message: string, headers: Record<string, string> = {}): void {
    super.sendError(res, reason, status, message, status === 429 ? { 'x-should-retry': 'true', ...headers } : headers);
  }

  private async create(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.counts.creates++;
    const body = await this.readBody(req);
    if (!this.authorized(req, res) || this.callFault('create', res)) return;
    const request = await readCreateBody(req.headers, body);
    if ('message' in request) return this.sendJson(res, 400, { error: { ...request, type: 'invalid_request_error' } });
    this.createJob(req, res, request, (job) => ({ status: 200, body: this.view(job) }), `video_${randomBytes(16).toString('hex')}`);
  }

  private async retrieve(req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
    this.counts.polls++;
    if (!this.authorized(req, res) || this.callFault('poll', res)) return;
    const job = this.visible(id);
    if (!job) return this.notFound(res, id);
    this.sendJson(res, 200, this.view(job));
  }

  private async remove(req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
    this.counts.cancels++;
    if (!this.authorized(req, res) || this.callFault('cancel', res)) return;
    const job = this.visible(id);
    if (!job) return this.notFound(res, id);
    this.cancelJob(job); // an unfinished job stops unbilled; a finished one stays on the invoice
    this.deleted.add(id);
    this.sendJson(res, 200, { id, object: 'video.deleted', deleted: true });
  }

  private async list(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    this.counts.lookups++;
    if (!this.authorized(req, res) || this.callFault('lookup', res)) return;
    const order = url.searchParams.get('order') ?? 'desc';
    const limit = Number(url.searchParams.get('limit') ?? 20);
    const after = url.searchParams.get('after');
    if (order !== 'asc' && order !== 'desc') return this.invalid(res, `Invalid value: '${order}'. Supported values are: 'asc' and 'desc'.`, 'order');
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) return this.invalid(res, `Invalid 'limit': integer between 1 and 100 expected, got ${url.searchParams.get('limit')}.`, 'limit');
    const videos = this.jobs.filter((job) => !this.deleted.has(job.id));
    if (order === 'desc') videos.reverse();
    const start = after === null ? 0 : videos.findIndex((job) => job.id === after) + 1;
    if (after !== null && start === 0) return this.invalid(res, `No video found with id '${after}' to list after.`, 'after');
    const page = videos.slice(start, start + limit);
    this.sendJson(res, 200, {
      object: 'list',
      data: page.map((job) => this.view(job)),
      first_id: page[0]?.id ?? null,
      last_id: page.at(-1)?.id ?? null,
      has_more: start + limit < videos.length,
    });
  }

  private async content(req: IncomingMessage, res: ServerResponse, id: string, url: URL): Promise<void> {
    this.counts.downloads++;
    if (!this.authorized(req, res)) return;
    const job = this.visible(id);
    if (!job) return this.notFound(res, id);
    const variant = url.searchParams.get('variant') ?? 'video';
    if (variant !== 'video') return this.invalid(res, `The emulator serves only the 'video' variant, not '${variant}'.`, 'variant');
    const status = this.status(job);
    if (status !== 'succeeded') return this.invalid(res, `Video '${id}' is not completed (status ${this.wireStatus(job)}); its content is not available.`, null);
    if (this.expired(job)) return this.sendError(res, 'not_found', 404, `The content of video '${id}' has expired and is no longer available.`);
    await this.sendClip(res, job, 'video/mp4');
  }

  private view(job: EmulatedJob<OpenAIVideoRequest>) {
    const status = this.wireStatus(job);
    const finished = this.status(job) === 'succeeded';
    const failure = this.failureOf(job);
    return {
      id: job.id,
      object: 'video',
      model: job.request.model,
      status,
      progress: finished ? 100 : Math.round(this.progressOf(job) * 100),
      created_at: unixSeconds(job.createdAt),
      completed_at: finished ? unixSeconds(job.readyAt) : null,
      expires_at: finished ? unixSeconds(this.expiresAt(job)) : null,
      prompt: job.request.prompt,
      seconds: job.request.seconds,
      size: job.request.size,
      remixed_from_video_id: null,
      error:
        failure === null
          ? null
          : failure === 'content_policy'
            ? { code: 'moderation_blocked', message: 'Your request was blocked by our moderation system.' }
            : failure === 'cancelled'
              ? { code: 'cancelled', message: 'The video was cancelled before it finished.' }
              : { code: 'internal_error', message: 'Video generation failed.' },
    };
  }

  private wireStatus(job: EmulatedJob<OpenAIVideoRequest>): string {
    const status = this.status(job);
    if (status === 'succeeded') return this.expired(job) ? 'expired' : 'completed';
    return status === 'running' ? 'in_progress' : status;
  }

  private expiresAt(job: EmulatedJob<OpenAIVideoRequest>): number {
    return job.readyAt + (this.options.linkTtlMs ?? DEFAULT_LINK_TTL_MS);
  }

  /** The file is issued when the video completes: it ages from then, like a signed link. */
  private expired(job: EmulatedJob<OpenAIVideoRequest>): boolean {
    return Date.now() > this.expiresAt(job) || this.faults.linkExpired(job.readyAt);
  }

  private visible(id: string): EmulatedJob<OpenAIVideoRequest> | undefined {
    return this.deleted.has(id) ? undefined : this.job(id);
  }

  private authorized(req: IncomingMessage, res: ServerResponse): boolean {
    const header = req.headers.authorization;
    if (header === `Bearer ${this.openaiOptions.apiKey}`) return true;
    const given = header?.startsWith('Bearer ') ? header.slice('Bearer '.length) : '';
    this.sendError(
      res,
      'auth',
      401,
      given
        ? `Incorrect API key provided: ${maskKey(given)}. You can find your API key at https://platform.openai.com/account/api-keys.`
        : "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
    );
    return false;
  }

  private notFound(res: ServerResponse, id: string): void {
    this.sendError(res, 'not_found', 404, `Video with id '${id}' not found.`);
  }

  private invalid(res: ServerResponse, message: string, param: string | null): void {
    this.sendJson(res, 400, { error: { message, type: 'invalid_request_error', param, code: null } });
  }
}

/** What a user exports to point the SDK at this server. */
export function openaiEnv(emulator: OpenAIVideoEmulator, apiKey: string): Record<string, string> {
  return { OPENAI_API_KEY: apiKey, OPENAI_BASE_URL: `${emulator.url}/v1` };
}

/** Micro-dollars per second of the shipped openai engines, by model (their 720p price). */
function registryPrices(): Map<string, number> {
  const prices = new Map<string, number>();
  for (const engine of loadSeedFile(defaultSeedPath()).engines) {
    const price = engine.pricing.find((row) => row.resolution === '720p');
    if (engine.provider === 'openai' && price) prices.set(engine.model, price.microsPerSecond);
  }
  return prices;
}

function unixSeconds(ms: number): number {
  return Math.floor(ms / 1000);
}

/** As OpenAI echoes a wrong key: its ends only. */
function maskKey(key: string): string {
  return key.length <= 8 ? '*'.repeat(key.length) : `${key.slice(0, 3)}${'*'.repeat(Math.max(4, key.length - 7))}${key.slice(-4)}`;
}
