/**
 * The local identity's certificates: the shape C2PA validators require (checked by our
 * own rule checker and by node:crypto), names built from values (commas and quotes in an
 * operator's name stay text), validity periods, and the rule checker naming each broken
 * rule of a bad chain. openssl's own view of the same chain is in the integration tests.
 */
import { X509Certificate, createPublicKey, generateKeyPairSync, sign, verify, type webcrypto } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { commonName, createIntermediate, createLeaf, createLocalChain, createRoot, LEAF_VALIDITY_DAYS } from '../../src/main/provenance/identity/certificates';
import { chainProblems, orderChain, readCertificate } from '../../src/main/provenance/identity/chain-rules';
import { ES256, OID, subtle, x509, type X509 } from '../../src/main/provenance/identity/x509';

type CryptoKeyPair = webcrypto.CryptoKeyPair;
type CryptoKey = webcrypto.CryptoKey;

const now = new Date('2026-11-22T12:00:00Z');
const DAY = 86_400_000;

describe('the local chain', () => {
  it('meets every C2PA rule, as our checker and node:crypto see it', async () => {
    const chain = await createLocalChain('Mara Okafor', now);
    const [leaf, intermediate, root] = [chain.leaf, chain.intermediate, chain.root].map((c) => new X509Certificate(Buffer.from(c.der)));
    expect(chainProblems([chain.leaf.der, chain.intermediate.der, chain.root.der].map(readCertificate), now)).toEqual([]);

    expect(root!.ca).toBe(true);
    expect(root!.checkIssued(root!)).toBe(true);
    expect(root!.verify(root!.publicKey)).toBe(true);
    expect(intermediate!.ca).toBe(true);
    expect(intermediate!.checkIssued(root!) && intermediate!.verify(root!.publicKey)).toBe(true);
    expect(leaf!.ca).toBe(false);
    expect(leaf!.checkIssued(leaf!)).toBe(false); // not self-signed
    expect(leaf!.checkIssued(intermediate!) && leaf!.verify(intermediate!.publicKey)).toBe(true);
    // node's keyUsage is the extended key usage list.
    expect(leaf!.keyUsage?.sort()).toEqual([OID.emailProtection, OID.documentSigning].sort());
    for (const certificate of [leaf, intermediate, root]) {
      expect(certificate!.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    }
    expect(leaf!.subject).toBe('CN=Mara Okafor (Shotline)\nO=Shotline local identity');
    expect(intermediate!.subject).toBe('CN=Mara Okafor (Shotline) Intermediate CA\nO=Shotline local identity');
    expect(root!.subject).toBe('CN=Mara Okafor (Shotline) Root CA\nO=Shotline local identity');

    // The leaf's key signs, and the leaf certificate verifies it.
    const message = Buffer.from('claim bytes');
    expect(verify('sha256', message, leaf!.publicKey, sign('sha256', message, chain.leaf.key))).toBe(true);
    expect(chain.leaf.key.type).toBe('private');
    expect(createPublicKey(chain.leaf.key).export({ type: 'spki', format: 'der' }).equals(leaf!.publicKey.export({ type: 'spki', format: 'der' }))).toBe(true);
  });

  it('has the extensions with the right criticality, SKI/AKI linking each certificate to its issuer', async () => {
    const chain = await createLocalChain('Mara', now);
    const [leaf, intermediate, root] = [chain.leaf, chain.intermediate, chain.root].map((c) => new x509.X509Certificate(c.der));
    const ext = (certificate: X509.X509Certificate) => ({
      basic: certificate.getExtension(x509.BasicConstraintsExtension)!,
      usage: certificate.getExtension(x509.KeyUsagesExtension)!,
      ski: certificate.getExtension(x509.SubjectKeyIdentifierExtension)!,
      aki: certificate.getExtension(x509.AuthorityKeyIdentifierExtension),
      eku: certificate.getExtension(x509.ExtendedKeyUsageExtension),
    });
    const r = ext(root!);
    expect([r.basic.ca, r.basic.critical, r.usage.critical]).toEqual([true, true, true]);
    expect(r.usage.usages).toBe(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign);
    const i = ext(intermediate!);
    expect([i.basic.ca, i.basic.pathLength, i.usage.usages]).toEqual([true, 0, x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign]);
    expect(i.aki?.keyId).toBe(r.ski.keyId);
    const l = ext(leaf!);
    expect([l.basic.ca, l.usage.critical, l.usage.usages]).toEqual([false, true, x509.KeyUsageFlags.digitalSignature]);
    expect(l.eku?.usages).toEqual([OID.emailProtection, OID.documentSigning]);
    expect(l.aki?.keyId).toBe(i.ski.keyId);
    expect(new Set([r.ski.keyId, i.ski.keyId, l.ski.keyId]).size).toBe(3);
    expect(leaf!.signatureAlgorithm).toMatchObject({ name: 'ECDSA', hash: { name: 'SHA-256' } });
  });

  it('lasts about 10, 5 and 1 year, each within its issuer, backdated a few minutes for clock skew', async () => {
    const chain = await createLocalChain('Mara', now);
    const [leaf, intermediate, root] = [chain.leaf, chain.intermediate, chain.root].map((c) => new x509.X509Certificate(c.der));
    const years = (c: X509.X509Certificate) => (c.notAfter.getTime() - now.getTime()) / (365.25 * DAY);
    expect(years(root!)).toBeCloseTo(10, 1);
    expect(years(intermediate!)).toBeCloseTo(5, 1);
    expect((leaf!.notAfter.getTime() - now.getTime()) / DAY).toBeCloseTo(LEAF_VALIDITY_DAYS, 3);
    for (const c of [leaf, intermediate, root]) {
      expect(c!.notBefore.getTime()).toBeLessThan(now.getTime());
      expect(now.getTime() - c!.notBefore.getTime()).toBeLessThanOrEqual(15 * 60_000);
    }
    // A leaf renewed late in the intermediate's life ends with it.
    const late = new Date(intermediate!.notAfter.getTime() - 100 * DAY);
    const renewed = new x509.X509Certificate((await createLeaf('Mara', { der: chain.intermediate.der, key: chain.intermediate.key }, late)).der);
    expect(renewed.notAfter.getTime()).toBe(intermediate!.notAfter.getTime());
  });

  it('builds names from values: commas, quotes and equals signs stay text, control characters go, long names are cut to 64', async () => {
    const name = 'Ann O\'Neil, "Director", O=Evil+CN=x';
    const root = await createRoot(name, now);
    const certificate = new x509.X509Certificate(root.der);
    expect(certificate.subjectName.getField('CN')).toEqual([`${name} (Shotline) Root CA`]);
    expect(certificate.subjectName.getField('O')).toEqual(['Shotline local identity']);
    expect(commonName('Zoë\u0007 Ünal\n', 'leaf')).toBe('Zoë Ünal (Shotline)');
    expect(commonName('   ', 'leaf')).toBe('Shotline user (Shotline)');
    const long = commonName('x'.repeat(200), 'intermediate');
    expect([...long].length).toBe(64);
    expect(long.endsWith('… (Shotline) Intermediate CA')).toBe(true);
  });

  it('gives each certificate a fresh key and a positive 128-bit serial', async () => {
    const a = await createLocalChain('A', now);
    const b = await createLocalChain('A', now);
    const serial = (der: Uint8Array) => new x509.X509Certificate(der).serialNumber;
    expect(serial(a.leaf.der)).not.toBe(serial(b.leaf.der));
    expect(serial(a.leaf.der)).toMatch(/^[0-7][0-9a-f]{31}$/);
    expect(a.leaf.key.export({ format: 'jwk' }).d).not.toBe(b.leaf.key.export({ format: 'jwk' }).d);
  });
});

describe('the rule checker names what a chain breaks', () => {
  type Options = { ca?: boolean; usages?: number; usageCritical?: boolean; ekus?: string[] | null; ski?: boolean; aki?: boolean; selfSigned?: boolean };

  async function badLeaf(options: Options) {
    const root = await createRoot('Test', now);
    const intermediate = await createIntermediate('Test', root, now);
    const keys = (await subtle.generateKey(ES256, true, ['sign', 'verify'])) as CryptoKeyPair;
    const intermediateKey = (await subtle.importKey('pkcs8', intermediate.key.export({ type: 'pkcs8', format: 'der' }), { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign'])) as CryptoKey;
    const issuerCertificate = new x509.X509Certificate(intermediate.der);
    const extensions: X509.Extension[] = [new x509.BasicConstraintsExtension(options.ca ?? false, undefined, true), new x509.KeyUsagesExtension(options.usages ?? x509.KeyUsageFlags.digitalSignature, options.usageCritical ?? true)];
    if (options.ekus !== null) extensions.push(new x509.ExtendedKeyUsageExtension(options.ekus ?? [OID.documentSigning]));
    if (options.ski !== false) extensions.push(await x509.SubjectKeyIdentifierExtension.create(keys.publicKey));
    if (options.aki !== false) extensions.push(new x509.AuthorityKeyIdentifierExtension(issuerCertificate.getExtension(x509.SubjectKeyIdentifierExtension)!.keyId));
    const common = { serialNumber: '01', notBefore: new Date(now.getTime() - DAY), notAfter: new Date(now.getTime() + DAY), signingAlgorithm: ES256, extensions };
    const leaf = options.selfSigned
      ? await x509.X509CertificateGenerator.createSelfSigned({ ...common, name: 'CN=Bad leaf', keys })
      : await x509.X509CertificateGenerator.create({ ...common, subject: 'CN=Bad leaf', issuer: issuerCertificate.subjectName, publicKey: keys.publicKey, signingKey: intermediateKey });
    return [new Uint8Array(leaf.rawData), intermediate.der, root.der].map(readCertificate);
  }

  const cases: [string, Options, RegExp][] = [
    ['a CA leaf', { ca: true }, /signing certificate "Bad leaf" is a CA certificate/],
    ['no digitalSignature', { usages: x509.KeyUsageFlags.nonRepudiation }, /lacks digitalSignature/],
    ['a keyUsage that is not critical', { usageCritical: false }, /keyUsage extension that is not marked critical/],
    ['no extendedKeyUsage', { ekus: null }, /has no extendedKeyUsage/],
    ['only serverAuth', { ekus: ['1.3.6.1.5.5.7.3.1'] }, /neither emailProtection .* nor documentSigning/],
    ['anyExtendedKeyUsage', { ekus: [OID.documentSigning, OID.anyExtendedKeyUsage] }, /anyExtendedKeyUsage, which C2PA forbids/],
    ['no SKI', { ski: false }, /"Bad leaf" has no subjectKeyIdentifier/],
    ['no AKI', { aki: false }, /"Bad leaf" has no authorityKeyIdentifier/],
  ];
  for (const [label, options, problem] of cases) {
    it(label, async () => {
      const problems = chainProblems(await badLeaf(options), now);
      expect(problems.join('\n')).toMatch(problem);
      expect(problems).toHaveLength(1);
    });
  }

  it('a self-signed leaf, an expired leaf, a chain without its root, a broken link', async () => {
    const selfSigned = await badLeaf({ selfSigned: true, aki: false });
    expect(chainProblems(selfSigned.slice(0, 1), now).join('\n')).toMatch(/is self-signed: C2PA requires a signing certificate issued by a CA/);
    const good = await badLeaf({});
    expect(chainProblems(good, now)).toEqual([]);
    expect(chainProblems(good, new Date(now.getTime() + 2 * DAY)).join('\n')).toMatch(/signing certificate "Bad leaf" expired on/);
    expect(chainProblems(good.slice(0, 2), now).join('\n')).toMatch(/not a self-signed root: include the root certificate/);
    const other = await createLocalChain('Other', now);
    expect(chainProblems([good[0]!, good[1]!, readCertificate(other.root.der)], now).join('\n')).toMatch(/root certificate "Other \(Shotline\) Root CA" did not issue the intermediate certificate/);
  });

  it('an RSA leaf', async () => {
    const root = await createRoot('Test', now);
    const intermediate = await createIntermediate('Test', root, now);
    const rsa = (await subtle.generateKey({ name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, true, ['sign', 'verify'])) as CryptoKeyPair;
    const issuer = new x509.X509Certificate(intermediate.der);
    const leaf = await x509.X509CertificateGenerator.create({
      subject: 'CN=RSA leaf',
      issuer: issuer.subjectName,
      publicKey: rsa.publicKey,
      signingKey: (await subtle.importKey('pkcs8', intermediate.key.export({ type: 'pkcs8', format: 'der' }), { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign'])) as CryptoKey,
      signingAlgorithm: ES256,
      notBefore: now,
      notAfter: new Date(now.getTime() + DAY),
      extensions: [
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([OID.emailProtection]),
        await x509.SubjectKeyIdentifierExtension.create(rsa.publicKey),
        new x509.AuthorityKeyIdentifierExtension(issuer.getExtension(x509.SubjectKeyIdentifierExtension)!.keyId),
      ],
    });
    const problems = chainProblems([new Uint8Array(leaf.rawData), intermediate.der, root.der].map(readCertificate), new Date(now.getTime() + 1000));
    expect(problems).toEqual([expect.stringMatching(/"RSA leaf" has a RSA key: Shotline signs with ES256, which needs an EC P-256 key/)]);
  });

  it('orders a shuffled chain from the key, and drops unrelated certificates', async () => {
    const chain = await createLocalChain('Order', now);
    const stranger = await createRoot('Stranger', now);
    const shuffled = [chain.root.der, stranger.der, chain.leaf.der, chain.intermediate.der].map(readCertificate);
    const spki = createPublicKey(chain.leaf.key).export({ type: 'spki', format: 'der' });
    expect(orderChain(shuffled, spki).map((c) => c.der)).toEqual([chain.leaf.der, chain.intermediate.der, chain.root.der]);
    expect(orderChain([chain.root.der, chain.leaf.der, chain.intermediate.der].map(readCertificate)).map((c) => c.der)).toEqual([chain.leaf.der, chain.intermediate.der, chain.root.der]);
    const otherKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'der' });
    expect(() => orderChain(shuffled, otherKey)).toThrow(/no certificate holds the public key/);
  });
});
