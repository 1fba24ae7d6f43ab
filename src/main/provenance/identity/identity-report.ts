/**
 * What `shotline identity show` says: each certificate (subject, issuer, SHA-256
 * fingerprint, validity), where the identity came from, the timestamp authority, and
 * until when signatures made now will validate, in one sentence a filmmaker can act on.
 */
import { certificateName, fingerprintSha256, isSelfSigned, readCertificate } from './chain-rules';
import { chainPath, type IdentitySource, type StoredIdentity } from './identity-files';

export type CertificateRole = 'leaf' | 'intermediate' | 'root';

export interface CertificateInfo {
  role: CertificateRole;
  /** The common name alone. */
  name: string;
  subject: string;
  issuer: string;
  serialNumber: string;
  /** Colon-separated upper-case hex of SHA-256 over the DER. */
  sha256Fingerprint: string;
  notBefore: string;
  notAfter: string;
  expired: boolean;
}

export interface IdentityReport {
  id: string;
  source: IdentitySource;
  operator: string;
  created: string;
  renewed: string | null;
  tsaUrl: string | null;
  chainPath: string;
  /** Leaf first, root last. */
  certificates: CertificateInfo[];
  leaf: CertificateInfo;
  root: CertificateInfo;
  /** A local identity: Shotline holds the intermediate's key and renews the leaf itself. */
  renewable: boolean;
  /** Without a timestamp authority: the leaf's notAfter, after which files signed now stop validating. Null with one. */
  signaturesValidUntil: string | null;
  /** One or two sentences saying the above. */
  summary: string;
}

function day(iso: string): string {
  return iso.slice(0, 10);
}

export function certificateInfos(chain: Uint8Array[], now: Date): CertificateInfo[] {
  return chain.map((der, index) => {
    const certificate = readCertificate(der);
    const role: CertificateRole = index === 0 ? 'leaf' : index === chain.length - 1 && isSelfSigned(certificate) ? 'root' : 'intermediate';
    const notAfter = new Date(certificate.node.validTo);
    return {
      role,
      name: certificateName(certificate),
      subject: certificate.parsed.subject,
      issuer: certificate.parsed.issuer,
      serialNumber: certificate.parsed.serialNumber,
      sha256Fingerprint: fingerprintSha256(der),
      notBefore: new Date(certificate.node.validFrom).toISOString(),
      notAfter: notAfter.toISOString(),
      expired: now > notAfter,
    };
  });
}

export function identityReport(dataDir: string, stored: StoredIdentity, now: Date): IdentityReport {
  const certificates = certificateInfos(stored.chain, now);
  const leaf = certificates[0]!;
  const root = certificates[certificates.length - 1]!;
  const { metadata } = stored;
  const renewable = metadata.source === 'local';
  const signaturesValidUntil = metadata.tsaUrl ? null : leaf.notAfter;
  return {
    id: metadata.id,
    source: metadata.source,
    operator: metadata.operator,
    created: metadata.created,
    renewed: metadata.renewed,
    tsaUrl: metadata.tsaUrl,
    chainPath: chainPath(dataDir),
    certificates,
    leaf,
    root,
    renewable,
    signaturesValidUntil,
    summary: summarize(leaf, metadata.tsaUrl, renewable),
  };
}

function summarize(leaf: CertificateInfo, tsaUrl: string | null, renewable: boolean): string {
  if (leaf.expired) {
    return renewable
      ? `The signing certificate expired on ${day(leaf.notAfter)}; Shotline renews it the next time it signs. Files signed with it${tsaUrl ? ' carry timestamps and stay valid' : ' without a timestamp no longer validate'}.`
      : `The signing certificate expired on ${day(leaf.notAfter)}: import a renewed certificate and key before signing again.`;
  }
  if (tsaUrl) {
    let host = tsaUrl;
    try {
      host = new URL(tsaUrl).host;
    } catch {
      /* the stored URL was checked when it was set */
    }
    return `Signatures carry a trusted timestamp from ${host}, so files signed now stay valid after the signing certificate expires on ${day(leaf.notAfter)}.`;
  }
  return (
    `No timestamp authority is configured, so files signed now stop validating on ${day(leaf.notAfter)}, when the signing certificate expires ` +
    `(renewing the certificate does not help files already signed). Configure an RFC 3161 timestamp authority to keep signatures valid after that.`
  );
}
