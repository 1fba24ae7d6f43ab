/**
 * Embedding a signed C2PA manifest in an MP4 with c2pa-rs (c2pa-wasm): it writes a
 * c2pa.hash.bmff.v3 hard binding, inserts the manifest as a top-level `uuid` box after
 * `ftyp` and rewrites the chunk offsets; decoded frames and audio stay identical.
 *
 * The input is only ever read. The output is written to a temp file beside it and renamed
 * into place, so a reader sees no file or the whole signed one. Files over the size
 * ceiling are refused before anything is loaded. c2pa-wasm keeps its memory until the
 * process ends (about 5.7 times the file): in a long-lived process call this through
 * signInWorker (worker/run-in-worker.ts), which runs it in a child that exits after it.
 */
import { open, rename, writeFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { CancelledError, UserError } from '../../../shared/errors';
import { removeQuietly, tempPathBeside } from '../../media/atomic-file';
import { bufferBlob, fileBlob, type SyncBlob } from './blob';
import { createCoseSigner, type C2paSigner, type CoseSignerOptions } from './cose-signer';
import { ingredientState, recordedResults, type CredentialFailure, type CredentialState, type IngredientJson } from './credentials-report';
import { C2paSigningError, DEFAULT_SIGNING_LIMIT_BYTES, describeC2paError, formatMegabytes, parseC2paError } from './errors';
import { mediaFormat } from './media-format';
import { readerSettings } from './read-credentials';
import { sizeWithin } from './size-limit';
import { loadC2pa } from './wasm-runtime';

/** A c2pa-rs manifest definition (JSON): claim_generator_info, title, assertions (c2pa.actions.v2, com.shotline.*), ... */
export interface ManifestDefinition {
  claim_generator_info: { name: string; version?: string }[];
  title: string;
  format?: string;
  assertions: { label: string; data: unknown }[];
  [field: string]: unknown;
}

export type IngredientRelationship = 'componentOf' | 'inputTo' | 'parentOf';

export interface IngredientSource {
  path: string;
  /** componentOf: a part of this file (an export's takes); inputTo: used to make it (a reference image). */
  relationship: IngredientRelationship;
  /**
   * An id for actions to name in `parameters.ingredientIds` (a c2pa.placed for each export
   * part): c2pa-rs matches it, then replaces it with the hashed URI of the ingredient's
   * assertion (c2pa.ingredient.v3__N); the id itself is not kept in the manifest.
   */
  label?: string;
  /** Default: the file's name. */
  title?: string;
  description?: string;
  /** MIME type; default: by extension or first bytes. */
  format?: string;
}

export interface SignMp4Options {
  inputPath: string;
  outputPath: string;
  manifest: ManifestDefinition;
  ingredients?: readonly IngredientSource[];
  /** The identity (chain, key, optional timestamp hook), or a signer made by createCoseSigner. */
  signer: CoseSignerOptions | C2paSigner;
  /** Anchors for checking the ingredients' credentials as they are added (recorded in the manifest). */
  trustAnchorsPem?: string[];
  /** Largest input (and ingredient) accepted; default DEFAULT_SIGNING_LIMIT_BYTES (600 MB). */
  maxBytes?: number;
  /** MIME type of the input; default video/mp4. */
  format?: string;
  /** Checked between steps; a running c2pa-wasm call cannot be interrupted (the worker is killed instead). */
  signal?: AbortSignal;
  /** Where the output is written before its rename; default a hidden `.partial` file beside it (the worker's parent picks it, to clean up after a kill). */
  tempPath?: string;
}

export interface SignedIngredient {
  title: string;
  relationship: string;
  label: string | null;
  /** The ingredient's own credentials as c2pa-rs checked them when adding it ('none': it has none). */
  state: CredentialState;
  failures: CredentialFailure[];
}

export interface SignMp4Result {
  outputPath: string;
  inputBytes: number;
  outputBytes: number;
  ingredients: SignedIngredient[];
}

export async function signMp4(options: SignMp4Options): Promise<SignMp4Result> {
  const { inputPath, outputPath } = options;
  const maxBytes = options.maxBytes ?? DEFAULT_SIGNING_LIMIT_BYTES;
  if (path.resolve(inputPath) === path.resolve(outputPath)) {
    throw new UserError(`the signed file must not replace the unsigned one: choose an output other than ${inputPath}`);
  }
  // Every size is checked before anything is opened or loaded.
  const inputBytes = await sizeWithin(inputPath, maxBytes);
  for (const ingredient of options.ingredients ?? []) await sizeWithin(ingredient.path, maxBytes);
  throwIfAborted(options.signal);

  const signer = 'sign' in options.signer ? options.signer : createCoseSigner(options.signer);
  const format = options.format ?? 'video/mp4';
  const c2pa = await loadC2pa();
  const handles: FileHandle[] = [];
  const temp = options.tempPath ?? tempPathBeside(outputPath);
  // An error thrown by our own callback (a timestamp that failed) reaches us from c2pa-wasm as an opaque string.
  let signerError: unknown;
  try {
    const builder = c2pa.WasmBuilder.fromJson(JSON.stringify({ format, ...options.manifest }), readerSettings(options.trustAnchorsPem));
    try {
      for (const ingredient of options.ingredients ?? []) {
        throwIfAborted(options.signal);
        const blob = await openBlob(ingredient.path, handles);
        const definition = {
          title: ingredient.title ?? path.basename(ingredient.path),
          relationship: ingredient.relationship,
          ...(ingredient.label ? { label: ingredient.label } : {}),
          ...(ingredient.description ? { description: ingredient.description } : {}),
        };
        const ingredientFormat = ingredient.format ?? mediaFormat(ingredient.path, await firstBytes(ingredient.path)) ?? 'application/octet-stream';
        await builder
          .addIngredientFromBlob(JSON.stringify(definition), ingredientFormat, blob as unknown as Blob)
          .catch((error: unknown) => {
            throw new C2paSigningError(`could not add ${ingredient.path} as an ingredient: ${describeC2paError(error)}`, parseC2paError(error)?.variant ?? null);
          });
      }
      const ingredients = signedIngredients(builder.getDefinition());
      throwIfAborted(options.signal);

      const definition = {
        alg: signer.alg,
        reserveSize: signer.reserveSize,
        sign: async (claim: Uint8Array) => {
          try {
            return await signer.sign(claim);
          } catch (error) {
            signerError = error;
            throw error;
          }
        },
      };
      const source = await openBlob(inputPath, handles);
      let signed: Uint8Array;
      try {
        signed = await builder.sign(definition as never, [], format, source as unknown as Blob);
      } catch (error) {
        if (signerError) throw signerError;
        if (error instanceof Error && error.name === 'RuntimeError') {
          // Measured: "unreachable" when wasm32's 4 GiB runs out, from about 760 MB of input.
          throw new C2paSigningError(
            `c2pa-wasm stopped (${error.message}) while signing ${inputPath} (${formatMegabytes(inputBytes)}): it runs out of memory on files above about 600 MB; the unsigned file is kept`,
            'RuntimeError',
          );
        }
        const parsed = parseC2paError(error);
        throw new C2paSigningError(`c2pa-rs could not sign ${inputPath}: ${describeC2paError(error)}`, parsed?.variant ?? null, parsed?.failures ?? []);
      }
      throwIfAborted(options.signal);
      await writeFile(temp, signed);
      throwIfAborted(options.signal);
      await rename(temp, outputPath);
      return { outputPath, inputBytes, outputBytes: signed.length, ingredients };
    } finally {
      builder.free();
    }
  } catch (error) {
    await removeQuietly(temp);
    throw error;
  } finally {
    await Promise.all(handles.map((handle) => handle.close().catch(() => undefined)));
  }
}

async function openBlob(file: string, handles: FileHandle[]): Promise<SyncBlob> {
  const handle = await open(file, 'r');
  handles.push(handle);
  const { size } = await handle.stat();
  return size === 0 ? bufferBlob(new Uint8Array(0)) : fileBlob(handle.fd, size);
}

async function firstBytes(file: string): Promise<Uint8Array> {
  const handle = await open(file, 'r');
  try {
    const head = new Uint8Array(16);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return head.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** The ingredients as c2pa-rs checked them on adding (its definition JSON carries their validation results). */
function signedIngredients(definition: unknown): SignedIngredient[] {
  const parsed = (typeof definition === 'string' ? JSON.parse(definition) : definition) as { ingredients?: IngredientJson[] } | null;
  return (parsed?.ingredients ?? []).map((ingredient) => ({
    title: ingredient.title ?? '',
    relationship: ingredient.relationship ?? 'componentOf',
    label: ingredient.label ?? null,
    ...(ingredient.active_manifest ? ingredientState(recordedResults(ingredient), {}) : { state: 'none' as const, failures: [] }),
  }));
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError('signing cancelled');
}
