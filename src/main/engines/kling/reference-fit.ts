/**
 * Whether Kling takes a shot's reference image (pure). Kling's image-to-video limits
 * (reference/provider-facts.md §4): JPEG or PNG, at most 10 MB, at least 300 px a side,
 * aspect between 1:2.5 and 2.5:1. It also takes no aspect_ratio for image-to-video: the
 * clip comes out in the picture's shape, so a picture of another shape than the shot
 * would be paid for and then fail the quality gate's frame-size check.
 */
import type { Aspect } from '../../../shared/domain';
import type { ReferenceImage } from '../common/reference-image';

export const KLING_MAX_IMAGE_BYTES = 10 * 1024 * 1024;
export const KLING_MIN_IMAGE_SIDE = 300;
const WIDEST_RATIO = 2.5;
/** How far the picture's shape may be off the shot's before the clip would come out another size. */
const ASPECT_TOLERANCE = 0.05;

export interface ImageSize {
  width: number;
  height: number;
}

/** Width and height from a PNG's IHDR or a JPEG's start-of-frame; undefined when neither can be read. */
export function imageSizeOf(bytes: Buffer): ImageSize | undefined {
  if (bytes.length >= 24 && bytes.readUInt32BE(0) === 0x89504e47 && bytes.toString('latin1', 12, 16) === 'IHDR') {
    return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
  }
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return undefined;
  let offset = 2;
  while (offset + 9 < bytes.length) {
    if (bytes[offset] !== 0xff) return undefined;
    const marker = bytes[offset + 1]!;
    if (marker === 0xff) {
      offset += 1; // fill byte
      continue;
    }
    const length = bytes.readUInt16BE(offset + 2);
    // SOF0..SOF15 carry the frame size; C4 (huffman), C8 (reserved) and CC (arithmetic) share the range but do not.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: bytes.readUInt16BE(offset + 5), width: bytes.readUInt16BE(offset + 7) };
    }
    offset += 2 + length;
  }
  return undefined;
}

function ratioOf(aspect: Aspect): number {
  const [width, height] = aspect.split(':').map(Number) as [number, number];
  return width / height;
}

/** What Kling would refuse, or make in the wrong shape, about this picture; empty when it fits. */
export function klingReferenceProblems(image: Pick<ReferenceImage, 'bytes' | 'mimeType'>, aspect: Aspect): string[] {
  if (image.mimeType !== 'image/png' && image.mimeType !== 'image/jpeg') return [`reference: Kling takes JPEG or PNG pictures, not ${image.mimeType}`];
  const problems: string[] = [];
  if (image.bytes.length > KLING_MAX_IMAGE_BYTES) problems.push(`reference: ${image.bytes.length} bytes, Kling takes at most ${KLING_MAX_IMAGE_BYTES} (10 MB)`);
  const size = imageSizeOf(image.bytes);
  if (!size || size.width === 0 || size.height === 0) return [...problems, 'reference: the picture size cannot be read'];
  const described = `${size.width}x${size.height}`;
  if (Math.min(size.width, size.height) < KLING_MIN_IMAGE_SIDE) problems.push(`reference: ${described}, Kling needs at least ${KLING_MIN_IMAGE_SIDE} px on each side`);
  const ratio = size.width / size.height;
  if (ratio > WIDEST_RATIO || ratio < 1 / WIDEST_RATIO) {
    problems.push(`reference: ${described} is wider or taller than Kling takes (between 1:2.5 and 2.5:1)`);
  } else if (Math.abs(ratio / ratioOf(aspect) - 1) > ASPECT_TOLERANCE) {
    problems.push(`reference: ${described} is not ${aspect}; Kling makes image-to-video in the picture's own shape`);
  }
  return problems;
}
