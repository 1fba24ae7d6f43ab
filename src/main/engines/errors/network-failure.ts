/**
 * Reads what went wrong on the wire from whatever a transport threw: undici's
 * `TypeError: fetch failed` (the reason is in `cause`, sometimes `cause.cause`, sometimes
 * an AggregateError of one try per address), node-fetch's FetchError (lumaai), Node errno
 * errors, and the Stainless wrappers around them.
 *
 * For money the question is where the connection died. Never made: the provider saw
 * nothing, a submit made no job. Dropped after sending, or no answer in time: the request
 * may be at the provider and a paid job may exist.
 */

export type ConnectionFailure = 'never_connected' | 'dropped' | 'no_response';

export interface NetworkDiagnosis {
  failure: ConnectionFailure;
  /** The most specific code or phrase found, for the message (ECONNREFUSED, UND_ERR_SOCKET, socket hang up). */
  evidence: string;
}

const NEVER_CONNECTED_CODES = new Set([
  'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME', 'EAI_NODATA', 'EHOSTUNREACH', 'ENETUNREACH',
  'EHOSTDOWN', 'ENETDOWN', 'EADDRNOTAVAIL', 'UND_ERR_CONNECT_TIMEOUT', 'ERR_INVALID_URL',
  // TLS: the handshake failed, so no HTTP request was ever written.
  'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_TLS_CERT_ALTNAME_INVALID', 'ERR_TLS_HANDSHAKE_TIMEOUT', 'CERT_REVOKED', 'CERT_UNTRUSTED',
]);

const DROPPED_CODES = new Set([
  'ECONNRESET', 'EPIPE', 'ECONNABORTED', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
  'ERR_STREAM_PREMATURE_CLOSE', 'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH',
]);

const NO_RESPONSE_CODES = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** Phrases transports use without a code (node:http and node-fetch say "socket hang up", undici "other side closed"). */
// undici's mid-body failure is a bare `TypeError: terminated`, hence the anchored word.
const DROPPED_PHRASES = /socket hang up|other side closed|premature close|connection (was )?(reset|closed)|^terminated$/i;

/** Syscalls that happen before a request is written: a failure there means nothing was sent. */
const PRE_REQUEST_SYSCALLS = new Set(['connect', 'getaddrinfo', 'getnameinfo', 'queryA', 'queryAaaa']);

interface ErrorLike {
  code?: unknown;
  syscall?: unknown;
  message?: unknown;
  name?: unknown;
  cause?: unknown;
  errors?: unknown;
}

/** The error, its causes and the members of AggregateErrors, nearest first (bounded: causes can be cyclic). */
export function errorChain(error: unknown, limit = 12): ErrorLike[] {
  const chain: ErrorLike[] = [];
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length > 0 && chain.length < limit) {
    const current = queue.shift();
    if (typeof current !== 'object' || current === null || seen.has(current)) continue;
    seen.add(current);
    const link = current as ErrorLike;
    chain.push(link);
    if (link.cause !== undefined) queue.push(link.cause);
    if (Array.isArray(link.errors)) queue.push(...link.errors);
  }
  return chain;
}

/** The names of an error's classes, own first: Stainless errors do not set `name`, so `constructor.name` is what is left. */
export function classNames(error: unknown): string[] {
  const names: string[] = [];
  let prototype: unknown = typeof error === 'object' && error !== null ? Object.getPrototypeOf(error) : undefined;
  while (prototype && prototype !== Object.prototype && names.length < 10) {
    const name = (prototype as { constructor?: { name?: unknown } }).constructor?.name;
    if (typeof name === 'string' && name) names.push(name);
    prototype = Object.getPrototypeOf(prototype);
  }
  return names;
}

function diagnoseByCode(link: ErrorLike): NetworkDiagnosis | undefined {
  const code = typeof link.code === 'string' ? link.code : undefined;
  if (!code) return undefined;
  if (NEVER_CONNECTED_CODES.has(code) || code.startsWith('ERR_SSL_')) return { failure: 'never_connected', evidence: code };
  if (NO_RESPONSE_CODES.has(code)) {
    // A connect that timed out never sent the request.
    const beforeRequest = typeof link.syscall === 'string' && PRE_REQUEST_SYSCALLS.has(link.syscall);
    return { failure: beforeRequest ? 'never_connected' : 'no_response', evidence: code };
  }
  if (DROPPED_CODES.has(code) || code.startsWith('HPE_')) return { failure: 'dropped', evidence: code };
  return undefined;
}

/**
 * What kind of connection failure this is, or undefined when it is not one. A transport
 * error with no recognisable reason counts as dropped: when unsure, assume the request
 * may have arrived (a false "nothing was sent" is what makes a second paid job).
 */
export function diagnoseNetworkFailure(error: unknown): NetworkDiagnosis | undefined {
  const chain = errorChain(error);
  for (const link of chain) {
    const byCode = diagnoseByCode(link);
    if (byCode) return byCode;
  }
  for (const link of chain) {
    const message = typeof link.message === 'string' ? link.message : '';
    const phrase = DROPPED_PHRASES.exec(message)?.[0];
    if (phrase) return { failure: 'dropped', evidence: phrase };
  }
  // Stainless wrappers with no readable cause; their fixed messages serve when a minifier renamed the classes.
  const names = classNames(error);
  const topMessage = typeof chain[0]?.message === 'string' ? chain[0].message : '';
  if (names.includes('APIConnectionTimeoutError') || topMessage === 'Request timed out.') {
    return { failure: 'no_response', evidence: 'no answer before the SDK timeout' };
  }
  if (names.includes('APIConnectionError') || topMessage === 'Connection error.') return { failure: 'dropped', evidence: 'connection error' };
  const top = chain[0];
  const isFetchFailure = top?.name === 'TypeError' && typeof top.message === 'string' && /fetch failed|network/i.test(top.message);
  const isNodeFetchSystemError = top?.name === 'FetchError' && (top as { type?: unknown }).type === 'system';
  if (isFetchFailure || isNodeFetchSystemError) return { failure: 'dropped', evidence: String(top.message) };
  return undefined;
}

const LOCAL_DISK_CODES = new Set([
  'ENOSPC', 'EDQUOT', 'EROFS', 'EISDIR', 'ENOTDIR', 'EFBIG', 'EMFILE', 'ENFILE', 'EACCES', 'EPERM', 'EEXIST',
  'ENOENT', 'ENAMETOOLONG', 'EXDEV', 'ELOOP', 'EBUSY', 'ENOTEMPTY', 'EIO',
]);

/** A file-system error on this machine (disk full, read-only folder, a folder where a file should be), or undefined. */
export function diagnoseLocalDiskFailure(error: unknown): { code: string; path?: string } | undefined {
  for (const link of errorChain(error)) {
    const code = typeof link.code === 'string' ? link.code : undefined;
    if (!code || !LOCAL_DISK_CODES.has(code)) continue;
    // EACCES/EPERM also come from sockets (a sandbox refusing connect); those are network.
    if (typeof link.syscall === 'string' && PRE_REQUEST_SYSCALLS.has(link.syscall)) continue;
    const path = (link as { path?: unknown }).path;
    return typeof path === 'string' ? { code, path } : { code };
  }
  return undefined;
}
