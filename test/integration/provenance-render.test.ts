/**
 * Content credentials through a real render (the animatic, real ffmpeg, real SQLite):
 * every accepted take gets a signed copy that c2pa-rs reads back Trusted with the user's
 * root, saying which engine made it from which prompt (by hash) after which gate checks,
 * with its reference image as an inputTo ingredient; the episode file is signed with
 * every take as a Trusted componentOf ingredient. A take tampered with after signing is
 * never put into a signed export silently. The private key appears nowhere.
 */
import { X509Certificate, createHash } from 'node:crypto';
import { copyFileSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCredentials } from '../../src/main/provenance/c2pa';
import { toVerifyReport } from '../../src/main/provenance/verify-report';
import { openStudio, type StudioServices } from '../../src/main/studio';
import { projectRoot } from '../support/cli-process';
import { makeTestIdentity, type TestIdentity } from '../support/c2pa-test-identity';

let dir: string;
let identity: TestIdentity;
let studio: StudioServices;
let board: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shotline provenance «render» '));
  identity = await makeTestIdentity({ label: 'render' });
  copyFileSync(join(projectRoot, 'resources/examples/refs/harbour.png'), join(dir, 'harbour ref.png'));
  board = join(dir, 'board.yaml');
  writeFileSync(
    board,
    [
      'title: "Signed «harbour»"',
      'mode: preview',
      'output: { resolution: 480p }',
      'shots:',
      '  - { id: s1, kind: establishing, prompt: "Harbour at dawn, \\"quoted\\" 100%", duration: 1, reference: "harbour ref.png", transition: { type: fade, duration: 0.25 } }',
      '  - { id: s2, kind: insert, prompt: "A compass needle", duration: 1 }',
    ].join('\n'),
  );
  const fingerprint = new X509Certificate(identity.leafPem).fingerprint256;
  studio = openStudio({
    dataDir: join(dir, 'data'),
    env: { PATH: process.env.PATH },
    identity: async () => ({ signer: { certificateChain: identity.chainPem, privateKey: identity.leafKeyPem }, rootPem: identity.rootPem, fingerprint, operator: 'Test Operator' }),
  });
}, 60_000);
afterAll(async () => {
  studio?.close();
  if (identity) await rm(identity.dir, { recursive: true, force: true });
  await rm(dir, { recursive: true, force: true });
});

const anchors = () => ({ trustAnchorsPem: [identity.rootPem] });

describe('signed takes and exports', () => {
  let episodeId: string;
  let out: string;

  it('signs each take and the episode: Trusted with the user root, one Trusted ingredient per shot', async () => {
    out = join(dir, 'épisode signé.mp4');
    const report = await studio.render.render(board, { outputPath: out });
    expect(report.status).toBe('completed');
    episodeId = report.episodeId;
    expect(report.credentials?.export).toMatchObject({ state: 'signed', reason: null });
    expect(report.credentials?.takes.map((t) => [t.shotId, t.state])).toEqual([
      ['s1', 'signed'],
      ['s2', 'signed'],
    ]);

    const take = toVerifyReport(await readCredentials(report.credentials!.takes[0]!.signedPath!, anchors()));
    expect(take.validity).toBe('trusted');
    expect(take.take).toMatchObject({ shotId: 's1', takeNo: 1, engineId: 'animatic', provider: 'animatic' });
    expect(take.take!.promptSha256).toBe(createHash('sha256').update('Harbour at dawn, "quoted" 100%').digest('hex'));
    expect(take.take!.gate!.decision).toBe('pass');
    expect(take.take!.gate!.checks.length).toBeGreaterThan(3);
    expect(take.ingredients.map((i) => [i.relationship, i.validity])).toEqual([['inputTo', 'none']]);
    // The prompt's text is not in the file unless the user opted in.
    expect(readFileSync(report.credentials!.takes[0]!.signedPath!).includes('A compass needle')).toBe(false);

    const episode = toVerifyReport(await readCredentials(out, anchors()));
    expect(episode.validity).toBe('trusted');
    expect(episode.ingredients.map((i) => [i.relationship, i.validity, i.take?.shotId])).toEqual([
      ['componentOf', 'trusted', 's1'],
      ['componentOf', 'trusted', 's2'],
    ]);
    // Without the user's root it is intact but not trusted.
    expect((await readCredentials(out)).state).toBe('valid');
  }, 120_000);

  it('a signed take changed on disk is signed again from its clip before the next export', async () => {
    const signed = studio.credentials.forTake(studio.takes.selectedTakes(episodeId).get('s2')!.id)!;
    const bytes = readFileSync(signed.signedPath!);
    bytes[bytes.length - 200] = bytes[bytes.length - 200]! ^ 0xff;
    writeFileSync(signed.signedPath!, bytes);
    const report = await studio.takesService.restitch(episodeId, { outputPath: out });
    expect(report.credentials?.export?.state).toBe('signed');
    expect((await readCredentials(signed.signedPath!, anchors())).state).toBe('trusted');
    expect((await readCredentials(out, anchors())).state).toBe('trusted');
  }, 120_000);

  it('a take whose credentials do not validate is never put into a signed export silently', async () => {
    // A signed copy damaged where its record cannot tell (written over by another program before it was recorded, say).
    const attemptId = studio.takes.selectedTakes(episodeId).get('s2')!.id;
    const signed = studio.credentials.forTake(attemptId)!;
    const bytes = readFileSync(signed.signedPath!);
    bytes[bytes.length - 200] = bytes[bytes.length - 200]! ^ 0xff;
    writeFileSync(signed.signedPath!, bytes);
    studio.db.prepare(`UPDATE credentials SET signed_sha256 = ? WHERE attempt_id = ?`).run(createHash('sha256').update(bytes).digest('hex'), attemptId);

    const refused = await studio.takesService.restitch(episodeId, { outputPath: out });
    expect(refused.status).toBe('completed');
    expect(refused.credentials?.export).toMatchObject({ state: 'unsigned', unverified: [{ shotId: 's2' }] });
    expect(refused.credentials!.export!.reason).toMatch(/s2: its take's credentials do not validate: .*assertion\.bmffHash\.mismatch/);
    // The unsigned episode is kept.
    expect((await readCredentials(out)).state).toBe('none');

    const allowed = await studio.takesService.restitch(episodeId, { outputPath: out, allowUnverified: true });
    expect(allowed.credentials?.export?.state).toBe('signed');
    const episode = toVerifyReport(await readCredentials(out, anchors()));
    expect(episode.validity).toBe('trusted');
    expect(episode.ingredients.map((i) => [i.take?.shotId, i.validity])).toEqual([
      ['s1', 'trusted'],
      ['s2', 'invalid'],
    ]);
    const exported = (await readCredentials(out, anchors())).assertions.find((a) => a.label === 'com.shotline.export')!.data as { shots: { shotId: string; unverifiedReason?: string }[] };
    expect(exported.shots.find((s) => s.shotId === 's2')!.unverifiedReason).toMatch(/do not validate/);
  }, 120_000);

  it('--no-sign writes no credentials', async () => {
    const plain = join(dir, 'plain.mp4');
    const report = await studio.takesService.restitch(episodeId, { outputPath: plain, sign: false });
    expect(report.credentials).toBeUndefined();
    expect((await readCredentials(plain)).state).toBe('none');
  }, 60_000);

  it('the private key is in no file Shotline wrote, nor in its database', () => {
    const body = identity.leafKeyPem.split('\n').filter((line) => line && !line.startsWith('-----')).join('');
    const files: string[] = [];
    const walk = (folder: string) => {
      for (const entry of readdirSync(folder, { withFileTypes: true })) {
        const full = join(folder, entry.name);
        if (entry.isDirectory()) walk(full);
        else files.push(full);
      }
    };
    walk(join(dir, 'data'));
    files.push(out);
    for (const file of files) {
      const text = readFileSync(file).toString('latin1');
      expect(text.includes(body.slice(0, 40)), file).toBe(false);
    }
  });
});
