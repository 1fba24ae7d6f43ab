/**
 * The C2PA worker: a child process that signs (or reads) one file and exits.
 *
 * Why a process per job: c2pa-wasm's memory grows to about 5.7 times the file it signs
 * and is never given back until the process ends, so a long-lived process that signs a
 * 500 MB export would hold ~3 GB for good. Here it ends with the job. A cancel kills the
 * process outright (a running wasm call cannot be interrupted), and a crash (a wasm trap,
 * the OOM killer) costs this job only.
 *
 * The job, key included, arrives over the IPC channel; timestamp tokens are asked of the
 * parent (which holds the TSA client), so this process needs no network. Nothing here
 * writes to stdout or stderr: errors go back to the parent as messages, redacted.
 */
import { createPrivateKey } from 'node:crypto';
import { C2paSigningError, CredentialsCheckError } from '../errors';
import { readCredentials } from '../read-credentials';
import { signMp4 } from '../sign-mp4';
import { serializeC2paError, type FromC2paWorker, type SignJobMessage, type ToC2paWorker } from './protocol';

interface ElectronParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
  on(event: 'close', listener: () => void): void;
}

interface Channel {
  send(message: FromC2paWorker): Promise<void>;
  onMessage(listener: (message: ToC2paWorker) => void): void;
  onClose(listener: () => void): void;
}

function parentChannel(): Channel {
  const port = (process as unknown as { parentPort?: ElectronParentPort }).parentPort;
  if (port) {
    return {
      // postMessage has no delivery callback: give it a moment before the process exits.
      send: (message) => {
        port.postMessage(message);
        return new Promise((resolve) => setTimeout(resolve, 100));
      },
      onMessage: (listener) => port.on('message', (event) => listener(event.data as ToC2paWorker)),
      onClose: (listener) => port.on('close', listener),
    };
  }
  if (!process.send) throw new Error('the C2PA worker must be started by Shotline (no IPC channel to its parent)');
  return {
    send: (message) =>
      new Promise((resolve) => {
        if (!process.connected) return resolve();
        process.send?.(message, undefined, {}, () => resolve());
      }),
    onMessage: (listener) => process.on('message', (message) => listener(message as ToC2paWorker)),
    onClose: (listener) => process.on('disconnect', listener),
  };
}

const channel = parentChannel();
const pendingTimestamps = new Map<number, { resolve: (token: Uint8Array) => void; reject: (error: Error) => void }>();
let nextRequestId = 1;
let started = false;

/** Replies once and exits: the end of the process is what gives c2pa-wasm's memory back. */
async function finish(message: FromC2paWorker): Promise<never> {
  await channel.send(message);
  process.exit(0);
}

let currentJob = { what: 'its job', signing: false };

function fail(error: unknown): Promise<never> {
  // A wasm trap can surface outside the job's promise (inside a callback c2pa-wasm made), here as an uncaught error.
  if (error instanceof Error && error.name === 'RuntimeError') {
    const why = `c2pa-wasm stopped (${error.message}) while ${currentJob.what}: it ran out of memory`;
    error = currentJob.signing
      ? new C2paSigningError(`${why} (files above about 600 MB cannot be signed); the unsigned file is kept`, 'RuntimeError')
      : new CredentialsCheckError(why);
  }
  return finish({ type: 'failed', error: serializeC2paError(error) });
}

function askParentForTimestamp(imprint: Uint8Array): Promise<Uint8Array> {
  const requestId = nextRequestId++;
  return new Promise((resolve, reject) => {
    pendingTimestamps.set(requestId, { resolve, reject });
    void channel.send({ type: 'timestamp-request', requestId, imprint });
  });
}

async function sign(job: SignJobMessage): Promise<never> {
  const { identity, ...options } = job;
  const result = await signMp4({
    ...options,
    signer: {
      certificateChain: identity.certificateChain,
      privateKey: createPrivateKeyQuietly(identity.privateKeyPem),
      ...(identity.timestamp ? { timestamp: askParentForTimestamp } : {}),
      ...(identity.reserveSize ? { reserveSize: identity.reserveSize } : {}),
    },
  });
  return finish({ type: 'signed', result });
}

/** A KeyObject at once, so the PEM text is not passed further around; a bad key fails later with the usual message. */
function createPrivateKeyQuietly(pem: string): string | ReturnType<typeof createPrivateKey> {
  try {
    return createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    return pem;
  }
}

channel.onMessage((message) => {
  if (message.type === 'timestamp-reply') {
    const pending = pendingTimestamps.get(message.requestId);
    pendingTimestamps.delete(message.requestId);
    if (message.token) pending?.resolve(message.token);
    else pending?.reject(new Error(message.error ?? 'no timestamp token'));
    return;
  }
  // One job per process.
  if (started) return;
  started = true;
  currentJob = message.type === 'sign' ? { what: `signing ${message.job.inputPath}`, signing: true } : { what: `checking ${message.file}`, signing: false };
  const job = message.type === 'sign' ? sign(message.job) : readCredentials(message.file, message.options).then((report) => finish({ type: 'read', report }));
  job.catch(fail);
});

// Without a parent there is nobody to answer: stop at once rather than finish unseen work.
channel.onClose(() => process.exit(1));
process.on('uncaughtException', (error) => void fail(error));
process.on('unhandledRejection', (error) => void fail(error));
