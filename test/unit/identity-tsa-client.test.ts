/**
 * The RFC 3161 client without a network: the request it builds (read back with pkijs),
 * and each way a reply can fail, through an injected fetch: HTTP errors, a dropped
 * connection, a timeout, the user's cancel, an oversized or non-DER body, a rejection
 * with its status text and failure bits, a granted reply without a token. Every error
 * names the TSA's host and never the URL's path or query. Real tokens (openssl ts) are in
 * the integration test against the TSA emulator.
 */
import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { describe, expect, it } from 'vitest';
import { CancelledError } from '../../src/shared/errors';
import { buildTimestampRequest, checkTimestampUrl, requestTimestamp } from '../../src/main/provenance/identity/tsa-client';
import { TimestampError } from '../../src/main/provenance/identity/errors';

const imprint = new Uint8Array(createHash('sha256').update('claim signature').digest());
const URL_WITH_PATH = 'https://tsa.example.net:8443/sign/v1?customer=secret-looking-token';

function reply(body: Uint8Array | string, init: ResponseInit = {}): typeof fetch {
  return async () => new Response(body, { status: 200, headers: { 'content-type': 'application/timestamp-reply' }, ...init });
}

function respWithStatus(status: number, text?: string, failBits: number[] = []): Uint8Array {
  const bytes = new Uint8Array(4);
  for (const bit of failBits) bytes[bit >> 3]! |= 0x80 >> (bit & 7);
  const statusInfo = new pkijs.PKIStatusInfo({
    status,
    ...(text ? { statusStrings: [new asn1js.Utf8String({ value: text })] } : {}),
    ...(failBits.length ? { failInfo: new asn1js.BitString({ valueHex: bytes, unusedBits: 0 }) } : {}),
  });
  return new Uint8Array(new pkijs.TimeStampResp({ status: statusInfo }).toSchema().toBER(false));
}

async function failure(promise: Promise<unknown>): Promise<TimestampError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TimestampError);
  const message = (error as Error).message;
  expect(message).toMatch(/^the timestamp authority tsa\.example\.net:8443 /);
  expect(message).not.toMatch(/secret-looking-token|\/sign\/v1/);
  return error as TimestampError;
}

describe('the request', () => {
  it('is a TimeStampReq v1 over SHA-256 with a positive 64-bit nonce and certReq, POSTed as application/timestamp-query', async () => {
    const der = buildTimestampRequest(imprint, new Uint8Array([0x01, 2, 3, 4, 5, 6, 7, 8]));
    const request = pkijs.TimeStampReq.fromBER(der);
    expect(request.version).toBe(1);
    expect(request.messageImprint.hashAlgorithm.algorithmId).toBe('2.16.840.1.101.3.4.2.1');
    expect(Buffer.from(request.messageImprint.hashedMessage.valueBlock.valueHexView)).toEqual(Buffer.from(imprint));
    expect(Buffer.from(request.nonce!.valueBlock.valueHexView).toString('hex')).toBe('0102030405060708');
    expect(request.certReq).toBe(true);

    const seen: { method?: string; contentType?: string | null; accept?: string | null; nonces: string[] } = { nonces: [] };
    const fetchSpy: typeof fetch = async (_url, init) => {
      const headers = new Headers(init?.headers);
      seen.method = init?.method;
      seen.contentType = headers.get('content-type');
      seen.accept = headers.get('accept');
      const sent = pkijs.TimeStampReq.fromBER(new Uint8Array(init!.body as Uint8Array));
      const nonce = Buffer.from(sent.nonce!.valueBlock.valueHexView);
      expect(nonce.length).toBe(8);
      expect(nonce[0]! & 0x80).toBe(0);
      seen.nonces.push(nonce.toString('hex'));
      return new Response(respWithStatus(2, 'no'), { headers: { 'content-type': 'application/timestamp-reply' } });
    };
    for (let i = 0; i < 3; i++) await requestTimestamp(URL_WITH_PATH, imprint, { fetch: fetchSpy }).catch(() => undefined);
    expect(seen).toMatchObject({ method: 'POST', contentType: 'application/timestamp-query', accept: 'application/timestamp-reply' });
    expect(new Set(seen.nonces).size).toBe(3);
  });

  it('takes http(s) URLs without credentials, and a 32-byte imprint only', async () => {
    expect(checkTimestampUrl(' http://timestamp.digicert.com ').toString()).toBe('http://timestamp.digicert.com/');
    expect(checkTimestampUrl('https://tsa.example.net/x#frag').toString()).toBe('https://tsa.example.net/x');
    expect(() => checkTimestampUrl('https://me:pw@tsa.example.net/')).toThrow(/must not contain a user name or password/);
    expect(() => checkTimestampUrl('file:///etc/passwd')).toThrow(/must be http:\/\/ or https:\/\//);
    await expect(requestTimestamp(URL_WITH_PATH, new Uint8Array(20))).rejects.toThrow(/32 bytes, not 20/);
  });
});

describe('failures', () => {
  it('an HTTP error status', async () => {
    const error = await failure(requestTimestamp(URL_WITH_PATH, imprint, { fetch: reply('busy', { status: 503, statusText: 'Service Unavailable' }) }));
    expect(error.failure).toBe('http');
    expect(error.details.httpStatus).toBe(503);
    expect(error.message).toMatch(/answered HTTP 503 Service Unavailable$/);
  });

  it('a connection that cannot be made', async () => {
    const refused: typeof fetch = async () => {
      throw Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:8443'), { code: 'ECONNREFUSED' }) });
    };
    const error = await failure(requestTimestamp(URL_WITH_PATH, imprint, { fetch: refused }));
    expect(error.failure).toBe('network');
    expect(error.message).toMatch(/could not be reached \(ECONNREFUSED\)/);
  });

  it('no answer in time, and the user cancelling', async () => {
    const never: typeof fetch = (_url, init) =>
      new Promise((_resolve, reject) => init!.signal!.addEventListener('abort', () => reject(init!.signal!.reason), { once: true }));
    const slow = await failure(requestTimestamp(URL_WITH_PATH, imprint, { fetch: never, timeoutMs: 50 }));
    expect(slow.failure).toBe('timeout');
    expect(slow.message).toMatch(/did not answer within 50 ms$/);
    const controller = new AbortController();
    const pending = requestTimestamp(URL_WITH_PATH, imprint, { fetch: never, signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(CancelledError);
  });

  it('a body that is not a timestamp reply, or far too large', async () => {
    const html = await failure(requestTimestamp(URL_WITH_PATH, imprint, { fetch: reply('<html>login</html>', { headers: { 'content-type': 'text/html; charset=utf-8' } }) }));
    expect(html.failure).toBe('malformed');
    expect(html.message).toMatch(/not a timestamp reply \(Content-Type: text\/html; charset=utf-8\)/);
    const huge = await failure(requestTimestamp(URL_WITH_PATH, imprint, { fetch: reply(new Uint8Array(2_000_000)) }));
    expect(huge.message).toMatch(/2000000 bytes, far more than a timestamp reply/);
  });

  it('a rejection, with the status text and failure bits', async () => {
    const error = await failure(requestTimestamp(URL_WITH_PATH, imprint, { fetch: reply(respWithStatus(2, 'policy\nnot accepted', [15])) }));
    expect(error.failure).toBe('rejected');
    expect(error.message).toMatch(/refused the request \(status rejection: "policy not accepted"; unacceptedPolicy\)$/);
    expect(error.details).toMatchObject({ pkiStatus: 2, statusText: 'policy not accepted', failInfo: ['unacceptedPolicy'] });
    const waiting = await failure(requestTimestamp(URL_WITH_PATH, imprint, { fetch: reply(respWithStatus(3)) }));
    expect(waiting.message).toMatch(/refused the request \(status waiting\)$/);
    const system = await failure(requestTimestamp(URL_WITH_PATH, imprint, { fetch: reply(respWithStatus(2, undefined, [0, 25])) }));
    expect(system.message).toMatch(/\(status rejection: badAlg, systemFailure\)$/);
  });

  it('granted with no token', async () => {
    const error = await failure(requestTimestamp(URL_WITH_PATH, imprint, { fetch: reply(respWithStatus(0)) }));
    expect(error.message).toMatch(/granted the request but sent no timestamp token/);
  });
});
