/**
 * The identity service with an in-memory keychain: created once on first use, the same
 * identity afterwards (also under concurrent first use), keys only in the keychain and
 * never on disk or in an error, a clear refusal when the keychain is away, renewal of
 * the leaf (and of the intermediate) under a stable root, the report's sentences, the
 * TSA setting, and import over an existing identity only when asked.
 */
import { createPrivateKey, sign, verify, X509Certificate } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MemorySecretStore, KeychainUnavailableError, type SecretStore } from '../../src/main/secrets/keychain';
import {
  ensureIdentity,
  exportRoot,
  IdentityError,
  IdentityKeychainError,
  importIdentity,
  loadSigningIdentity,
  NoIdentityError,
  renewLeaf,
  setTimestampAuthority,
  showIdentity,
  TimestampError,
  type IdentityContext,
} from '../../src/main/provenance/identity';
import { createLocalChain } from '../../src/main/provenance/identity/certificates';
import { toPem } from '../../src/main/provenance/identity/identity-files';

const DAY = 86_400_000;
const start = new Date('2026-11-22T12:00:00Z');
const dirs: string[] = [];

function fresh(clock: () => Date = () => start, secrets: SecretStore = new MemorySecretStore()): IdentityContext & { secrets: SecretStore } {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'shotline identity ünï '));
  dirs.push(dataDir);
  return { dataDir, secrets, clock };
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Every file under `dir`, as bytes. */
function filesUnder(dir: string): Buffer[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(full) : [readFileSync(full)];
  });
}

/** Each form a private key could be written in: PEM body, PKCS#8 and SEC1 DER, the raw scalar. */
function keyForms(pem: string): Buffer[] {
  const key = createPrivateKey(pem);
  const body = pem.split('\n').filter((line) => line && !line.startsWith('-----')).join('');
  return [Buffer.from(body), key.export({ type: 'pkcs8', format: 'der' }), key.export({ type: 'sec1', format: 'der' }), Buffer.from(key.export({ format: 'jwk' }).d!, 'base64url'), Buffer.from(key.export({ format: 'jwk' }).d!)];
}

describe('creating and loading', () => {
  it('creates a local identity once, keys in the keychain only, and signs with it', async () => {
    const context = fresh();
    const report = await ensureIdentity({ ...context, operatorName: 'Mara Okafor' });
    expect(report.source).toBe('local');
    expect(report.operator).toBe('Mara Okafor');
    expect(report.certificates.map((c) => [c.role, c.name])).toEqual([
      ['leaf', 'Mara Okafor (Shotline)'],
      ['intermediate', 'Mara Okafor (Shotline) Intermediate CA'],
      ['root', 'Mara Okafor (Shotline) Root CA'],
    ]);
    expect(report.renewable).toBe(true);
    expect(readdirSync(path.join(context.dataDir, 'identity')).sort()).toEqual(['chain.pem', 'identity.json']);
    const metadata = JSON.parse(readFileSync(path.join(context.dataDir, 'identity', 'identity.json'), 'utf8'));
    expect(metadata).toMatchObject({ version: 1, id: report.id, operator: 'Mara Okafor', source: 'local', tsaUrl: null, created: start.toISOString() });
    const secrets = (context.secrets as MemorySecretStore).secrets;
    expect([...secrets.keys()].sort()).toEqual([`identity:${report.id}:intermediate-key`, `identity:${report.id}:leaf-key`, `identity:${report.id}:root-key`]);

    // Asked again: the same identity.
    const again = await ensureIdentity({ ...context, operatorName: 'Someone Else' });
    expect(again.leaf.sha256Fingerprint).toBe(report.leaf.sha256Fingerprint);
    expect(again.operator).toBe('Mara Okafor');

    const identity = await loadSigningIdentity(context);
    expect(identity.chainDer).toHaveLength(2);
    expect(identity.leafFingerprint).toBe(report.leaf.sha256Fingerprint);
    expect(identity.signer.certificateChain).toBe(identity.chainDer);
    expect(identity.signer.privateKey).toBe(identity.leafKey);
    expect(identity.signer.timestamp).toBeUndefined();
    const leaf = new X509Certificate(Buffer.from(identity.chainDer[0]!));
    const message = Buffer.from('a claim');
    expect(verify('sha256', message, { key: leaf.publicKey, dsaEncoding: 'ieee-p1363' }, sign('sha256', message, { key: identity.leafKey, dsaEncoding: 'ieee-p1363' }))).toBe(true);
    expect(identity.rootPem).toBe(await exportRoot(context));
    expect(new X509Certificate(identity.rootPem).subject).toMatch(/Root CA/);
    expect(readFileSync(report.chainPath, 'utf8').match(/BEGIN CERTIFICATE/g)).toHaveLength(3);

    // No key, in any form, anywhere in the data directory.
    const files = filesUnder(context.dataDir);
    for (const pem of secrets.values()) for (const form of keyForms(pem)) for (const file of files) expect(file.includes(form)).toBe(false);
    for (const file of files) expect(file.toString('latin1')).not.toMatch(/PRIVATE KEY/);
  });

  it('makes one identity when first uses race', async () => {
    const context = fresh();
    const reports = await Promise.all(Array.from({ length: 6 }, (_, i) => ensureIdentity({ ...context, operatorName: `racer ${i}` })));
    expect(new Set(reports.map((r) => r.id)).size).toBe(1);
    expect((context.secrets as MemorySecretStore).secrets.size).toBe(3);
    expect(existsSync(path.join(context.dataDir, 'identity', '.lock'))).toBe(false);
  });

  it('refuses to create an identity without a keychain, and writes nothing', async () => {
    const failing: SecretStore = {
      readAll: async () => new Map(),
      write: async () => {
        throw new KeychainUnavailableError("Couldn't access platform storage");
      },
      remove: async () => false,
    };
    const context = fresh(undefined, failing);
    const error = await ensureIdentity({ ...context, operatorName: 'X' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IdentityKeychainError);
    expect((error as Error).message).toMatch(/cannot create a signing identity: the OS keychain cannot be reached \(Couldn't access platform storage\).*never in a file.*--no-sign/s);
    expect(existsSync(path.join(context.dataDir, 'identity', 'chain.pem'))).toBe(false);
    expect(existsSync(path.join(context.dataDir, 'identity', 'identity.json'))).toBe(false);
    expect(await showIdentity(context)).toBeNull();
  });

  it('says so when there is no identity, or when its key is not in this keychain', async () => {
    const context = fresh();
    await expect(loadSigningIdentity(context)).rejects.toBeInstanceOf(NoIdentityError);
    await expect(exportRoot(context)).rejects.toThrow(/no signing identity in .* yet/);
    const report = await ensureIdentity({ ...context, operatorName: 'Mara' });
    const elsewhere = { ...context, secrets: new MemorySecretStore() };
    await expect(loadSigningIdentity(elsewhere)).rejects.toThrow(new RegExp(`leaf key of this signing identity is not in the OS keychain \\(account identity:${report.id}:leaf-key\\)`));
  });

  it('refuses a keychain key that does not belong to the leaf, without quoting either key', async () => {
    const context = fresh();
    const report = await ensureIdentity({ ...context, operatorName: 'Mara' });
    const other = await createLocalChain('Other', start);
    const otherPem = other.leaf.key.export({ type: 'pkcs8', format: 'pem' }).toString();
    await context.secrets.write(`identity:${report.id}:leaf-key`, otherPem);
    const error = (await loadSigningIdentity(context).catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(/signing key in the keychain does not belong to the signing certificate "Mara \(Shotline\)"/);
    for (const form of keyForms(otherPem)) expect(error.message.includes(form.toString('latin1'))).toBe(false);
  });
});

describe('renewal', () => {
  it('renews a local leaf within 30 days of its end, from the stored intermediate, keeping the root', async () => {
    let now = start;
    const context = fresh(() => now);
    const first = await ensureIdentity({ ...context, operatorName: 'Mara' });
    now = new Date(start.getTime() + 300 * DAY);
    expect((await ensureIdentity({ ...context, operatorName: 'Mara' })).leaf.sha256Fingerprint).toBe(first.leaf.sha256Fingerprint);
    now = new Date(start.getTime() + 340 * DAY);
    const renewed = await ensureIdentity({ ...context, operatorName: 'Mara' });
    expect(renewed.leaf.sha256Fingerprint).not.toBe(first.leaf.sha256Fingerprint);
    expect(renewed.certificates[1]!.sha256Fingerprint).toBe(first.certificates[1]!.sha256Fingerprint);
    expect(renewed.root.sha256Fingerprint).toBe(first.root.sha256Fingerprint);
    expect(renewed.renewed).toBe(now.toISOString());
    expect(new Date(renewed.leaf.notAfter).getTime()).toBeGreaterThan(now.getTime() + 360 * DAY);
    const identity = await loadSigningIdentity(context);
    expect(identity.leafFingerprint).toBe(renewed.leaf.sha256Fingerprint);
    expect(new X509Certificate(Buffer.from(identity.chainDer[0]!)).verify(new X509Certificate(Buffer.from(identity.chainDer[1]!)).publicKey)).toBe(true);
  });

  it('renews the intermediate from the root when it is near its own end; the root stays', async () => {
    let now = start;
    const context = fresh(() => now);
    const first = await ensureIdentity({ ...context, operatorName: 'Mara' });
    now = new Date(new Date(first.certificates[1]!.notAfter).getTime() - 20 * DAY);
    const renewed = await renewLeaf(context);
    expect(renewed.certificates[1]!.sha256Fingerprint).not.toBe(first.certificates[1]!.sha256Fingerprint);
    expect(renewed.root.sha256Fingerprint).toBe(first.root.sha256Fingerprint);
    expect(new Date(renewed.leaf.notAfter).getTime()).toBeGreaterThan(now.getTime() + 360 * DAY);
    const identity = await loadSigningIdentity(context);
    const [leaf, intermediate] = identity.chainDer.map((der) => new X509Certificate(Buffer.from(der)));
    const root = new X509Certificate(identity.rootPem);
    expect(leaf!.verify(intermediate!.publicKey) && intermediate!.verify(root.publicKey)).toBe(true);
  });

  it('an expired leaf is reported, and renewed on next use', async () => {
    let now = start;
    const context = fresh(() => now);
    await ensureIdentity({ ...context, operatorName: 'Mara' });
    now = new Date(start.getTime() + 400 * DAY);
    const shown = (await showIdentity(context))!;
    expect(shown.leaf.expired).toBe(true);
    expect(shown.summary).toMatch(/expired on 2027-11-22; Shotline renews it the next time it signs/);
    const renewed = await ensureIdentity({ ...context, operatorName: 'Mara' });
    expect(renewed.leaf.expired).toBe(false);
  });
});

describe('show, timestamp authority, import', () => {
  it('says until when signatures validate, with and without a timestamp authority', async () => {
    const context = fresh();
    const report = await ensureIdentity({ ...context, operatorName: 'Mara' });
    expect(report.signaturesValidUntil).toBe(report.leaf.notAfter);
    expect(report.summary).toMatch(/^No timestamp authority is configured, so files signed now stop validating on 2027-11-22/);
    for (const c of report.certificates) {
      expect(c.sha256Fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
      expect(c.subject).toContain('O=Shotline local identity');
    }
    expect(report.leaf.issuer).toBe(report.certificates[1]!.subject);

    const withTsa = await setTimestampAuthority(context, 'http://timestamp.example.org/tsa');
    expect(withTsa.tsaUrl).toBe('http://timestamp.example.org/tsa');
    expect(withTsa.signaturesValidUntil).toBeNull();
    expect(withTsa.summary).toMatch(/trusted timestamp from timestamp\.example\.org, so files signed now stay valid after the signing certificate expires on 2027-11-22/);
    expect((await loadSigningIdentity(context)).signer.timestamp).toBeTypeOf('function');
    expect((await showIdentity(context))!.tsaUrl).toBe('http://timestamp.example.org/tsa');

    await expect(setTimestampAuthority(context, 'https://user:hunter2@tsa.example.org/')).rejects.toThrow(/must not contain a user name or password/);
    await expect(setTimestampAuthority(context, 'https://user:hunter2@tsa.example.org/')).rejects.not.toThrow(/hunter2/);
    await expect(setTimestampAuthority(context, 'ftp://tsa.example.org/')).rejects.toBeInstanceOf(TimestampError);
    await expect(setTimestampAuthority(context, 'not a url')).rejects.toThrow(/not a valid URL/);

    const cleared = await setTimestampAuthority(context, null);
    expect(cleared.tsaUrl).toBeNull();
    expect(cleared.signaturesValidUntil).toBe(report.leaf.notAfter);
  });

  it('imports over an existing identity only when asked, and then drops the old keys', async () => {
    const context = fresh();
    const local = await ensureIdentity({ ...context, operatorName: 'Mara' });
    await setTimestampAuthority(context, 'http://tsa.example.org/');
    const mine = await createLocalChain('Studio Nine', start);
    const input = { chainPem: [mine.leaf, mine.intermediate, mine.root].map((c) => toPem(c.der)).join(''), keyPem: mine.leaf.key.export({ type: 'pkcs8', format: 'pem' }).toString() };
    const refused = (await importIdentity(context, input).catch((e: unknown) => e)) as Error;
    expect(refused).toBeInstanceOf(IdentityError);
    expect(refused.message).toMatch(new RegExp(`a signing identity exists already \\(root "Mara \\(Shotline\\) Root CA", SHA-256 ${local.root.sha256Fingerprint}\\)`));

    const imported = await importIdentity(context, { ...input, replace: true });
    expect(imported.source).toBe('imported');
    expect(imported.operator).toBe('Studio Nine (Shotline)');
    expect(imported.renewable).toBe(false);
    expect(imported.tsaUrl).toBe('http://tsa.example.org/');
    expect(imported.root.sha256Fingerprint).not.toBe(local.root.sha256Fingerprint);
    expect([...(context.secrets as MemorySecretStore).secrets.keys()]).toEqual([`identity:${imported.id}:leaf-key`]);
    const identity = await loadSigningIdentity(context);
    expect(identity.leafKey.export({ format: 'jwk' }).d).toBe(mine.leaf.key.export({ format: 'jwk' }).d);
    await expect(renewLeaf(context)).rejects.toThrow(/imported identity cannot be renewed by Shotline/);
    for (const form of keyForms(input.keyPem)) for (const file of filesUnder(context.dataDir)) expect(file.includes(form)).toBe(false);
    expect(statSync(path.join(context.dataDir, 'identity', 'chain.pem')).isFile()).toBe(true);
  });

  it('refuses an import whose key is not the leaf\'s, or not P-256, without quoting the key', async () => {
    const context = fresh();
    const mine = await createLocalChain('Studio', start);
    const other = await createLocalChain('Other', start);
    const chainPem = [mine.leaf, mine.intermediate, mine.root].map((c) => toPem(c.der)).join('');
    const wrongPem = other.leaf.key.export({ type: 'pkcs8', format: 'pem' }).toString();
    const wrong = (await importIdentity(context, { chainPem, keyPem: wrongPem }).catch((e: unknown) => e)) as Error;
    expect(wrong.message).toMatch(/the private key does not match the certificates: no certificate holds the public key of the private key given/);
    for (const form of keyForms(wrongPem)) expect(wrong.message.includes(form.toString('latin1'))).toBe(false);
    await expect(importIdentity(context, { chainPem, keyPem: '-----BEGIN PRIVATE KEY-----\nnot base64 at all\n-----END PRIVATE KEY-----\n' })).rejects.toThrow(/the private key cannot be used: it is not a readable private key/);
    await expect(importIdentity(context, { chainPem: 'nothing', keyPem: wrongPem })).rejects.toThrow(/holds no PEM certificate/);
    expect(await showIdentity(context)).toBeNull();
  });
});
