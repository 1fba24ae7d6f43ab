/**
 * A throwaway C2PA signing identity made with the openssl CLI, shaped as C2PA validators
 * require (reference/platform.md): an ES256 root (CA:TRUE, keyCertSign, SKI), an
 * intermediate CA, and a leaf (CA:FALSE, critical keyUsage digitalSignature, extended key
 * usage emailProtection + documentSigning 1.3.6.1.5.5.7.3.36, SKI, AKI) issued by the
 * intermediate; plus a local RFC 3161 timestamp authority (`openssl ts`) issued by the root,
 * so timestamp tokens validate against the same anchor.
 *
 * Test keys live in the test's temp folder; the product never writes a key to disk.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { OPENSSL_EXTENSIONS } from './openssl-extensions';

const run = promisify(execFile);

export interface TestIdentity {
  dir: string;
  rootPem: string;
  intermediatePem: string;
  leafPem: string;
  /** The leaf's private key, PKCS#8 PEM. */
  leafKeyPem: string;
  /** Leaf then intermediate: the x5chain a signer sends. */
  chainPem: string;
  /** A timestamp hook backed by `openssl ts -reply` (a TSA issued by the root). */
  timestamp: (sha256Imprint: Uint8Array) => Promise<Uint8Array>;
  /** How many tokens the TSA issued. */
  timestampsIssued: () => number;
  remove(): Promise<void>;
}

function tsaConfig(serialFile: string): string {
  return `
[tsa]
default_tsa = shotline_test_tsa

[shotline_test_tsa]
serial = ${serialFile}
crypto_device = builtin
signer_digest = sha256
default_policy = 1.3.6.1.4.1.99999.1
digests = sha256
accuracy = secs:1
ordering = no
tsa_name = no
ess_cert_id_chain = no
ess_cert_id_alg = sha256
`;
}

async function openssl(args: string[], cwd: string): Promise<void> {
  // OPENSSL_CONF pointing at an empty file keeps a system config from changing the output.
  await run('openssl', args, { cwd, env: { ...process.env, OPENSSL_CONF: path.join(cwd, 'empty.cnf') } });
}

/** A fresh identity in a new temp folder (no spaces in its path: openssl config values would need quoting). */
export async function makeTestIdentity(options: { leafDays?: number; label?: string } = {}): Promise<TestIdentity> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'shotline-c2pa-identity-'));
  await writeFile(path.join(dir, 'empty.cnf'), '');
  await writeFile(path.join(dir, 'ext.cnf'), OPENSSL_EXTENSIONS);
  const label = options.label ?? 'Shotline Test';
  const key = (name: string) => openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${name}.key`], dir);
  const issue = async (name: string, subject: string, issuer: string, extensions: string, days: number) => {
    await openssl(['req', '-new', '-key', `${name}.key`, '-subj', subject, '-out', `${name}.csr`], dir);
    await openssl(
      ['x509', '-req', '-in', `${name}.csr`, '-CA', `${issuer}.pem`, '-CAkey', `${issuer}.key`, '-set_serial', `0x${randomBytes(8).toString('hex')}`, '-days', String(days), '-sha256', '-extfile', 'ext.cnf', '-extensions', extensions, '-out', `${name}.pem`],
      dir,
    );
  };

  await Promise.all(['root', 'intermediate', 'leaf', 'tsa'].map(key));
  await openssl(['req', '-new', '-x509', '-key', 'root.key', '-subj', `/CN=${label} Root/O=${label}`, '-days', '3650', '-sha256', '-config', 'ext.cnf', '-extensions', 'root', '-out', 'root.pem'], dir);
  await issue('intermediate', `/CN=${label} Intermediate/O=${label}`, 'root', 'intermediate', 3650);
  await issue('leaf', `/CN=${label} Signer/O=${label}`, 'intermediate', 'leaf', options.leafDays ?? 365);
  await issue('tsa', `/CN=${label} TSA/O=${label}`, 'root', 'tsa_cert', 3650);
  await writeFile(path.join(dir, 'tsa.cnf'), tsaConfig(path.join(dir, 'tsa.serial')));
  await writeFile(path.join(dir, 'tsa.serial'), '01\n');

  const text = (name: string) => readFile(path.join(dir, name), 'utf8');
  const [rootPem, intermediatePem, leafPem, leafKeyPem] = await Promise.all([text('root.pem'), text('intermediate.pem'), text('leaf.pem'), text('leaf.key')]);
  let issued = 0;
  return {
    dir,
    rootPem,
    intermediatePem,
    leafPem,
    leafKeyPem,
    chainPem: `${leafPem.trim()}\n${intermediatePem.trim()}\n`,
    timestamp: async (imprint) => {
      const name = `ts-${randomBytes(4).toString('hex')}`;
      await openssl(['ts', '-query', '-digest', Buffer.from(imprint).toString('hex'), '-sha256', '-cert', '-no_nonce', '-out', `${name}.tsq`], dir);
      await openssl(['ts', '-reply', '-config', 'tsa.cnf', '-queryfile', `${name}.tsq`, '-inkey', 'tsa.key', '-signer', 'tsa.pem', '-token_out', '-out', `${name}.tst`], dir);
      issued++;
      return new Uint8Array(await readFile(path.join(dir, `${name}.tst`)));
    },
    timestampsIssued: () => issued,
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
