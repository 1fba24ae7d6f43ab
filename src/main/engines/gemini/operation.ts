/**
 * A Veo long-running operation, as @google/genai 2.x hands it back (the wire's
 * `response.generateVideoResponse.generatedSamples` flattened to
 * `response.generatedVideos`), read into a poll answer. Pure.
 *
 * Veo's answers have traps (reference/provider-facts.md §3 and §7): `done:true` with
 * `raiMediaFilteredCount` and no videos is a content-policy refusal that Google does not
 * bill, and a finished operation can carry neither videos nor a reason. Neither may spin
 * a poll loop or crash on `generatedVideos[0]`.
 */
import { EngineError } from '../../../shared/errors';
import type { PollResult } from '../engine';
import { engineErrorFromJobFailure, looksLikeContentPolicy } from '../errors';

const PROVIDER = 'gemini';
/** google.rpc.Code INVALID_ARGUMENT: Google also words some prompt refusals this way. */
const RPC_INVALID_ARGUMENT = 3;

export interface OperationReading {
  result: PollResult;
  /** Set when the answer had a shape we do not know: the adapter logs it and polls again. */
  oddity?: string;
}

type Loose = Record<string, unknown>;

function asRecord(value: unknown): Loose | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Loose) : undefined;
}

/**
 * The id of a Gemini file from a video URI: `https://<host>/v1beta/files/<id>:download?alt=media`
 * or `files/<id>`. Undefined when the URI names no file.
 */
export function fileIdOf(uri: string): string | undefined {
  const match = /(?:^|\/)files\/([A-Za-z0-9_-]{1,200})(?=$|[:?/#])/.exec(uri);
  return match?.[1];
}

/**
 * Where a file's bytes are fetched: the *configured* endpoint, whatever host the URI
 * names (as the SDK's own files.download does), so the key never goes anywhere else.
 */
export function fileDownloadUrl(baseUrl: string, apiVersion: string, fileId: string): string {
  return `${baseUrl}/${apiVersion}/files/${encodeURIComponent(fileId)}:download?alt=media`;
}

export function readOperation(operation: unknown, secrets: readonly string[] = []): OperationReading {
  const op = asRecord(operation);
  if (!op) return { result: { state: 'running' }, oddity: `the operation is not an object (${typeof operation})` };
  const error = asRecord(op.error);
  if (error) return { result: failedOperation(error, secrets) };
  if (op.done === true) return { result: finishedOperation(asRecord(op.response), secrets) };
  if (op.done === false || op.done === undefined) {
    if (op.response !== undefined) return { result: { state: 'running' }, oddity: 'the operation is not done yet carries a response' };
    return { result: { state: 'running' } };
  }
  return { result: { state: 'running' }, oddity: `the operation's done is ${JSON.stringify(op.done)}` };
}

/** A finished operation's google.rpc.Status: its numeric code decides the kind, as for any Google RPC. */
function failedOperation(error: Loose, secrets: readonly string[]): PollResult {
  const code = typeof error.code === 'number' ? error.code : typeof error.status === 'string' ? error.status : undefined;
  const message = typeof error.message === 'string' ? error.message : undefined;
  const refusedContent = (code === RPC_INVALID_ARGUMENT || code === 'INVALID_ARGUMENT') && looksLikeContentPolicy(message);
  const failure = engineErrorFromJobFailure(
    { ...(code !== undefined ? { code } : {}), ...(message !== undefined ? { message } : {}), ...(refusedContent ? { kind: 'content_policy' as const } : {}) },
    { provider: PROVIDER, operation: 'poll', secrets },
  );
  // Google gives no figure for a failed operation: the pipeline decides by the kind.
  return { state: 'failed', error: failure };
}

function finishedOperation(response: Loose | undefined, secrets: readonly string[]): PollResult {
  const videos = Array.isArray(response?.generatedVideos) ? response.generatedVideos : [];
  const uri = videos.map((video) => asRecord(asRecord(video)?.video)?.uri).find((value): value is string => typeof value === 'string' && value.length > 0);
  if (uri !== undefined) {
    if (fileIdOf(uri) === undefined) return { state: 'failed', error: new EngineError('unavailable', `${PROVIDER} finished the job but its video URI names no file: ${uri}`) };
    // Gemini reports no cost and no duration: the pipeline charges list price for the seconds asked.
    return { state: 'succeeded', output: { location: uri } };
  }
  const filtered = typeof response?.raiMediaFilteredCount === 'number' ? response.raiMediaFilteredCount : 0;
  if (filtered > 0) {
    const reasons = Array.isArray(response?.raiMediaFilteredReasons) ? response.raiMediaFilteredReasons.filter((r): r is string => typeof r === 'string') : [];
    const failure = engineErrorFromJobFailure(
      { kind: 'content_policy', message: `Google's safety filter withheld the video${reasons.length ? `: ${reasons.join(' ')}` : ''}` },
      { provider: PROVIDER, operation: 'poll', secrets },
    );
    // Google says so in the reason itself ("You have not been charged"): a filtered video is not billed.
    return { state: 'failed', error: failure, billedMicros: 0 };
  }
  const inlineOnly = videos.length > 0 ? ' (a video came without a file URI)' : '';
  return { state: 'failed', error: new EngineError('unavailable', `${PROVIDER} finished the job with no video and no reason${inlineOnly}`) };
}
