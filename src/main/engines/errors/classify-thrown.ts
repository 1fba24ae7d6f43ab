/**
 * The one function the engine boundary calls on anything an adapter throws. Whatever it
 * was (an SDK error, a bare network failure, an abort, a disk error, an adapter bug, a
 * thrown string), an EngineError of a known kind comes out, with a message fit to show
 * (short, no secrets) and, for a submit, whether a paid job may exist anyway.
 */
import { ERROR_KINDS, EngineError, type EngineErrorDetails, type ErrorKind } from '../../../shared/errors';
import type { ThrownErrorContext } from './context';
import { engineErrorFromHttp, type HttpFailure } from './http-failure';
import { engineErrorFromJobFailure } from './job-failure';
import { classNames, diagnoseLocalDiskFailure, diagnoseNetworkFailure, type NetworkDiagnosis } from './network-failure';
import { parseBodyText } from './provider-body';
import { safeMessage } from './redact';
import type { HeaderSource } from './retry-after';

type Loose = Record<string, unknown>;

function asLoose(value: unknown): Loose | undefined {
  return typeof value === 'object' && value !== null ? (value as Loose) : undefined;
}

function build(kind: ErrorKind, message: string, context: ThrownErrorContext, jobMayExist: boolean | undefined, extra: EngineErrorDetails = {}): EngineError {
  const details: EngineErrorDetails = { ...extra };
  if (context.operation === 'submit' && jobMayExist !== undefined) details.jobMayExist = jobMayExist;
  return new EngineError(kind, safeMessage(message, context.secrets), details);
}

/** An EngineError from this or another copy of the module (bundles can duplicate classes). */
function asEngineError(error: unknown): EngineError | undefined {
  if (error instanceof EngineError) return error;
  const loose = asLoose(error);
  if (loose?.name !== 'EngineError' || !ERROR_KINDS.includes(loose.kind as ErrorKind)) return undefined;
  return new EngineError(loose.kind as ErrorKind, String(loose.message ?? ''), { ...(asLoose(loose.details) ?? {}) });
}

/** Already classified: kept as it is, only made safe to show. Its jobMayExist (set or unset) is the adapter's word. */
function passThrough(error: EngineError, context: ThrownErrorContext): EngineError {
  const message = safeMessage(error.message, context.secrets);
  return message === error.message ? error : new EngineError(error.kind, message, { ...error.details });
}

/**
 * An abort, whoever raised it: fetch's DOMException (AbortError, or TimeoutError from
 * AbortSignal.timeout), Stainless APIUserAbortError (which sets no `name`), Runway's
 * polling AbortError, node-fetch's AbortError, our own CancelledError.
 */
function isAbort(error: unknown): boolean {
  const loose = asLoose(error);
  if (!loose) return false;
  if (loose.name === 'AbortError' || loose.name === 'TimeoutError' || loose.name === 'CancelledError') return true;
  if (loose.code === 'ABORT_ERR') return true;
  if (classNames(error).some((name) => name === 'APIUserAbortError' || name === 'CancelledError')) return true;
  // Stainless's own wording, for builds whose minifier renamed the classes.
  return loose.status === undefined && loose.message === 'Request was aborted.';
}

function fromAbort(context: ThrownErrorContext): EngineError {
  // The request may already be at the provider whichever signal fired.
  if (context.userSignal?.aborted) return build('cancelled', `${context.provider} ${context.operation} cancelled`, context, true);
  return build('timeout', `${context.provider} ${context.operation} took longer than its time limit and was stopped`, context, true);
}

function isHttpStatus(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 100 && value <= 599;
}

/** The body an SDK error carries, wherever that SDK keeps it. */
function bodyOf(loose: Loose, status: number): unknown {
  if (loose.error !== undefined && loose.error !== null) return loose.error; // Stainless: inner object (openai) or whole body
  if (loose.body !== undefined && loose.body !== null) return loose.body; // fal and others
  const message = typeof loose.message === 'string' ? loose.message : '';
  if (loose.name === 'ApiError') return parseBodyText(message); // Google: the message *is* the JSON body
  // Stainless with a non-JSON body: "502 <text>", or "502 status code (no body)".
  const text = message.startsWith(`${status} `) ? message.slice(String(status).length + 1) : message;
  return text === 'status code (no body)' ? undefined : text || undefined;
}

/**
 * An SDK's HTTP error, found by shape rather than class so that no SDK has to be imported
 * here: a numeric status plus headers or a body (Stainless APIError: status, headers,
 * error; Google ApiError: status and a JSON message; axios-like: response.status).
 */
function asHttpFailure(error: unknown): HttpFailure | undefined {
  const loose = asLoose(error);
  if (!loose) return undefined;
  if (isHttpStatus(loose.status) && ('headers' in loose || 'error' in loose || 'body' in loose || loose.name === 'ApiError')) {
    return { status: loose.status, headers: loose.headers as HeaderSource, body: bodyOf(loose, loose.status) };
  }
  const response = asLoose(loose.response);
  if (response && isHttpStatus(response.status) && 'headers' in response) {
    return { status: response.status, headers: response.headers as HeaderSource, body: response.data ?? response.body };
  }
  return undefined;
}

/** Runway's waitForTaskOutput helpers throw these; adapters should poll themselves, but if one slips through it still classifies. */
function fromRunwayTaskError(error: unknown, context: ThrownErrorContext): EngineError | undefined {
  const loose = asLoose(error);
  const task = asLoose(loose?.taskDetails);
  if (!loose || !task) return undefined;
  if (loose.name === 'TaskTimedOutError') return build('timeout', `${context.provider} task did not finish in time`, context, true);
  if (loose.name !== 'TaskFailedError') return undefined;
  if (task.status === 'CANCELLED') return build('cancelled', `${context.provider} task was cancelled at the provider`, context, true);
  const failed = engineErrorFromJobFailure(
    { code: typeof task.failureCode === 'string' ? task.failureCode : undefined, message: typeof task.failure === 'string' ? task.failure : undefined },
    context,
  );
  return build(failed.kind, failed.message, context, true, failed.details);
}

const NETWORK_WORDING: Record<NetworkDiagnosis['failure'], { kind: ErrorKind; jobMayExist: boolean; text: string; submitNote: string }> = {
  never_connected: { kind: 'unavailable', jobMayExist: false, text: 'could not connect', submitNote: 'nothing was sent' },
  dropped: { kind: 'unavailable', jobMayExist: true, text: 'connection broke', submitNote: 'the request may have arrived' },
  no_response: { kind: 'timeout', jobMayExist: true, text: 'no answer in time', submitNote: 'the request may have arrived' },
};

/** Codes that say the host could not be reached at all (as opposed to a bad URL or certificate). */
const UNREACHABLE_EVIDENCE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NODATA', 'EAI_NONAME', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN', 'EADDRNOTAVAIL', 'UND_ERR_CONNECT_TIMEOUT']);

function fromNetwork(diagnosis: NetworkDiagnosis, context: ThrownErrorContext): EngineError {
  const wording = NETWORK_WORDING[diagnosis.failure];
  const note = context.operation === 'submit' ? `; ${wording.submitNote}` : '';
  const unreachable = diagnosis.failure === 'never_connected' && UNREACHABLE_EVIDENCE.has(diagnosis.evidence);
  return build(wording.kind, `${context.provider} ${context.operation}: ${wording.text} (${diagnosis.evidence})${note}`, context, wording.jobMayExist, unreachable ? { unreachable: true } : {});
}

/**
 * The provider answered, but not with JSON (a proxy's page under a JSON content type, a
 * truncated body). Google's SDK even throws this for error statuses, before it can build
 * its ApiError. For a submit a 200 may have come with it, so a job may exist.
 */
function isMalformedAnswer(error: unknown): boolean {
  const loose = asLoose(error);
  if (!loose) return false;
  if (loose.name === 'SyntaxError' && /JSON/i.test(String(loose.message))) return true;
  return loose.name === 'FetchError' && loose.type === 'invalid-json'; // node-fetch, under lumaai
}

function describeThrown(error: unknown): string {
  if (error instanceof Error) {
    const name = error.name && error.name !== 'Error' ? error.name : classNames(error)[0] ?? 'Error';
    return error.message ? `${name}: ${error.message}` : name;
  }
  if (typeof error === 'string') return error;
  try {
    return JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
  }
}

export function classifyThrown(error: unknown, context: ThrownErrorContext): EngineError {
  const engineError = asEngineError(error);
  if (engineError) return passThrough(engineError, context);
  if (isAbort(error)) return fromAbort(context);

  // An HTTP answer stands even if the user cancelled meanwhile: it says what the provider did.
  const http = asHttpFailure(error);
  if (http) return engineErrorFromHttp(http, context);
  const runwayTask = fromRunwayTaskError(error, context);
  if (runwayTask) return runwayTask;

  // Anything else after the user's Cancel is most likely its echo (a torn stream, a closed socket).
  if (context.userSignal?.aborted) return fromAbort(context);

  const network = diagnoseNetworkFailure(error);
  if (network) return fromNetwork(network, context);

  if (isMalformedAnswer(error)) {
    return build('unavailable', `${context.provider} ${context.operation}: the answer was not valid JSON (${describeThrown(error)})`, context, true);
  }

  const disk = diagnoseLocalDiskFailure(error);
  if (disk) {
    // A submit usually reads its reference before sending, but an adapter may write after: we cannot know.
    return build('unavailable', `local disk problem during the ${context.provider} ${context.operation}: ${describeThrown(error)}`, context, true);
  }

  return build('unavailable', `unexpected error in the ${context.provider} adapter during ${context.operation}: ${describeThrown(error)}`, context, true);
}

