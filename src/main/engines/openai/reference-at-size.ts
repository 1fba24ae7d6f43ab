/**
 * The shot's reference image, made the exact size of the video. The /v1/videos protocol
 * refuses a reference of any other size ("Inpaint image must match the requested width
 * and height"), and storyboard stills rarely are 1280x720, so the image is scaled to
 * cover the frame and centre-cropped (never stretched) into a PNG with ffmpeg, in the
 * engine's work folder, before anything is sent.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { toFile, type Uploadable } from 'openai/uploads';
import { EngineError } from '../../../shared/errors';
import { removeQuietly } from '../../media/atomic-file';
import type { MediaOps } from '../../media/backend/types';
import { chain, filter } from '../../media/filtergraph';
import { readReferenceImage } from '../common/reference-image';

export interface ReferenceResizeOptions {
  media: MediaOps;
  workDir: string;
  signal: AbortSignal;
  log?: (line: string) => void;
}

export async function referenceAtSize(imagePath: string, size: { width: number; height: number }, options: ReferenceResizeOptions): Promise<Uploadable> {
  // Refuses what is not a PNG, JPEG or WebP by its bytes, before ffmpeg is asked to read it.
  await readReferenceImage(imagePath);
  const { width, height } = size;
  const resized = path.join(options.workDir, `reference-${randomUUID()}.png`);
  try {
    await mkdir(options.workDir, { recursive: true });
    const graph = chain(
      ['0:v'],
      [
        filter('scale', { w: width, h: height, force_original_aspect_ratio: 'increase' }),
        filter('crop', { w: width, h: height }),
        filter('setsar', { sar: 1 }),
        filter('format', { pix_fmts: 'rgb24' }),
      ],
      ['v'],
    );
    await options.media.runGraph(
      {
        inputs: [{ path: path.resolve(imagePath) }],
        graph,
        video: { label: 'v', encoding: { encoder: 'png', options: {}, pixelFormat: 'rgb24', fps: 1 } },
        output: { path: resized, container: 'png' },
        expectedSeconds: 0,
      },
      { signal: AbortSignal.any([options.signal, AbortSignal.timeout(60_000)]), log: options.log },
    );
    return await toFile(await readFile(resized), 'reference.png', { type: 'image/png' });
  } catch (error) {
    throw stoppedBeforeSending(error, options.signal, `${width}x${height}`);
  } finally {
    await removeQuietly(resized);
  }
}

/** Nothing has been sent yet, whatever went wrong: no job can exist. */
function stoppedBeforeSending(error: unknown, signal: AbortSignal, size: string): EngineError {
  if (signal.aborted) {
    const timedOut = (signal.reason as { name?: unknown } | undefined)?.name === 'TimeoutError';
    return new EngineError(timedOut ? 'timeout' : 'cancelled', `submit stopped while the reference image was being resized to ${size}; nothing was sent`, { jobMayExist: false });
  }
  if (error instanceof EngineError) return new EngineError(error.kind, error.message, { ...error.details, jobMayExist: false });
  const why = error instanceof Error ? error.message.split('\n')[0] : String(error);
  return new EngineError('unavailable', `reference image could not be resized to ${size} (${why}); nothing was sent`, { jobMayExist: false });
}
