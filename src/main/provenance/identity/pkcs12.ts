/**
 * Reading a PKCS#12 (.p12 / .pfx) file: its certificates and its one private key.
 *
 * pkijs reads the envelope and checks the password-based MAC (a wrong password fails
 * there). Encrypted contents: PBES2 (AES, what OpenSSL 3, current Windows and macOS
 * write) through pkijs; pbeWithSHAAnd3-KeyTripleDES-CBC (older exports) through the
 * RFC 7292 key derivation and node:crypto; RC2 and RC4 (OpenSSL's -legacy, very old
 * exports) cannot be decrypted by node's OpenSSL 3 and are refused with what to do.
 * Shrouded key bags are decrypted by node:crypto (it reads both PBES2 and the PKCS#12
 * schemes). Error messages never include the password or key material.
 */
import { createDecipheriv, createHash, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { IdentityError } from './errors';
import { parsePrivateKey } from './private-keys';

export interface Pkcs12Contents {
  /** DER, in the file's order. */
  certificates: Uint8Array[];
  key: KeyObject;
}

const OIDS = {
  data: '1.2.840.113549.1.7.1',
  encryptedData: '1.2.840.113549.1.7.6',
  pbes2: '1.2.840.113549.1.5.13',
  pbeSha1TripleDes: '1.2.840.113549.1.12.1.3',
  keyBag: '1.2.840.113549.1.12.10.1.1',
  shroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  certBag: '1.2.840.113549.1.12.10.1.3',
  safeContentsBag: '1.2.840.113549.1.12.10.1.6',
  x509Certificate: '1.2.840.113549.1.9.22.1',
} as const;

const LEGACY_CIPHERS: Record<string, string> = {
  '1.2.840.113549.1.12.1.1': '128-bit RC4',
  '1.2.840.113549.1.12.1.2': '40-bit RC4',
  '1.2.840.113549.1.12.1.4': '2-key triple DES',
  '1.2.840.113549.1.12.1.5': '128-bit RC2',
  '1.2.840.113549.1.12.1.6': '40-bit RC2',
};

const FILE = 'the PKCS#12 file';

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

export async function readPkcs12(bytes: Uint8Array, password: string): Promise<Pkcs12Contents> {
  let pfx: pkijs.PFX;
  try {
    pfx = pkijs.PFX.fromBER(toArrayBuffer(bytes));
  } catch {
    throw new IdentityError(`${FILE} cannot be read: it is not a PKCS#12 (.p12/.pfx) file`);
  }
  const passwordBytes = toArrayBuffer(new TextEncoder().encode(password));
  try {
    await pfx.parseInternalValues({ password: passwordBytes, checkIntegrity: Boolean(pfx.macData) });
  } catch (error) {
    if (/integrity/i.test((error as Error).message)) throw new IdentityError(`the password does not open ${FILE} (its integrity check failed): check the password`);
    if (/public-key/i.test((error as Error).message)) throw new IdentityError(`${FILE} is protected with a public key rather than a password, which Shotline does not read`);
    throw new IdentityError(`${FILE} cannot be read: ${pkijsReason(error)}`);
  }
  const safe = pfx.parsedValue?.authenticatedSafe as pkijs.AuthenticatedSafe | undefined;
  if (!safe) throw new IdentityError(`${FILE} cannot be read: it holds no contents`);

  const certificates: Uint8Array[] = [];
  const keys: KeyObject[] = [];
  for (const info of safe.safeContents) {
    const contents = await safeContentsOf(info, passwordBytes, password);
    collectBags(contents.safeBags, password, certificates, keys);
  }
  if (!keys.length) throw new IdentityError(`${FILE} holds no private key: export it with the private key included`);
  if (keys.length > 1) throw new IdentityError(`${FILE} holds ${keys.length} private keys: export only the signing identity (one certificate chain and its key)`);
  if (!certificates.length) throw new IdentityError(`${FILE} holds a private key but no certificate`);
  return { certificates, key: keys[0]! };
}

async function safeContentsOf(info: pkijs.ContentInfo, passwordBytes: ArrayBuffer, password: string): Promise<pkijs.SafeContents> {
  let inner: ArrayBuffer;
  if (info.contentType === OIDS.data) {
    inner = (info.content as asn1js.OctetString).getValue();
  } else if (info.contentType === OIDS.encryptedData) {
    const encrypted = new pkijs.EncryptedData({ schema: info.content });
    const algorithm = encrypted.encryptedContentInfo.contentEncryptionAlgorithm;
    if (algorithm.algorithmId === OIDS.pbes2) {
      try {
        inner = await encrypted.decrypt({ password: passwordBytes });
      } catch (error) {
        throw new IdentityError(`${FILE} cannot be decrypted: ${pkijsReason(error)}`);
      }
    } else if (algorithm.algorithmId === OIDS.pbeSha1TripleDes) {
      inner = toArrayBuffer(decryptTripleDes(algorithm, encryptedBytes(encrypted.encryptedContentInfo), password));
    } else {
      const legacy = LEGACY_CIPHERS[algorithm.algorithmId];
      throw new IdentityError(
        legacy
          ? `${FILE} is encrypted with ${legacy}, a legacy cipher this system's OpenSSL 3 no longer provides. Re-export it with AES ` +
              '(for example `openssl pkcs12 -export` without -legacy, or "AES256-SHA256" in Windows), or import the certificate chain and key as PEM'
          : `${FILE} is encrypted with an algorithm Shotline cannot read (${algorithm.algorithmId})`,
      );
    }
  } else {
    throw new IdentityError(`${FILE} holds contents Shotline cannot read (${info.contentType}; only password protection is supported)`);
  }
  try {
    return pkijs.SafeContents.fromBER(inner);
  } catch {
    throw new IdentityError(`${FILE} cannot be read: its decrypted contents are malformed`);
  }
}

function collectBags(bags: pkijs.SafeBag[], password: string, certificates: Uint8Array[], keys: KeyObject[]): void {
  for (const bag of bags) {
    switch (bag.bagId) {
      case OIDS.certBag: {
        const certBag = bag.bagValue as pkijs.CertBag;
        if (certBag.certId !== OIDS.x509Certificate) break; // SDSI certificates and the like: not ours
        const value = certBag.certValue;
        const der = value instanceof pkijs.Certificate ? value.toSchema().toBER(false) : (value as asn1js.OctetString).getValue();
        certificates.push(new Uint8Array(der));
        break;
      }
      case OIDS.shroudedKeyBag: {
        const der = (bag.bagValue as pkijs.PKCS8ShroudedKeyBag).toSchema().toBER(false);
        keys.push(parsePrivateKey(new Uint8Array(der), { passphrase: password, what: `the private key in ${FILE}` }));
        break;
      }
      case OIDS.keyBag: {
        const der = (bag.bagValue as pkijs.PrivateKeyInfo).toSchema().toBER(false);
        keys.push(parsePrivateKey(new Uint8Array(der), { what: `the private key in ${FILE}` }));
        break;
      }
      case OIDS.safeContentsBag:
        collectBags((bag.bagValue as pkijs.SafeContents).safeBags, password, certificates, keys);
        break;
      default:
        break; // CRL and secret bags carry nothing we sign with
    }
  }
}

function encryptedBytes(info: pkijs.EncryptedContentInfo): Uint8Array {
  const content = info.encryptedContent;
  if (!content) throw new IdentityError(`${FILE} cannot be read: an encrypted part is empty`);
  // Constructed (BER) octet strings are split into pieces.
  if (content.idBlock.isConstructed) {
    const pieces = (content.valueBlock.value as asn1js.OctetString[]).map((piece) => new Uint8Array(piece.valueBlock.valueHexView));
    return Buffer.concat(pieces);
  }
  return new Uint8Array(content.valueBlock.valueHexView);
}

/** pbeWithSHAAnd3-KeyTripleDES-CBC (RFC 7292 appendix C): PKCS#12 KDF with SHA-1, DES-EDE3-CBC. */
function decryptTripleDes(algorithm: pkijs.AlgorithmIdentifier, data: Uint8Array, password: string): Uint8Array {
  const params = algorithm.algorithmParams as asn1js.Sequence | undefined;
  const salt = params?.valueBlock.value[0] as asn1js.OctetString | undefined;
  const iterations = params?.valueBlock.value[1] as asn1js.Integer | undefined;
  if (!salt || !iterations) throw new IdentityError(`${FILE} cannot be read: its encryption parameters are malformed`);
  const saltBytes = new Uint8Array(salt.valueBlock.valueHexView);
  const count = iterations.valueBlock.valueDec;
  if (!(count > 0 && count <= 10_000_000)) throw new IdentityError(`${FILE} cannot be read: its encryption parameters are malformed`);
  const key = pkcs12Kdf(password, saltBytes, count, 1, 24);
  const iv = pkcs12Kdf(password, saltBytes, count, 2, 8);
  try {
    const decipher = createDecipheriv('des-ede3-cbc', key, iv);
    return Buffer.concat([decipher.update(data), decipher.final()]);
  } catch {
    throw new IdentityError(`the password does not decrypt ${FILE}`);
  }
}

/** RFC 7292 appendix B.2 with SHA-1 (u = 20, v = 64); the password as a NUL-terminated BMPString. */
export function pkcs12Kdf(password: string, salt: Uint8Array, iterations: number, id: 1 | 2 | 3, length: number): Buffer {
  const u = 20;
  const v = 64;
  const bmp = Buffer.alloc(password.length * 2 + 2);
  for (let i = 0; i < password.length; i++) bmp.writeUInt16BE(password.charCodeAt(i), i * 2);
  const repeat = (input: Uint8Array) => {
    const out = Buffer.alloc(input.length ? v * Math.ceil(input.length / v) : 0);
    for (let i = 0; i < out.length; i++) out[i] = input[i % input.length]!;
    return out;
  };
  const diversifier = Buffer.alloc(v, id);
  const I = Buffer.concat([repeat(salt), repeat(bmp)]);
  const blocks: Buffer[] = [];
  for (let produced = 0; produced < length; produced += u) {
    let A = createHash('sha1').update(diversifier).update(I).digest();
    for (let i = 1; i < iterations; i++) A = createHash('sha1').update(A).digest();
    blocks.push(A);
    const B = repeat(A);
    // I_j = (I_j + B + 1) mod 2^(v*8), for every v-byte block of I.
    for (let j = 0; j < I.length; j += v) {
      let carry = 1;
      for (let k = v - 1; k >= 0; k--) {
        const sum = I[j + k]! + B[k]! + carry;
        I[j + k] = sum & 0xff;
        carry = sum >> 8;
      }
    }
  }
  return Buffer.concat(blocks).subarray(0, length);
}

function pkijsReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]!.slice(0, 160);
}
