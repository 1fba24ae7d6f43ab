/**
 * The errors the C2PA engine throws, and the reading of c2pa-wasm's own errors.
 *
 * c2pa-wasm rejects with plain strings in Rust's Debug format, such as
 * `C2pa(InvalidAsset("Box size extends beyond asset bounds"))` or, when its check after
 * signing fails, `C2pa(InvalidManifest(ValidationResults { ... failure: [ValidationStatus
 * { code: "assertion.action.malformed", ... }] }))`, several KB long. We turn those into a
 * variant name, a short detail and the failure codes, so messages stay readable.
 *
 * No message here ever carries a private key: none is ever put in one, and
 * `redactSecrets` scrubs anything PEM-shaped from text that crosses a process boundary.
 */
import { ShotlineError } from '../../../shared/errors';

export interface C2paFailure {
  /** The C2PA validation status code, e.g. assertion.bmffHash.mismatch. */
  code: string;
  explanation: string;
}

/** The default largest file Shotline signs: c2pa-wasm signed 570 MB here and crashed from 760 MB (wasm32's 4 GiB). */
export const DEFAULT_SIGNING_LIMIT_BYTES = 600_000_000;

export function formatMegabytes(bytes: number): string {
  if (bytes < 100_000) return `${(bytes / 1000).toFixed(1)} KB`;
  const megabytes = bytes / 1_000_000;
  return `${megabytes >= 100 ? Math.round(megabytes) : megabytes.toFixed(1)} MB`;
}

/** A file over the signing ceiling: refused before anything is loaded, the unsigned file untouched. */
export class SigningSizeLimitError extends ShotlineError {
  override name = 'SigningSizeLimitError';
  constructor(
    readonly file: string,
    readonly sizeBytes: number,
    readonly limitBytes: number,
  ) {
    super(
      `cannot sign ${file}: it is ${formatMegabytes(sizeBytes)} (${sizeBytes} bytes), over the ${formatMegabytes(limitBytes)} ` +
        `(${limitBytes} bytes) limit for C2PA signing (c2pa-wasm needs about 5.7 times the file in memory and stops at 4 GiB); ` +
        'the unsigned file is kept as it is',
    );
  }
}

/** The certificate chain or the private key cannot sign (unreadable, wrong curve, not a pair). Never quotes the key. */
export class SigningIdentityError extends ShotlineError {
  override name = 'SigningIdentityError';
}

/** c2pa-rs refused to sign, or its own check of the signed manifest failed. */
export class C2paSigningError extends ShotlineError {
  override name = 'C2paSigningError';
  constructor(
    message: string,
    readonly variant: string | null = null,
    readonly failures: C2paFailure[] = [],
  ) {
    super(message);
  }
}

/** The check of a file's credentials could not run (unreadable, too large, c2pa-wasm trapped): says nothing about the file. */
export class CredentialsCheckError extends ShotlineError {
  override name = 'CredentialsCheckError';
}

/** The signing worker died (a signal, an exit without an answer) or could not start. */
export class C2paWorkerError extends ShotlineError {
  override name = 'C2paWorkerError';
}

export interface ParsedC2paError {
  /** The c2pa-rs Error variant: InvalidAsset, JumbfNotFound, InvalidManifest, ... */
  variant: string;
  /** Its argument, unquoted when it is a string; at most a few hundred characters. */
  detail: string;
  /** For InvalidManifest: the failure codes c2pa-rs listed. */
  failures: C2paFailure[];
}

const DETAIL_MAX = 300;

/** Reads c2pa-wasm's `C2pa(Variant(...))` error strings; null for anything else (a JavaScript error, a wasm trap). */
export function parseC2paError(error: unknown): ParsedC2paError | null {
  const text = typeof error === 'string' ? error : error instanceof Error && error.name === 'Error' ? error.message : null;
  if (text === null) return null;
  const match = /^C2pa\((\w+)(?:\(([\s\S]*)\))?\)$/.exec(text.trim());
  if (!match) return null;
  const variant = match[1] ?? 'Unknown';
  const argument = match[2] ?? '';
  const failures = variant === 'InvalidManifest' ? failuresIn(argument) : [];
  return { variant, detail: shorten(unquote(argument)), failures };
}

/** One line about a c2pa-wasm error, for messages: the variant, its detail or failure codes. */
export function describeC2paError(error: unknown): string {
  const parsed = parseC2paError(error);
  if (!parsed) return redactSecrets(shorten(error instanceof Error ? error.message : String(error)));
  // signingCredential.untrusted is tolerated by c2pa-rs (the file is then Valid): it is never why signing failed.
  const causes = parsed.failures.filter((f) => f.code !== 'signingCredential.untrusted');
  if (causes.length) return `${parsed.variant}: ${causes.map((f) => `${f.code} (${f.explanation})`).join('; ')}`;
  return parsed.detail ? `${parsed.variant}: ${parsed.detail}` : parsed.variant;
}

function failuresIn(debugText: string): C2paFailure[] {
  const failures: C2paFailure[] = [];
  for (const piece of debugText.split('ValidationStatus {').slice(1)) {
    if (!/kind: Failure\b/.test(piece)) continue;
    const code = /code: "([^"]+)"/.exec(piece)?.[1];
    const explanation = /explanation: Some\("((?:[^"\\]|\\.)*)"\)/.exec(piece)?.[1];
    if (code) failures.push({ code, explanation: unquote(`"${explanation ?? ''}"`) });
  }
  return failures;
}

function unquote(text: string): string {
  if (!text.startsWith('"') || !text.endsWith('"')) return text;
  try {
    return JSON.parse(text) as string;
  } catch {
    return text.slice(1, -1);
  }
}

function shorten(text: string): string {
  return text.length > DETAIL_MAX ? `${text.slice(0, DETAIL_MAX)}…` : text;
}

const PEM_BLOCK = /-----BEGIN [A-Z0-9 ]+-----[\s\S]*?(-----END [A-Z0-9 ]+-----|$)/g;

/** Text with every PEM block (keys, certificates) replaced: for anything that leaves the worker. */
export function redactSecrets(text: string): string {
  return text.replace(PEM_BLOCK, '[PEM redacted]');
}
