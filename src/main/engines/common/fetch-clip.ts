/**
 * Downloading a finished clip from a URL the provider gave (a signed CDN link, a
 * ComfyUI /view, a Gemini file): streamed to disk through saveClip, with the provider's
 * own failure statuses classified for the download step (403/404/410 on a signed link
 * means it expired). A body shorter than its Content-Length is an error, never a clip.
 */
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { EngineError } from '../../../shared/errors';
import { saveClip } from '../clip-file';
import type { DownloadResult } from '../engine';
import { engineErrorFromResponse } from '../errors';

export interface FetchClipOptions {
  signal: AbortSignal;
  /** Provider id, for messages. */
  provider: string;
  headers?: Record<string, string>;
  /** Secret values to keep out of error messages (a key sent in a header, a token in the URL). */
  secrets?: readonly string[];
  fetch?: typeof fetch;
}

export async function fetchClip(url: string, destinationPath: string, options: FetchClipOptions): Promise<DownloadResult> {
  const response = await (options.fetch ?? fetch)(url, { signal: options.signal, headers: options.headers, redirect: 'follow' });
  return saveClipResponse(response, destinationPath, options);
}

/**
 * Saves a clip from a fetch Response already in hand: one fetched above, or one an SDK
 * hands back (openai's videos.downloadContent), so both get the same status and
 * cut-off checks.
 */
export async function saveClipResponse(
  response: Response,
  destinationPath: string,
  options: Pick<FetchClipOptions, 'signal' | 'provider' | 'secrets'>,
): Promise<DownloadResult> {
  if (!response.ok) throw await engineErrorFromResponse(response, { provider: options.provider, operation: 'download', secrets: options.secrets });
  if (!response.body) throw new EngineError('unavailable', `${options.provider} download answered ${response.status} with no body`);
  const declared = Number(response.headers.get('content-length'));
  const expectedBytes = Number.isSafeInteger(declared) && declared > 0 ? declared : undefined;
  return saveClip(Readable.fromWeb(response.body as WebReadableStream<Uint8Array>), destinationPath, options.signal, { expectedBytes });
}
