/**
 * The signing identity against a real Secret Service (gnome-keyring on a private D-Bus
 * session), each step in its own process as the CLI and the app would run it: create the
 * identity, find its keys in the keychain under service "Shotline" and nowhere on disk,
 * reopen it from a new process and sign with it, keep two data directories' identities
 * apart, and refuse to create one when there is no keychain, writing nothing.
 */
import { spawn } from 'node:child_process';
import { createPrivateKey, verify, X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretService } from '../support/secret-service';

const root = fileURLToPath(new URL('../..', import.meta.url));
const identityModule = path.join(root, 'src/main/provenance/identity/index.ts');
const keychainModule = path.join(root, 'src/main/secrets/keychain.ts');

/** One identity operation in a fresh Node process, answering JSON on stdout. */
const SCRIPT = `
import { sign } from 'node:crypto';
const id = await import(process.env.IDENTITY_MODULE);
const { OsKeychain } = await import(process.env.KEYCHAIN_MODULE);
const context = { dataDir: process.env.DATA_DIR, secrets: new OsKeychain(), keychainTimeoutMs: 15000 };
try {
  let out;
  switch (process.env.ACTION) {
    case 'create': out = await id.ensureIdentity({ ...context, operatorName: 'Mara Okafor' }); break;
    case 'sign': {
      const identity = await id.loadSigningIdentity(context);
      const signature = sign('sha256', Buffer.from(process.env.MESSAGE), { key: identity.leafKey, dsaEncoding: 'ieee-p1363' });
      out = { signature: signature.toString('hex'), chain: identity.chainDer.map((der) => Buffer.from(der).toString('hex')), rootPem: identity.rootPem, fingerprint: identity.leafFingerprint };
      break;
    }
    case 'accounts': {
      const { findCredentials } = (await import('node:module')).createRequire(process.env.KEYCHAIN_MODULE)('@napi-rs/keyring');
      out = findCredentials('Shotline').filter((c) => c.account.startsWith('identity:'));
      break;
    }
  }
  process.stdout.write(JSON.stringify({ ok: true, out }));
} catch (error) {
  process.stdout.write(JSON.stringify({ ok: false, name: error.name, message: error.message }));
}
`;

interface Answer<T> {
  ok: boolean;
  out: T;
  name?: string;
  message?: string;
  stderr: string;
  raw: string;
}

function inProcess<T>(action: string, dataDir: string, env: NodeJS.ProcessEnv, extra: NodeJS.ProcessEnv = {}): Promise<Answer<T>> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', SCRIPT], {
    cwd: root,
    env: { ...process.env, SHOTLINE_NO_KEYCHAIN: '', ...env, ...extra, ACTION: action, DATA_DIR: dataDir, IDENTITY_MODULE: identityModule, KEYCHAIN_MODULE: keychainModule },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) =>
    child.on('close', () => {
      try {
        resolve({ ...(JSON.parse(stdout) as Omit<Answer<T>, 'stderr' | 'raw'>), stderr, raw: stdout });
      } catch {
        reject(new Error(`the child answered no JSON: ${stdout}\n${stderr}`));
      }
    }),
  );
}

function filesUnder(dir: string): Buffer[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? filesUnder(path.join(dir, entry.name)) : [readFileSync(path.join(dir, entry.name))]));
}

describe('the identity in a real Secret Service', () => {
  let service: SecretService;
  let env: NodeJS.ProcessEnv;
  let work: string;

  beforeAll(async () => {
    service = await new SecretService().start();
    env = service.env;
    work = mkdtempSync(path.join(tmpdir(), 'shotline identity keychain '));
  });
  afterAll(async () => {
    await service?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('creates the identity with its keys in the keychain only; a new process reopens it and signs', async () => {
    const dataDir = path.join(work, 'data one');
    const created = await inProcess<{ id: string; leaf: { sha256Fingerprint: string } }>('create', dataDir, env);
    expect(created.ok, created.message).toBe(true);
    const id = created.out.id;

    const accounts = await inProcess<{ account: string; password: string }[]>('accounts', dataDir, env);
    expect(accounts.out.map((c) => c.account).sort()).toEqual([`identity:${id}:intermediate-key`, `identity:${id}:leaf-key`, `identity:${id}:root-key`]);
    const keys = accounts.out.map((c) => createPrivateKey(c.password));
    for (const key of keys) expect(key.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');

    const message = 'a claim to sign';
    const signed = await inProcess<{ signature: string; chain: string[]; rootPem: string; fingerprint: string }>('sign', dataDir, env, { MESSAGE: message });
    expect(signed.ok, signed.message).toBe(true);
    expect(signed.out.fingerprint).toBe(created.out.leaf.sha256Fingerprint);
    const [leaf, intermediate] = signed.out.chain.map((hex) => new X509Certificate(Buffer.from(hex, 'hex')));
    const rootCertificate = new X509Certificate(signed.out.rootPem);
    expect(verify('sha256', Buffer.from(message), { key: leaf!.publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(signed.out.signature, 'hex'))).toBe(true);
    expect(leaf!.verify(intermediate!.publicKey) && intermediate!.verify(rootCertificate.publicKey)).toBe(true);

    // No key on disk in any form, and none in any process output.
    const files = filesUnder(dataDir);
    const outputs = [created, accounts, signed].flatMap((answer) => [answer.stderr]).concat([created.raw, signed.raw]);
    for (const { password } of accounts.out) {
      const key = createPrivateKey(password);
      const forms = [Buffer.from(password.split('\n').filter((l) => l && !l.startsWith('-----')).join('')), key.export({ type: 'pkcs8', format: 'der' }), Buffer.from(key.export({ format: 'jwk' }).d!, 'base64url')];
      for (const form of forms) {
        for (const file of files) expect(file.includes(form)).toBe(false);
        for (const output of outputs) expect(output.includes(form.toString('latin1'))).toBe(false);
      }
    }
  });

  it('keeps two data directories\' identities apart in the one keychain', async () => {
    const dataDir = path.join(work, 'data two');
    const second = await inProcess<{ id: string; root: { sha256Fingerprint: string } }>('create', dataDir, env);
    expect(second.ok, second.message).toBe(true);
    const accounts = await inProcess<{ account: string }[]>('accounts', dataDir, env);
    expect(accounts.out).toHaveLength(6);
    for (const dir of ['data one', 'data two']) {
      const signed = await inProcess<{ signature: string }>('sign', path.join(work, dir), env, { MESSAGE: 'x' });
      expect(signed.ok, signed.message).toBe(true);
    }
  });

  it('refuses to create an identity with no keychain, and writes nothing', async () => {
    const dataDir = path.join(work, 'no keychain');
    const answer = await inProcess<unknown>('create', dataDir, { ...env, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/shotline-test-bus' });
    expect(answer.ok).toBe(false);
    expect(answer.name).toBe('IdentityKeychainError');
    expect(answer.message).toMatch(/^cannot create a signing identity: the OS keychain cannot be reached \(.+\)\. Shotline keeps signing keys only in the OS keychain, never in a file/);
    expect(existsSync(path.join(dataDir, 'identity', 'chain.pem'))).toBe(false);
    expect(existsSync(path.join(dataDir, 'identity', 'identity.json'))).toBe(false);
    // An existing identity cannot be loaded without its keychain either, and says why.
    const load = await inProcess<unknown>('sign', path.join(work, 'data one'), { ...env, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/shotline-test-bus' }, { MESSAGE: 'x' });
    expect(load.name).toBe('IdentityKeychainError');
    expect(load.message).toMatch(/^cannot load the signing key: the OS keychain cannot be reached/);
  });
});
