/**
 * Saving a clip an engine produced: streamed into a temp file beside the destination,
 * hashed on the way, then renamed, so a file at the destination is always whole (the
 * pipeline reuses one found there after a crash). Every adapter's download ends here.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { removeQuietly, tempPathBeside } from '../media/atomic-file';
import { EngineError } from '../../shared/errors';
import type { DownloadResult } from './engine';

export interface SaveClipOptions {
  /** The size the sender declared: a shorter (or longer) stream is a cut-off download, never a clip. */
  expectedBytes?: number;
}

export async function saveClip(
  source: Readable | AsyncIterable<Uint8Array>,
  destinationPath: string,
  signal: AbortSignal,
  options: SaveClipOptions = {},
): Promise<DownloadResult> {
  const destination = path.resolve(destinationPath);
  await mkdir(path.dirname(destination), { recursive: true });
  const temp = tempPathBeside(destination);
  const hash = createHash('sha256');
  let bytes = 0;
  try {
    await pipeline(
      source,
      async function* (chunks: AsyncIterable<Uint8Array>) {
        for await (const chunk of chunks) {
          hash.update(chunk);
          bytes += chunk.length;
          yield chunk;
        }
      },
      createWriteStream(temp),
      { signal },
    );
    if (options.expectedBytes !== undefined && bytes !== options.expectedBytes) {
      throw new EngineError('unavailable', `download cut off: ${bytes} of ${options.expectedBytes} bytes arrived`);
    }
    await rename(temp, destination);
  } catch (error) {
    await removeQuietly(temp);
    throw error;
  }
  return { path: destination, sha256: hash.digest('hex'), bytes };
}
