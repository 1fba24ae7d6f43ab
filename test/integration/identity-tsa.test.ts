/**
 * The RFC 3161 client against the TSA emulator (openssl ts -reply behind loopback HTTP):
 * the token it returns verifies with `openssl ts -verify -digest` against the TSA's root,
 * the query is what RFC 3161 asks for (SHA-256, our nonce, certReq), the identity's
 * timestamp hook reaches the configured TSA, and each fault gives its own typed error
 * naming the host.
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemorySecretStore } from '../../src/main/secrets/keychain';
import { ensureIdentity, loadSigningIdentity, requestTimestamp, setTimestampAuthority, TimestampError } from '../../src/main/provenance/identity';
import { TsaEmulator, type TsaFault } from '../emulators/tsa/server';

const run = promisify(execFile);
let tsa: TsaEmulator;
let dir: string;
let host: string;

function imprintOf(text: string): Uint8Array {
  return new Uint8Array(createHash('sha256').update(text).digest());
}

async function opensslVerify(token: Uint8Array, imprint: Uint8Array): Promise<string> {
  const name = `token-${randomBytes(4).toString('hex')}.der`;
  await writeFile(path.join(dir, name), token);
  const { stdout, stderr } = await run('openssl', ['ts', '-verify', '-digest', Buffer.from(imprint).toString('hex'), '-in', name, '-token_in', '-CAfile', 'root.pem'], { cwd: dir });
  return stdout + stderr;
}

beforeAll(async () => {
  tsa = new TsaEmulator();
  await tsa.start();
  host = new URL(tsa.url).host;
  dir = await mkdtemp(path.join(tmpdir(), 'shotline-identity-tsa-'));
  await writeFile(path.join(dir, 'root.pem'), tsa.rootPem);
});

afterAll(async () => {
  await tsa?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a granted timestamp', () => {
  it('is a TimeStampToken that openssl verifies against the TSA root, for exactly our imprint', async () => {
    const imprint = imprintOf('the claim signature');
    const token = await requestTimestamp(tsa.url, imprint);
    expect(token[0]).toBe(0x30);
    expect(await opensslVerify(token, imprint)).toMatch(/Verification: OK/);
    await expect(opensslVerify(token, imprintOf('another signature'))).rejects.toThrow(/message imprint mismatch/);
    const query = tsa.queries.at(-1)!;
    expect(query).toMatchObject({ contentType: 'application/timestamp-query', hashAlgorithm: '2.16.840.1.101.3.4.2.1', imprintHex: Buffer.from(imprint).toString('hex'), certReq: true, answeredWith: 'none' });
    expect(query.nonceHex).toMatch(/^[0-7][0-9a-f]{15}$/);
    // openssl shows the token's TSTInfo: our nonce, SHA-256, the TSA's policy.
    await writeFile(path.join(dir, 'shown.der'), token);
    const { stdout } = await run('openssl', ['ts', '-reply', '-in', 'shown.der', '-token_in', '-text'], { cwd: dir });
    expect(stdout).toMatch(/Hash Algorithm: sha256/);
    expect(stdout).toMatch(/Policy OID: 1\.3\.6\.1\.4\.1\.99999\.2/);
    expect(stdout.replace(/[\s:]/g, '').toLowerCase()).toContain(`nonce0x${query.nonceHex}`);
  });

  it('comes through the identity\'s timestamp hook once a TSA is configured', async () => {
    const context = { dataDir: path.join(dir, 'data'), secrets: new MemorySecretStore() };
    await ensureIdentity({ ...context, operatorName: 'Mara' });
    await setTimestampAuthority(context, tsa.url);
    const identity = await loadSigningIdentity(context);
    const before = tsa.queries.length;
    const imprint = imprintOf('hooked');
    const token = await identity.signer.timestamp!(imprint);
    expect(tsa.queries.length).toBe(before + 1);
    expect(await opensslVerify(token, imprint)).toMatch(/Verification: OK/);
  });
});

describe('faults', () => {
  const cases: [TsaFault, TimestampError['failure'], RegExp][] = [
    ['http500', 'http', /answered HTTP 500 Internal Server Error$/],
    ['reject', 'rejected', /refused the request \(status rejection: "Message digest algorithm is not supported\."; badAlg\)$/],
    ['wrong-imprint', 'mismatch', /sent a token for a different message imprint than the one asked for/],
    ['wrong-nonce', 'mismatch', /sent a token with a different nonce/],
    ['garbage', 'malformed', /answered with something that is not a timestamp reply \(Content-Type: text\/html\)$/],
  ];
  for (const [fault, kind, message] of cases) {
    it(fault, async () => {
      tsa.setFault(fault, 1);
      const error = await requestTimestamp(tsa.url, imprintOf(fault)).then(
        () => null,
        (e: unknown) => e as TimestampError,
      );
      expect(error).toBeInstanceOf(TimestampError);
      expect(error!.failure).toBe(kind);
      expect(error!.host).toBe(host);
      expect(error!.message).toMatch(new RegExp(`^the timestamp authority ${host.replace(/\./g, '\\.')} `));
      expect(error!.message).toMatch(message);
      expect(tsa.queries.at(-1)!.answeredWith).toBe(fault);
      // The next query is answered normally again.
      expect(await opensslVerify(await requestTimestamp(tsa.url, imprintOf('after')), imprintOf('after'))).toMatch(/Verification: OK/);
    });
  }

  it('a TSA that never answers times out', async () => {
    tsa.setFault('hang', 1);
    const started = Date.now();
    const error = (await requestTimestamp(tsa.url, imprintOf('hang'), { timeoutMs: 300 }).catch((e: unknown) => e)) as TimestampError;
    expect(error.failure).toBe('timeout');
    expect(error.message).toMatch(/did not answer within 300 ms$/);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('a TSA that is not there', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    const error = (await requestTimestamp(`http://127.0.0.1:${port}/tsa`, imprintOf('gone')).catch((e: unknown) => e)) as TimestampError;
    expect(error.failure).toBe('network');
    expect(error.message).toBe(`the timestamp authority 127.0.0.1:${port} could not be reached (ECONNREFUSED)`);
  });
});
