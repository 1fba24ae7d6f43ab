/**
 * The classification boundary around every engine call. The pipeline never calls an
 * adapter directly: it calls a GuardedEngine, which
 *   - gives each call one signal that fires on the user's Cancel or on the call's own timeout;
 *   - turns anything thrown (network errors, aborts, SDK errors, adapter bugs) into an
 *     EngineError of a known kind (errors/), saying for a submit whether a job may exist;
 *   - checks what comes back (job ids, poll answers, figures) and turns a provider's
 *     amounts into Micros, so a malformed answer can neither crash a run nor reach the ledger.
 */
import type { EngineSpec } from '../../shared/domain';
import { EngineError } from '../../shared/errors';
import { parseMicros, type Micros } from '../../shared/money';
import type { DownloadResult, Engine, GenerationRequest, JobLookup, JobOutput, PollResult } from './engine';
import { requestProblems } from './common/request-fit';
import { classifyThrown, type EngineOperation } from './errors';

/** How long one call may take before it counts as a timeout; a poll is cheap, a download is a whole video. */
export const CALL_TIMEOUTS_MS: Readonly<Record<EngineOperation, number>> = {
  submit: 120_000,
  poll: 60_000,
  download: 15 * 60_000,
  cancel: 30_000,
  findJob: 60_000,
};

/** A provider's figure after the boundary has looked at it. */
export interface CheckedAmount {
  micros?: Micros;
  /** Set when the provider sent something that is not an amount: the caller charges the list price and says why. */
  problem?: string;
}

export interface GuardedSubmit {
  jobId: string;
  providerEstimate: CheckedAmount;
}

export type GuardedPoll =
  | { state: 'queued' | 'running'; progress?: number; nextPollMs?: number }
  | { state: 'succeeded'; output: JobOutput; billed: CheckedAmount }
  | { state: 'failed'; error: EngineError; billed: CheckedAmount };

export interface GuardedEngine {
  readonly spec: EngineSpec;
  readonly canCancel: boolean;
  readonly canFindJob: boolean;
  submit(request: GenerationRequest, clientReference: string, signal: AbortSignal): Promise<GuardedSubmit>;
  poll(jobId: string, signal: AbortSignal): Promise<GuardedPoll>;
  download(jobId: string, output: JobOutput, destinationPath: string, signal: AbortSignal): Promise<DownloadResult>;
  /** Throws EngineError('invalid_request') where the provider cannot cancel. */
  cancel(jobId: string, signal: AbortSignal): Promise<void>;
  /** Throws EngineError('invalid_request') where the provider offers no lookup. */
  findJob(lookup: JobLookup, signal: AbortSignal): Promise<{ jobId: string } | null>;
}

export interface BoundaryOptions {
  /** Key material to scrub from any message that leaves the boundary. */
  secrets?: () => string[];
  timeoutsMs?: Partial<Record<EngineOperation, number>>;
}

export function guardEngine(engine: Engine, options: BoundaryOptions = {}): GuardedEngine {
  const provider = engine.spec.provider;
  const timeouts = { ...CALL_TIMEOUTS_MS, ...options.timeoutsMs };

  async function call<T>(operation: EngineOperation, userSignal: AbortSignal, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    // Cancelled before the call: nothing was sent, so no job can exist.
    if (userSignal.aborted) throw new EngineError('cancelled', `${operation} not sent: cancelled by the user`, { jobMayExist: false });
    const signal = AbortSignal.any([userSignal, AbortSignal.timeout(timeouts[operation])]);
    try {
      return await work(signal);
    } catch (error) {
      throw classifyThrown(error, { provider, operation, userSignal, secrets: options.secrets?.() ?? [] });
    }
  }

  return {
    spec: engine.spec,
    canCancel: typeof engine.cancel === 'function',
    canFindJob: typeof engine.findJob === 'function',

    submit: (request, clientReference, userSignal) =>
      call('submit', userSignal, async (signal) => {
        // A request the model cannot take is refused here, before anything is sent or paid for.
        const problems = requestProblems(engine.spec, request);
        if (problems.length > 0) throw new EngineError('invalid_request', `${engine.spec.id} cannot take this shot: ${problems.join('; ')}`, { jobMayExist: false });
        const result: unknown = await engine.submit(request, { signal, clientReference });
        const jobId = checkJobId((result as { jobId?: unknown } | null)?.jobId);
        if (jobId === null) {
          // It answered success: something was probably made, but we cannot name it.
          throw new EngineError('unavailable', `${engine.spec.id} accepted the submit but returned no usable job id`, { jobMayExist: true });
        }
        return { jobId, providerEstimate: checkAmount((result as { estimatedCostMicros?: unknown }).estimatedCostMicros, 'estimated cost') };
      }),

    poll: (jobId, userSignal) => call('poll', userSignal, async (signal) => checkPoll(await engine.poll(jobId, { signal }), engine.spec.id, provider)),

    download: (jobId, output, destinationPath, userSignal) =>
      call('download', userSignal, async (signal) => checkDownload(await engine.download(jobId, output, destinationPath, { signal }), engine.spec.id)),

    cancel: (jobId, userSignal) =>
      call('cancel', userSignal, async (signal) => {
        if (!engine.cancel) throw new EngineError('invalid_request', `${engine.spec.id} cannot cancel jobs`);
        await engine.cancel(jobId, { signal });
      }),

    findJob: (lookup, userSignal) =>
      call('findJob', userSignal, async (signal) => {
        if (!engine.findJob) throw new EngineError('invalid_request', `${engine.spec.id} cannot look jobs up`);
        const found: unknown = await engine.findJob(lookup, { signal });
        if (found === null || found === undefined) return null;
        const jobId = checkJobId((found as { jobId?: unknown }).jobId);
        if (jobId === null) throw new EngineError('unavailable', `${engine.spec.id} answered a job lookup without a usable job id`);
        return { jobId };
      }),
  };
}

/** Ids go into the database, URLs and file names: printable, bounded. */
function checkJobId(value: unknown): string | null {
  if (typeof value !== 'string' && typeof value !== 'number') return null;
  const id = String(value);
  // eslint-disable-next-line no-control-regex
  return id.length > 0 && id.length <= 1024 && !/[\u0000-\u001f\u007f]/.test(id) ? id : null;
}

function checkAmount(value: unknown, what: string): CheckedAmount {
  if (value === undefined || value === null) return {};
  const parsed = parseMicros(value, `the provider's ${what}`);
  return parsed.ok ? { micros: parsed.micros } : { problem: parsed.problem };
}

const POLL_STATES = new Set(['queued', 'running', 'succeeded', 'failed']);

function checkPoll(result: PollResult, engineId: string, provider: string): GuardedPoll {
  const state = (result as { state?: unknown } | null)?.state;
  if (typeof state !== 'string' || !POLL_STATES.has(state)) {
    throw new EngineError('unavailable', `${engineId} answered a poll with an unknown state ${JSON.stringify(state ?? null)}`);
  }
  if (result.state === 'queued' || result.state === 'running') {
    const raw = result.state === 'running' ? result.progress : undefined;
    const progress = typeof raw === 'number' && Number.isFinite(raw) ? Math.max(0, Math.min(1, raw)) : undefined;
    const next = typeof result.nextPollMs === 'number' && Number.isFinite(result.nextPollMs) && result.nextPollMs >= 0 ? result.nextPollMs : undefined;
    return { state: result.state, ...(progress !== undefined ? { progress } : {}), ...(next !== undefined ? { nextPollMs: next } : {}) };
  }
  const billed = checkAmount(result.billedMicros, 'billed amount');
  if (result.state === 'failed') {
    const error = result.error instanceof EngineError ? result.error : classifyThrown(result.error, { provider, operation: 'poll' });
    return { state: 'failed', error, billed };
  }
  const output = result.output as Partial<JobOutput> | undefined;
  if (!output || typeof output.location !== 'string' || output.location.length === 0) {
    throw new EngineError('unavailable', `${engineId} said a job succeeded but named no output`);
  }
  const duration = typeof output.durationSeconds === 'number' && Number.isFinite(output.durationSeconds) && output.durationSeconds > 0 ? output.durationSeconds : undefined;
  const expiresAt = typeof output.expiresAt === 'number' && Number.isFinite(output.expiresAt) ? output.expiresAt : undefined;
  const extras = Array.isArray(output.extras) ? output.extras.filter((e) => e && typeof e.location === 'string' && typeof e.role === 'string') : undefined;
  return {
    state: 'succeeded',
    output: { location: output.location, ...(duration !== undefined ? { durationSeconds: duration } : {}), ...(expiresAt !== undefined ? { expiresAt } : {}), ...(extras?.length ? { extras } : {}) },
    billed,
  };
}

function checkDownload(result: DownloadResult, engineId: string): DownloadResult {
  const ok =
    result !== null &&
    typeof result === 'object' &&
    typeof result.path === 'string' &&
    result.path.length > 0 &&
    typeof result.sha256 === 'string' &&
    /^[0-9a-f]{64}$/.test(result.sha256) &&
    Number.isSafeInteger(result.bytes) &&
    result.bytes >= 0;
  if (!ok) throw new EngineError('unavailable', `${engineId} reported a download without a path, a SHA-256 and a size`);
  return result;
}
