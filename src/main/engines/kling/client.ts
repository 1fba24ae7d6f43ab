/**
 * One call to Kling's REST API over plain fetch, read through its envelope
 * `{code, message, request_id, data}`. Success needs both HTTP 2xx and `code` 0: Kling
 * also answers HTTP 200 with a non-zero code, and 4xx/429/5xx with one, and the code is
 * the more precise of the two (kindForKlingCode, via the shared HTTP classifier). An
 * answer that is not a whole envelope (cut off, not JSON, no data) is `unavailable`;
 * for a create it may still have made the task. No retries here: the pipeline decides.
 */
import { EngineError } from '../../../shared/errors';
import { engineErrorFromHttp, engineErrorFromResponse, type EngineCallContext, type EngineOperation } from '../errors';

export interface KlingConnection {
  /** No trailing slash. */
  baseUrl: string;
  /** The minted JWT for the Authorization header. */
  token: string;
  /** The secret key, the access key and the token: kept out of every message. */
  secrets: readonly string[];
  fetch?: typeof fetch;
}

export interface KlingCall {
  method: 'GET' | 'POST';
  /** From the root, e.g. /v1/videos/text2video. */
  path: string;
  body?: unknown;
  signal: AbortSignal;
  operation: EngineOperation;
}

type Loose = Record<string, unknown>;

function asRecord(value: unknown): Loose | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Loose) : undefined;
}

function parseEnvelope(text: string): Loose | undefined {
  try {
    return asRecord(JSON.parse(text));
  } catch {
    return undefined;
  }
}

function isSuccessCode(code: unknown): boolean {
  return code === 0 || code === '0';
}

/** A 2xx answer we cannot read: for a create, the task may exist all the same. */
function unreadable(call: KlingCall, what: string): EngineError {
  const details = call.operation === 'submit' ? { jobMayExist: true } : {};
  return new EngineError('unavailable', `kling ${call.operation} (${call.method} ${call.path}): ${what}`, details);
}

/** The envelope's `data` object of a successful call; anything else is thrown as an EngineError. */
export async function callKling(connection: KlingConnection, call: KlingCall): Promise<Loose> {
  const context: EngineCallContext = { provider: 'kling', operation: call.operation, secrets: connection.secrets };
  const response = await (connection.fetch ?? fetch)(`${connection.baseUrl}${call.path}`, {
    method: call.method,
    headers: {
      authorization: `Bearer ${connection.token}`,
      accept: 'application/json',
      ...(call.body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(call.body !== undefined ? { body: JSON.stringify(call.body) } : {}),
    signal: call.signal,
  });
  if (!response.ok) throw await engineErrorFromResponse(response, context);

  // A body cut off mid-answer throws here (undici "terminated"); the boundary classifies that as a dropped connection.
  const text = await response.text();
  const envelope = parseEnvelope(text);
  if (!envelope || !('code' in envelope)) {
    throw unreadable(call, `HTTP ${response.status} answer is not a Kling envelope (${text.length} characters${text.trim() ? '' : ', empty'}; not JSON or cut off)`);
  }
  if (!isSuccessCode(envelope.code)) {
    throw engineErrorFromHttp({ status: response.status, statusText: response.statusText, headers: response.headers, body: envelope }, context);
  }
  const data = asRecord(envelope.data);
  if (!data) throw unreadable(call, 'code 0 but no data object');
  return data;
}
