/**
 * The little CBOR (RFC 8949) a COSE_Sign1 needs: integers, byte and text strings, arrays,
 * maps with keys in the order given, tags and null, always in the shortest form.
 *
 * Why not cbor-x: by default it wraps every Map in tag 259 and every Uint8Array in tag 64,
 * both of which change the bytes c2pa-rs hashes and parses (the signature then fails as
 * `C2pa(CoseTimeStampGeneration)`), and the COSE padding needs the exact encoded length of
 * every item, which is simplest to know when the encoder is ours.
 */

export type CborValue = null | number | string | Uint8Array | CborValue[] | CborMap | CborTag;
/** Keys keep their insertion order: COSE headers are written in the order the spec lists them. */
export type CborMap = Map<number | string, CborValue>;

export class CborTag {
  constructor(
    readonly tag: number,
    readonly value: CborValue,
  ) {}
}

const MAJOR = { unsigned: 0, negative: 1, bytes: 2, text: 3, array: 4, map: 5, tag: 6 } as const;

/** How many bytes the head of an item with this argument takes (the length of a string, say). */
export function cborHeadLength(argument: number): number {
  if (argument < 24) return 1;
  if (argument < 0x100) return 2;
  if (argument < 0x10000) return 3;
  if (argument < 0x100000000) return 5;
  return 9;
}

/** The CBOR encoding of `value`. */
export function encodeCbor(value: CborValue): Uint8Array {
  const writer = new ByteWriter();
  writeItem(writer, value);
  return writer.bytes();
}

function writeItem(writer: ByteWriter, value: CborValue): void {
  if (value === null) {
    writer.byte(0xf6);
  } else if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new TypeError(`CBOR: only integers are supported, not ${value}`);
    if (value >= 0) writeHead(writer, MAJOR.unsigned, value);
    else writeHead(writer, MAJOR.negative, -1 - value);
  } else if (typeof value === 'string') {
    const utf8 = Buffer.from(value, 'utf8');
    writeHead(writer, MAJOR.text, utf8.length);
    writer.append(utf8);
  } else if (value instanceof Uint8Array) {
    writeHead(writer, MAJOR.bytes, value.length);
    writer.append(value);
  } else if (Array.isArray(value)) {
    writeHead(writer, MAJOR.array, value.length);
    for (const item of value) writeItem(writer, item);
  } else if (value instanceof Map) {
    writeHead(writer, MAJOR.map, value.size);
    for (const [key, item] of value) {
      writeItem(writer, key);
      writeItem(writer, item);
    }
  } else if (value instanceof CborTag) {
    writeHead(writer, MAJOR.tag, value.tag);
    writeItem(writer, value.value);
  } else {
    throw new TypeError('CBOR: unsupported value');
  }
}

function writeHead(writer: ByteWriter, major: number, argument: number): void {
  const top = major << 5;
  if (argument < 24) {
    writer.byte(top | argument);
  } else if (argument < 0x100) {
    writer.byte(top | 24);
    writer.byte(argument);
  } else if (argument < 0x10000) {
    writer.byte(top | 25);
    writer.byte(argument >> 8);
    writer.byte(argument & 0xff);
  } else if (argument < 0x100000000) {
    writer.byte(top | 26);
    for (const shift of [24, 16, 8, 0]) writer.byte((argument >>> shift) & 0xff);
  } else {
    writer.byte(top | 27);
    const big = BigInt(argument);
    for (let shift = 56n; shift >= 0n; shift -= 8n) writer.byte(Number((big >> shift) & 0xffn));
  }
}

/** A growable byte buffer (the certificates alone are a few KB; a padded COSE is ~10-20 KB). */
class ByteWriter {
  private buffer = new Uint8Array(1024);
  private length = 0;

  byte(value: number): void {
    this.reserve(1);
    this.buffer[this.length++] = value;
  }

  append(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    this.buffer.set(bytes, this.length);
    this.length += bytes.length;
  }

  bytes(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }

  private reserve(extra: number): void {
    if (this.length + extra <= this.buffer.length) return;
    const grown = new Uint8Array(Math.max(this.buffer.length * 2, this.length + extra));
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
  }
}
