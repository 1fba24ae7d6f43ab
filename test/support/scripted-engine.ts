/**
 * A scripted engine for orchestration tests and benchmarks: a fake *provider* whose
 * jobs live in memory (so they survive a simulated crash of the pipeline), with
 * behaviour chosen per call. Never used in place of an adapter's own tests.
 *
 * It is as unkind as a real provider: a re-sent submit makes a second job (unless a test
 * asks for deduplication), a submit can create its job and still lose the answer, bills
 * can be above the estimate or fractional or garbage, connections drop mid-poll, jobs
 * vanish, and download links expire. `billedMicros` is its invoice: what the ledger must
 * equal.
 */
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { EngineSpec } from '../../src/shared/domain';
import { EngineError } from '../../src/shared/errors';
import { toMicros } from '../../src/shared/money';
import type { Engine, GenerationRequest, PollResult } from '../../src/main/engines/engine';

export interface ScriptedJob {
  id: string;
  engineId: string;
  request: GenerationRequest;
  clientReference: string;
  submittedAt: number;
  readyAt: number;
  outcome: 'succeed' | 'stall' | 'vanish' | EngineError;
  cancelled: boolean;
  polls: number;
  downloads: number;
  /** What the provider will put on the invoice when the job finishes (a number, as really billed). */
  bill: number;
  finishedAt: number | null;
  /** What the provider says it billed when asked (may be anything, as real APIs sometimes send). */
  reported: unknown;
  /** The token of the newest download link; older links have expired. */
  linkToken: number;
  linkIssuedAt: number;
}

export interface ScriptedBehaviour {
  /** Wall time from submit until the job finishes. */
  latencyMs?: (request: GenerationRequest) => number;
  /** Fail the submit call itself, with an EngineError or anything an SDK throws (rate limits, auth, bad requests, network). */
  submitError?: (request: GenerationRequest, callNo: number) => unknown;
  /** Create the job, then lose the answer (a dropped connection after the provider acted). */
  loseSubmitAnswer?: (request: GenerationRequest, callNo: number) => boolean;
  /** The provider makes the job at once but takes this long to answer; a cancel meanwhile loses the answer, not the job. */
  submitLatencyMs?: number;
  /** Honour client references as idempotency keys: a re-sent submit returns the first job. Real providers mostly do not. */
  dedupeByReference?: boolean;
  /** Offer a lookup of jobs by client reference (Kling external_task_id, a list endpoint). */
  findable?: boolean;
  /** How the job ends. 'vanish': the provider forgets the job (polls answer not found). */
  outcome?: (request: GenerationRequest, jobNo: number) => 'succeed' | 'stall' | 'vanish' | EngineError;
  /** Fail individual poll calls without affecting the job (flaky network, 5xx), with an EngineError or a raw error. */
  pollError?: (job: ScriptedJob) => unknown;
  /** The provider's estimate at create (fractions allowed); undefined = it gives none. */
  estimateAtCreate?: (request: GenerationRequest) => number | undefined;
  /** What a succeeded job bills, reported on the poll (anything: fractions, garbage); undefined = billed at list price and not reported. */
  billedMicros?: (request: GenerationRequest, job: Pick<ScriptedJob, 'request'>) => unknown;
  /** What a failed job bills (reported); default nothing. */
  billedOnFailure?: (request: GenerationRequest) => number | undefined;
  /** Fail downloads (disk, network), with an EngineError or a raw error. */
  downloadError?: (job: ScriptedJob) => unknown;
  /** A download link works this long after the poll that issued it. */
  linkTtlMs?: number;
  /** The first this-many links issued for each job are already dead when used (an expired signed URL). */
  deadLinks?: number;
  /** The output is deleted this long after the job finished: polls then say it is gone. */
  outputRetentionMs?: number;
  /** Write a clip that the scripted gate will reject. */
  badClip?: (job: ScriptedJob) => boolean;
  cancellable?: boolean;
  pollIntervalMs?: number;
}

export class ScriptedProvider {
  readonly jobs = new Map<string, ScriptedJob>();
  readonly submitCalls: { engineId: string; clientReference: string; at: number }[] = [];
  private jobCounter = 0;

  constructor(
    private readonly behaviours: Record<string, ScriptedBehaviour>,
    private readonly clock: () => number = Date.now,
    /** Writes a real clip for a request (for tests with the real gate and stitcher); default: a small JSON stand-in. */
    private readonly writeClip?: (request: GenerationRequest, destination: string) => Promise<void>,
  ) {}

  /** Jobs actually created at the provider. */
  get createdJobs(): number {
    return this.jobs.size;
  }

  /**
   * The provider's invoice: every job that has finished by now, whether or not anyone
   * polled it, in micro-dollars as billed (fractions rounded up as the ledger does).
   */
  get billedMicros(): number {
    return [...this.jobs.values()].reduce((sum, job) => sum + this.invoiced(job), 0);
  }

  /** What one job is on the invoice for, as of now. */
  invoiced(job: ScriptedJob): number {
    const finished = job.finishedAt !== null || (job.outcome !== 'stall' && job.outcome !== 'vanish' && !job.cancelled && this.clock() >= job.readyAt);
    return finished && !job.cancelled && job.bill > 0 ? toMicros(job.bill) : 0;
  }

  jobsFor(shotId: string): ScriptedJob[] {
    return [...this.jobs.values()].filter((job) => job.request.shotId === shotId);
  }

  engine(spec: EngineSpec): Engine {
    const behaviour = this.behaviours[spec.id] ?? {};
    const provider = this;
    const listPrice = (request: GenerationRequest) => (spec.pricing[0]?.microsPerSecond ?? 0) * request.durationSeconds;
    const engine: Engine = {
      spec,
      async submit(request, context) {
        provider.submitCalls.push({ engineId: spec.id, clientReference: context.clientReference, at: provider.clock() });
        const callNo = provider.submitCalls.filter((c) => c.engineId === spec.id).length;
        const refused = behaviour.submitError?.(request, callNo);
        if (refused) throw refused;
        const existing = behaviour.dedupeByReference ? provider.byReference(spec.id, context.clientReference) : undefined;
        const job = existing ?? provider.create(spec.id, request, context.clientReference, behaviour, listPrice(request));
        if (behaviour.submitLatencyMs) await waitOrAbort(behaviour.submitLatencyMs, context.signal);
        if (behaviour.loseSubmitAnswer?.(request, callNo)) throw Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }) });
        const estimate = behaviour.estimateAtCreate?.(request);
        return { jobId: job.id, ...(estimate !== undefined ? { estimatedCostMicros: estimate } : {}) };
      },
      async poll(jobId): Promise<PollResult> {
        const job = provider.jobs.get(jobId);
        if (!job || job.outcome === 'vanish') throw new EngineError('expired_output', `no job ${jobId}`, { httpStatus: 404 });
        job.polls++;
        const flaky = behaviour.pollError?.(job);
        if (flaky) throw flaky;
        if (job.cancelled) return { state: 'failed', error: new EngineError('cancelled', 'job cancelled'), billedMicros: 0 };
        const now = provider.clock();
        if (job.outcome === 'stall' || now < job.readyAt) {
          return { state: 'running', progress: 0.5, nextPollMs: job.outcome === 'stall' ? undefined : Math.max(1, Math.min(behaviour.pollIntervalMs ?? 10, job.readyAt - now)) };
        }
        job.finishedAt ??= job.readyAt;
        if (job.outcome instanceof EngineError) {
          return { state: 'failed', error: job.outcome, ...(job.bill > 0 ? { billedMicros: job.bill } : {}) };
        }
        if (behaviour.outputRetentionMs !== undefined && now > job.finishedAt + behaviour.outputRetentionMs) {
          return { state: 'failed', error: new EngineError('expired_output', `the output of ${jobId} was deleted`) };
        }
        const reported = job.reported;
        job.linkToken++;
        job.linkIssuedAt = now;
        return {
          state: 'succeeded',
          output: { location: `scripted://${job.id}?token=${job.linkToken}`, durationSeconds: job.request.durationSeconds },
          ...(reported !== undefined ? { billedMicros: reported as number } : {}),
        };
      },
      async download(jobId, output, destinationPath) {
        const job = provider.jobs.get(jobId)!;
        job.downloads++;
        const failed = behaviour.downloadError?.(job);
        if (failed) throw failed;
        const token = Number(new URL(output.location).searchParams.get('token'));
        const linkExpired =
          token !== job.linkToken || token <= (behaviour.deadLinks ?? 0) || (behaviour.linkTtlMs !== undefined && provider.clock() > job.linkIssuedAt + behaviour.linkTtlMs);
        if (linkExpired) throw new EngineError('expired_output', `the download link of ${jobId} has expired`, { httpStatus: 403 });
        if (provider.writeClip) {
          await provider.writeClip(job.request, `${destinationPath}.part.mp4`);
          renameSync(`${destinationPath}.part.mp4`, destinationPath);
          const bytes = readFileSync(destinationPath);
          return { path: destinationPath, sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length };
        }
        const body = JSON.stringify({ jobId, shotId: job.request.shotId, durationSeconds: job.request.durationSeconds, bad: behaviour.badClip?.(job) ?? false });
        writeFileSync(`${destinationPath}.part`, body);
        renameSync(`${destinationPath}.part`, destinationPath);
        return { path: destinationPath, sha256: createHash('sha256').update(body).digest('hex'), bytes: body.length };
      },
    };
    if (behaviour.cancellable) {
      engine.cancel = async (jobId) => {
        const job = provider.jobs.get(jobId);
        // A job that has already finished cannot be taken back: the cancel "succeeds" and it is billed anyway.
        const finished = job !== undefined && job.outcome !== 'stall' && job.outcome !== 'vanish' && provider.clock() >= job.readyAt;
        if (job && !finished) job.cancelled = true;
      };
    }
    if (behaviour.findable) {
      engine.findJob = async (lookup) => {
        const job = provider.byReference(spec.id, lookup.clientReference);
        return job ? { jobId: job.id } : null;
      };
    }
    return engine;
  }

  private byReference(engineId: string, clientReference: string): ScriptedJob | undefined {
    return [...this.jobs.values()].find((j) => j.clientReference === clientReference && j.engineId === engineId);
  }

  private create(engineId: string, request: GenerationRequest, clientReference: string, behaviour: ScriptedBehaviour, listPrice: number): ScriptedJob {
    const jobNo = ++this.jobCounter;
    const now = this.clock();
    const outcome = behaviour.outcome?.(request, jobNo) ?? 'succeed';
    const draft = { request } as ScriptedJob;
    // What the job will bill is fixed when it is made: a figure it reports (anything), or the list price unreported.
    const reported = outcome instanceof EngineError ? behaviour.billedOnFailure?.(request) : behaviour.billedMicros?.(request, draft);
    const numeric = typeof reported === 'number' && Number.isFinite(reported) && reported >= 0;
    const bill = outcome instanceof EngineError ? (numeric ? (reported as number) : 0) : numeric ? (reported as number) : listPrice;
    const job: ScriptedJob = {
      id: `job_${engineId}_${jobNo}`,
      engineId,
      request,
      clientReference,
      submittedAt: now,
      readyAt: now + (behaviour.latencyMs?.(request) ?? 0),
      outcome,
      cancelled: false,
      polls: 0,
      downloads: 0,
      bill,
      reported,
      finishedAt: null,
      linkToken: 0,
      linkIssuedAt: 0,
    };
    this.jobs.set(job.id, job);
    return job;
  }
}

/** A registry entry for a scripted engine. */
export function scriptedSpec(id: string, overrides: Partial<EngineSpec> = {}): EngineSpec {
  const price = toMicros(100_000);
  return {
    id,
    provider: 'scripted',
    model: id,
    displayName: `Scripted ${id}`,
    modes: ['text', 'image'],
    audio: 'optional',
    durations: { kind: 'range', min: 1, max: 20 },
    capabilities: { seed: true, negativePrompt: true, maxPromptChars: 4000 },
    resolutions: ['480p', '720p', '1080p'],
    aspects: ['16:9', '9:16', '1:1'],
    pricing: (['480p', '720p', '1080p'] as const).flatMap((resolution) => [false, true].map((audio) => ({ resolution, audio, microsPerSecond: price }))),
    speed: { baseSeconds: 0, secondsPerVideoSecond: 0.01 },
    quality: { establishing: 0.5, dialogue: 0.5, action: 0.5, closeup: 0.5, stylized: 0.5, insert: 0.5 },
    concurrency: 8,
    status: 'active',
    priceSource: 'published',
    pollIntervalMs: 5,
    previewOnly: false,
    enabled: true,
    ...overrides,
  };
}

/** A price list at one rate for every resolution and audio flag the scripted spec offers. */
export function flatPricing(microsPerSecond: number): EngineSpec['pricing'] {
  return (['480p', '720p', '1080p'] as const).flatMap((resolution) => [false, true].map((audio) => ({ resolution, audio, microsPerSecond: toMicros(microsPerSecond) })));
}

function waitOrAbort(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(Object.assign(new Error('This operation was aborted'), { name: 'AbortError' }));
    }, { once: true });
  });
}
