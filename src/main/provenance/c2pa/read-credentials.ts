/**
 * Reading and validating a file's content credentials with c2pa-rs, whoever made the file.
 *
 * Never throws for what is wrong with the file: no manifest is 'none'; structural damage
 * (a truncated manifest box, trailing garbage), on which c2pa-rs's reader throws
 * `InvalidAsset`, is 'invalid' with a `general.error` failure naming what c2pa-rs said.
 * It throws only when the check itself could not run (unreadable file, c2pa-wasm out of
 * memory), since calling such a file invalid would be a false accusation.
 *
 * Offline by design: no remote manifest and no OCSP is fetched, so a file cannot make
 * Shotline call a URL of its choosing. Memory: c2pa-rs holds the whole file in wasm memory
 * and never gives it back; a long-lived process should read through the worker
 * (worker/run-in-worker.ts), the one-shot CLI can read in-process.
 */
import { open } from 'node:fs/promises';
import type { WasmReader } from '@contentauth/c2pa-wasm';
import { credentialsReport, type CredentialsReport, type CrJson, type ManifestStoreJson } from './credentials-report';
import { CredentialsCheckError, formatMegabytes, parseC2paError } from './errors';
import { mediaFormat } from './media-format';
import { loadC2pa } from './wasm-runtime';

export interface ReadCredentialsOptions {
  /** Root certificates (PEM) whose chains make a signature 'trusted'; without any, a good signature is 'valid'. */
  trustAnchorsPem?: string[];
  /** The MIME type, when the name and the first bytes do not tell (video/mp4, image/jpeg, ...). */
  format?: string;
  /** Largest file read (c2pa-rs keeps it whole in wasm32 memory); default 1.5 GB. */
  maxBytes?: number;
}

export const DEFAULT_READ_LIMIT_BYTES = 1_500_000_000;

/** c2pa-rs errors that mean "this file has no (embedded) credentials", not "they are broken". */
const NO_MANIFEST = new Set(['JumbfNotFound', 'ProvenanceMissing', 'JumbfBoxNotFound']);
const HEAD_BYTES = 16;

/** The c2pa-rs settings for a reader: trust only the anchors given, fetch nothing. */
export function readerSettings(trustAnchorsPem: readonly string[] = []): string {
  const anchors = trustAnchorsPem.map((pem) => pem.trim()).filter(Boolean);
  return JSON.stringify({
    ...(anchors.length ? { trust: { trust_anchors: `${anchors.join('\n')}\n` } } : {}),
    verify: { verify_trust: true, remote_manifest_fetch: false, ocsp_fetch: false },
  });
}

export async function readCredentials(file: string, options: ReadCredentialsOptions = {}): Promise<CredentialsReport> {
  const bytes = await readWhole(file, options.maxBytes ?? DEFAULT_READ_LIMIT_BYTES);
  const format = options.format ?? mediaFormat(file, bytes.subarray(0, HEAD_BYTES));
  const empty = { path: file, format, signer: null, failures: [], manifestLabel: null, title: null, claimGenerator: null, assertions: [], ingredients: [] };
  if (!format) return { ...empty, state: 'none', note: 'not a file format C2PA credentials can be embedded in (by its name and first bytes)' };

  const c2pa = await loadC2pa();
  let reader: WasmReader;
  try {
    reader = await c2pa.WasmReader.fromBytes(format, bytes, readerSettings(options.trustAnchorsPem));
  } catch (error) {
    const parsed = parseC2paError(error);
    // A wasm trap (RuntimeError: unreachable, out of memory) says nothing about the file.
    if (!parsed) throw new CredentialsCheckError(`could not check the credentials of ${file}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
    if (NO_MANIFEST.has(parsed.variant)) return { ...empty, state: 'none' };
    if (parsed.variant === 'UnsupportedType') return { ...empty, state: 'none', note: `c2pa-rs does not read ${format} files` };
    if (parsed.variant === 'RemoteManifestUrl' || parsed.variant === 'RemoteManifestFetch') {
      return { ...empty, state: 'none', note: `the credentials are not in the file but at ${parsed.detail}; Shotline does not fetch remote manifests` };
    }
    const explanation = `c2pa-rs could not read the credentials (the file is damaged or altered): ${parsed.variant}${parsed.detail ? `: ${parsed.detail}` : ''}`;
    return { ...empty, state: 'invalid', failures: [{ code: 'general.error', explanation }] };
  }
  try {
    const store = JSON.parse(reader.json()) as ManifestStoreJson;
    const crJson = JSON.parse(reader.crJson()) as CrJson;
    return credentialsReport(file, format, store, crJson);
  } finally {
    reader.free();
  }
}

async function readWhole(file: string, maxBytes: number): Promise<Uint8Array> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    if (size > maxBytes) {
      throw new CredentialsCheckError(`cannot check ${file}: it is ${formatMegabytes(size)}, over the ${formatMegabytes(maxBytes)} limit for reading credentials`);
    }
    const bytes = new Uint8Array(size);
    let done = 0;
    while (done < size) {
      const { bytesRead } = await handle.read(bytes, done, size - done, done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return done === size ? bytes : bytes.subarray(0, done);
  } finally {
    await handle.close();
  }
}
