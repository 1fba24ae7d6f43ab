/**
 * Blob-likes that c2pa-wasm can read synchronously in Node.
 *
 * c2pa-wasm was built for browsers' Web Workers: `WasmBuilder.sign` and
 * `addIngredientFromBlob` take a Blob and read it with `FileReaderSync`, which Node does
 * not have (and Node's own Blob can only be read asynchronously). c2pa-wasm only ever
 * calls `size`, `slice(start, end)` and `FileReaderSync.readAsArrayBuffer(blob)`, so a
 * small object with those, plus the shim in wasm-runtime.ts, is all it needs.
 *
 * Measured: it reads the whole asset in one `readAsArrayBuffer` call, so the file-backed
 * blob does not make signing stream; it saves keeping a second copy of the file in
 * JavaScript memory next to the one c2pa-wasm makes.
 */
import { readSync } from 'node:fs';

const readBytes = Symbol('shotline.c2pa.readBytes');

export interface SyncBlob {
  readonly size: number;
  slice(start?: number, end?: number): SyncBlob;
  readonly [readBytes]: () => ArrayBuffer;
}

/** Whether `value` is one of ours (the FileReaderSync shim reads nothing else). */
export function isSyncBlob(value: unknown): value is SyncBlob {
  return typeof value === 'object' && value !== null && readBytes in value;
}

/** The bytes of a blob, as a fresh ArrayBuffer (what FileReaderSync.readAsArrayBuffer returns). */
export function readSyncBlob(blob: SyncBlob): ArrayBuffer {
  return blob[readBytes]();
}

/** A blob over bytes already in memory. */
export function bufferBlob(bytes: Uint8Array, offset = 0, size = bytes.length): SyncBlob {
  return {
    size,
    slice: (start, end) => {
      const range = sliceRange(size, start, end);
      return bufferBlob(bytes, offset + range.start, range.size);
    },
    [readBytes]: () => {
      const copy = new Uint8Array(size);
      copy.set(bytes.subarray(offset, offset + size));
      return copy.buffer;
    },
  };
}

/**
 * A blob over an open file (a descriptor the caller owns and closes after c2pa-wasm is
 * done with it): nothing is read until c2pa-wasm asks for the bytes.
 */
export function fileBlob(fd: number, fileSize: number, offset = 0, size = fileSize): SyncBlob {
  return {
    size,
    slice: (start, end) => {
      const range = sliceRange(size, start, end);
      return fileBlob(fd, fileSize, offset + range.start, range.size);
    },
    [readBytes]: () => {
      const target = new Uint8Array(size);
      let done = 0;
      while (done < size) {
        const got = readSync(fd, target, done, size - done, offset + done);
        if (got === 0) throw new Error(`the file became shorter while it was being read (${done} of ${size} bytes)`);
        done += got;
      }
      return target.buffer;
    },
  };
}

/** Blob.slice's rules: negative positions count from the end, and both ends are clamped. */
function sliceRange(size: number, start = 0, end = size): { start: number; size: number } {
  const clamp = (position: number) => {
    const whole = Math.trunc(position);
    return whole < 0 ? Math.max(size + whole, 0) : Math.min(whole, size);
  };
  const from = clamp(start);
  const to = clamp(end);
  return { start: from, size: Math.max(to - from, 0) };
}
