/**
 * The adapter for OpenAI-compatible video endpoints: the /v1/videos protocol, spoken
 * through the official `openai` SDK. OpenAI's own Sora API shut down on 2026-09-24 (the
 * shipped sora-2 entries are retired and never routed to); this serves any engine of
 * provider "openai" whose user points it at a live compatible server, with any model name.
 *
 *   submit   POST /v1/videos (multipart: model, prompt, seconds, size, input_reference)
 *   poll     GET /v1/videos/{id}
 *   download GET /v1/videos/{id}/content?variant=video
 *   cancel   DELETE /v1/videos/{id} (only while it runs; a finished video is paid and kept)
 *   findJob  GET /v1/videos, newest first, matched by content (see find-video.ts)
 *
 * The SDK never retries (maxRetries 0): it sends no idempotency key, so a retried create
 * can make a second billed video. The pipeline decides about retries.
 */
import OpenAI from 'openai';
import type { EngineSpec } from '../../../shared/domain';
import { EngineError } from '../../../shared/errors';
import { CALL_TIMEOUTS_MS } from '../boundary';
import { baseUrlFor } from '../common/endpoint';
import { saveClipResponse } from '../common/fetch-clip';
import type { CallContext, DownloadResult, Engine, GenerationRequest, JobLookup, JobOutput, PollResult, SubmitContext, SubmitResult } from '../engine';
import type { EngineOperation } from '../errors';
import type { AdapterDeps } from '../index';
import { dimensionsOf, videoCreateFields } from './create-fields';
import { findCreatedVideo } from './find-video';
import { pollResultFromVideo } from './poll-result';
import { referenceAtSize } from './reference-at-size';

export const OPENAI_PUBLIC_BASE_URL = 'https://api.openai.com/v1';

/**
 * The SDK's own timeout sits past the boundary's, so the boundary's signal always fires
 * first and decides (timeout or the user's cancel); the SDK's would read as a bare timeout.
 */
const SDK_TIMEOUT_MARGIN_MS = 5_000;

/** Videos a cancel has deleted: their later 404 means "cancelled", not "lost". Bounded; old ids are forgotten. */
const MAX_REMEMBERED_IDS = 10_000;

interface Connection {
  client: OpenAI;
  apiKey: string;
}

export async function createOpenAIVideoEngine(spec: EngineSpec, deps: AdapterDeps): Promise<Engine> {
  const log = (line: string) => deps.log?.(`[openai ${spec.id}] ${line}`);
  let cached: { baseUrl: string; apiKey: string; client: OpenAI } | undefined;
  /** Videos an attempt already holds (its create answer came back, or a lookup gave it one): never the one a lost submit made. */
  const claimed = new BoundedSet(MAX_REMEMBERED_IDS);
  const deletedByCancel = new BoundedSet(MAX_REMEMBERED_IDS);

  /** Keys are read at call time (the user may change them while the app runs); one client per key and base URL. */
  function connect(): Connection {
    const apiKey = deps.credentials('openai')?.OPENAI_API_KEY?.trim();
    if (!apiKey) throw new EngineError('auth', `${spec.id}: no OpenAI API key (set OPENAI_API_KEY or add it to the keychain)`, { jobMayExist: false });
    const baseUrl = baseUrlFor(spec, deps.env, OPENAI_PUBLIC_BASE_URL);
    if (cached?.apiKey !== apiKey || cached.baseUrl !== baseUrl) {
      const client = new OpenAI({
        apiKey,
        baseURL: baseUrl,
        maxRetries: 0,
        timeout: Math.max(...Object.values(CALL_TIMEOUTS_MS)) + SDK_TIMEOUT_MARGIN_MS,
        // From the studio's environment, not whatever process.env holds.
        organization: deps.env.OPENAI_ORG_ID?.trim() || null,
        project: deps.env.OPENAI_PROJECT_ID?.trim() || null,
      });
      cached = { baseUrl, apiKey, client };
    }
    return { client: cached.client, apiKey };
  }

  const callOptions = (operation: EngineOperation, signal: AbortSignal) => ({ signal, maxRetries: 0, timeout: CALL_TIMEOUTS_MS[operation] + SDK_TIMEOUT_MARGIN_MS });

  return {
    spec,

    async submit(request: GenerationRequest, context: SubmitContext): Promise<SubmitResult> {
      const fields = videoCreateFields(spec, request);
      const { client } = connect();
      const inputReference =
        request.referenceImagePath === undefined
          ? undefined
          : await referenceAtSize(request.referenceImagePath, dimensionsOf(fields.size), { media: deps.media, workDir: deps.workDir(spec.id), signal: context.signal, log: deps.log });
      const video = await client.videos.create({ ...fields, ...(inputReference ? { input_reference: inputReference } : {}) }, callOptions('submit', context.signal));
      if (typeof video?.id === 'string') claimed.add(video.id);
      // The protocol quotes no price: the pipeline holds and charges the registry's.
      return { jobId: video?.id };
    },

    async poll(jobId: string, context: CallContext): Promise<PollResult> {
      const { client } = connect();
      try {
        return pollResultFromVideo(await client.videos.retrieve(jobId, callOptions('poll', context.signal)), log);
      } catch (error) {
        if (error instanceof OpenAI.NotFoundError && deletedByCancel.has(jobId)) {
          return { state: 'failed', error: new EngineError('cancelled', `openai video ${jobId} was cancelled (deleted before it finished)`) };
        }
        throw error;
      }
    },

    async download(jobId: string, _output: JobOutput, destinationPath: string, context: CallContext): Promise<DownloadResult> {
      const { client, apiKey } = connect();
      // A non-2xx answer is thrown by the SDK and classified for the download step (404/410: expired_output).
      const response = await client.videos.downloadContent(jobId, { variant: 'video' }, callOptions('download', context.signal));
      return saveClipResponse(response, destinationPath, { signal: context.signal, provider: 'openai', secrets: [apiKey] });
    },

    /**
     * DELETE is the protocol's only way to stop a video. A finished one is billed anyway
     * and its clip is worth having, so it is left alone: the pipeline's next poll then
     * reads it as finished and downloads it.
     */
    async cancel(jobId: string, context: CallContext): Promise<void> {
      const { client } = connect();
      const video = await client.videos.retrieve(jobId, callOptions('cancel', context.signal));
      if (video.status !== 'queued' && video.status !== 'in_progress') return;
      await client.videos.delete(jobId, callOptions('cancel', context.signal));
      deletedByCancel.add(jobId);
      log(`deleted video ${jobId} while it was ${video.status}`);
    },

    async findJob(lookup: JobLookup, context: CallContext): Promise<{ jobId: string } | null> {
      const fields = videoCreateFields(spec, lookup.request);
      const { client } = connect();
      const newestFirst = client.videos.list({ order: 'desc', limit: 100 }, callOptions('findJob', context.signal));
      const found = await findCreatedVideo(newestFirst, { fields, submittedAfter: lookup.submittedAfter, claimed, engineId: spec.id });
      // Once an attempt holds it, a later lost submit of the same shot must not take it too.
      if (found) claimed.add(found.jobId);
      return found;
    },
  };
}

/** A set that forgets its oldest entries past a size, so a long-running app does not grow without end. */
class BoundedSet {
  private readonly items = new Set<string>();
  constructor(private readonly max: number) {}
  add(item: string): void {
    this.items.add(item);
    if (this.items.size > this.max) this.items.delete(this.items.values().next().value as string);
  }
  has(item: string): boolean {
    return this.items.has(item);
  }
}
