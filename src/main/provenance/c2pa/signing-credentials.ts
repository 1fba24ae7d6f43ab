/**
 * The signing certificate chain and private key, read and checked before anything is
 * signed, so that a wrong pair or an expired leaf is a clear error here rather than an
 * obscure one from c2pa-rs after the whole file was hashed.
 *
 * The private key stays a KeyObject in memory: it is never logged, never put in an error
 * message (node:crypto's own parse errors are replaced, not wrapped), never written.
 */
import { createPrivateKey, createPublicKey, KeyObject, X509Certificate } from 'node:crypto';
import { SigningIdentityError } from './errors';

export interface SigningCredentials {
  /**
   * The leaf (signing) certificate first, then its intermediates, as C2PA's x5chain wants
   * them; the root may be left out (the verifier has it as a trust anchor). PEM text (one
   * bundle, or one certificate per item) or DER bytes.
   */
  certificateChain: string | readonly (string | Uint8Array)[];
  /** The leaf's ES256 (P-256) private key: PEM (PKCS#8 or SEC1) text, or a KeyObject. */
  privateKey: string | KeyObject;
}

export interface LoadedCredentials {
  /** DER of each certificate, leaf first. */
  chainDer: Uint8Array[];
  leaf: X509Certificate;
  key: KeyObject;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

export function loadSigningCredentials(credentials: SigningCredentials, now = new Date()): LoadedCredentials {
  const certificates = parseChain(credentials.certificateChain);
  const leaf = certificates[0];
  if (!leaf) throw new SigningIdentityError('the signing certificate chain is empty: it needs at least the leaf certificate');
  const key = privateKeyObject(credentials.privateKey);

  const details = key.asymmetricKeyDetails;
  if (key.asymmetricKeyType !== 'ec' || details?.namedCurve !== 'prime256v1') {
    throw new SigningIdentityError(
      `the signing key is ${key.asymmetricKeyType ?? 'an unknown type'}${details?.namedCurve ? ` on ${details.namedCurve}` : ''}: C2PA signing here uses ES256, an EC P-256 key`,
    );
  }
  if (!samePublicKey(leaf.publicKey, createPublicKey(key))) {
    throw new SigningIdentityError(`the private key does not belong to the signing certificate (${leaf.subject.replace(/\n/g, ', ')})`);
  }
  if (leaf.checkIssued(leaf)) {
    throw new SigningIdentityError('the signing certificate is self-signed: C2PA validators require a leaf issued by a CA (use an intermediate or root to issue it)');
  }
  const validFrom = new Date(leaf.validFrom);
  const validTo = new Date(leaf.validTo);
  if (now < validFrom) throw new SigningIdentityError(`the signing certificate is not valid before ${validFrom.toISOString()}`);
  if (now > validTo) throw new SigningIdentityError(`the signing certificate expired on ${validTo.toISOString()}: renew the signing identity`);
  for (let index = 1; index < certificates.length; index++) {
    const child = certificates[index - 1] as X509Certificate;
    const parent = certificates[index] as X509Certificate;
    if (!child.checkIssued(parent) || !child.verify(parent.publicKey)) {
      throw new SigningIdentityError(`certificate ${index + 1} of the chain did not issue certificate ${index}: the chain must go from the leaf upwards`);
    }
  }
  return { chainDer: certificates.map((certificate) => new Uint8Array(certificate.raw)), leaf, key };
}

function parseChain(chain: SigningCredentials['certificateChain']): X509Certificate[] {
  const items: (string | Uint8Array)[] = [];
  for (const item of typeof chain === 'string' ? [chain] : chain) {
    if (typeof item === 'string') items.push(...(item.match(PEM_CERTIFICATE) ?? []));
    else items.push(item);
  }
  return items.map((item, index) => {
    try {
      return new X509Certificate(typeof item === 'string' ? item : Buffer.from(item));
    } catch {
      throw new SigningIdentityError(`certificate ${index + 1} of the signing chain is not a readable X.509 certificate`);
    }
  });
}

function privateKeyObject(key: string | KeyObject): KeyObject {
  if (key instanceof KeyObject) {
    if (key.type !== 'private') throw new SigningIdentityError(`the signing key is a ${key.type} key, not a private key`);
    return key;
  }
  try {
    return createPrivateKey({ key, format: 'pem' });
  } catch {
    // node:crypto's message is generic, but nothing of the input may reach an error.
    throw new SigningIdentityError('the signing key is not a readable PEM private key (PKCS#8 or SEC1, unencrypted)');
  }
}

function samePublicKey(a: KeyObject, b: KeyObject): boolean {
  return a.export({ type: 'spki', format: 'der' }).equals(b.export({ type: 'spki', format: 'der' }));
}
