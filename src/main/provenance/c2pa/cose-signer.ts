/**
 * The C2PA claim signer: c2pa-wasm hands us the claim bytes and we return the complete
 * COSE_Sign1 (RFC 9052, CBOR tag 18) that goes into the manifest's c2pa.signature box,
 * padded to exactly the size we reserved (c2pa-rs writes the box before signing; a wrong
 * length fails with the misleading `C2pa(CoseTimeStampGeneration)`).
 *
 *   COSE_Sign1 = 18([ protected: bstr .cbor {1: -7 (ES256), 33: [leaf DER, intermediate DER, ...]},
 *                     unprotected: {"sigTst2"?: {"tstTokens": [{"val": TimeStampToken}]}, "pad": zeros, "pad2"?: zeros},
 *                     payload: null (detached: the claim),
 *                     signature: r|s, 64 bytes ])
 *   signed bytes = cbor(["Signature1", protected, h'', claim])
 *
 * The signature is IEEE P1363 (raw r|s), not DER, as COSE and c2pa-rs require.
 *
 * Timestamps (C2PA 2.x sigTst2): an RFC 3161 token over SHA-256 of
 * cbor(["CounterSignature", protected, h'', cbor(bstr(signature))]), so the signature
 * must exist first. c2pa-wasm's signer callback may be async (its SignerDefinition.sign
 * returns a Promise; measured: it awaits it, and calls it once per signed file), so the
 * timestamp hook simply runs inside the callback: sign, ask the TSA, pad, return.
 */
import { createHash, sign as cryptoSign } from 'node:crypto';
import { CborTag, cborHeadLength, encodeCbor, type CborMap } from './cbor';
import { C2paSigningError } from './errors';
import { loadSigningCredentials, type SigningCredentials } from './signing-credentials';

/**
 * Gets an RFC 3161 TimeStampToken (DER, the token itself, not the TimeStampResp around it)
 * for a SHA-256 message imprint. Errors it throws fail the signing: a file meant to carry a
 * timestamp is not silently signed without one.
 */
export type TimestampHook = (sha256Imprint: Uint8Array) => Promise<Uint8Array> | Uint8Array;

export interface CoseSignerOptions extends SigningCredentials {
  timestamp?: TimestampHook;
  /** Bytes reserved for the COSE_Sign1; by default enough for the chain, the signature and (with a hook) a 10 KB token. */
  reserveSize?: number;
}

/** The shape of c2pa-wasm's SignerDefinition. `alg` is ignored there when the callback returns a whole COSE_Sign1. */
export interface C2paSigner {
  readonly alg: 'es256';
  readonly reserveSize: number;
  sign(claim: Uint8Array): Promise<Uint8Array>;
}

const ES256 = -7;
const HEADER_ALG = 1;
const HEADER_X5CHAIN = 33;
const COSE_SIGN1_TAG = 18;
/** c2pa-rs's own allowances: framing beyond the certificates, and room for a timestamp token. */
const COSE_OVERHEAD_BYTES = 1024;
export const TIMESTAMP_RESERVE_BYTES = 10_000;
const SIGNATURE_BYTES = 64;

export function createCoseSigner(options: CoseSignerOptions): C2paSigner {
  const { chainDer, key } = loadSigningCredentials(options);
  const certificateBytes = chainDer.reduce((sum, der) => sum + der.length, 0);
  const reserveSize =
    options.reserveSize ?? certificateBytes + SIGNATURE_BYTES + COSE_OVERHEAD_BYTES + (options.timestamp ? TIMESTAMP_RESERVE_BYTES : 0);
  // One certificate is a bstr, several an array (RFC 9360 x5chain).
  const x5chain = chainDer.length === 1 ? (chainDer[0] as Uint8Array) : chainDer;
  const protectedHeader = encodeCbor(
    new Map<number, Uint8Array | Uint8Array[] | number>([
      [HEADER_ALG, ES256],
      [HEADER_X5CHAIN, x5chain],
    ]) as CborMap,
  );
  const empty = new Uint8Array(0);

  return {
    alg: 'es256',
    reserveSize,
    async sign(claim: Uint8Array): Promise<Uint8Array> {
      const toBeSigned = encodeCbor(['Signature1', protectedHeader, empty, claim]);
      const signature = new Uint8Array(cryptoSign('sha256', toBeSigned, { key, dsaEncoding: 'ieee-p1363' }));
      const unprotected: CborMap = new Map();
      if (options.timestamp) {
        const token = await timestampToken(options.timestamp, counterSignatureImprint(protectedHeader, signature));
        unprotected.set('sigTst2', new Map([['tstTokens', [new Map([['val', token]]) as CborMap]]]) as CborMap);
      }
      return padToSize(protectedHeader, unprotected, signature, reserveSize);
    },
  };
}

/** SHA-256 of the C2PA v2 countersignature structure over the claim signature. */
export function counterSignatureImprint(protectedHeader: Uint8Array, signature: Uint8Array): Uint8Array {
  const data = encodeCbor(['CounterSignature', protectedHeader, new Uint8Array(0), encodeCbor(signature)]);
  return new Uint8Array(createHash('sha256').update(data).digest());
}

async function timestampToken(hook: TimestampHook, imprint: Uint8Array): Promise<Uint8Array> {
  let token: Uint8Array;
  try {
    token = await hook(imprint);
  } catch (error) {
    throw new C2paSigningError(`could not get a timestamp for the signature: ${error instanceof Error ? error.message : String(error)}`);
  }
  // A DER TimeStampToken is a ContentInfo SEQUENCE; anything else would only fail later, as an invalid file.
  if (!(token instanceof Uint8Array) || token.length < 2 || token[0] !== 0x30) {
    throw new C2paSigningError('the timestamp authority returned something that is not a DER TimeStampToken');
  }
  return token;
}

/**
 * The COSE_Sign1 with zero padding making it exactly `size` bytes. Growing "pad" by n bytes
 * adds n plus the growth of its length prefix, so a few totals cannot be reached with one
 * pad (just past a prefix boundary); then an empty "pad2" shifts the total, as c2pa-rs does.
 */
function padToSize(protectedHeader: Uint8Array, unprotected: CborMap, signature: Uint8Array, size: number): Uint8Array {
  const encodeWith = (pad: number, pad2: boolean): Uint8Array => {
    const header: CborMap = new Map(unprotected);
    header.set('pad', new Uint8Array(pad));
    if (pad2) header.set('pad2', new Uint8Array(0));
    return encodeCbor(new CborTag(COSE_SIGN1_TAG, [protectedHeader, header, null, signature]));
  };
  let smallest = Infinity;
  for (const pad2 of [false, true]) {
    const base = encodeWith(0, pad2).length;
    smallest = Math.min(smallest, base);
    const pad = padLengthAdding(size - base);
    if (pad === null) continue;
    const cose = encodeWith(pad, pad2);
    if (cose.length === size) return cose;
  }
  throw new C2paSigningError(
    smallest > size
      ? `the signature needs ${smallest} bytes but only ${size} were reserved (a larger timestamp token or chain than expected: raise reserveSize)`
      : `internal error: no padding makes the signature exactly ${size} bytes`,
  );
}

/** The pad length n for which bstr(n) is `growth` bytes longer than bstr(0), or null if none. */
function padLengthAdding(growth: number): number | null {
  for (const prefixGrowth of [0, 1, 2, 4, 8]) {
    const pad = growth - prefixGrowth;
    if (pad >= 0 && pad + cborHeadLength(pad) - 1 === growth) return pad;
  }
  return null;
}
