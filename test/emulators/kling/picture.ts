/**
 * The picture of an image-to-video create, checked as Kling checks it (JPEG or PNG as bare
 * base64, at most 10 MB, at least 300 px a side, between 1:2.5 and 2.5:1), and the shape
 * of the clip it gives: Kling takes no aspect_ratio there, the picture decides.
 */

export type KlingAspect = '16:9' | '9:16' | '1:1';
export const ASPECTS: Record<KlingAspect, number> = { '16:9': 16 / 9, '9:16': 9 / 16, '1:1': 1 };
const MAX_IMAGE_BYTES = 10 * 1024 * 1024;

/** The clip's shape from the picture (image-to-video has no aspect_ratio), or what is wrong with the picture. */
export function imageShape(image: unknown): { aspect: KlingAspect } | { problem: string } {
  if (typeof image !== 'string' || image === '') return { problem: 'image: required' };
  if (image.startsWith('data:')) return { problem: 'image: base64 must not carry a data: prefix' };
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(image)) return { problem: 'image: not base64' };
  const bytes = Buffer.from(image, 'base64');
  if (bytes.length > MAX_IMAGE_BYTES) return { problem: 'image: larger than 10 MB' };
  const size = pictureSize(bytes);
  if (!size) return { problem: 'image: not a JPEG or PNG picture' };
  if (Math.min(size.width, size.height) < 300) return { problem: `image: ${size.width}x${size.height}, each side must be at least 300 px` };
  const ratio = size.width / size.height;
  if (ratio > 2.5 || ratio < 0.4) return { problem: `image: ${size.width}x${size.height}, aspect must be between 1:2.5 and 2.5:1` };
  const nearest = (Object.entries(ASPECTS) as [KlingAspect, number][]).sort((a, b) => Math.abs(Math.log(a[1] / ratio)) - Math.abs(Math.log(b[1] / ratio)))[0]!;
  return { aspect: nearest[0] };
}

function pictureSize(bytes: Buffer): { width: number; height: number } | undefined {
  if (bytes.length >= 24 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) {
    return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
  }
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8) return undefined;
  for (let at = 2; at + 9 < bytes.length; ) {
    if (bytes[at] !== 0xff) return undefined;
    const marker = bytes[at + 1]!;
    if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) return { height: bytes.readUInt16BE(at + 5), width: bytes.readUInt16BE(at + 7) };
    at += 2 + bytes.readUInt16BE(at + 2);
  }
  return undefined;
}
