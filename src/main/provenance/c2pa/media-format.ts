/**
 * The MIME type c2pa-rs needs to pick its asset handler, from the file's extension or,
 * failing that, its first bytes (`shotline verify` takes any file, named anyhow).
 */
import path from 'node:path';

const BY_EXTENSION: Record<string, string> = {
  '.mp4': 'video/mp4',
  '.m4v': 'video/mp4',
  '.mov': 'video/quicktime',
  '.m4a': 'audio/mp4',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.heic': 'image/heic',
  '.heif': 'image/heif',
  '.avif': 'image/avif',
  '.gif': 'image/gif',
  '.tif': 'image/tiff',
  '.tiff': 'image/tiff',
  '.mp3': 'audio/mpeg',
  '.wav': 'audio/wav',
  '.pdf': 'application/pdf',
};

/** The format by extension, else by magic bytes, else null (c2pa-rs would not know it either). */
export function mediaFormat(file: string, head?: Uint8Array): string | null {
  const known = BY_EXTENSION[path.extname(file).toLowerCase()];
  if (known) return known;
  return head ? sniffFormat(head) : null;
}

function sniffFormat(head: Uint8Array): string | null {
  const ascii = (from: number, to: number) => Buffer.from(head.subarray(from, to)).toString('latin1');
  if (head.length >= 12 && ascii(4, 8) === 'ftyp') {
    const brand = ascii(8, 12);
    if (brand === 'qt  ') return 'video/quicktime';
    if (['heic', 'heix', 'mif1'].includes(brand)) return 'image/heic';
    if (brand === 'avif') return 'image/avif';
    return 'video/mp4';
  }
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'image/jpeg';
  if (ascii(0, 8) === '\x89PNG\r\n\x1a\n') return 'image/png';
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'image/webp';
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WAVE') return 'audio/wav';
  if (ascii(0, 5) === '%PDF-') return 'application/pdf';
  return null;
}
