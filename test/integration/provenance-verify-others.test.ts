/**
 * `shotline verify` on files Shotline did not make: C2PA-signed MP4s from the c2pa-rs
 * project (test/fixtures/c2pa/README.md) read valid (intact, signer not trusted here) with
 * their signer and ingredient; an MP4 without credentials reads none (exit 3).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { VerifyReport } from '../../src/shared/provenance';
import { makeClip } from './media-fixtures';
import { projectRoot, runCli } from '../support/cli-process';

const dir = mkdtempSync(join(tmpdir(), 'shotline verify others '));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const verify = (file: string, ...flags: string[]) => runCli(['verify', file, '--data-dir', join(dir, 'data'), ...flags]);

describe('verify on files from other tools', () => {
  it.each([
    ['c2pa-rs-video1.mp4', /C2PA Test Intermediate Root CA/],
    ['c2pa-rs-legacy.mp4', /GlobalSign/],
  ])('%s reads valid, with its signer and its ingredient', async (name, signer) => {
    const result = await verify(join(projectRoot, 'test/fixtures/c2pa', name), '--json');
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as VerifyReport;
    expect(report.validity).toBe('valid');
    expect(report.signer?.issuer).toMatch(signer);
    expect(report.signer?.signedAt).toMatch(/^2023-/);
    expect(report.failures.map((f) => f.code)).toEqual(['signingCredential.untrusted']);
    expect(report.ingredients.map((i) => [i.relationship, i.validity])).toEqual([['parentOf', 'valid']]);
    expect(report.take).toBeNull();
  });

  it('an MP4 with no credentials: none, exit 3', async () => {
    const plain = await makeClip(join(dir, 'plain clip.mp4'), { width: 320, height: 180, fps: 24, seconds: 1, audio: true });
    const result = await verify(plain);
    expect(result.code).toBe(3);
    expect(result.stdout).toMatch(/NO CREDENTIALS/);
  });
});
