/**
 * A loopback HTTP server that misbehaves on demand, for driving the real provider SDKs
 * into the failures they meet in the wild. Not a test file itself (no .test.ts): the
 * engine-errors wire tests share it.
 */
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Misbehaviour = (request: IncomingMessage, body: string, response: ServerResponse) => void;

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface MisbehavingServer {
  port: number;
  origin: string;
  /** What the next requests get (until changed). */
  behave(misbehaviour: Misbehaviour): void;
  requests: SeenRequest[];
  close(): Promise<void>;
}

export async function startMisbehavingServer(): Promise<MisbehavingServer> {
  let current: Misbehaviour = answerJson(500, { error: 'no behaviour set' });
  const requests: SeenRequest[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body });
      current(request, body, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    behave: (misbehaviour) => {
      current = misbehaviour;
    },
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export function answerJson(status: number, body: unknown, headers: Record<string, string> = {}): Misbehaviour {
  return (_request, _body, response) => {
    response.writeHead(status, { 'content-type': 'application/json', ...headers });
    response.end(JSON.stringify(body));
  };
}

export function answerText(status: number, text: string, headers: Record<string, string> = {}): Misbehaviour {
  return (_request, _body, response) => {
    response.writeHead(status, headers);
    response.end(text);
  };
}

/** Reads the whole request, then kills the connection: the request arrived, no answer leaves. */
export const destroySocketAfterBody: Misbehaviour = (request) => {
  request.socket.destroy();
};

/** Never answers; the client's own timeout or signal has to end it. */
export const hangForever: Misbehaviour = () => undefined;

/** Sends headers and half a body, then kills the connection. */
export const truncateBody: Misbehaviour = (request, _body, response) => {
  response.writeHead(200, { 'content-type': 'application/json', 'content-length': '200' });
  response.write('{"id":"job_');
  setTimeout(() => request.socket.destroy(), 10);
};

/** A port nothing listens on (bound, then released), so connecting is refused. */
export async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** What the classifier is called with after `promise` rejects (fails the test if it resolves). */
export async function thrownBy(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}
