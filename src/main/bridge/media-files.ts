/**
 * Files of the data folder for the page: clips, posters, exports. The app's
 * `shotline-media:` protocol and the bridge's /media route both answer through here, so
 * both refuse the same things: anything whose real path (symlinks resolved) is outside
 * the data folder, folders, and verbs other than GET and HEAD. Ranges are served, since
 * a <video> seeks with them; files are streamed, never read whole.
 */
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { extname, isAbsolute, relative, sep } from 'node:path';
import { Readable } from 'node:stream';

const CONTENT_TYPES: Record<string, string> = {
  '.mp4': 'video/mp4',
  '.m4v': 'video/mp4',
  '.mov': 'video/quicktime',
  '.webm': 'video/webm',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.wav': 'audio/wav',
  '.mp3': 'audio/mpeg',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

export interface MediaRequest {
  /** The absolute path asked for (from the URL's `path` parameter). */
  path: string | null;
  /** The Range header, if any. */
  range: string | null;
  method: string;
}

export async function serveMediaFile(dataDir: string, request: MediaRequest): Promise<Response> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return plain(405, 'only GET and HEAD', { Allow: 'GET, HEAD' });
  if (!request.path || !isAbsolute(request.path)) return plain(400, 'path: must be an absolute path in the data folder');
  const root = await realpath(dataDir).catch(() => null);
  const file = await realpath(request.path).catch(() => null);
  if (!root) return plain(404, 'the data folder does not exist');
  if (!file) return plain(404, 'no such file');
  if (!inside(root, file)) return plain(403, 'only files of the data folder are served');
  const info = await stat(file);
  if (!info.isFile()) return plain(404, 'not a file');

  const headers: Record<string, string> = {
    'Content-Type': CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
    'Accept-Ranges': 'bytes',
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'no-store',
  };
  const range = request.range ? parseRange(request.range, info.size) : null;
  if (range === 'unsatisfiable') return plain(416, 'range not satisfiable', { 'Content-Range': `bytes */${info.size}` });
  const [start, end] = range ?? [0, info.size - 1];
  const length = info.size === 0 ? 0 : end - start + 1;
  headers['Content-Length'] = String(length);
  if (range) headers['Content-Range'] = `bytes ${start}-${end}/${info.size}`;
  const body = request.method === 'HEAD' || length === 0 ? null : (Readable.toWeb(createReadStream(file, { start, end })) as ReadableStream<Uint8Array>);
  return new Response(body, { status: range ? 206 : 200, headers });
}

/** True when `file` is `root` itself or below it (both real paths). */
function inside(root: string, file: string): boolean {
  const path = relative(root, file);
  return path !== '' && !path.startsWith(`..${sep}`) && path !== '..' && !isAbsolute(path);
}

/** One range of `bytes=a-b`, `bytes=a-` or `bytes=-n`; several ranges are answered with the whole file. */
export function parseRange(header: string, size: number): [number, number] | 'unsatisfiable' | null {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return null;
  const [, first, last] = match;
  if (first === '' && last === '') return null;
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0) return 'unsatisfiable';
    return [Math.max(0, size - suffix), size - 1];
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return [start, end];
}

function plain(status: number, message: string, extra: Record<string, string> = {}): Response {
  return new Response(message, { status, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff', ...extra } });
}
