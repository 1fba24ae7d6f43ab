/**
 * An emulated provider's jobs and its invoice, shared by every emulator. A job's state is
 * a function of the clock (queued, then running, then done at `readyAt`), so a job
 * finishes and is billed whether or not anybody polls it: exactly what a real provider
 * does while the client that made the job lies dead. Nothing here deduplicates.
 */
import { randomBytes } from 'node:crypto';
import type { ClipShape } from './clips';

export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed';

/** What the client asked for, as every protocol's create body carries it in its own words. */
export interface JobRequest extends ClipShape {
  /** The client's own reference where the protocol carries one (Kling external_task_id, ComfyUI extra_data); else ''. */
  clientReference: string;
  model: string;
  prompt: string;
}

/** How a job ends: made, refused by the provider's content filter (unbilled), or failed by the provider. */
export type JobOutcome = 'succeed' | 'content_policy' | 'fail';

export interface EmulatedJob<R extends JobRequest = JobRequest> {
  readonly id: string;
  readonly request: R;
  readonly outcome: JobOutcome;
  readonly createdAt: number;
  /** Queued until then, running after. */
  readonly startsAt: number;
  /** Finished (and billed) from then on, unless cancelled before. */
  readonly readyAt: number;
  /** What the job bills on completion, in micro-dollars, fractions included (as providers report). */
  readonly billMicros: number;
  /** The secret part of the output URL: a signed link, as a CDN would issue. */
  readonly outputToken: string;
  cancelledAt: number | null;
  /**
   * What became of the answer to the POST that made this job: `lost` when the client's
   * connection closed before it could be written (the client died, or gave up waiting).
   * A lost answer is a job the client must find again by its client reference.
   */
  submitAnswer: 'pending' | 'sent' | 'lost';
}

/** The wire form of a job (GET /v1/jobs/:id and the lookup's `data` items). */
export interface JobView {
  id: string;
  clientReference: string;
  createdAt: number;
  status: JobStatus;
  progress: number;
  output: { url: string; expiresAt: number } | null;
  billedMicros: number | null;
  error: { code: string; message: string } | null;
}

export interface BillingTerms {
  /** Price per second of video, in micro-dollars. */
  microsPerSecond: number;
  /** A provider-specific price (credits, units, per-model rates), in micro-dollars: overrides microsPerSecond. */
  price?: (request: JobRequest) => number;
  /** Added to every job's bill: a fractional micro-dollar, as some providers report figures. */
  fractionMicros: number;
}

export interface JobTiming {
  /** How long a job takes from create to done: drawn between these, per job. */
  minMs: number;
  maxMs: number;
  /** Share of that time spent queued before running. */
  queuedShare: number;
}

export class JobBook<R extends JobRequest = JobRequest> {
  private readonly byId = new Map<string, EmulatedJob<R>>();

  constructor(
    private readonly billing: BillingTerms,
    private readonly timing: JobTiming,
    private readonly outputTtlMs: number,
    private readonly random: () => number,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Never deduplicates: a re-sent submit with the same client reference is a second, separately billed job. */
  create(request: R, outcome: JobOutcome = 'succeed', id: string = `job_${randomBytes(8).toString('hex')}`): EmulatedJob<R> {
    const now = this.clock();
    const takes = this.timing.minMs + Math.round(this.random() * (this.timing.maxMs - this.timing.minMs));
    const job: EmulatedJob<R> = {
      id,
      request,
      outcome,
      createdAt: now,
      startsAt: now + Math.round(takes * this.timing.queuedShare),
      readyAt: now + takes,
      billMicros: (this.billing.price ? this.billing.price(request) : this.billing.microsPerSecond * request.durationSeconds) + this.billing.fractionMicros,
      outputToken: randomBytes(16).toString('hex'),
      cancelledAt: null,
      submitAnswer: 'pending',
    };
    this.byId.set(job.id, job);
    return job;
  }

  /** The estimate the provider quotes at create: the bill it will send, fraction and all. */
  estimate(job: EmulatedJob<R>): number {
    return job.billMicros;
  }

  get(id: string): EmulatedJob<R> | undefined {
    return this.byId.get(id);
  }

  all(): EmulatedJob<R>[] {
    return [...this.byId.values()];
  }

  withReference(clientReference: string): EmulatedJob<R>[] {
    return this.all().filter((job) => job.request.clientReference === clientReference);
  }

  /** Cancels a job that has not finished; a finished one is billed whatever the client says now. */
  cancel(job: EmulatedJob<R>): void {
    const now = this.clock();
    if (job.cancelledAt === null && now < job.readyAt) job.cancelledAt = now;
  }

  status(job: EmulatedJob<R>): JobStatus {
    if (job.cancelledAt !== null) return 'failed';
    const now = this.clock();
    if (now < job.startsAt) return 'queued';
    if (now < job.readyAt) return 'running';
    return job.outcome === 'succeed' ? 'succeeded' : 'failed';
  }

  /** Why a failed job failed, in the emulator's own words (each protocol words it its way). */
  failureOf(job: EmulatedJob<R>): 'cancelled' | JobOutcome | null {
    if (this.status(job) !== 'failed') return null;
    return job.cancelledAt !== null ? 'cancelled' : job.outcome;
  }

  /** True once the job will never change again (and, if it succeeded, is on the invoice). */
  finished(job: EmulatedJob<R>): boolean {
    const status = this.status(job);
    return status === 'succeeded' || status === 'failed';
  }

  /** Whole micro-dollars this job adds to the invoice as of now: fractions rounded up per job, as the ledger rounds. */
  invoiced(job: EmulatedJob<R>): number {
    return this.status(job) === 'succeeded' ? Math.ceil(job.billMicros) : 0;
  }

  /** The provider's invoice: every succeeded job, polled or not. */
  invoiceMicros(): number {
    return this.all().reduce((sum, job) => sum + this.invoiced(job), 0);
  }

  outputExpiresAt(job: EmulatedJob<R>): number {
    return job.readyAt + this.outputTtlMs;
  }

  view(job: EmulatedJob<R>, fileUrl: (job: EmulatedJob<R>) => string): JobView {
    const status = this.status(job);
    const now = this.clock();
    const progress = status === 'succeeded' ? 1 : status === 'running' ? (now - job.startsAt) / Math.max(1, job.readyAt - job.startsAt) : 0;
    return {
      id: job.id,
      clientReference: job.request.clientReference,
      createdAt: job.createdAt,
      status,
      progress: Math.round(progress * 100) / 100,
      output: status === 'succeeded' ? { url: fileUrl(job), expiresAt: this.outputExpiresAt(job) } : null,
      billedMicros: status === 'succeeded' ? job.billMicros : status === 'failed' ? 0 : null,
      error: status === 'failed' ? failureView(job, this.failureOf(job)) : null,
    };
  }

}

function failureView(job: EmulatedJob, failure: string | null): { code: string; message: string } {
  if (failure === 'cancelled') return { code: 'cancelled', message: `job ${job.id} was cancelled before it finished` };
  if (failure === 'content_policy') return { code: 'content_policy', message: 'the prompt was refused by the content filter' };
  return { code: 'internal', message: 'generation failed' };
}
