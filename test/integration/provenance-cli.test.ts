/**
 * Provenance the way a user meets it, through the CLI with a real Secret Service
 * (gnome-keyring on a private D-Bus): the first render makes the signing identity (keys
 * in the keychain, certificates in the data folder) and signs; `identity show` and
 * `export-root` hand out the root; `verify` says trusted (exit 0) with it, valid without
 * it, invalid (exit 1) for a damaged file, no credentials (exit 3) for an unsigned one;
 * and no private key reaches a file, the database, a log or a report.
 */
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VerifyReport } from '../../src/shared/provenance';
import type { RenderReport } from '../../src/main/pipeline/render-report';
import { projectRoot, runCli, type CliResult } from '../support/cli-process';
import { SecretService } from '../support/secret-service';

let dir: string;
let service: SecretService;
let env: NodeJS.ProcessEnv;
const outputs: string[] = [];
const cli = async (...args: string[]): Promise<CliResult> => {
  const result = await runCli(args, env);
  outputs.push(result.stdout, result.stderr);
  return result;
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shotline provenance cli ‘signed’ '));
  service = await new SecretService().start();
  env = { ...service.env, SHOTLINE_NO_KEYCHAIN: '', SHOTLINE_OPERATOR: 'Zoë Test', RUNWAYML_API_SECRET: '', GEMINI_API_KEY: '' };
}, 60_000);
afterAll(async () => {
  await service?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('signed by default, verifiable by anyone', () => {
  const data = () => join(dir, 'data');
  const episode = () => join(dir, 'quick «signed».mp4');

  it('the first render makes the identity and signs the takes and the episode', async () => {
    const result = await cli('render', join(projectRoot, 'resources/examples/quick.yaml'), '--out', episode(), '--data-dir', data(), '--json');
    expect(result.code, result.stderr.slice(-2000)).toBe(0);
    const report = JSON.parse(result.stdout) as RenderReport;
    expect(report.credentials?.export?.state).toBe('signed');
    expect(report.credentials?.takes.every((t) => t.state === 'signed')).toBe(true);
    const show = await cli('identity', 'show', '--data-dir', data(), '--json');
    const identity = JSON.parse(show.stdout) as { operator: string; source: string; certificates: { role: string }[]; signaturesValidUntil: string | null };
    expect(identity).toMatchObject({ operator: 'Zoë Test', source: 'local', signaturesValidUntil: expect.any(String) });
    expect(identity.certificates.map((c) => c.role)).toEqual(['leaf', 'intermediate', 'root']);
    expect((await cli('identity', 'show', '--data-dir', data())).stdout).toMatch(/signatures|valid/i);
  }, 120_000);

  it('verify: trusted with the exported root, valid without it, invalid when damaged, none when unsigned', async () => {
    const root = join(dir, 'my root.pem');
    expect((await cli('identity', 'export-root', '--out', root, '--data-dir', data())).code).toBe(0);
    // Anyone with the root: trusted, one trusted ingredient per shot, each naming its engine and gate verdict.
    const trusted = await cli('verify', episode(), '--trust-anchor', root, '--data-dir', join(dir, 'elsewhere'), '--json');
    expect(trusted.code, trusted.stderr).toBe(0);
    const report = JSON.parse(trusted.stdout) as VerifyReport;
    expect(report.validity).toBe('trusted');
    expect(report.ingredients.map((i) => [i.validity, i.take?.shotId, i.take?.engineId, i.take?.gate?.decision])).toEqual([
      ['trusted', 'q01', 'animatic', 'pass'],
      ['trusted', 'q02', 'animatic', 'pass'],
      ['trusted', 'q03', 'animatic', 'pass'],
    ]);
    // The user's own data folder trusts its own root without being told.
    expect((await cli('verify', episode(), '--data-dir', data())).stdout).toMatch(/TRUSTED/);
    const stranger = await cli('verify', episode(), '--data-dir', join(dir, 'elsewhere'));
    expect(stranger.code).toBe(0);
    expect(stranger.stdout).toMatch(/VALID: intact, but the signer is not among your trust anchors/);

    const damaged = join(dir, 'damaged.mp4');
    const bytes = readFileSync(episode());
    bytes[bytes.length - 5000] = bytes[bytes.length - 5000]! ^ 0xff;
    writeFileSync(damaged, bytes);
    const invalid = await cli('verify', damaged, '--trust-anchor', root, '--json');
    expect(invalid.code).toBe(1);
    expect((JSON.parse(invalid.stdout) as VerifyReport).failures.map((f) => f.code)).toContain('assertion.bmffHash.mismatch');

    const plain = join(dir, 'plain.mp4');
    const unsigned = await cli('render', join(projectRoot, 'resources/examples/quick.yaml'), '--out', plain, '--data-dir', data(), '--no-sign');
    expect(unsigned.code).toBe(0);
    expect((await cli('verify', plain)).code).toBe(3);
    expect((await cli('verify', join(dir, 'missing.mp4'))).code).toBe(2);
  }, 120_000);

  it('no private key in the data folder, the outputs, the logs or the reports', () => {
    const files: string[] = [];
    const walk = (folder: string) => {
      for (const entry of readdirSync(folder, { withFileTypes: true })) {
        const full = join(folder, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (statSync(full).size < 50_000_000) files.push(full);
      }
    };
    walk(dir);
    const haystacks = [...files.map((file) => readFileSync(file).toString('latin1')), ...outputs];
    for (const text of haystacks) {
      expect(text).not.toMatch(/BEGIN (EC |ENCRYPTED )?PRIVATE KEY/);
    }
  });
});
