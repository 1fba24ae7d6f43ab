/**
 * Kling answers every error with the envelope `{code, message, request_id}`; the numeric
 * code is more precise than the HTTP status (429 carries rate limits, arrears and an IP
 * whitelist refusal alike). Source: Kling's API docs, see reference/provider-facts.md §4.
 */
import type { ErrorKind } from '../../../shared/errors';

const KLING_CODE_KINDS: Readonly<Record<number, ErrorKind>> = {
  1000: 'auth', // authorization empty
  1001: 'auth', // authorization invalid
  1002: 'auth', // token not yet valid (nbf; clock skew)
  1003: 'auth', // token expired
  1004: 'auth', // token invalid
  // "Account exception": the user must sort the account out, like a bad key; retrying cannot help.
  1100: 'auth',
  1101: 'quota_exhausted', // account in arrears
  1102: 'quota_exhausted', // resource pack depleted or expired
  1103: 'auth', // no permission for this model or interface
  1200: 'invalid_request',
  1201: 'invalid_request',
  1202: 'invalid_request', // wrong method
  1203: 'invalid_request', // resource (model) missing
  1300: 'content_policy', // platform policy
  1301: 'content_policy', // content security policy
  1302: 'rate_limited', // request rate
  1303: 'rate_limited', // concurrency / QPS over the package limit
  1304: 'auth', // IP not on the whitelist: a configuration problem, not a rate
  5000: 'unavailable', // internal error
  5001: 'unavailable', // under maintenance
  5002: 'timeout', // backlog timeout
};

/** The kind for a Kling envelope code; undefined for 0 (success) and codes we do not know. */
export function kindForKlingCode(code: number | string | undefined): ErrorKind | undefined {
  if (code === undefined) return undefined;
  const numeric = typeof code === 'number' ? code : Number(code);
  return Number.isInteger(numeric) ? KLING_CODE_KINDS[numeric] : undefined;
}
