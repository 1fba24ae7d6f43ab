/**
 * The loopback HTTP server under every provider emulator: jobs that run and bill by the
 * clock (job-book.ts), real MP4s (clips.ts), the fault knobs (faults.ts), counts of every
 * call, and output links that expire like signed CDN URLs. A provider's emulator
 * subclasses it and speaks only its protocol: routes, auth, body shapes, statuses, and
 * how its errors are worded.
 *
 * Binds 127.0.0.1 only. Never deduplicates: two creates are two jobs, billed twice.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { closeServer, listenOnLoopback } from './loopback';
import { ClipCache } from './clips';
import { Faults, type FaultRoute } from './faults';
import { seededRandom } from '../../support/seeded-random';
import { JobBook, type EmulatedJob, type JobOutcome, type JobRequest, type JobTiming } from './job-book';

/** What an error answer means, for the subclass to word in its protocol. */
export type ErrorReason = 'rate_limited' | 'unavailable' | 'auth' | 'invalid_request' | 'not_found' | 'quota_exhausted';

export interface EmulatorOptions {
  /** Where encoded clips are cached (shared between emulators is fine). */
  clipDirectory: string;
  /** How long jobs take; default 300-1500 ms, a fifth of it queued. */
  timing?: Partial<JobTiming>;
  /** Price per second of video in micro-dollars when the protocol has no price of its own; default 100_000. */
  microsPerSecond?: number;
  /** Fraction of a micro-dollar added to every bill (for protocols that report fractional costs); default 0. */
  fractionMicros?: number;
  /** How long an output link works after it was issued; default an hour. */
  linkTtlMs?: number;
  seed?: number;
  ffmpeg?: string;
  /** Fixed port (for `npm run emulators`); default an ephemeral one. */
  port?: number;
}

/** How often each kind of call arrived (faulted ones included): what tests read to prove nothing was sent twice. */
export interface CallCounts {
  creates: number;
  polls: number;
  lookups: number;
  cancels: number;
  downloads: number;
  unauthorized: number;
}

interface IssuedLink {
  jobId: string;
  issuedAt: number;
}

const MAX_BODY_BYTES = 8 * 1024 * 1024;

export abstract class ProviderEmulator<R extends JobRequest = JobRequest> {
  readonly counts: CallCounts = { creates: 0, polls: 0, lookups: 0, cancels: 0, downloads: 0, unauthorized: 0 };
  readonly faults = new Faults();
  protected readonly book: JobBook<R>;
  protected readonly clips: ClipCache;
  private readonly links = new Map<string, IssuedLink>();
  private readonly server: Server;
  private baseUrl = '';

  constructor(
    protected readonly options: EmulatorOptions,
    price?: (request: R) => number,
  ) {
    const timing: JobTiming = { minMs: 300, maxMs: 1500, queuedShare: 0.2, ...options.timing };
    this.book = new JobBook<R>(
      { microsPerSecond: options.microsPerSecond ?? 100_000, fractionMicros: options.fractionMicros ?? 0, price: price as ((r: JobRequest) => number) | undefined },
      timing,
      options.linkTtlMs ?? 3_600_000,
      seededRandom(options.seed ?? 1),
    );
    this.clips = new ClipCache(options.clipDirectory, options.ffmpeg);
    this.server = createServer((req, res) => {
      this.dispatch(req, res).catch((error: unknown) => {
        if (!res.headersSent && !res.destroyed) this.sendError(res, 'unavailable', 500, `emulator fault: ${String(error)}`);
      });
    });
  }

  /** The protocol: answer one request (the shared file route is handled before this). */
  protected abstract handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void>;

  /** The protocol's error document for a reason (Kling's envelope, Google's RPC status, FastAPI's detail...). */
  protected abstract errorBody(reason: ErrorReason, status: number, message: string): unknown;

  async start(): Promise<string> {
    this.baseUrl = await listenOnLoopback(this.server, this.options.port);
    return this.baseUrl;
  }

  /** Stops serving and waits for clip encodes still running, so the caller may delete the clip folder. */
  async close(): Promise<void> {
    await closeServer(this.server);
    await this.clips.idle();
  }

  get url(): string {
    return this.baseUrl;
  }

  /** Every job ever created, oldest first. */
  get jobs(): readonly EmulatedJob<R>[] {
    return this.book.all();
  }

  /** What the provider has billed so far, in whole micro-dollars (each job's fraction rounded up). */
  get invoiceMicros(): number {
    return this.book.invoiceMicros();
  }

  invoicedFor(job: EmulatedJob<R>): number {
    return this.book.invoiced(job);
  }

  /** True once no job can change any more. */
  get settled(): boolean {
    return this.jobs.every((job) => this.book.finished(job));
  }

  /** Jobs per prompt: more than one for a prompt means a shot was paid for twice (tests give each shot its own prompt). */
  jobsPerPrompt(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const job of this.jobs) counts.set(job.request.prompt, (counts.get(job.request.prompt) ?? 0) + 1);
    return counts;
  }

  // ---- for subclasses -------------------------------------------------------------

  /**
   * Applies the generic fault that fires for this call, if any: down (503), a 5xx, a hang,
   * a 429. Returns true when the call was answered (or swallowed) by the fault.
   */
  protected callFault(route: FaultRoute, res: ServerResponse): boolean {
    const fault = this.faults.takeCallFault(route);
    if (fault === null) return false;
    if (fault === 'hang') return true; // never answered; close() drops it
    if (fault === 'down') this.sendError(res, 'unavailable', 503, 'The service is temporarily unavailable (maintenance).');
    else if (fault === 'server_error') this.sendError(res, 'unavailable', this.faults.knobs.serverErrorStatus, 'Internal server error.');
    else this.sendError(res, 'rate_limited', 429, 'Too many requests: rate limit reached.', { 'retry-after': String(this.faults.knobs.retryAfterSeconds) });
    return true;
  }

  /**
   * Makes a job for a create that passed validation and auth, then answers it, unless a
   * lost-answer fault fires: then the job exists (and bills) but the client never hears.
   */
  protected createJob(req: IncomingMessage, res: ServerResponse, request: R, answer: (job: EmulatedJob<R>) => { status: number; body: unknown }, id?: string): EmulatedJob<R> {
    const outcome: JobOutcome = this.faults.take('contentPolicy') ? 'content_policy' : 'succeed';
    const job = this.book.create(request, outcome, id);
    this.clips.clipFor(request).catch(() => undefined); // encode while the job "runs"
    if (this.faults.take('lostCreateAnswers')) {
      const how = this.faults.knobs.lostCreateAnswerAs;
      if (how === 'reset') req.socket.destroy();
      else if (how === 'bad_gateway') this.sendError(res, 'unavailable', 502, 'Bad gateway: upstream did not answer.');
      return job; // 'hang': never answered
    }
    const { status, body } = answer(job);
    this.sendJson(res, status, body);
    return job;
  }

  protected status(job: EmulatedJob<R>) {
    return this.book.status(job);
  }

  protected failureOf(job: EmulatedJob<R>) {
    return this.book.failureOf(job);
  }

  protected job(id: string): EmulatedJob<R> | undefined {
    return this.book.get(id);
  }

  protected cancelJob(job: EmulatedJob<R>): void {
    this.book.cancel(job);
  }

  /** Progress 0..1 of a running job. */
  protected progressOf(job: EmulatedJob<R>): number {
    const now = Date.now();
    if (now >= job.readyAt) return 1;
    if (now < job.startsAt) return 0;
    return Math.round(((now - job.startsAt) / Math.max(1, job.readyAt - job.startsAt)) * 100) / 100;
  }

  /** What the job bills (fractions included), 0 unless it succeeded. */
  protected billOf(job: EmulatedJob<R>): number {
    return this.book.status(job) === 'succeeded' ? job.billMicros : 0;
  }

  /** A signed, expiring link to the job's clip, as a CDN would issue: a new token per call. */
  protected issueLink(job: EmulatedJob<R>, issuedAt: number = Date.now()): string {
    const token = randomBytes(12).toString('hex');
    this.links.set(token, { jobId: job.id, issuedAt });
    return `${this.baseUrl}/_cdn/${token}/${encodeURIComponent(job.id)}.mp4`;
  }

  /** Streams the job's clip with the download faults (slow, truncated); the caller has checked auth and state. */
  protected async sendClip(res: ServerResponse, job: EmulatedJob<R>, contentType = 'video/mp4'): Promise<void> {
    const clip = await this.clips.clipFor(job.request);
    const size = statSync(clip).size;
    res.writeHead(200, { 'content-type': contentType, 'content-length': size });
    if (this.faults.take('truncatedDownloads')) {
      const handle = await open(clip);
      const half = Buffer.alloc(Math.floor(size / 2));
      await handle.read(half, 0, half.length, 0);
      await handle.close();
      res.write(half, () => setTimeout(() => res.destroy(), 20));
      return;
    }
    const rate = this.faults.knobs.slowDownloadBytesPerSecond;
    if (rate === null) {
      createReadStream(clip).on('error', () => res.destroy()).pipe(res);
      return;
    }
    const chunk = Math.max(1, Math.floor(rate / 10));
    for await (const piece of createReadStream(clip, { highWaterMark: chunk })) {
      if (res.destroyed) return;
      res.write(piece);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    res.end();
  }

  protected sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    if (res.destroyed || res.headersSent) return;
    let text = JSON.stringify(body);
    if (status < 300 && this.faults.take('malformedJson')) text = text.slice(0, Math.max(1, Math.floor(text.length / 2)));
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
    res.end(text);
  }

  protected sendError(res: ServerResponse, reason: ErrorReason, status: number, message: string, headers: Record<string, string> = {}): void {
    if (reason === 'auth') this.counts.unauthorized++;
    this.sendJson(res, status, this.errorBody(reason, status, message), headers);
  }

  protected async readBody(req: IncomingMessage): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) throw new Error('request body too large');
      chunks.push(chunk);
    }
    return Buffer.concat(chunks);
  }

  /** The JSON body as an object, or null when it is not one (the caller answers 400 in its protocol). */
  protected async readJson(req: IncomingMessage): Promise<Record<string, unknown> | null> {
    try {
      const parsed: unknown = JSON.parse((await this.readBody(req)).toString('utf8'));
      return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
    } catch {
      return null;
    }
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://emulator');
    if (url.pathname.startsWith('/_cdn/') && req.method === 'GET') return this.serveLink(url, res);
    return this.handle(req, res, url);
  }

  /** A CDN link: no key, only the token; expired links answer 403 the way S3 and GCS do. */
  private async serveLink(url: URL, res: ServerResponse): Promise<void> {
    this.counts.downloads++;
    const token = url.pathname.split('/')[2] ?? '';
    const link = this.links.get(token);
    const job = link ? this.book.get(link.jobId) : undefined;
    const expired = link !== undefined && (this.faults.linkExpired(link.issuedAt) || Date.now() > link.issuedAt + (this.options.linkTtlMs ?? 3_600_000));
    if (!link || !job || expired || this.book.status(job) !== 'succeeded') {
      const text = '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>';
      res.writeHead(403, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(text) });
      res.end(text);
      return;
    }
    await this.sendClip(res, job);
  }
}
