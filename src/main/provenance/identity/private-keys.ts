/**
 * Private keys as the identity handles them: parsed from PEM (or DER) without ever
 * letting node:crypto's parse error, which may quote input, reach a message; checked to
 * be EC P-256 (Shotline signs ES256) and to belong to the signing certificate.
 */
import { createPrivateKey, createPublicKey, type KeyObject, type X509Certificate } from 'node:crypto';
import { IdentityError } from './errors';

export interface ParseKeyOptions {
  /** For an encrypted PKCS#8 key. */
  passphrase?: string;
  /** Where the key came from, for messages ("the key file", "the PKCS#12 file"). */
  what?: string;
}

export function parsePrivateKey(key: string | Uint8Array, options: ParseKeyOptions = {}): KeyObject {
  const what = options.what ?? 'the private key';
  const text = typeof key === 'string' ? key : null;
  if (text !== null && /-----BEGIN ENCRYPTED PRIVATE KEY-----/.test(text) && options.passphrase === undefined) {
    throw new IdentityError(`${what} is encrypted: give its passphrase, or an unencrypted PKCS#8 or SEC1 PEM key`);
  }
  if (text !== null && /-----BEGIN CERTIFICATE-----/.test(text) && !/PRIVATE KEY-----/.test(text)) {
    throw new IdentityError(`${what} holds certificates but no private key`);
  }
  let parsed: KeyObject;
  try {
    parsed =
      text !== null
        ? createPrivateKey({ key: text, format: 'pem', ...(options.passphrase !== undefined ? { passphrase: options.passphrase } : {}) })
        : createPrivateKey({ key: Buffer.from(key as Uint8Array), format: 'der', type: 'pkcs8', ...(options.passphrase !== undefined ? { passphrase: options.passphrase } : {}) });
  } catch (error) {
    // node:crypto's words only: never the input.
    const code = (error as { code?: string }).code ?? '';
    const reason = /BAD_DECRYPT|bad decrypt/i.test(`${code} ${(error as Error).message}`) ? 'the passphrase does not decrypt it' : 'it is not a readable private key (PKCS#8 or SEC1 PEM)';
    throw new IdentityError(`${what} cannot be used: ${reason}`);
  }
  return parsed;
}

/** Refuses anything but an EC P-256 private key, saying what it is instead. */
export function requireP256(key: KeyObject, what = 'the private key'): void {
  if (key.type !== 'private') throw new IdentityError(`${what} is a ${key.type} key, not a private key`);
  const type = key.asymmetricKeyType;
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (type === 'ec' && curve === 'prime256v1') return;
  const found = type === 'rsa' || type === 'rsa-pss' ? `an ${type.toUpperCase()} key (${key.asymmetricKeyDetails?.modulusLength ?? '?'} bits)` : type === 'ec' ? `an EC key on ${curve ?? 'an unknown curve'}` : `a ${type ?? 'key of an unknown type'}`;
  throw new IdentityError(`${what} is ${found}: Shotline signs content credentials with ES256, which needs an EC P-256 (prime256v1) key`);
}

export function publicKeyDer(key: KeyObject): Buffer {
  return (key.type === 'private' ? createPublicKey(key) : key).export({ type: 'spki', format: 'der' });
}

/** True when `key` is the private half of the certificate's public key. */
export function keyMatchesCertificate(key: KeyObject, certificate: X509Certificate): boolean {
  return publicKeyDer(key).equals(publicKeyDer(certificate.publicKey));
}

/** PKCS#8 PEM: how a key is kept in the keychain and sent to the signing worker. */
export function pkcs8Pem(key: KeyObject): string {
  return key.export({ type: 'pkcs8', format: 'pem' }).toString();
}
