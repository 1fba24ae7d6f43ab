/**
 * The generated identity as openssl sees it: the chain verifies under -x509_strict, and
 * `openssl x509 -text` shows every extension C2PA validators look for, on each
 * certificate, including after a renewal.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemorySecretStore } from '../../src/main/secrets/keychain';
import { ensureIdentity, loadSigningIdentity, renewLeaf, type IdentityContext } from '../../src/main/provenance/identity';
import { toPem } from '../../src/main/provenance/identity/identity-files';

const run = promisify(execFile);
let dir: string;
let context: IdentityContext;

async function openssl(args: string[]): Promise<string> {
  const { stdout, stderr } = await run('openssl', args, { cwd: dir });
  return stdout + stderr;
}

async function writeChain(): Promise<void> {
  const identity = await loadSigningIdentity(context);
  await writeFile(path.join(dir, 'leaf.pem'), toPem(identity.chainDer[0]!));
  await writeFile(path.join(dir, 'intermediate.pem'), toPem(identity.chainDer[1]!));
  await writeFile(path.join(dir, 'root.pem'), identity.rootPem);
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'shotline-identity-openssl-'));
  context = { dataDir: path.join(dir, 'data'), secrets: new MemorySecretStore() };
  await ensureIdentity({ ...context, operatorName: 'Mara Okafor, "DP"' });
  await writeChain();
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('openssl', () => {
  it('verifies the chain strictly', async () => {
    expect(await openssl(['verify', '-x509_strict', '-purpose', 'any', '-CAfile', 'root.pem', '-untrusted', 'intermediate.pem', 'leaf.pem'])).toMatch(/leaf\.pem: OK/);
    expect(await openssl(['verify', '-x509_strict', '-purpose', 'any', '-CAfile', 'root.pem', 'intermediate.pem'])).toMatch(/intermediate\.pem: OK/);
    expect(await openssl(['verify', '-x509_strict', '-check_ss_sig', '-CAfile', 'root.pem', 'root.pem'])).toMatch(/root\.pem: OK/);
    // The leaf is not a CA: nothing it issued could verify.
    await expect(openssl(['verify', '-x509_strict', '-CAfile', 'root.pem', 'leaf.pem'])).rejects.toThrow(/unable to get local issuer certificate/);
  });

  it('shows the extensions on each certificate', async () => {
    const leaf = await openssl(['x509', '-in', 'leaf.pem', '-noout', '-text']);
    expect(leaf).toMatch(/Signature Algorithm: ecdsa-with-SHA256/);
    expect(leaf).toMatch(/NIST CURVE: P-256/);
    expect(leaf).toMatch(/X509v3 Basic Constraints: critical\s+CA:FALSE/);
    expect(leaf).toMatch(/X509v3 Key Usage: critical\s+Digital Signature\n/);
    expect(leaf).toMatch(/X509v3 Extended Key Usage: ?\s+E-mail Protection, 1\.3\.6\.1\.5\.5\.7\.3\.36/);
    expect(leaf).toMatch(/X509v3 Subject Key Identifier/);
    expect(leaf).toMatch(/X509v3 Authority Key Identifier/);
    expect(leaf).toMatch(/Subject: CN = "Mara Okafor, \\"DP\\" \(Shotline\)", O = Shotline local identity/);

    const intermediate = await openssl(['x509', '-in', 'intermediate.pem', '-noout', '-text']);
    expect(intermediate).toMatch(/X509v3 Basic Constraints: critical\s+CA:TRUE, pathlen:0/);
    expect(intermediate).toMatch(/X509v3 Key Usage: critical\s+Certificate Sign, CRL Sign/);
    expect(intermediate).toMatch(/X509v3 Authority Key Identifier/);

    const root = await openssl(['x509', '-in', 'root.pem', '-noout', '-text']);
    expect(root).toMatch(/X509v3 Basic Constraints: critical\s+CA:TRUE\n/);
    expect(root).toMatch(/X509v3 Key Usage: critical\s+Certificate Sign, CRL Sign/);
    expect(root).toMatch(/X509v3 Subject Key Identifier/);
    expect(root).not.toMatch(/Authority Key Identifier/);

    // SKI of each issuer = AKI of what it issued.
    const id = async (file: string, what: 'Subject' | 'Authority') =>
      new RegExp(`X509v3 ${what} Key Identifier: ?\\s+(?:keyid:)?([0-9A-F:]+)`).exec(await openssl(['x509', '-in', file, '-noout', '-text']))![1];
    expect(await id('leaf.pem', 'Authority')).toBe(await id('intermediate.pem', 'Subject'));
    expect(await id('intermediate.pem', 'Authority')).toBe(await id('root.pem', 'Subject'));
  });

  it('still verifies after the leaf is renewed', async () => {
    await renewLeaf(context);
    await writeChain();
    expect(await openssl(['verify', '-x509_strict', '-purpose', 'any', '-CAfile', 'root.pem', '-untrusted', 'intermediate.pem', 'leaf.pem'])).toMatch(/leaf\.pem: OK/);
  });
});
