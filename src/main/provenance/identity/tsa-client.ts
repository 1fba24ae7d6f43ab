/**
 * An RFC 3161 timestamp client: asks a timestamp authority (TSA) to sign a SHA-256
 * message imprint and returns the TimeStampToken (DER, the CMS ContentInfo around the
 * SignedData), which C2PA carries in the COSE signature's `sigTst2` header so a file
 * stays valid after its signing certificate expires.
 *
 *   request:  POST, Content-Type application/timestamp-query,
 *             TimeStampReq { version 1, messageImprint (SHA-256), nonce (64 random bits), certReq TRUE }
 *   reply:    application/timestamp-reply, TimeStampResp { status, timeStampToken }
 *
 * The token is accepted only when the status is granted (or grantedWithMods), it is a
 * SignedData over a TSTInfo whose imprint is exactly the one asked for, it echoes our
 * nonce, and it carries the TSA's certificate. Its signature and the TSA's trust are
 * judged by the C2PA validator, which has the trust anchors. Every failure is a
 * TimestampError naming the TSA's host and what failed.
 */
import { randomBytes } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { CancelledError } from '../../../shared/errors';
import { TimestampError } from './errors';
import { OID } from './x509';

export interface TimestampRequestOptions {
  signal?: AbortSignal;
  /** Default 20 s. */
  timeoutMs?: number;
  fetch?: typeof globalThis.fetch;
}

export const DEFAULT_TIMESTAMP_TIMEOUT_MS = 20_000;
const MAX_REPLY_BYTES = 1_000_000;
const SIGNED_DATA = '1.2.840.113549.1.7.2';
const TST_INFO = '1.2.840.113549.1.9.16.1.4';

const PKI_STATUS = ['granted', 'grantedWithMods', 'rejection', 'waiting', 'revocationWarning', 'revocationNotification'];
/** PKIFailureInfo bit numbers (RFC 3161 section 2.4.2). */
const FAILURE_BITS: Record<number, string> = {
  0: 'badAlg',
  2: 'badRequest',
  5: 'badDataFormat',
  14: 'timeNotAvailable',
  15: 'unacceptedPolicy',
  16: 'unacceptedExtension',
  17: 'addInfoNotAvailable',
  25: 'systemFailure',
};

/**
 * Checks a TSA URL as it will be stored: http(s), no credentials in it (they would be
 * written to disk and could reach messages). Returns it normalized.
 */
export function checkTimestampUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    throw new TimestampError('url', '(no host)', 'URL is not a valid URL: give an http:// or https:// address');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new TimestampError('url', parsed.host || '(no host)', `URL must be http:// or https://, not ${parsed.protocol}`);
  if (parsed.username || parsed.password) throw new TimestampError('url', parsed.host, 'URL must not contain a user name or password (Shotline stores the URL in plain text)');
  parsed.hash = '';
  return parsed;
}

/** A positive 64-bit nonce (DER INTEGER content: no leading 0x00, high bit clear). */
function newNonce(): Uint8Array {
  const bytes = randomBytes(8);
  bytes[0] = (bytes[0]! & 0x7f) | 0x01;
  return new Uint8Array(bytes);
}

export function buildTimestampRequest(imprintSha256: Uint8Array, nonce: Uint8Array): Uint8Array {
  const request = new pkijs.TimeStampReq({
    version: 1,
    messageImprint: new pkijs.MessageImprint({
      hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha256 }),
      hashedMessage: new asn1js.OctetString({ valueHex: imprintSha256 }),
    }),
    nonce: new asn1js.Integer({ valueHex: nonce }),
    certReq: true,
  });
  return new Uint8Array(request.toSchema().toBER(false));
}

export async function requestTimestamp(url: string, imprintSha256: Uint8Array, options: TimestampRequestOptions = {}): Promise<Uint8Array> {
  const target = checkTimestampUrl(url);
  const host = target.host;
  if (imprintSha256.length !== 32) throw new TypeError(`a SHA-256 imprint is 32 bytes, not ${imprintSha256.length}`);
  const nonce = newNonce();
  const body = buildTimestampRequest(imprintSha256, nonce);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMESTAMP_TIMEOUT_MS;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const doFetch = options.fetch ?? globalThis.fetch;

  let reply: Uint8Array;
  let contentType: string;
  try {
    const response = await doFetch(target, {
      method: 'POST',
      headers: { 'content-type': 'application/timestamp-query', accept: 'application/timestamp-reply' },
      body,
      signal,
      redirect: 'follow',
    });
    contentType = response.headers.get('content-type') ?? '';
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      throw new TimestampError('http', host, `answered HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`, { httpStatus: response.status });
    }
    const declared = Number(response.headers.get('content-length') ?? '0');
    if (declared > MAX_REPLY_BYTES) throw new TimestampError('malformed', host, `answered with ${declared} bytes, far more than a timestamp reply`);
    reply = new Uint8Array(await response.arrayBuffer());
    if (reply.length > MAX_REPLY_BYTES) throw new TimestampError('malformed', host, `answered with ${reply.length} bytes, far more than a timestamp reply`);
  } catch (error) {
    if (error instanceof TimestampError) throw error;
    if (options.signal?.aborted) throw new CancelledError('cancelled while waiting for the timestamp authority');
    if (timeout.aborted) throw new TimestampError('timeout', host, `did not answer within ${timeoutMs < 1000 ? `${timeoutMs} ms` : `${Number((timeoutMs / 1000).toFixed(1))} s`}`);
    throw new TimestampError('network', host, `could not be reached (${networkReason(error)})`);
  }
  return tokenFromReply(reply, { host, contentType, imprintSha256, nonce });
}

interface Expected {
  host: string;
  contentType: string;
  imprintSha256: Uint8Array;
  nonce: Uint8Array;
}

/** Checks a TimeStampResp against what was asked and returns the token's exact bytes. Exported for tests. */
export function tokenFromReply(reply: Uint8Array, expected: Expected): Uint8Array {
  const { host } = expected;
  const notAReply = () =>
    new TimestampError('malformed', host, `answered with something that is not a timestamp reply${expected.contentType ? ` (Content-Type: ${clean(expected.contentType, 80)})` : ''}`);
  const parsed = asn1js.fromBER(reply);
  if (parsed.offset === -1 || !(parsed.result instanceof asn1js.Sequence)) throw notAReply();
  let response: pkijs.TimeStampResp;
  try {
    response = new pkijs.TimeStampResp({ schema: parsed.result });
  } catch {
    throw notAReply();
  }

  const status = response.status.status;
  if (status !== 0 && status !== 1) {
    const statusText = (response.status.statusStrings ?? []).map((text) => clean(text.valueBlock.value, 200)).join('; ');
    const failInfo = failureNames(response.status.failInfo);
    const said = [statusText && `"${statusText}"`, failInfo.length ? failInfo.join(', ') : ''].filter(Boolean).join('; ');
    throw new TimestampError('rejected', host, `refused the request (status ${PKI_STATUS[status] ?? status}${said ? `: ${said}` : ''})`, {
      pkiStatus: status,
      statusText,
      failInfo,
    });
  }
  const tokenBlock = (parsed.result.valueBlock.value as asn1js.AsnType[])[1] as asn1js.BaseBlock | undefined;
  if (!response.timeStampToken || !tokenBlock) throw new TimestampError('malformed', host, 'granted the request but sent no timestamp token');
  if (response.timeStampToken.contentType !== SIGNED_DATA) throw new TimestampError('malformed', host, 'sent a timestamp token that is not CMS SignedData');

  let tstInfo: pkijs.TSTInfo;
  let signedData: pkijs.SignedData;
  try {
    signedData = new pkijs.SignedData({ schema: response.timeStampToken.content });
    if (signedData.encapContentInfo.eContentType !== TST_INFO || !signedData.encapContentInfo.eContent) throw new Error('no TSTInfo');
    tstInfo = pkijs.TSTInfo.fromBER(octets(signedData.encapContentInfo.eContent));
  } catch {
    throw new TimestampError('malformed', host, 'sent a timestamp token whose TSTInfo cannot be read');
  }
  const imprint = tstInfo.messageImprint;
  if (imprint.hashAlgorithm.algorithmId !== OID.sha256 || !Buffer.from(imprint.hashedMessage.valueBlock.valueHexView).equals(Buffer.from(expected.imprintSha256))) {
    throw new TimestampError('mismatch', host, 'sent a token for a different message imprint than the one asked for (a mixed-up or tampered reply)');
  }
  if (!tstInfo.nonce || !sameInteger(new Uint8Array(tstInfo.nonce.valueBlock.valueHexView), expected.nonce)) {
    throw new TimestampError('mismatch', host, `sent a token ${tstInfo.nonce ? 'with a different nonce' : 'without the nonce'} (a replayed or mixed-up reply)`);
  }
  if (!signedData.certificates?.length) throw new TimestampError('malformed', host, 'sent a token without its certificate, which validators need (certReq was asked)');
  // The exact bytes the TSA signed and sent, not a re-encoding.
  return new Uint8Array(tokenBlock.valueBeforeDecodeView);
}

function octets(value: asn1js.OctetString): ArrayBuffer {
  if (value.idBlock.isConstructed) {
    const pieces = (value.valueBlock.value as asn1js.OctetString[]).map((piece) => Buffer.from(piece.valueBlock.valueHexView));
    const joined = Buffer.concat(pieces);
    return joined.buffer.slice(joined.byteOffset, joined.byteOffset + joined.byteLength) as ArrayBuffer;
  }
  return value.getValue();
}

/** Equal as integers (ignoring a leading 0x00 sign byte). */
function sameInteger(a: Uint8Array, b: Uint8Array): boolean {
  const strip = (bytes: Uint8Array) => {
    let start = 0;
    while (start < bytes.length - 1 && bytes[start] === 0) start++;
    return Buffer.from(bytes.subarray(start));
  };
  return strip(a).equals(strip(b));
}

function failureNames(bits: asn1js.BitString | undefined): string[] {
  if (!bits) return [];
  const bytes = bits.valueBlock.valueHexView;
  const names: string[] = [];
  for (let bit = 0; bit < bytes.length * 8; bit++) {
    if (bytes[bit >> 3]! & (0x80 >> (bit & 7))) names.push(FAILURE_BITS[bit] ?? `failure bit ${bit}`);
  }
  return names;
}

/** Text from the server, one line, printable, short. */
function clean(text: string, max: number): string {
  // eslint-disable-next-line no-control-regex
  const line = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max)}…` : line;
}

function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  const text = cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
  return clean(String(text), 120);
}
