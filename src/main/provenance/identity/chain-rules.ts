/**
 * The rules a C2PA validator applies to a signing chain (reference/platform.md and the
 * C2PA trust model), checked here so that an imported chain that would produce files
 * every validator rejects is refused at import, with the rule it breaks named.
 *
 * A chain is ordered leaf first, each certificate issued by the next, ending at a
 * self-signed root. The leaf signs with ES256, so its key must be EC P-256.
 */
import { createHash, X509Certificate } from 'node:crypto';
import * as pkijs from 'pkijs';
import { OID, x509, type X509 } from './x509';

/** Signature algorithms C2PA accepts on certificates: ECDSA and RSA with SHA-2, RSASSA-PSS, Ed25519. */
const ACCEPTED_SIGNATURE_ALGORITHMS = new Map([
  ['1.2.840.10045.4.3.2', 'ecdsa-with-SHA256'],
  ['1.2.840.10045.4.3.3', 'ecdsa-with-SHA384'],
  ['1.2.840.10045.4.3.4', 'ecdsa-with-SHA512'],
  ['1.2.840.113549.1.1.11', 'sha256WithRSAEncryption'],
  ['1.2.840.113549.1.1.12', 'sha384WithRSAEncryption'],
  ['1.2.840.113549.1.1.13', 'sha512WithRSAEncryption'],
  ['1.2.840.113549.1.1.10', 'RSASSA-PSS'],
  ['1.3.101.112', 'Ed25519'],
]);

const SIGNING_EKUS = [OID.emailProtection, OID.documentSigning, OID.c2paClaimSigning];

export interface ChainCertificate {
  der: Uint8Array;
  node: X509Certificate;
  parsed: X509.X509Certificate;
  pki: pkijs.Certificate;
}

/** Throws node's own parse error for what is not a certificate (certificates are public: nothing secret can be in it). */
export function readCertificate(der: Uint8Array): ChainCertificate {
  return { der, node: new X509Certificate(Buffer.from(der)), parsed: new x509.X509Certificate(der), pki: pkijs.Certificate.fromBER(der) };
}

/** The certificate's common name, or its whole subject when it has none. */
export function certificateName(certificate: ChainCertificate): string {
  return certificate.parsed.subjectName.getField('CN')[0] ?? certificate.parsed.subject;
}

/** SHA-256 of the DER, as colon-separated upper-case hex (as `openssl x509 -fingerprint -sha256` prints it). */
export function fingerprintSha256(der: Uint8Array): string {
  return createHash('sha256').update(der).digest('hex').toUpperCase().match(/../g)!.join(':');
}

/** Names its own issuer and its own key verifies its signature (whatever its extensions say, which the rules judge). */
export function isSelfSigned(certificate: ChainCertificate): boolean {
  return issuedBy(certificate, certificate);
}

/**
 * The parent's subject is the child's issuer and the parent's key verifies the child's
 * signature. Deliberately not node's checkIssued, which also refuses a parent without
 * keyCertSign: the rules below name that problem rather than a broken link.
 */
function issuedBy(child: ChainCertificate, parent: ChainCertificate): boolean {
  if (!Buffer.from(child.pki.issuer.toSchema().toBER(false)).equals(Buffer.from(parent.pki.subject.toSchema().toBER(false)))) return false;
  try {
    return child.node.verify(parent.node.publicKey);
  } catch {
    return false;
  }
}

/**
 * Orders certificates given in any order into leaf -> ... -> root, starting from the one
 * whose public key is `leafSpki` (or, without it, the one that issued no other). Unrelated
 * extra certificates are dropped. Throws a plain message when no chain can be made.
 */
export function orderChain(certificates: ChainCertificate[], leafSpki?: Uint8Array): ChainCertificate[] {
  if (!certificates.length) throw new Error('there is no certificate');
  let leaf: ChainCertificate | undefined;
  if (leafSpki) {
    const wanted = Buffer.from(leafSpki);
    leaf = certificates.find((c) => wanted.equals(c.node.publicKey.export({ type: 'spki', format: 'der' })));
    if (!leaf) throw new Error('no certificate holds the public key of the private key given');
  } else {
    const issuers = certificates.filter((c) => certificates.some((other) => other !== c && !isSelfSigned(other) && issuedBy(other, c)));
    const candidates = certificates.filter((c) => !issuers.includes(c));
    if (candidates.length !== 1) throw new Error(`cannot tell which certificate is the signing certificate (${candidates.length} candidates)`);
    leaf = candidates[0]!;
  }
  const ordered = [leaf];
  for (let at = leaf; !isSelfSigned(at); ) {
    const parent = certificates.find((c) => !ordered.includes(c) && issuedBy(at, c));
    if (!parent) break;
    ordered.push(parent);
    at = parent;
    if (ordered.length > 10) break;
  }
  return ordered;
}

interface Extensions {
  basic: X509.BasicConstraintsExtension | null;
  keyUsage: X509.KeyUsagesExtension | null;
  eku: X509.ExtendedKeyUsageExtension | null;
  ski: X509.SubjectKeyIdentifierExtension | null;
  aki: X509.AuthorityKeyIdentifierExtension | null;
}

function extensionsOf(certificate: ChainCertificate): Extensions {
  const parsed = certificate.parsed;
  return {
    basic: parsed.getExtension(x509.BasicConstraintsExtension),
    keyUsage: parsed.getExtension(x509.KeyUsagesExtension),
    eku: parsed.getExtension(x509.ExtendedKeyUsageExtension),
    ski: parsed.getExtension(x509.SubjectKeyIdentifierExtension),
    aki: parsed.getExtension(x509.AuthorityKeyIdentifierExtension),
  };
}

/**
 * Every C2PA rule the chain breaks, one line each naming the certificate and the rule;
 * empty when the chain is fit to sign with. `chain` is leaf first; a root at the end is
 * required (users hand it out as the trust anchor).
 */
export function chainProblems(chain: ChainCertificate[], now: Date): string[] {
  const problems: string[] = [];
  const leaf = chain[0];
  if (!leaf) return ['the chain is empty'];
  const role = (index: number) => (index === 0 ? 'the signing certificate' : index === chain.length - 1 && isSelfSigned(chain[index]!) ? 'the root certificate' : 'the intermediate certificate');
  const label = (index: number) => `${role(index)} "${certificateName(chain[index]!)}"`;

  // The leaf.
  const leafKey = leaf.node.publicKey;
  if (leafKey.asymmetricKeyType !== 'ec' || leafKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    const kind = leafKey.asymmetricKeyType === 'ec' ? `EC ${leafKey.asymmetricKeyDetails?.namedCurve ?? 'on an unknown curve'}` : (leafKey.asymmetricKeyType ?? 'unknown').toUpperCase();
    problems.push(`${label(0)} has a ${kind} key: Shotline signs with ES256, which needs an EC P-256 key`);
  }
  if (isSelfSigned(leaf)) problems.push(`${label(0)} is self-signed: C2PA requires a signing certificate issued by a CA`);
  const leafExt = extensionsOf(leaf);
  if (leafExt.basic?.ca) problems.push(`${label(0)} is a CA certificate (basicConstraints CA:TRUE): a signing certificate must have CA:FALSE`);
  if (!leafExt.keyUsage) problems.push(`${label(0)} has no keyUsage extension: C2PA requires a critical keyUsage with digitalSignature`);
  else {
    if (!(leafExt.keyUsage.usages & x509.KeyUsageFlags.digitalSignature)) problems.push(`${label(0)} lacks digitalSignature in its keyUsage`);
    if (!leafExt.keyUsage.critical) problems.push(`${label(0)} has a keyUsage extension that is not marked critical`);
    if (leafExt.keyUsage.usages & x509.KeyUsageFlags.keyCertSign) problems.push(`${label(0)} has keyCertSign in its keyUsage: a signing certificate must not issue certificates`);
  }
  const ekus = (leafExt.eku?.usages ?? []).map(String);
  if (!leafExt.eku) problems.push(`${label(0)} has no extendedKeyUsage: C2PA requires emailProtection (1.3.6.1.5.5.7.3.4) or documentSigning (1.3.6.1.5.5.7.3.36)`);
  else {
    if (ekus.includes(OID.anyExtendedKeyUsage)) problems.push(`${label(0)} has anyExtendedKeyUsage, which C2PA forbids`);
    if (!ekus.some((oid) => (SIGNING_EKUS as readonly string[]).includes(oid))) {
      problems.push(`${label(0)}'s extendedKeyUsage (${ekus.join(', ')}) has neither emailProtection (1.3.6.1.5.5.7.3.4) nor documentSigning (1.3.6.1.5.5.7.3.36)`);
    }
    for (const exclusive of [OID.timeStamping, OID.ocspSigning]) {
      if (ekus.includes(exclusive) && ekus.length > 1) problems.push(`${label(0)} mixes ${exclusive} with other extended key usages, which C2PA forbids`);
    }
  }
  if (!leafExt.ski) problems.push(`${label(0)} has no subjectKeyIdentifier`);
  if (!leafExt.aki?.keyId) problems.push(`${label(0)} has no authorityKeyIdentifier`);

  // Every certificate.
  chain.forEach((certificate, index) => {
    const notBefore = new Date(certificate.node.validFrom);
    const notAfter = new Date(certificate.node.validTo);
    if (now < notBefore) problems.push(`${label(index)} is not valid before ${notBefore.toISOString()}`);
    if (now > notAfter) problems.push(`${label(index)} expired on ${notAfter.toISOString()}`);
    if (certificate.pki.version !== 2) problems.push(`${label(index)} is not an X.509 version 3 certificate`);
    const algorithm = certificate.pki.signatureAlgorithm.algorithmId;
    if (!ACCEPTED_SIGNATURE_ALGORITHMS.has(algorithm)) problems.push(`${label(index)} is signed with ${algorithm}, an algorithm C2PA does not accept (use ECDSA or RSA with SHA-256 or stronger)`);
    const parent = chain[index + 1];
    if (parent && !issuedBy(certificate, parent)) problems.push(`${label(index + 1)} did not issue ${label(index)}: the chain must go from the signing certificate up to the root`);
    if (index > 0) {
      const ext = extensionsOf(certificate);
      if (!ext.basic?.ca) problems.push(`${label(index)} is not a CA certificate (basicConstraints CA:TRUE), so it cannot issue`);
      if (ext.keyUsage && !(ext.keyUsage.usages & x509.KeyUsageFlags.keyCertSign)) problems.push(`${label(index)} lacks keyCertSign in its keyUsage`);
      if (!ext.ski) problems.push(`${label(index)} has no subjectKeyIdentifier`);
      const casBelow = index - 1; // intermediate CAs between this one and the leaf
      if (ext.basic?.pathLength !== undefined && casBelow > ext.basic.pathLength) problems.push(`${label(index)} allows ${ext.basic.pathLength} CA certificates below it (pathLen), but the chain has ${casBelow}`);
    }
  });
  const top = chain[chain.length - 1]!;
  if (chain.length < 2 || !isSelfSigned(top)) {
    problems.push(`the chain ends at "${certificateName(top)}", which is not a self-signed root: include the root certificate (it is what you hand out for others to trust your files)`);
  }
  return problems;
}
