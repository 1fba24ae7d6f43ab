/**
 * Google Veo 3.1 through the Gemini Developer API, with the official @google/genai pinned
 * to 2.x: 3.x throws on `generateVideos` with an API key (reference/provider-facts.md §0).
 *
 *   submit   models.generateVideos              POST /v1beta/models/{model}:predictLongRunning
 *   poll     operations.getVideosOperation      GET  /v1beta/{operation name}
 *   download the video's file, with the key     GET  /v1beta/files/{id}:download?alt=media
 *
 * No cancel: the Gemini API offers none for video operations that we could confirm, and a
 * cancel that might not stop the bill would only mislead the ledger. No findJob: the
 * protocol carries no client reference and offers no listing to match one against, so a
 * submit whose answer was lost waits for the user (--resubmit-unknown) instead.
 *
 * The SDK neither retries (no `retryOptions` is set anywhere, so a create is never sent
 * twice) nor times out by default; every call gets the boundary's signal and a timeout
 * no shorter than the boundary's own, so the boundary's deadline is the one that fires.
 */
import { GenerateVideosOperation, GoogleGenAI } from '@google/genai';
import type { EngineSpec } from '../../../shared/domain';
import { EngineError } from '../../../shared/errors';
import { CALL_TIMEOUTS_MS } from '../boundary';
import { baseUrlFor } from '../common/endpoint';
import { fetchClip } from '../common/fetch-clip';
import { readReferenceImage } from '../common/reference-image';
import type { CallContext, DownloadResult, Engine, GenerationRequest, JobOutput, PollResult, SubmitContext, SubmitResult } from '../engine';
import type { EngineOperation } from '../errors';
import type { AdapterDeps } from '../index';
import { engineErrorFromSdkApiError, isSdkApiError } from './api-error';
import { fileDownloadUrl, fileIdOf, readOperation } from './operation';
import { toGenerateVideosParameters, veoRequestProblems } from './request';

export const GEMINI_DEFAULT_BASE_URL = 'https://generativelanguage.googleapis.com';
/** Pinned rather than left to the SDK's default, because the download URL is built here too. */
const API_VERSION = 'v1beta';
/**
 * An operation name as a path under the API version (`models/<model>/operations/<id>`
 * today): plain segments only, none starting with a dot, so a stored job id can never
 * walk the URL elsewhere. Loose about the prefix, because refusing a name Google did send
 * would lose a job that is already billing.
 */
const OPERATION_NAME = /^(?:[A-Za-z0-9_-][A-Za-z0-9._-]*\/)*operations\/[A-Za-z0-9_-]+$/;

interface Connection {
  client: GoogleGenAI;
  key: string;
  baseUrl: string;
}

/**
 * The key the SDK itself would pick from the environment: GOOGLE_API_KEY wins when both
 * are set, so a user gets the same account here as with Google's own tools.
 */
function apiKeyFrom(credentials: Readonly<Record<string, string>> | undefined): string | undefined {
  return credentials?.GOOGLE_API_KEY?.trim() || credentials?.GEMINI_API_KEY?.trim() || undefined;
}

export async function createGeminiEngine(spec: EngineSpec, deps: AdapterDeps): Promise<Engine> {
  const log = (line: string) => deps.log?.(`[gemini ${spec.id}] ${line}`);
  let cached: { cacheKey: string; client: GoogleGenAI } | undefined;

  /** Key and endpoint are read at call time: the user may change either while the app runs. */
  function connect(): Connection {
    const key = apiKeyFrom(deps.credentials('gemini'));
    if (!key) throw new EngineError('auth', `${spec.id}: no Gemini API key; set GEMINI_API_KEY (or GOOGLE_API_KEY) or add it to the keychain`, { jobMayExist: false });
    const baseUrl = baseUrlFor(spec, deps.env, GEMINI_DEFAULT_BASE_URL);
    const cacheKey = `${baseUrl}\n${key}`;
    if (cached?.cacheKey !== cacheKey) {
      // vertexai:false so that GOOGLE_GENAI_USE_VERTEXAI in the environment cannot switch the protocol under us.
      cached = { cacheKey, client: new GoogleGenAI({ apiKey: key, vertexai: false, apiVersion: API_VERSION, httpOptions: { baseUrl } }) };
    }
    return { client: cached.client, key, baseUrl };
  }

  /** The SDK's ApiError, read with the RetryInfo it carries; anything else is the boundary's to classify. */
  async function viaSdk<T>(operation: EngineOperation, key: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw isSdkApiError(error) ? engineErrorFromSdkApiError(error, operation, [key]) : error;
    }
  }

  return {
    spec,

    async submit(request: GenerationRequest, context: SubmitContext): Promise<SubmitResult> {
      const problems = veoRequestProblems(request);
      if (problems.length > 0) throw new EngineError('invalid_request', `${spec.id} cannot take shot ${request.shotId}: ${problems.join('; ')}`, { jobMayExist: false });
      const { client, key } = connect();
      const image = request.referenceImagePath !== undefined ? await readReferenceImage(request.referenceImagePath) : undefined;
      const parameters = toGenerateVideosParameters(spec, request, image);
      const operation = await viaSdk('submit', key, () =>
        client.models.generateVideos({
          ...parameters,
          config: { ...parameters.config, abortSignal: context.signal, httpOptions: { timeout: CALL_TIMEOUTS_MS.submit } },
        }),
      );
      if (typeof operation.name !== 'string' || !OPERATION_NAME.test(operation.name)) {
        throw new EngineError('unavailable', `${spec.id} accepted the submit but named no operation (${JSON.stringify(operation.name ?? null)})`, { jobMayExist: true });
      }
      return { jobId: operation.name };
    },

    async poll(jobId: string, context: CallContext): Promise<PollResult> {
      if (!OPERATION_NAME.test(jobId)) throw new EngineError('invalid_request', `${spec.id}: job id ${JSON.stringify(jobId)} is not a Gemini operation name (models/<model>/operations/<id>)`);
      const { client, key } = connect();
      const operation = Object.assign(new GenerateVideosOperation(), { name: jobId });
      const answer = await viaSdk('poll', key, () =>
        client.operations.getVideosOperation({ operation, config: { abortSignal: context.signal, httpOptions: { timeout: CALL_TIMEOUTS_MS.poll } } }),
      );
      const { result, oddity } = readOperation(answer, [key]);
      if (oddity) log(`poll of ${jobId}: ${oddity}; polling again`);
      return result;
    },

    async download(jobId: string, output: JobOutput, destinationPath: string, context: CallContext): Promise<DownloadResult> {
      const fileId = fileIdOf(output.location);
      if (!fileId) throw new EngineError('unavailable', `${spec.id}: the output of ${jobId} names no Gemini file (${output.location})`);
      const { key, baseUrl } = connect();
      // The SDK's files.download writes straight to a path with no size check; fetchClip streams through saveClip.
      return fetchClip(fileDownloadUrl(baseUrl, API_VERSION, fileId), destinationPath, {
        signal: context.signal,
        provider: 'gemini',
        headers: { 'x-goog-api-key': key },
        secrets: [key],
      });
    },
  };
}
