/**
 * Signing (and reading) in a C2PA worker process that exits after its one job, so this
 * process never loads c2pa-wasm and never keeps its memory (about 5.7 times each file).
 *
 * The promise settles only once the worker has exited: when signInWorker resolves, the
 * memory is back. Abort kills the worker (SIGKILL: a running wasm call cannot be
 * interrupted) and removes its partial output; a crash becomes a C2paWorkerError that says
 * how it died. In every failure the unsigned input is untouched.
 *
 * Reading also runs here for a long-lived process (the desktop app): c2pa-rs holds the
 * whole file in wasm memory while validating it. The one-shot CLI may call
 * readCredentials in-process instead and save the ~0.3 s start of a worker.
 */
import { CancelledError } from '../../../../shared/errors';
import { removeQuietly, tempPathBeside } from '../../../media/atomic-file';
import type { TimestampHook } from '../cose-signer';
import type { CredentialsReport } from '../credentials-report';
import { C2paWorkerError, DEFAULT_SIGNING_LIMIT_BYTES, redactSecrets } from '../errors';
import type { ReadCredentialsOptions } from '../read-credentials';
import type { SignMp4Options, SignMp4Result } from '../sign-mp4';
import { loadSigningCredentials, type SigningCredentials } from '../signing-credentials';
import { sizeWithin } from '../size-limit';
import { deserializeC2paError, type FromC2paWorker, type ToC2paWorker } from './protocol';
import { forkC2paWorker, type C2paWorkerSpawner } from './spawn';

export interface SignInWorkerJob extends Omit<SignMp4Options, 'signer' | 'signal' | 'tempPath'> {
  signer: SigningCredentials & {
    /** Runs here, in the calling process (the worker asks for each token over IPC). */
    timestamp?: TimestampHook;
    reserveSize?: number;
  };
}

export interface WorkerRunOptions {
  signal?: AbortSignal;
  /** The Electron shell passes a utilityProcess spawner; default child_process.fork. */
  spawn?: C2paWorkerSpawner;
  /** Told the worker's pid as soon as it starts (for the tests, and for a process list). */
  onSpawn?: (pid: number | undefined) => void;
}

/** After the answer, how long a worker may take to exit before it is killed. */
const EXIT_GRACE_MS = 5_000;
const STDERR_IN_MESSAGE = 600;

export async function signInWorker(job: SignInWorkerJob, options: WorkerRunOptions = {}): Promise<SignMp4Result> {
  const { signer, ...rest } = job;
  // Refused here, before a process is started or anything is loaded.
  const maxBytes = job.maxBytes ?? DEFAULT_SIGNING_LIMIT_BYTES;
  await sizeWithin(job.inputPath, maxBytes);
  for (const ingredient of job.ingredients ?? []) await sizeWithin(ingredient.path, maxBytes);
  // A wrong key or an expired leaf is reported without starting a worker.
  const { key } = loadSigningCredentials(signer);
  // Sent as PKCS#8 PEM whatever form it came in (a KeyObject cannot cross the IPC channel).
  const privateKeyPem = key.export({ type: 'pkcs8', format: 'pem' }).toString();
  const tempPath = tempPathBeside(job.outputPath);
  const message: ToC2paWorker = {
    type: 'sign',
    job: {
      ...rest,
      tempPath,
      identity: { certificateChain: signer.certificateChain, privateKeyPem, timestamp: Boolean(signer.timestamp), ...(signer.reserveSize ? { reserveSize: signer.reserveSize } : {}) },
    },
  };
  return runInWorker(message, (reply) => (reply.type === 'signed' ? reply.result : undefined), {
    ...options,
    what: `signing ${job.inputPath}`,
    timestamp: signer.timestamp,
    partialOutput: tempPath,
  });
}

export function readCredentialsInWorker(file: string, readOptions: ReadCredentialsOptions = {}, options: WorkerRunOptions = {}): Promise<CredentialsReport> {
  return runInWorker({ type: 'read', file, options: readOptions }, (reply) => (reply.type === 'read' ? reply.report : undefined), {
    ...options,
    what: `checking the credentials of ${file}`,
  });
}

interface RunContext extends WorkerRunOptions {
  what: string;
  timestamp?: TimestampHook;
  /** Removed when the job does not succeed (the worker may have been killed mid-write). */
  partialOutput?: string;
}

function runInWorker<T>(message: ToC2paWorker, accept: (reply: FromC2paWorker) => T | undefined, context: RunContext): Promise<T> {
  const { signal } = context;
  if (signal?.aborted) return Promise.reject(new CancelledError(`cancelled before ${context.what}`));
  return new Promise<T>((resolve, reject) => {
    const worker = (context.spawn ?? forkC2paWorker)();
    context.onSpawn?.(worker.pid);
    let outcome: { value: T } | { error: Error } | undefined;
    let cancelled = false;
    let graceTimer: NodeJS.Timeout | undefined;

    const onAbort = () => {
      // Once the answer is in, the work is done (the output may already be in place): let the worker exit.
      if (outcome) return;
      cancelled = true;
      worker.kill('SIGKILL');
    };
    signal?.addEventListener('abort', onAbort, { once: true });

    worker.onMessage((reply) => {
      if (reply.type === 'timestamp-request') {
        void answerTimestamp(worker.send.bind(worker), reply.requestId, reply.imprint, context.timestamp);
        return;
      }
      if (outcome) return;
      if (reply.type === 'failed') outcome = { error: deserializeC2paError(reply.error) };
      else {
        const value = accept(reply);
        if (value === undefined) return;
        outcome = { value };
      }
      graceTimer = setTimeout(() => worker.kill('SIGKILL'), EXIT_GRACE_MS);
      graceTimer.unref();
    });

    worker.onExit((code, exitSignal, stderrTail) => {
      clearTimeout(graceTimer);
      signal?.removeEventListener('abort', onAbort);
      const settled = outcome;
      if (settled && 'value' in settled) return resolve(settled.value);
      const error = cancelled
        ? new CancelledError(`cancelled while ${context.what}`)
        : settled
          ? settled.error
          : new C2paWorkerError(deathMessage(context, code, exitSignal, stderrTail));
      const cleanup = context.partialOutput ? removeQuietly(context.partialOutput) : Promise.resolve();
      void cleanup.then(() => reject(error));
    });

    worker.send(message);
  });
}

async function answerTimestamp(send: (message: ToC2paWorker) => void, requestId: number, imprint: Uint8Array, hook: TimestampHook | undefined): Promise<void> {
  if (!hook) return send({ type: 'timestamp-reply', requestId, error: 'no timestamp authority is configured' });
  try {
    const token = await hook(imprint);
    send({ type: 'timestamp-reply', requestId, token: new Uint8Array(token) });
  } catch (error) {
    send({ type: 'timestamp-reply', requestId, error: redactSecrets(error instanceof Error ? error.message : String(error)) });
  }
}

function deathMessage(context: RunContext, code: number | null, signal: string | null, stderrTail: string): string {
  const how =
    signal !== null
      ? `was killed by ${signal}${signal === 'SIGKILL' ? ' (the system may have run out of memory)' : ''}`
      : code !== null
        ? `exited with code ${code} without an answer`
        : 'could not be started';
  const stderr = redactSecrets(stderrTail.trim()).slice(-STDERR_IN_MESSAGE);
  const kept = context.partialOutput ? '; the unsigned file is kept' : '';
  return `the C2PA worker ${how} while ${context.what}${kept}${stderr ? `\n  it said: ${stderr}` : ''}`;
}
