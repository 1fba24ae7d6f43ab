/**
 * The Kling AI adapter: plain fetch (Kling ships no npm SDK) with a self-signed HS256
 * JWT. Protocol per reference/provider-facts.md §4:
 *   create  POST /v1/videos/text2video | /v1/videos/image2video  (external_task_id = the attempt's client reference)
 *   poll    GET  /v1/videos/{endpoint}/{task_id}    (on the endpoint that made the task)
 *   lookup  GET  /v1/videos/{endpoint}/{external_task_id}
 *   output  the task's video URL, kept 30 days
 * Kling has no cancel endpoint, so this engine offers none. Credentials are read at call
 * time (KLING_ACCESS_KEY, KLING_SECRET_KEY), never stored, and never put in a message.
 */
import type { EngineSpec } from '../../../shared/domain';
import { EngineError } from '../../../shared/errors';
import { baseUrlFor } from '../common/endpoint';
import { fetchClip } from '../common/fetch-clip';
import { readReferenceImage } from '../common/reference-image';
import type { CallContext, DownloadResult, Engine, GenerationRequest, JobLookup, JobOutput, PollResult, SubmitContext, SubmitResult } from '../engine';
import type { AdapterDeps } from '../index';
import { callKling, type KlingConnection } from './client';
import { KlingTokenCache } from './jwt';
import { klingReferenceProblems } from './reference-fit';
import { endpointFor, klingCreateCall, klingJobId, klingRequestProblems, parseKlingJobId, type KlingEndpoint } from './request-body';
import { pollResultFromTask } from './task-result';

/** Kling's global endpoint; the older api.klingai.com was retired. */
export const KLING_DEFAULT_BASE_URL = 'https://api-singapore.klingai.com';

/** Kling's "requested resource does not exist" (404): for a lookup, no task has this external_task_id. */
const NO_SUCH_TASK_CODE = '1203';

export interface KlingEngineOptions {
  /** Epoch ms by which tokens are minted and refreshed (tests move it forward). */
  clock?: () => number;
  fetch?: typeof fetch;
}

function taskPath(endpoint: KlingEndpoint, id: string): string {
  return `/v1/videos/${endpoint}/${encodeURIComponent(id)}`;
}

function taskIdOf(data: Record<string, unknown>): string | undefined {
  const id = data.task_id;
  if (typeof id === 'number' && Number.isSafeInteger(id)) return String(id);
  return typeof id === 'string' && id.length > 0 ? id : undefined;
}

export async function createKlingEngine(spec: EngineSpec, deps: AdapterDeps, options: KlingEngineOptions = {}): Promise<Engine> {
  const tokens = new KlingTokenCache(options.clock ?? Date.now);
  const log = (line: string) => deps.log?.(`[kling] ${line}`);

  function keys(): { accessKey: string; secretKey: string } | undefined {
    const credentials = deps.credentials('kling');
    const accessKey = credentials?.KLING_ACCESS_KEY?.trim();
    const secretKey = credentials?.KLING_SECRET_KEY?.trim();
    return accessKey && secretKey ? { accessKey, secretKey } : undefined;
  }

  /** Where and as whom to call, read now: keys may change while the app runs. */
  function connection(): KlingConnection {
    const found = keys();
    if (!found) throw new EngineError('auth', `${spec.id}: no Kling credentials (set KLING_ACCESS_KEY and KLING_SECRET_KEY)`, { jobMayExist: false });
    const baseUrl = baseUrlFor(spec, deps.env, KLING_DEFAULT_BASE_URL);
    const token = tokens.tokenFor(found);
    return { baseUrl, token, secrets: [found.secretKey, found.accessKey, token], ...(options.fetch ? { fetch: options.fetch } : {}) };
  }

  /** Everything in the request Kling would refuse, its reference image included, before anything is sent. */
  async function prepare(request: GenerationRequest): Promise<{ problems: string[]; imageBase64?: string }> {
    const problems = klingRequestProblems(spec, request);
    if (request.referenceImagePath === undefined) return { problems };
    const image = await readReferenceImage(request.referenceImagePath);
    return { problems: [...problems, ...klingReferenceProblems(image, request.aspect)], imageBase64: image.base64 };
  }

  return {
    spec,

    async submit(request: GenerationRequest, context: SubmitContext): Promise<SubmitResult> {
      const { problems, imageBase64 } = await prepare(request);
      if (problems.length > 0) throw new EngineError('invalid_request', `${spec.id} cannot take shot ${request.shotId}: ${problems.join('; ')}`, { jobMayExist: false });
      const link = connection();
      const { endpoint, body } = klingCreateCall(spec, request, context.clientReference, imageBase64);
      const data = await callKling(link, { method: 'POST', path: `/v1/videos/${endpoint}`, body, signal: context.signal, operation: 'submit' });
      const taskId = taskIdOf(data);
      if (taskId === undefined) throw new EngineError('unavailable', `${spec.id}: Kling accepted the ${endpoint} create but named no task_id`, { jobMayExist: true });
      log(`${endpoint} task ${taskId} created for shot ${request.shotId}`);
      return { jobId: klingJobId(endpoint, taskId) };
    },

    async poll(jobId: string, context: CallContext): Promise<PollResult> {
      const job = parseKlingJobId(jobId);
      if (!job) throw new EngineError('invalid_request', `${spec.id}: job id ${JSON.stringify(jobId)} is not "text2video/<task_id>" or "image2video/<task_id>"`);
      const link = connection();
      const task = await callKling(link, { method: 'GET', path: taskPath(job.endpoint, job.taskId), signal: context.signal, operation: 'poll' });
      return pollResultFromTask(task, { secrets: link.secrets, log: deps.log });
    },

    async download(_jobId: string, output: JobOutput, destinationPath: string, context: CallContext): Promise<DownloadResult> {
      // The link is a signed CDN URL that needs no key; the keys are named only so no message can carry them.
      const found = keys();
      return fetchClip(output.location, destinationPath, { signal: context.signal, provider: 'kling', secrets: found ? [found.secretKey, found.accessKey] : [] });
    },

    async findJob(lookup: JobLookup, context: CallContext): Promise<{ jobId: string } | null> {
      const endpoint = endpointFor(lookup.request);
      const link = connection();
      let task: Record<string, unknown>;
      try {
        task = await callKling(link, { method: 'GET', path: taskPath(endpoint, lookup.clientReference), signal: context.signal, operation: 'findJob' });
      } catch (error) {
        // Only Kling's own "does not exist" means no task: any other failure leaves the question open, and a
        // wrong "none" would make the pipeline pay for the shot twice.
        if (error instanceof EngineError && error.details.providerCode === NO_SUCH_TASK_CODE) {
          log(`no ${endpoint} task has external_task_id ${lookup.clientReference}`);
          return null;
        }
        throw error;
      }
      const taskInfo = task.task_info as { external_task_id?: unknown } | undefined;
      const external = taskInfo?.external_task_id;
      if (external !== undefined && external !== lookup.clientReference) {
        throw new EngineError('unavailable', `${spec.id}: the lookup of external_task_id ${lookup.clientReference} answered a task of external_task_id ${String(external)}`);
      }
      const taskId = taskIdOf(task);
      if (taskId === undefined) throw new EngineError('unavailable', `${spec.id}: the lookup of external_task_id ${lookup.clientReference} answered a task without task_id`);
      log(`found ${endpoint} task ${taskId} by external_task_id ${lookup.clientReference}`);
      return { jobId: klingJobId(endpoint, taskId) };
    },
  };
}
