/**
 * c2pa-wasm (c2pa-rs 0.91 compiled to WebAssembly) loaded once per process.
 *
 * In Node its init function is given the .wasm bytes (it would otherwise try to fetch a
 * URL), and `FileReaderSync`, which its Blob readers call, is shimmed for our blobs
 * (blob.ts). Note the cost: c2pa-wasm's linear memory only grows (about 5.7 times the size
 * of a signed file) and is given back only when the process ends, which is why signing
 * runs in a worker process that exits after one job (worker/).
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type * as C2paWasm from '@contentauth/c2pa-wasm';
import { isSyncBlob, readSyncBlob } from './blob';

export type C2paModule = typeof C2paWasm;

let loading: Promise<C2paModule> | undefined;

/** c2pa-wasm, initialised; the first call loads it (about 9 MB of wasm, ~0.1 s), later calls share it. */
export function loadC2pa(): Promise<C2paModule> {
  loading ??= initialise().catch((error: unknown) => {
    loading = undefined;
    throw new Error(`could not load c2pa-wasm: ${error instanceof Error ? error.message : String(error)}`);
  });
  return loading;
}

async function initialise(): Promise<C2paModule> {
  installFileReaderSync();
  const module = await import('@contentauth/c2pa-wasm');
  const wasmFile = createRequire(import.meta.url).resolve('@contentauth/c2pa-wasm/c2pa.wasm');
  await module.default({ module_or_path: await readFile(wasmFile) });
  return module;
}

/** The one browser API c2pa-wasm's Blob readers need; reads only our SyncBlobs. */
function installFileReaderSync(): void {
  const scope = globalThis as { FileReaderSync?: unknown };
  if (scope.FileReaderSync) return;
  scope.FileReaderSync = class FileReaderSync {
    readAsArrayBuffer(blob: unknown): ArrayBuffer {
      if (!isSyncBlob(blob)) throw new TypeError('FileReaderSync (Shotline shim) reads only blobs made by provenance/c2pa/blob.ts');
      return readSyncBlob(blob);
    }
  };
}
