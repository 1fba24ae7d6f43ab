/**
 * The identity Shotline makes is one c2pa-rs accepts: an MP4 signed with it reads back
 * Trusted given the exported root as the trust anchor (and Valid, untrusted, without it),
 * and with a TSA configured the signature carries a timestamp from the TSA emulator that
 * c2pa-rs validates, so it stays Trusted after the leaf expires; without one it turns
 * Invalid (signingCredential.expired), which is what `identity show` warns about.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCredentials, signMp4, type ManifestDefinition } from '../../src/main/provenance/c2pa';
import { MemorySecretStore } from '../../src/main/secrets/keychain';
import { ensureIdentity, exportRoot, loadSigningIdentity, setTimestampAuthority, showIdentity, type IdentityContext } from '../../src/main/provenance/identity';
import { TsaEmulator } from '../emulators/tsa/server';
import { makeClip } from './media-fixtures';

const TRAINED = 'http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia';
let dir: string;
let clip: string;
let tsa: TsaEmulator;
let context: IdentityContext;

function manifest(title: string): ManifestDefinition {
  return {
    claim_generator_info: [{ name: 'Shotline', version: '0.1.0-test' }],
    title,
    assertions: [{ label: 'c2pa.actions.v2', data: { actions: [{ action: 'c2pa.created', digitalSourceType: TRAINED }] } }],
  };
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'shotline identity c2pa '));
  clip = await makeClip(path.join(dir, 'take.mp4'), { width: 160, height: 120, fps: 24, seconds: 1, audio: true });
  tsa = new TsaEmulator();
  await tsa.start();
  context = { dataDir: path.join(dir, 'data'), secrets: new MemorySecretStore() };
  await ensureIdentity({ ...context, operatorName: 'Mara Okafor' });
}, 60_000);

afterAll(async () => {
  await tsa?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('signing with the local identity', () => {
  it('reads back Trusted with the exported root, Valid without it', async () => {
    const identity = await loadSigningIdentity(context);
    const out = path.join(dir, 'signed.mp4');
    await signMp4({ inputPath: clip, outputPath: out, manifest: manifest('take'), signer: identity.signer });
    const rootPem = await exportRoot(context);
    const trusted = await readCredentials(out, { trustAnchorsPem: [rootPem] });
    expect(trusted.failures).toEqual([]);
    expect(trusted.state).toBe('trusted');
    expect(trusted.signer?.subject).toBe('CN=Mara Okafor (Shotline), O=Shotline local identity');
    expect(trusted.signer?.issuer).toBe('CN=Mara Okafor (Shotline) Intermediate CA, O=Shotline local identity');
    expect(trusted.signer?.signedAt).toBeNull();
    const untrusted = await readCredentials(out);
    expect(untrusted.state).toBe('valid');
    expect(untrusted.failures.map((f) => f.code)).toEqual(['signingCredential.untrusted']);
  });

  it('with a TSA, carries a timestamp c2pa-rs validates', async () => {
    await setTimestampAuthority(context, tsa.url);
    const identity = await loadSigningIdentity(context);
    const before = tsa.granted;
    const out = path.join(dir, 'stamped.mp4');
    await signMp4({ inputPath: clip, outputPath: out, manifest: manifest('stamped take'), signer: identity.signer });
    expect(tsa.granted).toBe(before + 1);
    const report = await readCredentials(out, { trustAnchorsPem: [identity.rootPem, tsa.rootPem] });
    expect(report.failures).toEqual([]);
    expect(report.state).toBe('trusted');
    expect(report.signer?.signedAt).not.toBeNull();
    expect(report.signer?.timestampAuthority).toMatch(/Shotline Test TSA/);
    expect((await showIdentity(context))!.signaturesValidUntil).toBeNull();
  });

  it('after the leaf expires: Invalid without a timestamp, still Trusted with one', async () => {
    // An identity whose leaf ends a few seconds from now (made "a year ago", as the clock says).
    const expiresAt = Date.now() + 4_000;
    const aged: IdentityContext = { dataDir: path.join(dir, 'aged'), secrets: new MemorySecretStore(), clock: () => new Date(expiresAt - 365 * 86_400_000) };
    const report = await ensureIdentity({ ...aged, operatorName: 'Short Lived' });
    expect(Math.abs(new Date(report.signaturesValidUntil!).getTime() - expiresAt)).toBeLessThan(1_000);
    const plain = path.join(dir, 'aged plain.mp4');
    await signMp4({ inputPath: clip, outputPath: plain, manifest: manifest('plain'), signer: (await loadSigningIdentity(aged)).signer });
    await setTimestampAuthority(aged, tsa.url);
    const identity = await loadSigningIdentity(aged);
    const stamped = path.join(dir, 'aged stamped.mp4');
    await signMp4({ inputPath: clip, outputPath: stamped, manifest: manifest('stamped'), signer: identity.signer });
    const anchors = { trustAnchorsPem: [identity.rootPem, tsa.rootPem] };
    expect((await readCredentials(plain, anchors)).state).toBe('trusted');

    await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAt - Date.now() + 1_500)));
    const expired = await readCredentials(plain, anchors);
    expect(expired.state).toBe('invalid');
    expect(expired.failures.map((f) => f.code)).toContain('signingCredential.expired');
    const kept = await readCredentials(stamped, anchors);
    expect(kept.failures).toEqual([]);
    expect(kept.state).toBe('trusted');
  }, 30_000);
});
