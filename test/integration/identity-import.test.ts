/**
 * Importing the user's own identity, made with openssl as a CA or a user would make it:
 * PEM chain + key (plain and encrypted), PKCS#12 with AES (OpenSSL 3's default), with
 * triple DES (older exports), and with RC2 (-legacy: refused, saying how to re-export);
 * a wrong password, an RSA key, a P-384 key, a key that is not the leaf's, a leaf without
 * the extended key usage C2PA needs, and a chain without its root each refused with the
 * rule named. The key goes to the keychain only, and the imported identity signs.
 */
import { execFile } from 'node:child_process';
import { createPrivateKey, sign, verify, X509Certificate } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemorySecretStore } from '../../src/main/secrets/keychain';
import { IdentityError, importIdentity, importPkcs12, loadSigningIdentity, showIdentity, type IdentityContext } from '../../src/main/provenance/identity';
import { OPENSSL_EXTENSIONS } from '../support/openssl-extensions';

const run = promisify(execFile);
let dir: string;
let dataDirs = 0;

async function openssl(args: string[]): Promise<void> {
  await run('openssl', args, { cwd: dir, env: { ...process.env, OPENSSL_CONF: path.join(dir, 'empty.cnf') } });
}
const text = (name: string) => readFile(path.join(dir, name), 'utf8');
const bytes = async (name: string) => new Uint8Array(await readFile(path.join(dir, name)));

async function key(name: string, kind: 'p256' | 'p384' | 'rsa' = 'p256'): Promise<void> {
  const options = kind === 'rsa' ? ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'] : ['-algorithm', 'EC', '-pkeyopt', `ec_paramgen_curve:${kind === 'p256' ? 'P-256' : 'P-384'}`];
  await openssl(['genpkey', ...options, '-out', `${name}.key`]);
}

async function issue(name: string, subject: string, issuer: string, extensions: string): Promise<void> {
  await openssl(['req', '-new', '-key', `${name}.key`, '-subj', subject, '-out', `${name}.csr`]);
  await openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', `${issuer}.pem`, '-CAkey', `${issuer}.key`, '-set_serial', String(Math.floor(Math.random() * 1e9) + 2), '-days', '365', '-sha256', '-extfile', 'ext.cnf', '-extensions', extensions, '-out', `${name}.pem`]);
}

function context(): IdentityContext & { secrets: MemorySecretStore } {
  return { dataDir: path.join(dir, `data ${++dataDirs}`), secrets: new MemorySecretStore() };
}

async function chainOf(...names: string[]): Promise<string> {
  return (await Promise.all(names.map((name) => text(`${name}.pem`)))).join('');
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(IdentityError);
  return (error as Error).message;
}

/** Each form the key could be written in: PKCS#8 DER, the raw scalar, a line of its PEM body. */
function keyForms(keyPem: string): Buffer[] {
  const keyObject = createPrivateKey(keyPem);
  return [keyObject.export({ type: 'pkcs8', format: 'der' }), Buffer.from(keyObject.export({ format: 'jwk' }).d!, 'base64url'), Buffer.from(keyPem.split('\n')[1]!)];
}

/** The identity folder and the messages hold no trace of the key. */
async function expectNoKeyIn(dataDir: string | null, keyPem: string, messages: string[] = []): Promise<void> {
  const folder = dataDir ? path.join(dataDir, 'identity') : null;
  const files = folder ? await Promise.all((await readdir(folder)).map((name) => readFile(path.join(folder, name)))) : [];
  for (const form of keyForms(keyPem)) {
    for (const file of files) expect(file.includes(form)).toBe(false);
    for (const message of messages) expect(message.includes(form.toString('latin1'))).toBe(false);
  }
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'shotline-identity-import-'));
  await writeFile(path.join(dir, 'empty.cnf'), '');
  await writeFile(path.join(dir, 'ext.cnf'), OPENSSL_EXTENSIONS);
  await Promise.all([key('root'), key('intermediate'), key('leaf'), key('other'), key('rsa', 'rsa'), key('p384', 'p384')]);
  await openssl(['req', '-new', '-x509', '-key', 'root.key', '-subj', '/CN=Studio Nine Root/O=Studio Nine', '-days', '3650', '-sha256', '-config', 'ext.cnf', '-extensions', 'root', '-out', 'root.pem']);
  await issue('intermediate', '/CN=Studio Nine Signing CA/O=Studio Nine', 'root', 'intermediate');
  await issue('leaf', '/CN=Studio Nine Signer/O=Studio Nine', 'intermediate', 'leaf');
  await issue('rsa', '/CN=RSA Signer/O=Studio Nine', 'intermediate', 'leaf');
  await issue('p384', '/CN=P-384 Signer/O=Studio Nine', 'intermediate', 'leaf');
  await issue('other', '/CN=No EKU Signer/O=Studio Nine', 'intermediate', 'leaf_no_eku');
  await writeFile(path.join(dir, 'chain.pem'), await chainOf('intermediate', 'root'));
  // PKCS#12 files: AES (default), triple DES, RC2 (-legacy), with a unicode password.
  const p12 = (out: string, extra: string[], pass = 'correct horse') => openssl(['pkcs12', '-export', '-inkey', 'leaf.key', '-in', 'leaf.pem', '-certfile', 'chain.pem', '-passout', `pass:${pass}`, ...extra, '-out', out]);
  await p12('aes.p12', []);
  await p12('3des.p12', ['-keypbe', 'PBE-SHA1-3DES', '-certpbe', 'PBE-SHA1-3DES', '-macalg', 'sha1']);
  await p12('legacy.p12', ['-legacy']);
  await p12('unicode.p12', [], 'pässwörd ✓');
  await openssl(['pkcs12', '-export', '-inkey', 'rsa.key', '-in', 'rsa.pem', '-certfile', 'chain.pem', '-passout', 'pass:pw', '-out', 'rsa.p12']);
  await openssl(['pkcs12', '-export', '-nokeys', '-in', 'leaf.pem', '-certfile', 'chain.pem', '-passout', 'pass:pw', '-out', 'nokey.p12']);
  await openssl(['pkcs8', '-topk8', '-in', 'leaf.key', '-v2', 'aes-256-cbc', '-passout', 'pass:key secret', '-out', 'leaf.enc.key']);
}, 60_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('PEM', () => {
  it('imports a chain in any order with its key, and signs with it', async () => {
    const ctx = context();
    const keyPem = await text('leaf.key');
    const report = await importIdentity(ctx, { chainPem: await chainOf('root', 'leaf', 'intermediate'), keyPem });
    expect(report.source).toBe('imported');
    expect(report.certificates.map((c) => [c.role, c.name])).toEqual([
      ['leaf', 'Studio Nine Signer'],
      ['intermediate', 'Studio Nine Signing CA'],
      ['root', 'Studio Nine Root'],
    ]);
    expect(report.operator).toBe('Studio Nine Signer');
    const identity = await loadSigningIdentity(ctx);
    const message = Buffer.from('claim');
    expect(verify('sha256', message, new X509Certificate(await text('leaf.pem')).publicKey, sign('sha256', message, identity.leafKey))).toBe(true);
    expect(identity.rootPem.replace(/\s+/g, '')).toBe((await text('root.pem')).replace(/\s+/g, ''));
    expect([...ctx.secrets.secrets.keys()]).toEqual([`identity:${report.id}:leaf-key`]);
    await expectNoKeyIn(ctx.dataDir, keyPem);
  });

  it('an encrypted key with its passphrase; without it, or with a wrong one, a clear refusal', async () => {
    const chainPem = await chainOf('leaf', 'intermediate', 'root');
    const keyPem = await text('leaf.enc.key');
    expect((await importIdentity(context(), { chainPem, keyPem, keyPassphrase: 'key secret' })).leaf.name).toBe('Studio Nine Signer');
    expect(await refusal(importIdentity(context(), { chainPem, keyPem }))).toMatch(/the private key is encrypted: give its passphrase/);
    const wrong = await refusal(importIdentity(context(), { chainPem, keyPem, keyPassphrase: 'nope' }));
    expect(wrong).toMatch(/the private key cannot be used: the passphrase does not decrypt it/);
  });

  it('refuses an RSA key and a P-384 key: Shotline signs ES256', async () => {
    const chainPem = await chainOf('intermediate', 'root');
    const rsa = await refusal(importIdentity(context(), { chainPem: (await text('rsa.pem')) + chainPem, keyPem: await text('rsa.key') }));
    expect(rsa).toMatch(/the private key is an RSA key \(2048 bits\): Shotline signs content credentials with ES256, which needs an EC P-256 \(prime256v1\) key/);
    const p384 = await refusal(importIdentity(context(), { chainPem: (await text('p384.pem')) + chainPem, keyPem: await text('p384.key') }));
    expect(p384).toMatch(/the private key is an EC key on secp384r1/);
  });

  it('refuses a key that is not the leaf\'s, a leaf without the right extended key usage, a chain without its root', async () => {
    const ctx = context();
    const otherKey = await text('other.key');
    const mismatch = await refusal(importIdentity(ctx, { chainPem: await chainOf('leaf', 'intermediate', 'root'), keyPem: otherKey }));
    expect(mismatch).toMatch(/the private key does not match the certificates/);
    await expectNoKeyIn(null, otherKey, [mismatch]);

    const noEku = await refusal(importIdentity(context(), { chainPem: await chainOf('other', 'intermediate', 'root'), keyPem: otherKey }));
    expect(noEku).toMatch(/cannot sign content credentials that C2PA validators accept:\n {2}- the signing certificate "No EKU Signer" has no extendedKeyUsage: C2PA requires emailProtection/);

    const noRoot = await refusal(importIdentity(context(), { chainPem: await chainOf('leaf', 'intermediate'), keyPem: await text('leaf.key') }));
    expect(noRoot).toMatch(/the chain ends at "Studio Nine Signing CA", which is not a self-signed root: include the root certificate/);
    expect(await showIdentity(ctx)).toBeNull();
  });
});

describe('PKCS#12', () => {
  for (const [file, label] of [
    ['aes.p12', 'AES (OpenSSL 3 default)'],
    ['3des.p12', 'triple DES (older exports)'],
  ] as const) {
    it(`imports a ${label} file with its chain`, async () => {
      const ctx = context();
      const report = await importPkcs12(ctx, { bytes: await bytes(file), password: 'correct horse' });
      expect(report.certificates.map((c) => c.name)).toEqual(['Studio Nine Signer', 'Studio Nine Signing CA', 'Studio Nine Root']);
      const identity = await loadSigningIdentity(ctx);
      expect(identity.leafKey.export({ format: 'jwk' }).d).toBe(createPrivateKey(await text('leaf.key')).export({ format: 'jwk' }).d);
      await expectNoKeyIn(ctx.dataDir, await text('leaf.key'));
    });
  }

  it('a unicode password', async () => {
    expect((await importPkcs12(context(), { bytes: await bytes('unicode.p12'), password: 'pässwörd ✓' })).leaf.name).toBe('Studio Nine Signer');
  });

  it('a wrong password, an RC2 (-legacy) file, a file with no key, an RSA key, not a PKCS#12 file', async () => {
    const wrong = await refusal(importPkcs12(context(), { bytes: await bytes('aes.p12'), password: 'Correct horse' }));
    expect(wrong).toMatch(/the password does not open the PKCS#12 file \(its integrity check failed\): check the password/);
    expect(wrong).not.toMatch(/horse/);
    const legacy = await refusal(importPkcs12(context(), { bytes: await bytes('legacy.p12'), password: 'correct horse' }));
    expect(legacy).toMatch(/encrypted with 40-bit RC2, a legacy cipher .* Re-export it with AES/);
    expect(await refusal(importPkcs12(context(), { bytes: await bytes('nokey.p12'), password: 'pw' }))).toMatch(/holds no private key/);
    expect(await refusal(importPkcs12(context(), { bytes: await bytes('rsa.p12'), password: 'pw' }))).toMatch(/is an RSA key .* needs an EC P-256/);
    expect(await refusal(importPkcs12(context(), { bytes: await bytes('leaf.pem'), password: 'pw' }))).toMatch(/not a PKCS#12 \(\.p12\/\.pfx\) file/);
  });
});
