/**
 * A scripted engine for orchestration tests and benchmarks: a fake *provider* whose
 * jobs live in memory (so they survive a simulated crash of the pipeline), with
 * behaviour chosen per call. Never used in place of an adapter's own tests.
 */
import { createHash } from 'node:crypto';
import { renameSync, writeFileSync } from 'node:fs';
import type { EngineSpec } from '../../src/shared/domain';
import { EngineError } from '../../src/shared/errors';
import type { Engine, GenerationRequest, PollResult } from '../../src/main/engines/engine';

export interface ScriptedJob {
  id: string;
  engineId: string;
  request: GenerationRequest;
  idempotencyKey: string;
  submittedAt: number;
  readyAt: number;
  outcome: 'succeed' | 'stall' | EngineError;
  cancelled: boolean;
  polls: number;
  downloads: number;
}

export interface ScriptedBehaviour {
  /** Wall time from submit until the job finishes. */
  latencyMs?: (request: GenerationRequest) => number;
  /** Fail the submit call itself (rate limits, auth, bad requests are refused here). */
  submitError?: (request: GenerationRequest, callNo: number) => EngineError | undefined;
  /** How the job ends. */
  outcome?: (request: GenerationRequest, jobNo: number) => 'succeed' | 'stall' | EngineError;
  /** Fail individual poll calls without affecting the job (flaky network). */
  pollError?: (job: ScriptedJob) => EngineError | undefined;
  /** What the provider reports as billed; undefined = not reported. */
  reportedCostMicros?: (request: GenerationRequest) => number | undefined;
  /** Fail downloads (e.g. expired output). */
  downloadError?: (job: ScriptedJob) => EngineError | undefined;
  /** Write a clip that the scripted gate will reject. */
  badClip?: (job: ScriptedJob) => boolean;
  cancellable?: boolean;
  pollIntervalMs?: number;
}

export class ScriptedProvider {
  readonly jobs = new Map<string, ScriptedJob>();
  readonly submitCalls: { engineId: string; idempotencyKey: string; at: number }[] = [];
  private jobCounter = 0;

  constructor(
    private readonly behaviours: Record<string, ScriptedBehaviour>,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Jobs actually created (a re-sent submit with the same idempotency key creates none). */
  get createdJobs(): number {
    return this.jobs.size;
  }

  engine(spec: EngineSpec): Engine {
    const behaviour = this.behaviours[spec.id] ?? {};
    const provider = this;
    return {
      spec,
      async submit(request, context) {
        provider.submitCalls.push({ engineId: spec.id, idempotencyKey: context.idempotencyKey, at: provider.clock() });
        const refused = behaviour.submitError?.(request, provider.submitCalls.filter((c) => c.engineId === spec.id).length);
        if (refused) throw refused;
        const existing = [...provider.jobs.values()].find((j) => j.idempotencyKey === context.idempotencyKey && j.engineId === spec.id);
        if (existing) return { jobId: existing.id };
        const jobNo = ++provider.jobCounter;
        const id = `job_${spec.id}_${jobNo}`;
        const now = provider.clock();
        provider.jobs.set(id, {
          id,
          engineId: spec.id,
          request,
          idempotencyKey: context.idempotencyKey,
          submittedAt: now,
          readyAt: now + (behaviour.latencyMs?.(request) ?? 0),
          outcome: behaviour.outcome?.(request, jobNo) ?? 'succeed',
          cancelled: false,
          polls: 0,
          downloads: 0,
        });
        return { jobId: id };
      },
      async poll(jobId): Promise<PollResult> {
        const job = provider.jobs.get(jobId);
        if (!job) return { state: 'failed', error: new EngineError('expired_output', `unknown job ${jobId}`) };
        job.polls++;
        const flaky = behaviour.pollError?.(job);
        if (flaky) throw flaky;
        if (job.cancelled) return { state: 'failed', error: new EngineError('cancelled', 'job cancelled') };
        const now = provider.clock();
        if (job.outcome === 'stall' || now < job.readyAt) {
          return { state: 'running', progress: 0.5, nextPollMs: job.outcome === 'stall' ? undefined : Math.max(1, Math.min(behaviour.pollIntervalMs ?? 10, job.readyAt - now)) };
        }
        if (job.outcome instanceof EngineError) return { state: 'failed', error: job.outcome };
        return {
          state: 'succeeded',
          output: { location: `scripted://${job.id}`, durationSeconds: job.request.durationSeconds },
          actualCostMicros: behaviour.reportedCostMicros?.(job.request),
        };
      },
      async download(jobId, _output, destinationPath) {
        const job = provider.jobs.get(jobId)!;
        job.downloads++;
        const failed = behaviour.downloadError?.(job);
        if (failed) throw failed;
        const body = JSON.stringify({ jobId, shotId: job.request.shotId, durationSeconds: job.request.durationSeconds, bad: behaviour.badClip?.(job) ?? false });
        writeFileSync(`${destinationPath}.part`, body);
        renameSync(`${destinationPath}.part`, destinationPath);
        return { path: destinationPath, sha256: createHash('sha256').update(body).digest('hex'), bytes: body.length };
      },
      ...(behaviour.cancellable
        ? {
            async cancel(jobId: string) {
              const job = provider.jobs.get(jobId);
              if (job) job.cancelled = true;
            },
          }
        : {}),
    };
  }
}

/** A registry entry for a scripted engine. */
export function scriptedSpec(id: string, overrides: Partial<EngineSpec> = {}): EngineSpec {
  return {
    id,
    provider: 'scripted',
    model: id,
    displayName: `Scripted ${id}`,
    modes: ['text', 'image'],
    audio: 'optional',
    durations: { kind: 'range', min: 1, max: 20 },
    resolutions: ['480p', '720p', '1080p'],
    aspects: ['16:9', '9:16', '1:1'],
    pricing: [
      { resolution: '480p', audio: false, microsPerSecond: 100_000 },
      { resolution: '480p', audio: true, microsPerSecond: 100_000 },
      { resolution: '720p', audio: false, microsPerSecond: 100_000 },
      { resolution: '720p', audio: true, microsPerSecond: 100_000 },
      { resolution: '1080p', audio: false, microsPerSecond: 100_000 },
      { resolution: '1080p', audio: true, microsPerSecond: 100_000 },
    ],
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
