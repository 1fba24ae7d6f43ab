/**
 * Engine error classification: everything an engine call can throw or answer, to an
 * EngineError of a known kind. The boundary calls `classifyThrown`; adapters that read
 * responses or job failures themselves call the HTTP and job-failure helpers, so every
 * path decides with the same tables.
 */
export type { EngineCallContext, EngineOperation, ThrownErrorContext } from './context';
export { classifyThrown } from './classify-thrown';
export {
  engineErrorFromHttp,
  engineErrorFromResponse,
  httpFailureFromResponse,
  kindForHttpStatus,
  submitMayHaveCreatedJob,
  type HttpFailure,
} from './http-failure';
export { engineErrorFromJobFailure, kindForJobFailure, type JobFailure } from './job-failure';
export { diagnoseLocalDiskFailure, diagnoseNetworkFailure, type ConnectionFailure, type NetworkDiagnosis } from './network-failure';
export { parseBodyText, readProviderError, type ProviderErrorInfo } from './provider-body';
export { hintsFromProviderError, looksLikeContentPolicy, looksLikeQuotaExhausted, type KindHints } from './provider-hints';
export { MAX_MESSAGE_LENGTH, redactSecrets, safeMessage } from './redact';
export { MAX_RETRY_AFTER_MS, parseRetryAfter, readHeader, type HeaderSource } from './retry-after';
export { kindForGoogleRpcStatus } from './google-codes';
export { kindForKlingCode } from './kling-codes';
export { kindForOpenAICode } from './openai-codes';
export { kindForRunwayFailureCode } from './runway-codes';
