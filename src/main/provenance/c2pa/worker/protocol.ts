/**
 * Messages between a process that wants a file signed (or read) and the C2PA worker that
 * does it. Plain data only (Node IPC with 'advanced' serialization, or Electron's
 * utilityProcess port): the private key travels as PKCS#8 PEM in the job message, never
 * in argv or the environment, where other processes and crash reports can see it.
 */
import { CancelledError, UserError } from '../../../../shared/errors';
import type { CredentialsReport } from '../credentials-report';
import { C2paSigningError, C2paWorkerError, CredentialsCheckError, redactSecrets, SigningIdentityError, SigningSizeLimitError, type C2paFailure } from '../errors';
import type { ReadCredentialsOptions } from '../read-credentials';
import type { SignMp4Options, SignMp4Result } from '../sign-mp4';

/** A sign job as sent: signMp4's options with the identity as plain data. */
export interface SignJobMessage extends Omit<SignMp4Options, 'signer' | 'signal'> {
  identity: {
    certificateChain: string | readonly (string | Uint8Array)[];
    privateKeyPem: string;
    /** Whether the worker asks its parent for a timestamp token (the hook runs in the parent). */
    timestamp: boolean;
    reserveSize?: number;
  };
}

export type ToC2paWorker =
  | { type: 'sign'; job: SignJobMessage }
  | { type: 'read'; file: string; options: ReadCredentialsOptions }
  | { type: 'timestamp-reply'; requestId: number; token?: Uint8Array; error?: string };

export type FromC2paWorker =
  | { type: 'timestamp-request'; requestId: number; imprint: Uint8Array }
  | { type: 'signed'; result: SignMp4Result }
  | { type: 'read'; report: CredentialsReport }
  | { type: 'failed'; error: SerializedC2paError };

export interface SerializedC2paError {
  name: string;
  message: string;
  file?: string;
  sizeBytes?: number;
  limitBytes?: number;
  variant?: string | null;
  failures?: C2paFailure[];
  problems?: string[];
}

export function serializeC2paError(error: unknown): SerializedC2paError {
  if (error instanceof SigningSizeLimitError) {
    return { name: error.name, message: error.message, file: error.file, sizeBytes: error.sizeBytes, limitBytes: error.limitBytes };
  }
  if (error instanceof C2paSigningError) return { name: error.name, message: redactSecrets(error.message), variant: error.variant, failures: error.failures };
  if (error instanceof UserError) return { name: error.name, message: redactSecrets(error.message), problems: error.problems };
  if (error instanceof Error) return { name: error.name, message: redactSecrets(error.message) };
  return { name: 'Error', message: redactSecrets(String(error)) };
}

/** The typed error again, so callers catch SigningSizeLimitError whichever process threw it. */
export function deserializeC2paError(error: SerializedC2paError): Error {
  const message = redactSecrets(error.message);
  switch (error.name) {
    case 'SigningSizeLimitError':
      return new SigningSizeLimitError(error.file ?? '(unknown file)', error.sizeBytes ?? 0, error.limitBytes ?? 0);
    case 'SigningIdentityError':
      return new SigningIdentityError(message);
    case 'C2paSigningError':
      return new C2paSigningError(message, error.variant ?? null, error.failures ?? []);
    case 'CredentialsCheckError':
      return new CredentialsCheckError(message);
    case 'CancelledError':
      return new CancelledError(message);
    case 'UserError':
      return Object.assign(new UserError(message), { problems: error.problems ?? [] });
    case 'C2paWorkerError':
      return new C2paWorkerError(message);
    default:
      return new C2paWorkerError(`the C2PA worker failed: ${error.name}: ${message}`);
  }
}
