/**
 * The C2PA engine: content credentials made and checked with c2pa-rs (c2pa-wasm).
 *
 * In a long-lived process use signInWorker / readCredentialsInWorker: c2pa-wasm keeps its
 * memory until its process ends. signMp4 / readCredentials run in the calling process
 * (the worker itself, one-shot CLI commands, tests).
 */
export { createCoseSigner, counterSignatureImprint, TIMESTAMP_RESERVE_BYTES, type C2paSigner, type CoseSignerOptions, type TimestampHook } from './cose-signer';
export type { CredentialFailure, CredentialSigner, CredentialState, CredentialsReport, IngredientCredentials, ManifestAssertion } from './credentials-report';
export {
  C2paSigningError,
  C2paWorkerError,
  CredentialsCheckError,
  DEFAULT_SIGNING_LIMIT_BYTES,
  SigningIdentityError,
  SigningSizeLimitError,
  type C2paFailure,
} from './errors';
export { mediaFormat } from './media-format';
export { DEFAULT_READ_LIMIT_BYTES, readCredentials, type ReadCredentialsOptions } from './read-credentials';
export { signMp4, type IngredientRelationship, type IngredientSource, type ManifestDefinition, type SignedIngredient, type SignMp4Options, type SignMp4Result } from './sign-mp4';
export { loadSigningCredentials, type SigningCredentials } from './signing-credentials';
export { readCredentialsInWorker, signInWorker, type SignInWorkerJob, type WorkerRunOptions } from './worker/run-in-worker';
export type { C2paWorkerHandle, C2paWorkerSpawner } from './worker/spawn';
