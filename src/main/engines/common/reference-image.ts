/**
 * A shot's reference image as providers want it: bytes with their media type, base64
 * without a prefix (Kling), or a data: URI (Runway, OpenAI's image_url). Preflight has
 * already checked the file is a PNG, JPEG or WebP of at most 20 MiB; the type is read
 * from the bytes again here, because the extension may lie.
 */
import { readFile } from 'node:fs/promises';
import { EngineError } from '../../../shared/errors';
import { imageFormatOf } from '../../storyboard/references';

export interface ReferenceImage {
  bytes: Buffer;
  mimeType: 'image/png' | 'image/jpeg' | 'image/webp';
  base64: string;
  dataUri: string;
}

export async function readReferenceImage(filePath: string): Promise<ReferenceImage> {
  let bytes: Buffer;
  try {
    bytes = await readFile(filePath);
  } catch (error) {
    throw new EngineError('invalid_request', `reference image cannot be read: ${(error as NodeJS.ErrnoException).code ?? 'error'}`, { jobMayExist: false });
  }
  const mimeType = imageTypeOf(bytes);
  if (!mimeType) throw new EngineError('invalid_request', 'reference image is not a PNG, JPEG or WebP file', { jobMayExist: false });
  const base64 = bytes.toString('base64');
  return { bytes, mimeType, base64, dataUri: `data:${mimeType};base64,${base64}` };
}

const MEDIA_TYPES = { png: 'image/png', jpeg: 'image/jpeg', webp: 'image/webp' } as const;

function imageTypeOf(bytes: Buffer): ReferenceImage['mimeType'] | null {
  const format = imageFormatOf(bytes.subarray(0, 16));
  return format === 'png' || format === 'jpeg' || format === 'webp' ? MEDIA_TYPES[format] : null;
}
