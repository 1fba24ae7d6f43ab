/**
 * A paid video provider on loopback, for tests that kill the client for real. It runs in
 * the test process, so its jobs and its invoice outlive the CLI child being killed with
 * SIGKILL, as a real provider's would.
 *
 * Protocol (JSON unless said otherwise; every /v1/jobs route needs
 * `Authorization: Bearer <key>`, else 401 `{error: {code: "unauthorized", message}}`):
 *
 *   POST /v1/jobs  {clientReference, model, prompt, durationSeconds, width, height, fps, audio}
 *     -> 201 {id, estimatedCostMicros}
 *     Never deduplicates: a re-sent submit makes a second job, billed again. The job is
 *     created before the answer is written, and the answer can be held back
 *     (`submitAnswerDelayMs`): a client that dies meanwhile loses the answer, not the job.
 *     400 {error: {code: "invalid_request"}} for a body it cannot use.
 *   GET /v1/jobs/:id
 *     -> {id, clientReference, createdAt, status: queued|running|succeeded|failed, progress,
 *         output: {url, expiresAt} | null, billedMicros | null, error: {code, message} | null}
 *     404 for an unknown id. A job finishes at its own time and is billed then, whether
 *     or not anyone polls it. `billedMicros` may carry a fraction of a micro-dollar.
 *   GET /v1/jobs?clientReference=...  -> {data: [job, ...]}  (oldest first)
 *   DELETE /v1/jobs/:id  -> 200 job: cancels it unless it has finished (a finished job
 *     stays billed).
 *   GET /v1/files/:id?token=...  -> 200 video/mp4: a real clip of the requested duration,
 *     size and fps, with a tone track when audio was asked. Like a signed CDN link it
 *     needs no key, only the token; 403 for a wrong or expired token, 404 before the job
 *     has succeeded.
 */
import { createReadStream, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { closeServer, listenOnLoopback } from '../common/loopback';
import { ClipCache, type ClipShape } from '../common/clips';
import { seededRandom } from '../../support/seeded-random';
import { JobBook, type EmulatedJob, type JobRequest, type JobTiming } from '../common/job-book';

export interface ScriptedProviderOptions {
  apiKey: string;
  /** Where encoded clips are cached. */
  clipDirectory: string;
  /** Price per second of video in micro-dollars; default 123_457 (non-round on purpose). */
  microsPerSecond?: number;
  /** Fraction of a micro-dollar added to every bill; default 0.25. */
  fractionMicros?: number;
  /** How long jobs take; default 300-1500 ms, a fifth of it queued. */
  timing?: Partial<JobTiming>;
  /** Held back between creating a job and answering its POST; default 0. */
  submitAnswerDelayMs?: number;
  /** How long an output link works after the job finished; default an hour. */
  outputTtlMs?: number;
  /** Seed of the job timings. */
  seed?: number;
  ffmpeg?: string;
}

/** How often each route was called: what a test reads to see that nothing was asked twice. */
export interface RequestCounts {
  submits: number;
  polls: number;
  lookups: number;
  cancels: number;
  downloads: number;
  unauthorized: number;
}

const MAX_BODY_BYTES = 64 * 1024;

export class ScriptedProviderEmulator {
  readonly requests: RequestCounts = { submits: 0, polls: 0, lookups: 0, cancels: 0, downloads: 0, unauthorized: 0 };
  private readonly book: JobBook;
  private readonly clips: ClipCache;
  private readonly server: Server;
  private baseUrl = '';

  constructor(private readonly options: ScriptedProviderOptions) {
    const timing: JobTiming = { minMs: 300, maxMs: 1500, queuedShare: 0.2, ...options.timing };
    this.book = new JobBook(
      { microsPerSecond: options.microsPerSecond ?? 123_457, fractionMicros: options.fractionMicros ?? 0.25 },
      timing,
      options.outputTtlMs ?? 3_600_000,
      seededRandom(options.seed ?? 1),
    );
    this.clips = new ClipCache(options.clipDirectory, options.ffmpeg);
    this.server = createServer((req, res) => {
      this.route(req, res).catch((error: unknown) => answer(res, 500, { error: { code: 'internal', message: String(error) } }));
    });
  }

  /** Listens on an ephemeral loopback port; resolves to the base URL (no trailing slash). */
  async start(): Promise<string> {
    this.baseUrl = await listenOnLoopback(this.server);
    return this.baseUrl;
  }

  async close(): Promise<void> {
    await closeServer(this.server);
    await this.clips.idle();
  }

  get url(): string {
    return this.baseUrl;
  }

  /** Every job ever created, oldest first. */
  get jobs(): readonly EmulatedJob[] {
    return this.book.all();
  }

  /** What the provider has billed so far, in whole micro-dollars (each job's fraction rounded up). */
  get invoiceMicros(): number {
    return this.book.invoiceMicros();
  }

  invoicedFor(job: EmulatedJob): number {
    return this.book.invoiced(job);
  }

  /** Jobs whose POST answer is being held back right now: a client killed now loses those answers. */
  get pendingSubmitAnswers(): number {
    return this.jobs.filter((job) => job.submitAnswer === 'pending').length;
  }

  /** True once no job can change any more (nothing queued or running). */
  get settled(): boolean {
    return this.jobs.every((job) => this.book.finished(job));
  }

  /** Encodes the clips for these shapes ahead of time, so that the first downloads do not wait for ffmpeg. */
  async prepareClips(shapes: ClipShape[]): Promise<void> {
    await Promise.all(shapes.map((shape) => this.clips.clipFor(shape)));
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://emulator');
    const segments = url.pathname.split('/').filter(Boolean);
    if (segments[0] !== 'v1') return answer(res, 404, { error: { code: 'not_found', message: `no route ${url.pathname}` } });

    if (segments[1] === 'files' && segments.length === 3 && req.method === 'GET') return this.sendFile(segments[2]!, url.searchParams.get('token'), res);
    if (segments[1] !== 'jobs' || segments.length > 3) return answer(res, 404, { error: { code: 'not_found', message: `no route ${url.pathname}` } });

    if (req.headers.authorization !== `Bearer ${this.options.apiKey}`) {
      this.requests.unauthorized++;
      return answer(res, 401, { error: { code: 'unauthorized', message: 'missing or wrong API key' } });
    }
    const jobId = segments[2];
    if (jobId === undefined && req.method === 'POST') return this.submit(req, res);
    if (jobId === undefined && req.method === 'GET') {
      this.requests.lookups++;
      const reference = url.searchParams.get('clientReference') ?? '';
      return answer(res, 200, { data: this.book.withReference(reference).map((job) => this.view(job)) });
    }
    const job = jobId === undefined ? undefined : this.book.get(jobId);
    if (jobId !== undefined && req.method === 'GET') {
      this.requests.polls++;
      return job ? answer(res, 200, this.view(job)) : answer(res, 404, { error: { code: 'not_found', message: `no job ${jobId}` } });
    }
    if (jobId !== undefined && req.method === 'DELETE') {
      this.requests.cancels++;
      if (!job) return answer(res, 404, { error: { code: 'not_found', message: `no job ${jobId}` } });
      this.book.cancel(job);
      return answer(res, 200, this.view(job));
    }
    return answer(res, 405, { error: { code: 'method_not_allowed', message: `${req.method} ${url.pathname}` } });
  }

  private async submit(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.requests.submits++;
    const request = parseJobRequest(await readBody(req));
    if (typeof request === 'string') return answer(res, 400, { error: { code: 'invalid_request', message: request } });
    const job = this.book.create(request);
    // Start encoding now: by the time the job is done, its clip usually is too.
    this.clips.clipFor(request).catch(() => undefined);
    // A client that dies (or gives up) while the answer is held back never learns the job id.
    res.once('close', () => {
      if (job.submitAnswer === 'pending') job.submitAnswer = 'lost';
    });
    const delay = this.options.submitAnswerDelayMs ?? 0;
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    // A killed client's socket may only be half closed yet: its end counts as gone too.
    if (res.destroyed || req.socket.destroyed || req.socket.readableEnded || job.submitAnswer === 'lost') {
      job.submitAnswer = 'lost';
      return;
    }
    job.submitAnswer = 'sent';
    answer(res, 201, { id: job.id, estimatedCostMicros: this.book.estimate(job) });
  }

  private async sendFile(jobId: string, token: string | null, res: ServerResponse): Promise<void> {
    this.requests.downloads++;
    const job = this.book.get(jobId);
    if (!job || this.book.status(job) !== 'succeeded') return answer(res, 404, { error: { code: 'not_found', message: `no output for ${jobId}` } });
    if (token !== job.outputToken || Date.now() > this.book.outputExpiresAt(job)) {
      return answer(res, 403, { error: { code: 'link_expired', message: 'Request has expired' } });
    }
    const clip = await this.clips.clipFor(job.request);
    res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': statSync(clip).size });
    createReadStream(clip)
      .on('error', () => res.destroy())
      .pipe(res);
  }

  private view(job: EmulatedJob) {
    return this.book.view(job, (j) => `${this.baseUrl}/v1/files/${j.id}?token=${j.outputToken}`);
  }
}

function answer(res: ServerResponse, status: number, body: unknown): void {
  if (res.destroyed || res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new Error('request body too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The POST body, or what is wrong with it (strict like a real API: a wrong field is a 400, not a guess). */
function parseJobRequest(raw: string): JobRequest | string {
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(raw) as Record<string, unknown>;
  } catch {
    return 'body is not JSON';
  }
  if (typeof body !== 'object' || body === null) return 'body must be an object';
  const text = (name: string) => (typeof body[name] === 'string' && (body[name] as string).length > 0 ? (body[name] as string) : undefined);
  const whole = (name: string, min: number, max: number) => {
    const value = body[name];
    return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max ? value : undefined;
  };
  const clientReference = text('clientReference');
  const model = text('model');
  const prompt = text('prompt');
  const durationSeconds = whole('durationSeconds', 1, 60);
  const width = whole('width', 16, 4096);
  const height = whole('height', 16, 4096);
  const fps = whole('fps', 1, 120);
  if (clientReference === undefined) return 'clientReference is required';
  if (model === undefined || prompt === undefined) return 'model and prompt are required';
  if (durationSeconds === undefined) return 'durationSeconds must be a whole number from 1 to 60';
  if (width === undefined || height === undefined || width % 2 !== 0 || height % 2 !== 0) return 'width and height must be even whole numbers';
  if (fps === undefined) return 'fps must be a whole number from 1 to 120';
  if (typeof body.audio !== 'boolean') return 'audio must be true or false';
  return { clientReference, model, prompt, durationSeconds, width, height, fps, audio: body.audio };
}
