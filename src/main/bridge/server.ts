/**
 * The loopback bridge: the shot board in a browser (`shotline studio`, and the end-to-end
 * tests). It serves the built renderer and the same Studio API as the app's IPC, over
 * HTTP (POST /api/<method>) and a WebSocket for events, on 127.0.0.1 only.
 *
 * Who may call: whoever holds the session token printed at start (header for /api, query
 * for /media and the WebSocket, which cannot send headers). A web page on another origin
 * cannot read the token, and DNS rebinding (a hostile name resolving to 127.0.0.1) is
 * refused by checking Host and Origin on every request. Arguments are checked with the
 * same zod schemas as IPC (api-arguments.ts).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Readable } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { STUDIO_EVENTS, type StudioApi } from '../../shared/api';
import { UserError } from '../../shared/errors';
import { CONTENT_SECURITY_POLICY } from '../shell/security';
import { isStudioMethod, parseArguments } from './api-arguments';
import { serveMediaFile } from './media-files';
import { defaultRendererDir, serveStatic } from './static-files';

export interface BridgeOptions {
  api: StudioApi;
  dataDir: string;
  /** The built renderer (out/renderer); default: found from this module. */
  rendererDir?: string;
  /** 0 (default): any free port. */
  port?: number;
  /** Default: 32 random bytes. */
  token?: string;
  log?: (line: string) => void;
}

export interface Bridge {
  /** The page's address with the token: what `shotline studio` prints. */
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

/** A storyboard upload is the largest call (32 MB of text); JSON escaping can add a little. */
const MAX_BODY_BYTES = 40 * 1024 * 1024;
const HOST = '127.0.0.1';

export async function startBridge(options: BridgeOptions): Promise<Bridge> {
  const token = options.token ?? randomBytes(32).toString('base64url');
  const rendererDir = options.rendererDir ?? defaultRendererDir();
  let port = 0;
  const sockets = new Set<Socket>();

  const server = createServer((request, response) => {
    setCommonHeaders(response);
    handle(request, response).catch((error: unknown) => {
      options.log?.(`bridge: ${request.method} ${pathOf(request)} failed: ${error instanceof Error ? error.message : String(error)}`);
      if (!response.headersSent) sendJson(response, 500, { error: { message: 'internal error' } });
      else response.destroy();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', `http://${HOST}:${port}`);
    const refusal = originRefusal(request, port);
    if (refusal) return sendJson(response, 403, { error: { message: refusal } });
    if (url.pathname.startsWith('/api/')) {
      response.setHeader('Cache-Control', 'no-store');
      if (!hasToken(request.headers['x-shotline-token'] ?? bearer(request.headers.authorization), token)) return sendJson(response, 401, { error: { message: 'a session token is required (the address `shotline studio` printed)' } });
      return callApi(url.pathname.slice('/api/'.length), request, response);
    }
    if (url.pathname === '/media') {
      response.setHeader('Cache-Control', 'no-store');
      if (!hasToken(url.searchParams.get('token'), token)) return sendJson(response, 401, { error: { message: 'a session token is required' } });
      const media = await serveMediaFile(options.dataDir, { path: url.searchParams.get('path'), range: header(request.headers.range), method: request.method ?? 'GET' });
      return sendResponse(response, media);
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') return sendJson(response, 405, { error: { message: 'only GET here' } });
    return sendResponse(response, await serveStatic(rendererDir, url.pathname, request.method));
  }

  async function callApi(method: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (request.method !== 'POST') return sendJson(response, 405, { error: { message: `POST /api/${method}` } });
    if (!isStudioMethod(method) || method === ('onProgress' as string)) return sendJson(response, 404, { error: { message: `no API method "${method}"` } });
    const body = await readBody(request);
    if (body === 'too_large') return sendJson(response, 413, { error: { message: `the request is larger than ${MAX_BODY_BYTES / 1024 / 1024} MB` } });
    let args: unknown;
    try {
      args = (JSON.parse(body || '{}') as { args?: unknown }).args ?? [];
    } catch (error) {
      return sendJson(response, 400, { error: { message: `the body is not JSON: ${(error as Error).message}` } });
    }
    if (!Array.isArray(args)) return sendJson(response, 400, { error: { message: 'args: must be an array of the method\'s arguments' } });
    try {
      const parsed = parseArguments(method, args);
      const result = await (options.api[method] as (...a: unknown[]) => Promise<unknown>)(...parsed);
      sendJson(response, 200, { result: result ?? null });
    } catch (error) {
      if (error instanceof UserError) return sendJson(response, 400, { error: { message: error.message, problems: error.problems } });
      options.log?.(`bridge: ${method} failed: ${error instanceof Error ? error.message : String(error)}`);
      sendJson(response, 500, { error: { message: error instanceof Error ? error.message : String(error) } });
    }
  }

  // Events: one WebSocket per page; each gets every progress event until it closes.
  const eventSockets = new WebSocketServer({ noServer: true });
  const unsubscribes = new Set<() => void>();
  server.on('upgrade', (request, socket, head) => {
    const url = new URL(request.url ?? '/', `http://${HOST}:${port}`);
    const refusal = url.pathname !== '/ws' ? 'not found' : originRefusal(request, port);
    if (refusal) return refuseUpgrade(socket, refusal === 'not found' ? 404 : 403, refusal);
    if (!hasToken(url.searchParams.get('token'), token)) return refuseUpgrade(socket, 401, 'a session token is required');
    eventSockets.handleUpgrade(request, socket, head, (ws) => subscribe(ws));
  });
  function subscribe(ws: WebSocket): void {
    const unsubscribe = options.api.onProgress((event) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ type: 'progress', channel: STUDIO_EVENTS.progress, event }));
    });
    unsubscribes.add(unsubscribe);
    ws.once('close', () => {
      unsubscribes.delete(unsubscribe);
      unsubscribe();
    });
    // An 'error' nobody listens to (a malformed frame from the page) would crash the process.
    ws.on('error', () => ws.terminate());
    ws.on('message', () => undefined);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, HOST, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://${HOST}:${port}/?token=${token}`,
    port,
    token,
    async close() {
      for (const unsubscribe of unsubscribes) unsubscribe();
      unsubscribes.clear();
      for (const client of eventSockets.clients) client.terminate();
      eventSockets.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

/** Why a request must be refused for where it claims to come from, or null. */
export function originRefusal(request: Pick<IncomingMessage, 'headers'>, port: number): string | null {
  const allowedHosts = [`127.0.0.1:${port}`, `localhost:${port}`];
  const host = request.headers.host?.toLowerCase();
  if (!host || !allowedHosts.includes(host)) return `refused: Host "${host ?? ''}" is not this studio (DNS rebinding?)`;
  const origin = header(request.headers.origin);
  if (origin !== null && !allowedHosts.map((allowed) => `http://${allowed}`).includes(origin.toLowerCase())) return `refused: requests from ${origin} are not allowed`;
  return null;
}

function hasToken(given: string | string[] | null | undefined, token: string): boolean {
  const value = Array.isArray(given) ? given[0] : given;
  if (!value) return false;
  const a = Buffer.from(value);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function bearer(authorization: string | undefined): string | undefined {
  const match = /^Bearer\s+(.+)$/i.exec(authorization ?? '');
  return match?.[1];
}

function header(value: string | string[] | undefined): string | null {
  return (Array.isArray(value) ? value[0] : value) ?? null;
}

function pathOf(request: IncomingMessage): string {
  // Never log the query: it may hold the token.
  return (request.url ?? '/').split('?')[0]!;
}

function setCommonHeaders(response: ServerResponse): void {
  response.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  response.setHeader('X-Content-Type-Options', 'nosniff');
  response.setHeader('Referrer-Policy', 'no-referrer');
  response.setHeader('X-Frame-Options', 'DENY');
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  response.end(text);
}

async function sendResponse(response: ServerResponse, web: Response): Promise<void> {
  const headers: Record<string, string> = {};
  web.headers.forEach((value, name) => {
    headers[name] = value;
  });
  response.writeHead(web.status, headers);
  if (!web.body) return void response.end();
  await new Promise<void>((resolve, reject) => {
    const body = Readable.fromWeb(web.body as never);
    body.once('error', reject);
    response.once('close', () => {
      body.destroy();
      resolve();
    });
    body.pipe(response);
  });
}

function readBody(request: IncomingMessage): Promise<string | 'too_large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        request.removeAllListeners('data');
        request.resume();
        resolve('too_large');
        return;
      }
      chunks.push(chunk);
    });
    request.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.once('error', reject);
  });
}

function refuseUpgrade(socket: import('node:stream').Duplex, status: number, message: string): void {
  const reason = { 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found' }[status] ?? 'Error';
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(message)}\r\nConnection: close\r\n\r\n${message}`);
}
