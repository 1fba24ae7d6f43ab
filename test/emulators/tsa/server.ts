/**
 * An RFC 3161 timestamp authority on loopback, for the timestamp client's tests and for
 * signing tests that want sigTst2 tokens. It answers as a real TSA does because a real
 * implementation answers: each query goes to `openssl ts -reply`, signed by a TSA
 * certificate (critical extendedKeyUsage timeStamping) issued by a test root made in
 * `start()`, so tokens verify with `openssl ts -verify -CAfile <rootPem>` and with c2pa-rs
 * given the root as a trust anchor.
 *
 *   POST /  Content-Type application/timestamp-query  ->  200 application/timestamp-reply
 *   anything else                                      ->  405 / 415
 *
 * Fault knobs (`fault`, until changed; `faultCount` limits it to the next N queries):
 *   http500        HTTP 500 with a text body
 *   reject         a well-formed reply with status rejection ("Message digest algorithm is
 *                  not supported.", failInfo badAlg): openssl itself refuses the query,
 *                  from a policy that allows only SHA-512
 *   wrong-imprint  a granted token over another imprint (a reply meant for someone else)
 *   wrong-nonce    a granted token over the right imprint with another nonce (a replay)
 *   garbage        HTTP 200, text/html, a login page (a captive portal)
 *   hang           never answers
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import * as pkijs from 'pkijs';
import { closeServer, listenOnLoopback } from '../common/loopback';
import { OPENSSL_EXTENSIONS } from '../../support/openssl-extensions';

const run = promisify(execFile);

export type TsaFault = 'none' | 'http500' | 'reject' | 'wrong-imprint' | 'wrong-nonce' | 'garbage' | 'hang';

export interface TsaQueryRecord {
  contentType: string;
  /** Hex of the SHA-256 imprint asked for. */
  imprintHex: string;
  hashAlgorithm: string;
  nonceHex: string | null;
  certReq: boolean;
  answeredWith: TsaFault;
}

function tsaConfig(dir: string): string {
  const section = (name: string, digests: string) => `
[${name}]
serial = ${path.join(dir, 'tsa.serial')}
crypto_device = builtin
signer_digest = sha256
default_policy = 1.3.6.1.4.1.99999.2
digests = ${digests}
accuracy = secs:1
ordering = no
tsa_name = no
ess_cert_id_chain = no
ess_cert_id_alg = sha256
`;
  return `[tsa]\ndefault_tsa = granting\n${section('granting', 'sha256, sha384, sha512')}${section('sha512_only', 'sha512')}`;
}

export class TsaEmulator {
  fault: TsaFault = 'none';
  /** With a fault set: how many queries it applies to (then `fault` goes back to none). Infinity: until changed. */
  faultCount = Infinity;
  readonly queries: TsaQueryRecord[] = [];
  /** Tokens granted (fault replies included). */
  granted = 0;
  rootPem = '';
  tsaCertPem = '';
  url = '';
  dir = '';
  private server?: Server;
  private hung: ServerResponse[] = [];

  async start(): Promise<string> {
    // No spaces in the path: openssl config values would need quoting.
    this.dir = await mkdtemp(path.join(os.tmpdir(), 'shotline-tsa-'));
    await writeFile(path.join(this.dir, 'empty.cnf'), '');
    await writeFile(path.join(this.dir, 'ext.cnf'), OPENSSL_EXTENSIONS);
    await writeFile(path.join(this.dir, 'tsa.cnf'), tsaConfig(this.dir));
    await writeFile(path.join(this.dir, 'tsa.serial'), '01\n');
    for (const name of ['root', 'tsa']) await this.openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${name}.key`]);
    await this.openssl(['req', '-new', '-x509', '-key', 'root.key', '-subj', '/CN=Shotline Test TSA Root/O=Shotline tests', '-days', '3650', '-sha256', '-config', 'ext.cnf', '-extensions', 'root', '-out', 'root.pem']);
    await this.openssl(['req', '-new', '-key', 'tsa.key', '-subj', '/CN=Shotline Test TSA/O=Shotline tests', '-out', 'tsa.csr']);
    await this.openssl(['x509', '-req', '-in', 'tsa.csr', '-CA', 'root.pem', '-CAkey', 'root.key', '-set_serial', `0x${randomBytes(8).toString('hex')}`, '-days', '3650', '-sha256', '-extfile', 'ext.cnf', '-extensions', 'tsa_cert', '-out', 'tsa.pem']);
    this.rootPem = await readFile(path.join(this.dir, 'root.pem'), 'utf8');
    this.tsaCertPem = await readFile(path.join(this.dir, 'tsa.pem'), 'utf8');
    this.server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' });
        response.end(`emulator error: ${(error as Error).message}`);
      });
    });
    this.url = `${await listenOnLoopback(this.server)}/tsa`;
    return this.url;
  }

  /** Sets a fault for the next `count` queries (default: until changed). */
  setFault(fault: TsaFault, count = Infinity): void {
    this.fault = fault;
    this.faultCount = count;
  }

  async close(): Promise<void> {
    for (const response of this.hung) response.destroy();
    this.hung = [];
    if (this.server) await closeServer(this.server);
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
  }

  private async openssl(args: string[]): Promise<void> {
    // OPENSSL_CONF pointing at an empty file keeps a system config from changing the output.
    await run('openssl', args, { cwd: this.dir, env: { ...process.env, OPENSSL_CONF: path.join(this.dir, 'empty.cnf') } });
  }

  private takeFault(): TsaFault {
    const fault = this.fault;
    if (fault !== 'none' && --this.faultCount <= 0) {
      this.fault = 'none';
      this.faultCount = Infinity;
    }
    return fault;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    if (request.method !== 'POST') {
      response.writeHead(405, { allow: 'POST', 'content-type': 'text/plain' }).end('POST a timestamp query');
      return;
    }
    const contentType = request.headers['content-type'] ?? '';
    if (contentType.split(';')[0]!.trim().toLowerCase() !== 'application/timestamp-query') {
      response.writeHead(415, { 'content-type': 'text/plain' }).end('expected application/timestamp-query');
      return;
    }
    let query: pkijs.TimeStampReq;
    try {
      query = pkijs.TimeStampReq.fromBER(new Uint8Array(body));
    } catch {
      response.writeHead(400, { 'content-type': 'text/plain' }).end('not a TimeStampReq');
      return;
    }
    const fault = this.takeFault();
    const imprintHex = Buffer.from(query.messageImprint.hashedMessage.valueBlock.valueHexView).toString('hex');
    this.queries.push({
      contentType,
      imprintHex,
      hashAlgorithm: query.messageImprint.hashAlgorithm.algorithmId,
      nonceHex: query.nonce ? Buffer.from(query.nonce.valueBlock.valueHexView).toString('hex') : null,
      certReq: query.certReq ?? false,
      answeredWith: fault,
    });

    switch (fault) {
      case 'hang':
        this.hung.push(response);
        return;
      case 'http500':
        response.writeHead(500, { 'content-type': 'text/plain' }).end('Internal Server Error: signing module offline');
        return;
      case 'garbage':
        response.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Please log in to the network</body></html>');
        return;
      default:
        break;
    }
    const name = `q-${randomBytes(6).toString('hex')}`;
    let queryFile = `${name}.tsq`;
    if (fault === 'wrong-imprint' || fault === 'wrong-nonce') {
      // A query of our own: another imprint, or the same imprint with openssl's own random nonce.
      const digest = fault === 'wrong-imprint' ? randomBytes(32).toString('hex') : imprintHex;
      queryFile = `${name}.other.tsq`;
      await this.openssl(['ts', '-query', '-digest', digest, '-sha256', '-cert', '-out', queryFile]);
    } else {
      await writeFile(path.join(this.dir, queryFile), body);
    }
    const section = fault === 'reject' ? ['-section', 'sha512_only'] : [];
    await this.openssl(['ts', '-reply', '-config', 'tsa.cnf', ...section, '-queryfile', queryFile, '-inkey', 'tsa.key', '-signer', 'tsa.pem', '-out', `${name}.tsr`]);
    const reply = await readFile(path.join(this.dir, `${name}.tsr`));
    await Promise.all([rm(path.join(this.dir, queryFile), { force: true }), rm(path.join(this.dir, `${name}.tsr`), { force: true })]);
    if (fault !== 'reject') this.granted++;
    response.writeHead(200, { 'content-type': 'application/timestamp-reply', 'content-length': reply.length }).end(reply);
  }
}
