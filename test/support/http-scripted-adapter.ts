/**
 * An adapter for provider 'scripted' that speaks the loopback emulator's protocol
 * (test/emulators/scripted-provider/server.ts) over real HTTP with fetch: what a
 * provider adapter written for production looks like, minus the provider. Tests use it
 * when the client has to die for real (kill -9) while the provider keeps its jobs.
 *
 * It throws on every HTTP error and lets the boundary classify (through the shared HTTP
 * error module, as the real adapters do); it never retries or deduplicates itself,
 * because deciding that is the pipeline's job.
 */
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { EngineSpec } from '../../src/shared/domain';
import { EngineError } from '../../src/shared/errors';
import type { CallContext, DownloadResult, Engine, GenerationRequest, JobLookup, JobOutput, PollResult, SubmitContext, SubmitResult } from '../../src/main/engines/engine';
import { engineErrorFromJobFailure, engineErrorFromResponse, type EngineOperation } from '../../src/main/engines/errors';
import type { AdapterDeps, EngineFactory } from '../../src/main/engines';
import { saveClip } from '../../src/main/engines/clip-file';

/** Where the child CLI finds the emulator: set by the test, read by run-cli-scripted.ts. */
export const SCRIPTED_PROVIDER_URL_ENV = 'SHOTLINE_TEST_PROVIDER_URL';
/** The API key's variable; the key itself reaches the adapter through AdapterDeps.credentials. */
export const SCRIPTED_PROVIDER_KEY_ENV = 'SHOTLINE_TEST_PROVIDER_KEY';

/** A job as the emulator describes it (only the fields this adapter reads). */
interface WireJob {
  id: string;
  createdAt?: number;
  status: 'queued' | 'running' | 'succeeded' | 'failed';
  progress?: number;
  output: { url: string; expiresAt?: number } | null;
  billedMicros: number | null;
  error: { code?: string; message?: string } | null;
}

export interface HttpScriptedOptions {
  /** The emulator's base URL, e.g. http://127.0.0.1:41234 */
  baseUrl: string;
}

export function httpScriptedEngineFactory(options: HttpScriptedOptions): EngineFactory {
  return async (spec, deps) => createHttpScriptedEngine(spec, deps, options);
}

export function createHttpScriptedEngine(spec: EngineSpec, deps: AdapterDeps, options: HttpScriptedOptions): Engine {
  const base = options.baseUrl.replace(/\/+$/, '');
  const context = (operation: EngineOperation) => ({ provider: spec.provider, operation });

  /** Read at every call: a key changed while the studio runs is used from the next call on. */
  function authorization(): string {
    const key = deps.credentials(spec.provider)?.[SCRIPTED_PROVIDER_KEY_ENV];
    if (!key) throw new EngineError('auth', `no API key for ${spec.provider}: set ${SCRIPTED_PROVIDER_KEY_ENV}`);
    return `Bearer ${key}`;
  }

  async function call<T>(operation: EngineOperation, method: string, route: string, signal: AbortSignal, body?: unknown): Promise<T> {
    const response = await fetch(`${base}${route}`, {
      method,
      signal,
      headers: { authorization: authorization(), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    if (!response.ok) throw await engineErrorFromResponse(response, context(operation));
    return (await response.json()) as T;
  }

  const engine: Engine = {
    spec,

    async submit(request: GenerationRequest, { signal, clientReference }: SubmitContext): Promise<SubmitResult> {
      const created = await call<{ id: string; estimatedCostMicros?: number }>('submit', 'POST', '/v1/jobs', signal, {
        clientReference,
        model: spec.model,
        prompt: request.prompt,
        durationSeconds: request.durationSeconds,
        width: request.width,
        height: request.height,
        fps: request.fps,
        audio: request.audio,
      });
      // Passed on as sent: the boundary checks both figures, the adapter does not launder them.
      return { jobId: created.id, ...(created.estimatedCostMicros !== undefined ? { estimatedCostMicros: created.estimatedCostMicros } : {}) };
    },

    async poll(jobId: string, { signal }: CallContext): Promise<PollResult> {
      const job = await call<WireJob>('poll', 'GET', `/v1/jobs/${encodeURIComponent(jobId)}`, signal);
      return pollResultOf(job, spec, context('poll'));
    },

    async download(_jobId: string, output: JobOutput, destinationPath: string, { signal }: CallContext): Promise<DownloadResult> {
      // A signed link: no key goes with it, as no key should go to a CDN.
      const response = await fetch(output.location, { signal });
      if (!response.ok) throw await engineErrorFromResponse(response, context('download'));
      if (!response.body) throw new EngineError('unavailable', `${spec.id} answered a download with no body`);
      return saveClip(Readable.fromWeb(response.body as unknown as WebReadableStream<Uint8Array>), destinationPath, signal);
    },

    async cancel(jobId: string, { signal }: CallContext): Promise<void> {
      await call<WireJob>('cancel', 'DELETE', `/v1/jobs/${encodeURIComponent(jobId)}`, signal);
    },

    async findJob(lookup: JobLookup, { signal }: CallContext): Promise<{ jobId: string } | null> {
      const found = await call<{ data: WireJob[] }>('findJob', 'GET', `/v1/jobs?clientReference=${encodeURIComponent(lookup.clientReference)}`, signal);
      // Older jobs with the same reference cannot be this attempt's; of the rest, the first made is the one the lost answer named.
      const candidates = found.data.filter((job) => job.createdAt === undefined || job.createdAt >= lookup.submittedAfter);
      return candidates[0] ? { jobId: candidates[0].id } : null;
    },
  };
  return engine;
}

function pollResultOf(job: WireJob, spec: EngineSpec, context: { provider: string; operation: EngineOperation }): PollResult {
  const billed = job.billedMicros === null ? {} : { billedMicros: job.billedMicros };
  switch (job.status) {
    case 'queued':
      return { state: 'queued', nextPollMs: spec.pollIntervalMs };
    case 'running':
      return { state: 'running', ...(typeof job.progress === 'number' ? { progress: job.progress } : {}), nextPollMs: spec.pollIntervalMs };
    case 'succeeded':
      // An answer without an output is left for the boundary to refuse.
      return { state: 'succeeded', output: { location: job.output?.url ?? '', ...(job.output?.expiresAt !== undefined ? { expiresAt: job.output.expiresAt } : {}) }, ...billed };
    case 'failed':
      return { state: 'failed', error: engineErrorFromJobFailure({ code: job.error?.code, message: job.error?.message ?? `job ${job.id} failed` }, context), ...billed };
    default:
      // An unknown state goes through as it came, so the boundary reports it.
      return job as unknown as PollResult;
  }
}

