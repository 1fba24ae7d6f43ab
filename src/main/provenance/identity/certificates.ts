/**
 * The local signing identity's certificates, shaped as C2PA validators require
 * (reference/platform.md): an ES256 root and intermediate CA, and a leaf that signs.
 *
 *   root          CA:TRUE (critical), keyUsage keyCertSign+cRLSign (critical), SKI      ~10 years, self-signed
 *   intermediate  CA:TRUE pathLen 0, keyUsage keyCertSign+cRLSign, SKI, AKI              ~5 years
 *   leaf          CA:FALSE, keyUsage digitalSignature (critical), EKU emailProtection +
 *                 documentSigning (1.3.6.1.5.5.7.3.36), SKI, AKI                         ~1 year
 *
 * The root is what users hand to whoever should trust their files; the leaf is renewed
 * from the intermediate (and the intermediate from the root) without changing it.
 * Keys are made with node's WebCrypto and leave this module only as KeyObjects.
 */
import { KeyObject, randomBytes, type webcrypto } from 'node:crypto';
import { ES256, OID, subtle, x509, type X509 } from './x509';

export const ROOT_VALIDITY_DAYS = 3652;
export const INTERMEDIATE_VALIDITY_DAYS = 1826;
export const LEAF_VALIDITY_DAYS = 365;
/** notBefore is set this far back, so a verifier whose clock is a little behind still accepts a fresh certificate. */
export const BACKDATE_MS = 10 * 60_000;
export const ORGANIZATION = 'Shotline local identity';

const DAY_MS = 86_400_000;

type CryptoKeyPair = webcrypto.CryptoKeyPair;
type CryptoKey = webcrypto.CryptoKey;
/** X.520's upper bound for a common name. */
const COMMON_NAME_MAX = 64;

export type CertificateRole = 'root' | 'intermediate' | 'leaf';

export interface IssuedCertificate {
  /** DER bytes. */
  der: Uint8Array;
  pem: string;
  key: KeyObject;
}

interface Issuer {
  /** The issuer's certificate (DER). */
  der: Uint8Array;
  key: KeyObject;
}

/** "<name> (Shotline)" plus the role; the name cleaned of control characters and cut so the CN fits 64 characters. */
export function commonName(operatorName: string, role: CertificateRole): string {
  const suffix = role === 'leaf' ? ' (Shotline)' : role === 'intermediate' ? ' (Shotline) Intermediate CA' : ' (Shotline) Root CA';
  // eslint-disable-next-line no-control-regex
  let name = operatorName.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').replace(/\s+/g, ' ').trim();
  if (!name) name = 'Shotline user';
  const room = COMMON_NAME_MAX - suffix.length;
  if ([...name].length > room) name = [...name].slice(0, room - 1).join('').trimEnd() + '…';
  return `${name}${suffix}`;
}

/** A distinguished name as UTF8Strings, built from values (never parsed from a string, so commas and quotes in a name stay text). */
function distinguishedName(cn: string): X509.Name {
  return new x509.Name([{ CN: [{ utf8String: cn }] }, { O: [{ utf8String: ORGANIZATION }] }]);
}

/** A positive 128-bit serial number, as hex. */
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x01;
  return bytes.toString('hex');
}

async function newKeyPair(): Promise<CryptoKeyPair> {
  return (await subtle.generateKey(ES256, true, ['sign', 'verify'])) as CryptoKeyPair;
}

async function signingKey(key: KeyObject): Promise<CryptoKey> {
  const pkcs8 = key.export({ type: 'pkcs8', format: 'der' });
  return (await subtle.importKey('pkcs8', pkcs8, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign'])) as CryptoKey;
}

function validity(now: Date, days: number, cap?: Date): { notBefore: Date; notAfter: Date } {
  const notBefore = new Date(now.getTime() - BACKDATE_MS);
  let notAfter = new Date(now.getTime() + days * DAY_MS);
  if (cap && notAfter > cap) notAfter = new Date(cap.getTime());
  return { notBefore, notAfter };
}

function issued(certificate: X509.X509Certificate, keys: CryptoKeyPair): IssuedCertificate {
  return { der: new Uint8Array(certificate.rawData), pem: certificate.toString('pem'), key: KeyObject.from(keys.privateKey as unknown as Parameters<typeof KeyObject.from>[0]) };
}

function subjectKeyId(der: Uint8Array): string {
  const extension = new x509.X509Certificate(der).getExtension(x509.SubjectKeyIdentifierExtension);
  if (!extension) throw new Error('the issuing certificate has no subject key identifier');
  return extension.keyId;
}

const caUsages = x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign;

export async function createRoot(operatorName: string, now: Date): Promise<IssuedCertificate> {
  const keys = await newKeyPair();
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: distinguishedName(commonName(operatorName, 'root')),
    keys,
    signingAlgorithm: ES256,
    ...validity(now, ROOT_VALIDITY_DAYS),
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(caUsages, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return issued(certificate, keys);
}

/** An intermediate CA (pathLen 0: it issues leaves only), never outliving its root. */
export function createIntermediate(operatorName: string, root: Issuer, now: Date): Promise<IssuedCertificate> {
  return issue(operatorName, 'intermediate', root, now, INTERMEDIATE_VALIDITY_DAYS, [new x509.BasicConstraintsExtension(true, 0, true), new x509.KeyUsagesExtension(caUsages, true)]);
}

/** The signing certificate, never outliving its issuer. */
export function createLeaf(operatorName: string, intermediate: Issuer, now: Date): Promise<IssuedCertificate> {
  return issue(operatorName, 'leaf', intermediate, now, LEAF_VALIDITY_DAYS, [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension([OID.emailProtection, OID.documentSigning]),
  ]);
}

/** A certificate `issuer` signs for a new key: its role's extensions, then SKI and AKI, valid no longer than the issuer. */
async function issue(operatorName: string, role: CertificateRole, issuer: Issuer, now: Date, days: number, extensions: X509.Extension[]): Promise<IssuedCertificate> {
  const keys = await newKeyPair();
  const issuerCertificate = new x509.X509Certificate(issuer.der);
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: distinguishedName(commonName(operatorName, role)),
    issuer: issuerCertificate.subjectName,
    publicKey: keys.publicKey,
    signingKey: await signingKey(issuer.key),
    signingAlgorithm: ES256,
    ...validity(now, days, issuerCertificate.notAfter),
    extensions: [...extensions, await x509.SubjectKeyIdentifierExtension.create(keys.publicKey), new x509.AuthorityKeyIdentifierExtension(subjectKeyId(issuer.der))],
  });
  return issued(certificate, keys);
}

export interface LocalChain {
  root: IssuedCertificate;
  intermediate: IssuedCertificate;
  leaf: IssuedCertificate;
}

/** A whole new identity: root, intermediate and leaf. */
export async function createLocalChain(operatorName: string, now: Date): Promise<LocalChain> {
  const root = await createRoot(operatorName, now);
  const intermediate = await createIntermediate(operatorName, root, now);
  const leaf = await createLeaf(operatorName, intermediate, now);
  return { root, intermediate, leaf };
}
