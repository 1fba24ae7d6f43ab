/**
 * The built renderer (index.html and its assets) for the bridge. Only files below the
 * renderer folder are served; '/' (with or without ?token) is the page itself.
 */
import { existsSync } from 'node:fs';
import { readFile, realpath, stat } from 'node:fs/promises';
import { dirname, extname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

/** out/renderer of this checkout: found from the package root, whether this runs built (out/main) or from source (tsx). */
export function defaultRendererDir(from: string = fileURLToPath(import.meta.url)): string {
  let folder = dirname(from);
  for (let depth = 0; depth < 8; depth += 1) {
    if (existsSync(join(folder, 'package.json'))) return join(folder, 'out', 'renderer');
    const parent = dirname(folder);
    if (parent === folder) break;
    folder = parent;
  }
  return resolve('out', 'renderer');
}

export async function serveStatic(rendererDir: string, pathname: string, method: string): Promise<Response> {
  const index = join(rendererDir, 'index.html');
  if (!existsSync(index)) {
    return new Response('<!doctype html><title>Shotline</title><p>The shot board is not built yet: run <code>npm run build</code>, then start <code>shotline studio</code> again.</p>', {
      status: 503,
      headers: { 'Content-Type': 'text/html; charset=utf-8' },
    });
  }
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return new Response('bad path', { status: 400 });
  }
  const wanted = decoded === '/' || decoded === '/index.html' ? index : join(rendererDir, decoded);
  const root = await realpath(rendererDir);
  const file = await realpath(wanted).catch(() => null);
  if (!file || (file !== root && !relative(root, file).split(sep)[0]?.match(/^[^.]/)) || !(await stat(file)).isFile()) {
    return new Response('not found', { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
  }
  const body = method === 'HEAD' ? null : await readFile(file);
  return new Response(body, { status: 200, headers: { 'Content-Type': TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream', 'Cache-Control': file === index ? 'no-store' : 'max-age=3600' } });
}
