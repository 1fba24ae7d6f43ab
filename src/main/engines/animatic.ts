/**
 * The built-in offline engine: renders each shot as a title card (shot id, kind, prompt,
 * timecode, progress bar, optional tone) through the media service. It sits behind the same remote-style
 * submit/poll/download interface as the AI providers and behaves like one: a job
 * outlives the process that began it, a re-sent submit makes a second job, and a submit
 * whose answer was lost is found again by its client reference (findJob).
 */
import { createReadStream } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import path from 'node:path';
import { SHOT_KINDS, type EngineSpec } from '../../shared/domain';
import { CancelledError, EngineError, isAbortError, type ErrorKind } from '../../shared/errors';
import { removeQuietly, tempPathBeside } from '../media/atomic-file';
import { MediaJobError } from '../media/backend/errors';
import type { MediaOps } from '../media/backend/types';
import { MediaWorkerCrashedError } from '../media/worker/media-worker';
import { saveClip } from './clip-file';
import { isJobId, JobStore, newJobId } from './animatic/job-store';
import { renderCard } from './animatic/render';
import type { CallContext, DownloadResult, Engine, GenerationRequest, JobLookup, JobOutput, PollResult, SubmitContext, SubmitResult } from './engine';

export interface AnimaticDeps {
  /** The media service (MediaPool in the app) that runs the card's graph. */
  media: MediaOps;
  /** Holds jobs/ (requests and clips) and cards/ (text files the cards read). */
  workDir: string;
  log?: (line: string) => void;
}

const RUNNING_POLL_MS = 250;

type JobState =
  | { status: 'running'; request: GenerationRequest; controller: AbortController; progress: number; cancelRequested: boolean; settled: Promise<void> }
  | { status: 'succeeded'; request: GenerationRequest }
  | { status: 'failed'; error: EngineError };

export function createAnimaticEngine(spec: EngineSpec, deps: AnimaticDeps): Engine {
  const store = new JobStore(path.join(deps.workDir, 'jobs'));
  const textDir = path.join(deps.workDir, 'cards');
  const jobs = new Map<string, JobState>();
  const log = (line: string) => deps.log?.(`[animatic] ${line}`);

  /** Starts the render unless the job is running, finished or failed. Safe to call repeatedly. */
  async function ensureRendering(jobId: string): Promise<JobState | null> {
    const known = jobs.get(jobId);
    if (known) return known;
    const request = await store.loadRequest(jobId);
    if (!request) return null;
    const failure = store.hasClip(jobId) ? null : await store.loadFailure(jobId);
    // Re-check after the awaits: another call may have settled the job meanwhile.
    const settled = jobs.get(jobId);
    if (settled) return settled;
    if (store.hasClip(jobId)) return remember(jobId, { status: 'succeeded', request });
    if (failure) return remember(jobId, { status: 'failed', error: new EngineError(failure.kind, failure.message) });
    return startRender(jobId, request);
  }

  function remember(jobId: string, state: JobState): JobState {
    jobs.set(jobId, state);
    return state;
  }

  function startRender(jobId: string, request: GenerationRequest): JobState {
    const controller = new AbortController();
    const state: Extract<JobState, { status: 'running' }> = {
      status: 'running',
      request,
      controller,
      progress: 0,
      cancelRequested: false,
      settled: Promise.resolve(),
    };
    jobs.set(jobId, state);
    state.settled = render(jobId, state);
    return state;
  }

  async function render(jobId: string, state: Extract<JobState, { status: 'running' }>): Promise<void> {
    const clip = store.clipPath(jobId);
    const temp = tempPathBeside(clip);
    const started = Date.now();
    try {
      await store.removeOrphanedPartials(jobId);
      await renderCard(state.request, temp, {
        media: deps.media,
        textDir,
        signal: state.controller.signal,
        log: deps.log,
        onProgress: (fraction) => {
          state.progress = Math.max(state.progress, fraction);
        },
      });
      await rename(temp, clip);
      jobs.set(jobId, { status: 'succeeded', request: state.request });
      log(`${jobId} rendered in ${Date.now() - started} ms`);
    } catch (error) {
      await removeQuietly(temp);
      const engineError = classify(error);
      // An abort that is not the user's cancel (the app is exiting), or a media worker that
      // died under the job (the app closing its workers, a crash), is not a verdict on the
      // job: nothing is recorded, so the next process renders it again.
      const notAVerdict = (engineError.kind === 'cancelled' && !state.cancelRequested) || error instanceof MediaWorkerCrashedError;
      if (!notAVerdict) {
        await store.saveFailure(jobId, { kind: engineError.kind, message: engineError.message }).catch(() => undefined);
      }
      jobs.set(jobId, { status: 'failed', error: engineError });
      log(`${jobId} failed (${engineError.kind}): ${engineError.message}`);
    }
  }

  return {
    spec,

    async submit(request: GenerationRequest, context: SubmitContext): Promise<SubmitResult> {
      if (context.signal.aborted) throw new CancelledError('submit cancelled');
      const problems = requestProblems(request);
      if (problems.length) throw new EngineError('invalid_request', `animatic cannot render shot ${request.shotId}: ${problems.join('; ')}`);
      const jobId = newJobId();
      await mkdir(store.dir, { recursive: true });
      await store.saveReference(context.clientReference, jobId);
      await store.saveRequest(jobId, request);
      await ensureRendering(jobId);
      return { jobId, estimatedCostMicros: 0 };
    },

    async poll(jobId: string, _context: CallContext): Promise<PollResult> {
      const state = isJobId(jobId) ? await ensureRendering(jobId) : null;
      if (!state) return { state: 'failed', error: new EngineError('expired_output', `animatic has no job ${jobId}`) };
      switch (state.status) {
        case 'running':
          return { state: 'running', progress: state.progress, nextPollMs: RUNNING_POLL_MS };
        case 'failed':
          return { state: 'failed', error: state.error, billedMicros: 0 };
        case 'succeeded':
          if (!store.hasClip(jobId)) {
            jobs.delete(jobId);
            return { state: 'failed', error: new EngineError('expired_output', `the clip of animatic job ${jobId} was deleted`) };
          }
          return {
            state: 'succeeded',
            output: { location: store.clipPath(jobId), durationSeconds: state.request.durationSeconds },
            billedMicros: 0,
          };
      }
    },

    async download(jobId: string, _output: JobOutput, destinationPath: string, context: CallContext): Promise<DownloadResult> {
      // The clip is read from the job's own folder, never from a location handed in.
      if (!isJobId(jobId) || !store.hasClip(jobId)) throw new EngineError('expired_output', `animatic job ${jobId} has no finished clip`);
      return copyClip(store.clipPath(jobId), destinationPath, context.signal);
    },

    async findJob(lookup: JobLookup, _context: CallContext): Promise<{ jobId: string } | null> {
      const jobId = await store.findByReference(lookup.clientReference);
      return jobId ? { jobId } : null;
    },

    async cancel(jobId: string, _context: CallContext): Promise<void> {
      if (!isJobId(jobId)) return;
      const state = jobs.get(jobId);
      if (state?.status === 'running') {
        state.cancelRequested = true;
        state.controller.abort(new CancelledError(`animatic job ${jobId} cancelled`));
        await state.settled;
        return;
      }
      // Not rendering here: make sure no later poll brings it back.
      if (!state && store.hasRequest(jobId) && !store.hasClip(jobId)) {
        const error = new EngineError('cancelled', `animatic job ${jobId} cancelled`);
        await store.saveFailure(jobId, { kind: error.kind, message: error.message });
        jobs.set(jobId, { status: 'failed', error });
      }
    },
  };
}

function requestProblems(request: GenerationRequest): string[] {
  const problems: string[] = [];
  const dimension = (name: string, value: number, max: number) => {
    if (!Number.isInteger(value) || value < 16 || value > max || value % 2 !== 0) {
      problems.push(`${name} ${value} must be an even whole number between 16 and ${max}`);
    }
  };
  if (!(Number.isFinite(request.durationSeconds) && request.durationSeconds > 0 && request.durationSeconds <= 600)) {
    problems.push(`durationSeconds ${request.durationSeconds} must be more than 0 and at most 600`);
  }
  dimension('width', request.width, 7680);
  dimension('height', request.height, 4320);
  if (!(Number.isFinite(request.fps) && request.fps >= 1 && request.fps <= 120)) problems.push(`fps ${request.fps} must be between 1 and 120`);
  if (!SHOT_KINDS.includes(request.kind)) problems.push(`kind "${String(request.kind)}" is not one of ${SHOT_KINDS.join(', ')}`);
  if (typeof request.prompt !== 'string') problems.push('prompt must be text');
  if (typeof request.shotId !== 'string' || !request.shotId) problems.push('shotId must not be empty');
  return problems;
}

function classify(error: unknown): EngineError {
  if (error instanceof EngineError) return error;
  if (isAbortError(error)) return new EngineError('cancelled', error instanceof Error ? error.message : 'cancelled');
  const kind: ErrorKind = 'unavailable';
  if (error instanceof MediaJobError) return new EngineError(kind, `ffmpeg could not render the card: ${error.message}`);
  return new EngineError(kind, `animatic render failed: ${error instanceof Error ? error.message : String(error)}`);
}

/** The clip is read from the job's own folder and saved like any provider's download. */
async function copyClip(source: string, destinationPath: string, signal: AbortSignal): Promise<DownloadResult> {
  try {
    return await saveClip(createReadStream(source), destinationPath, signal);
  } catch (error) {
    if (isAbortError(error)) throw new CancelledError('download cancelled');
    throw error;
  }
}
