/**
 * Kling AI on loopback, speaking its REST protocol as documented (reference/provider-facts.md §4):
 *
 *   Every /v1 route needs `Authorization: Bearer <JWT>`: HS256 signed with the secret key,
 *   iss = the access key, nbf not in the future, exp not passed. Else HTTP 401 with
 *   code 1001 (empty), 1002 (invalid: signature, issuer, shape), 1003 (not yet valid), 1004 (expired).
 *
 *   POST /v1/videos/text2video   {model_name, prompt, negative_prompt?, mode?, aspect_ratio?, duration?, sound?, external_task_id?, ...}
 *   POST /v1/videos/image2video  {model_name, image (bare base64, no data: prefix), prompt?, negative_prompt?, mode?, duration?, sound?, external_task_id?, ...}
 *     -> 200 {code:0, message:"SUCCEED", request_id, data:{task_id, task_status:"submitted", task_info:{external_task_id}, created_at, updated_at}}
 *     400 code 1200 (not a JSON object) / 1201 (a field wrong, named in the message; unknown fields too),
 *     400 code 1301 for a prompt with a blocked word, 429 code 1102 while `knobs.arrears` is on.
 *     Never deduplicates, not even by external_task_id.
 *   GET /v1/videos/{endpoint}/{id}  where id is a task_id or an external_task_id (the newest such task)
 *     -> data: {task_id, task_status: submitted|processing|succeed|failed, task_status_msg, task_info,
 *               task_result:{videos:[{id, url, duration}]}, final_unit_deduction, created_at, updated_at}
 *     404 code 1203 when no task of that endpoint has the id.
 *
 * Generic faults word themselves as Kling would: 429 code 1302 or 1303 (`knobs.rateLimitCode`) with
 * Retry-After, 5xx with code 5000/5001/5002. A content-policy job ends `failed` with Kling's risk-control
 * message and deducts nothing. Jobs bill in units (by mode, duration and sound, alike for every model) at `microsPerUnit`.
 */
import { createHmac, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatedJob, JobRequest, JobStatus } from '../common/job-book';
import { ProviderEmulator, type EmulatorOptions, type ErrorReason } from '../common/provider-server';
import { ASPECTS, imageShape, type KlingAspect } from './picture';

type Endpoint = 'text2video' | 'image2video';
type Mode = 'std' | 'pro';

export interface KlingJobRequest extends JobRequest {
  endpoint: Endpoint;
  mode: Mode;
  aspectRatio: KlingAspect;
  /** Units the task deducts when it succeeds. */
  units: number;
  /** The create body as it arrived: what tests read (external_task_id, image, negative_prompt...). */
  body: Record<string, unknown>;
}

export interface KlingEmulatorOptions extends EmulatorOptions {
  accessKey: string;
  secretKey: string;
  /** Micro-dollars per unit; default 140_000 ($0.14, Kling's list price per video unit). */
  microsPerUnit?: number;
  /** The clock the token's exp and nbf are checked against (epoch ms); default Date.now. */
  clock?: () => number;
}

export interface KlingKnobs {
  /** Every create answers 429 code 1102 (resource pack used up or expired) until turned off. */
  arrears: boolean;
  /** The code of the generic rate-limit fault's 429: 1302 request rate, 1303 concurrency over the pack's limit. */
  rateLimitCode: 1302 | 1303;
  /** A create whose prompt contains one of these words answers 400 code 1301, and no task is made. */
  blockedWords: string[];
}

const T2V_MODELS = ['kling-v1', 'kling-v1-6', 'kling-v2-master', 'kling-v2-1-master', 'kling-v2-5-turbo', 'kling-v2-6', 'kling-v3'];
const I2V_MODELS = [...T2V_MODELS, 'kling-v1-5', 'kling-v2-1'];
const SILENT_MODELS = new Set(['kling-v1', 'kling-v1-5', 'kling-v1-6', 'kling-v2-master', 'kling-v2-1', 'kling-v2-1-master', 'kling-v2-5-turbo']);
const SHORT_SIDE: Record<Mode, number> = { std: 720, pro: 1080 };
const MAX_PROMPT_CHARS = 2500;

const COMMON_FIELDS = ['model_name', 'prompt', 'negative_prompt', 'cfg_scale', 'mode', 'camera_control', 'duration', 'sound', 'watermark_info', 'callback_url', 'external_task_id'];
const FIELDS: Record<Endpoint, Set<string>> = {
  text2video: new Set([...COMMON_FIELDS, 'aspect_ratio', 'multi_shot', 'shot_type', 'multi_prompt', 'voice_list']),
  image2video: new Set([...COMMON_FIELDS, 'image', 'image_tail', 'static_mask', 'dynamic_masks', 'element_list', 'voice_list']),
};

/**
 * Units per 5 s (10 s deducts twice): silent / with sound. Emulator figures, not Kling's table:
 * pro at $0.14 a unit is the registry's $0.07/s and $0.14/s; std (1.5 / 3) is below the registry's
 * estimate, so a test can tell the billed figure from the list price.
 */
const UNITS_PER_FIVE_SECONDS: Record<Mode, { silent: number; sound: number }> = { std: { silent: 1.5, sound: 3 }, pro: { silent: 2.5, sound: 5 } };

/** Kling's words when its content filter stops a task (task_status_msg). */
export const RISK_CONTROL_MESSAGE = 'Failure to pass the risk control system';

const TASK_STATUS: Record<JobStatus, string> = { queued: 'submitted', running: 'processing', succeeded: 'succeed', failed: 'failed' };

export class KlingEmulator extends ProviderEmulator<KlingJobRequest> {
  readonly knobs: KlingKnobs = { arrears: false, rateLimitCode: 1302, blockedWords: [] };
  /** Every distinct token that passed the check, in order of first use. */
  readonly acceptedTokens: string[] = [];
  private readonly keys: { accessKey: string; secretKey: string };
  private readonly clock: () => number;

  constructor(options: KlingEmulatorOptions) {
    const microsPerUnit = options.microsPerUnit ?? 140_000;
    super(options, (request) => request.units * microsPerUnit);
    this.keys = { accessKey: options.accessKey, secretKey: options.secretKey };
    this.clock = options.clock ?? Date.now;
  }

  protected async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const route = /^\/v1\/videos\/(text2video|image2video)(?:\/([^/]+))?$/.exec(url.pathname);
    if (!route) return this.sendKling(res, 404, 1202, `no route ${req.method} ${url.pathname}`);
    const endpoint = route[1] as Endpoint;
    const id = route[2] === undefined ? undefined : decodeURIComponent(route[2]);
    if (req.method === 'POST' && id === undefined) return this.create(req, res, endpoint);
    if (req.method === 'GET' && id !== undefined) return this.query(req, res, endpoint, id);
    return this.sendKling(res, 404, 1202, `method ${req.method} is not valid for ${url.pathname}`);
  }

  protected errorBody(reason: ErrorReason, status: number, message: string): unknown {
    const code: Record<ErrorReason, number> = {
      rate_limited: this.knobs.rateLimitCode,
      unavailable: status === 503 ? 5001 : status === 504 ? 5002 : 5000,
      auth: 1000,
      invalid_request: 1201,
      not_found: 1203,
      quota_exhausted: 1102,
    };
    return { code: code[reason], message, request_id: randomUUID() };
  }

  private async create(req: IncomingMessage, res: ServerResponse, endpoint: Endpoint): Promise<void> {
    this.counts.creates++;
    if (this.callFault('create', res)) return;
    if (!this.authorized(req, res)) return;
    const body = await this.readJson(req);
    if (!body) return this.sendKling(res, 400, 1200, 'request body is not a JSON object');
    const request = parseCreate(endpoint, body);
    if (typeof request === 'string') return this.sendKling(res, 400, 1201, request);
    if (this.knobs.arrears) return this.sendKling(res, 429, 1102, 'Account exception: resource pack exhausted or expired');
    const blocked = this.knobs.blockedWords.find((word) => request.prompt.toLowerCase().includes(word.toLowerCase()));
    if (blocked !== undefined) return this.sendKling(res, 400, 1301, 'Content security policy triggered: the prompt was refused');
    this.createJob(req, res, request, (job) => ({ status: 200, body: envelope(this.taskView(job)) }), newTaskId());
  }

  private async query(req: IncomingMessage, res: ServerResponse, endpoint: Endpoint, id: string): Promise<void> {
    const byTaskId = this.job(id);
    const polled = byTaskId?.request.endpoint === endpoint ? byTaskId : undefined;
    if (polled) this.counts.polls++;
    else this.counts.lookups++;
    if (this.callFault(polled ? 'poll' : 'lookup', res)) return;
    if (!this.authorized(req, res)) return;
    const job = polled ?? this.newestWithReference(endpoint, id);
    if (!job) return this.sendKling(res, 404, 1203, `task ${id} does not exist`);
    this.sendJson(res, 200, envelope(this.taskView(job)));
  }

  private newestWithReference(endpoint: Endpoint, reference: string): EmulatedJob<KlingJobRequest> | undefined {
    return this.jobs.filter((job) => job.request.endpoint === endpoint && job.request.clientReference === reference && reference !== '').at(-1);
  }

  private taskView(job: EmulatedJob<KlingJobRequest>): Record<string, unknown> {
    const status = this.status(job);
    const finished = status === 'succeeded' || status === 'failed';
    const view: Record<string, unknown> = {
      task_id: job.id,
      task_status: TASK_STATUS[status],
      task_info: job.request.clientReference ? { external_task_id: job.request.clientReference } : {},
      watermark_info: { enabled: false },
      created_at: job.createdAt,
      updated_at: finished ? job.readyAt : status === 'running' ? job.startsAt : job.createdAt,
    };
    if (status === 'succeeded') {
      view.task_status_msg = '';
      view.task_result = { videos: [{ id: `${job.id}0`, url: this.issueLink(job), duration: String(job.request.durationSeconds) }] };
      view.final_unit_deduction = String(job.request.units);
    }
    if (status === 'failed') {
      view.task_status_msg = this.failureOf(job) === 'content_policy' ? RISK_CONTROL_MESSAGE : 'Video generation failed, please try again later';
      view.final_unit_deduction = '0'; // failed tasks deduct nothing, whatever the reason
    }
    return view;
  }

  /** Checks the JWT; answers 401 itself and returns false when it does not pass. */
  private authorized(req: IncomingMessage, res: ServerResponse): boolean {
    const header = req.headers.authorization;
    const refusal = header ? this.tokenProblem(header) : { code: 1001, message: 'Authorization is empty' };
    if (refusal) {
      this.sendKling(res, 401, refusal.code, refusal.message);
      return false;
    }
    const token = header!.slice('Bearer '.length);
    if (!this.acceptedTokens.includes(token)) this.acceptedTokens.push(token);
    return true;
  }

  private tokenProblem(header: string): { code: number; message: string } | undefined {
    const invalid = (why: string) => ({ code: 1002, message: `Authorization is invalid: ${why}` });
    const parts = /^Bearer ([\w-]+)\.([\w-]+)\.([\w-]+)$/.exec(header);
    if (!parts) return invalid('not a Bearer JWT');
    const [, head = '', claims = '', signature = ''] = parts;
    const expected = createHmac('sha256', this.keys.secretKey).update(`${head}.${claims}`).digest();
    const given = Buffer.from(signature, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return invalid('signature does not match');
    const jwtHeader = decodeJson(head);
    const payload = decodeJson(claims);
    if (jwtHeader?.alg !== 'HS256') return invalid('alg must be HS256');
    if (payload?.iss !== this.keys.accessKey) return invalid('unknown access key (iss)');
    if (typeof payload.exp !== 'number' || typeof payload.nbf !== 'number') return invalid('exp and nbf are required');
    const now = this.clock() / 1000;
    if (payload.nbf > now) return { code: 1003, message: 'Authorization is not yet valid (nbf)' };
    if (payload.exp <= now) return { code: 1004, message: 'Authorization has expired (exp)' };
    return undefined;
  }

  private sendKling(res: ServerResponse, status: number, code: number, message: string): void {
    if (status === 401) this.counts.unauthorized++;
    this.sendJson(res, status, { code, message, request_id: randomUUID() });
  }
}

/** Keys, base URL: what a user exports to point Shotline at this emulator. */
export function klingEnv(emulator: KlingEmulator, accessKey: string, secretKey: string): Record<string, string> {
  return { KLING_ACCESS_KEY: accessKey, KLING_SECRET_KEY: secretKey, KLING_BASE_URL: emulator.url };
}

function envelope(data: unknown): unknown {
  return { code: 0, message: 'SUCCEED', request_id: randomUUID(), data };
}

/** Kling's task ids are long decimal strings. */
function newTaskId(): string {
  return `${randomInt(100_000_000, 999_999_999)}${randomInt(100_000_000, 999_999_999)}`;
}

function decodeJson(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The create body as a job request, or what is wrong with it (the 1201 message, naming the field). */
function parseCreate(endpoint: Endpoint, body: Record<string, unknown>): KlingJobRequest | string {
  const unknown = Object.keys(body).find((key) => !FIELDS[endpoint].has(key));
  if (unknown !== undefined) return `${unknown}: not a field of ${endpoint}`;
  const model = body.model_name ?? 'kling-v1';
  if (typeof model !== 'string' || !(endpoint === 'text2video' ? T2V_MODELS : I2V_MODELS).includes(model)) return `model_name: ${JSON.stringify(model)} is not a ${endpoint} model`;
  const prompt = body.prompt ?? '';
  if (typeof prompt !== 'string') return 'prompt: must be a string';
  if (endpoint === 'text2video' && prompt.trim() === '') return 'prompt: required';
  if (prompt.length > MAX_PROMPT_CHARS) return `prompt: ${prompt.length} characters, at most ${MAX_PROMPT_CHARS}`;
  const negative = body.negative_prompt;
  if (negative !== undefined && (typeof negative !== 'string' || negative.length > MAX_PROMPT_CHARS)) return `negative_prompt: must be a string of at most ${MAX_PROMPT_CHARS} characters`;
  const duration = body.duration ?? '5';
  if (duration !== '5' && duration !== '10') return `duration: must be the string "5" or "10", not ${JSON.stringify(duration)}`;
  const mode = body.mode ?? 'std';
  if (mode !== 'std' && mode !== 'pro') return `mode: must be "std" or "pro", not ${JSON.stringify(mode)}`;
  const sound = body.sound ?? 'off';
  if (sound !== 'on' && sound !== 'off') return `sound: must be "on" or "off", not ${JSON.stringify(sound)}`;
  if (body.sound !== undefined && SILENT_MODELS.has(model)) return `sound: ${model} does not take sound (v2.6 and later)`;
  if (body.cfg_scale !== undefined && !model.startsWith('kling-v1')) return `cfg_scale: ${model} does not take cfg_scale`;
  const reference = body.external_task_id ?? '';
  if (typeof reference !== 'string') return 'external_task_id: must be a string';

  let aspectRatio: KlingAspect;
  if (endpoint === 'text2video') {
    const aspect = body.aspect_ratio ?? '16:9';
    if (typeof aspect !== 'string' || !(aspect in ASPECTS)) return `aspect_ratio: must be one of ${Object.keys(ASPECTS).join(', ')}, not ${JSON.stringify(aspect)}`;
    aspectRatio = aspect as KlingAspect;
  } else {
    const shape = imageShape(body.image);
    if ('problem' in shape) return shape.problem;
    aspectRatio = shape.aspect;
  }

  const seconds = Number(duration);
  const perFive = UNITS_PER_FIVE_SECONDS[mode][sound === 'on' ? 'sound' : 'silent'];
  const short = SHORT_SIDE[mode];
  const ratio = ASPECTS[aspectRatio];
  const even = (n: number) => Math.round(n / 2) * 2;
  return {
    endpoint,
    clientReference: reference,
    model,
    prompt,
    durationSeconds: seconds,
    width: ratio >= 1 ? even(short * ratio) : short,
    height: ratio >= 1 ? short : even(short / ratio),
    fps: 24,
    audio: sound === 'on',
    mode,
    aspectRatio,
    units: (perFive * seconds) / 5,
    body,
  };
}
