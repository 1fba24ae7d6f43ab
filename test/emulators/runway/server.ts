/**
 * Runway's developer API on loopback, as @runwayml/sdk 4.20.1 speaks it
 * (reference/provider-facts.md §2):
 *
 *   every route needs `Authorization: Bearer <key>` (else 401) and
 *   `X-Runway-Version: 2024-11-06` (else 400); errors are `{"error": "<message>"}`.
 *
 *   POST /v1/text_to_video | /v1/image_to_video  {model, promptText, promptImage, ratio, duration, seed, audio, negativePrompt}
 *     -> 200 {id, estimatedCost: {credits}}   400 {error, issues} for a body the model cannot take
 *   GET /v1/tasks/{id}
 *     -> {id, status: PENDING | THROTTLED | RUNNING | SUCCEEDED | FAILED | CANCELLED, createdAt, ...}
 *        queued tasks read THROTTLED while `concurrency` older tasks are unfinished, else PENDING;
 *        RUNNING carries progress; SUCCEEDED carries output: [a fresh signed link per retrieval];
 *        FAILED carries failure and failureCode (SAFETY.INPUT.TEXT for a refused prompt);
 *        queued and running tasks carry estimatedCost, finished ones cost ({credits: 0} unless made).
 *     404 {error} for an unknown or deleted task.
 *   DELETE /v1/tasks/{id} -> 204 with no body: cancels an unfinished task (it reads CANCELLED),
 *     deletes a finished one (it reads 404 from then on, as the SDK's docs say).
 *
 * Prices are Runway's credits per second (gen4.5 12, gen4_turbo 5, veo3.1 20 or 40 with
 * audio, veo3.1_fast 10 or 15), one credit a cent.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FaultRoute } from '../common/faults';
import type { EmulatedJob } from '../common/job-book';
import { ProviderEmulator, type EmulatorOptions, type ErrorReason } from '../common/provider-server';
import { readCreateBody, type RunwayJobRequest, type RunwayRoute } from './request-body';

export type { PromptImageInput, RunwayJobRequest } from './request-body';

export const RUNWAY_API_VERSION = '2024-11-06';
export const MICROS_PER_CREDIT = 10_000;

export interface RunwayEmulatorOptions extends EmulatorOptions {
  apiKey: string;
  /** Tasks the account runs at once: a queued task with this many unfinished older ones reads THROTTLED. Default 2. */
  concurrency?: number;
}

const CREATE_ROUTES: Record<string, RunwayRoute> = { '/v1/text_to_video': 'text_to_video', '/v1/image_to_video': 'image_to_video' };
const TASK_PATH = /^\/v1\/tasks\/([^/]+)$/;

export class RunwayEmulator extends ProviderEmulator<RunwayJobRequest> {
  private readonly apiKey: string;
  private readonly concurrency: number;
  /** Finished tasks removed by a DELETE: gone for good. */
  private readonly deleted = new Set<string>();

  constructor(options: RunwayEmulatorOptions) {
    super(options, (request) => request.credits * MICROS_PER_CREDIT);
    this.apiKey = options.apiKey;
    this.concurrency = options.concurrency ?? 2;
  }

  protected errorBody(_reason: ErrorReason, _status: number, message: string): unknown {
    return { error: message };
  }

  protected async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const createRoute = CREATE_ROUTES[url.pathname];
    const rawTaskId = TASK_PATH.exec(url.pathname)?.[1];
    const taskId = rawTaskId === undefined ? undefined : decodeURIComponent(rawTaskId);
    if (createRoute === undefined && taskId === undefined) return this.sendError(res, 'not_found', 404, `Not found: ${url.pathname}`);

    let faultRoute: FaultRoute;
    if (createRoute !== undefined && req.method === 'POST') {
      this.counts.creates++;
      faultRoute = 'create';
    } else if (taskId !== undefined && req.method === 'GET') {
      this.counts.polls++;
      faultRoute = 'poll';
    } else if (taskId !== undefined && req.method === 'DELETE') {
      this.counts.cancels++;
      faultRoute = 'cancel';
    } else {
      return this.sendError(res, 'invalid_request', 405, `Method ${req.method} not allowed on ${url.pathname}`);
    }
    // Read the whole body before answering anything, so that no answer races a half-sent upload.
    const body = faultRoute === 'create' ? await this.readJson(req) : null;

    if (req.headers.authorization !== `Bearer ${this.apiKey}`) return this.sendError(res, 'auth', 401, 'Invalid API key. Check that you are using a key for the developer API.');
    if (req.headers['x-runway-version'] !== RUNWAY_API_VERSION) {
      const sent = req.headers['x-runway-version'];
      return this.sendError(res, 'invalid_request', 400, `X-Runway-Version header ${sent === undefined ? 'is missing' : `"${String(sent)}" is not a supported version`}; use ${RUNWAY_API_VERSION}`);
    }
    if (this.callFault(faultRoute, res)) return;

    if (faultRoute === 'create') return this.create(req, res, createRoute!, body);
    const job = this.deleted.has(taskId!) ? undefined : this.job(taskId!);
    if (!job) return this.sendError(res, 'not_found', 404, 'Task not found');
    if (faultRoute === 'poll') return this.sendJson(res, 200, this.taskView(job));
    return this.deleteTask(res, job);
  }

  private create(req: IncomingMessage, res: ServerResponse, route: RunwayRoute, body: Record<string, unknown> | null): void {
    const request = readCreateBody(route, body);
    if (Array.isArray(request)) {
      this.sendJson(res, 400, { error: `Validation of body failed: ${request.join('; ')}`, issues: request.map((message) => ({ message })) });
      return;
    }
    this.createJob(req, res, request, (job) => ({ status: 200, body: { id: job.id, estimatedCost: { credits: request.credits } } }), randomUUID());
  }

  private deleteTask(res: ServerResponse, job: EmulatedJob<RunwayJobRequest>): void {
    const status = this.status(job);
    if (status === 'succeeded' || status === 'failed') this.deleted.add(job.id);
    else this.cancelJob(job);
    res.writeHead(204);
    res.end();
  }

  private taskView(job: EmulatedJob<RunwayJobRequest>): Record<string, unknown> {
    const base = { id: job.id, createdAt: new Date(job.createdAt).toISOString() };
    const estimatedCost = { credits: job.request.credits };
    switch (this.status(job)) {
      case 'queued':
        return { ...base, status: this.throttled(job) ? 'THROTTLED' : 'PENDING', estimatedCost };
      case 'running':
        return { ...base, status: 'RUNNING', progress: this.progressOf(job), estimatedCost };
      case 'succeeded':
        return { ...base, status: 'SUCCEEDED', output: [this.issueLink(job)], cost: { credits: job.billMicros / MICROS_PER_CREDIT } };
      case 'failed': {
        const failure = this.failureOf(job);
        if (failure === 'cancelled') return { ...base, status: 'CANCELLED', cost: { credits: 0 } };
        if (failure === 'content_policy') {
          return { ...base, status: 'FAILED', failure: 'The prompt was flagged by content moderation.', failureCode: 'SAFETY.INPUT.TEXT', cost: { credits: 0 } };
        }
        return { ...base, status: 'FAILED', failure: 'An unexpected error occurred while generating.', failureCode: 'INTERNAL.BAD_OUTPUT.CODE01', cost: { credits: 0 } };
      }
    }
  }

  /** Over the account's concurrency, Runway queues a task itself and says so. */
  private throttled(job: EmulatedJob<RunwayJobRequest>): boolean {
    const all = this.jobs;
    const older = all.slice(0, all.indexOf(job));
    return older.filter((other) => !this.deleted.has(other.id) && this.status(other) !== 'succeeded' && this.status(other) !== 'failed').length >= this.concurrency;
  }
}

/** The environment a user would export to point the SDK (and Shotline) at this emulator. */
export function runwayEnv(emulator: RunwayEmulator, apiKey: string): Record<string, string> {
  return { RUNWAYML_API_SECRET: apiKey, RUNWAYML_BASE_URL: emulator.url };
}
