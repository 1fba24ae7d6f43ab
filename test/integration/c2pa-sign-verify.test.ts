/**
 * The C2PA engine end to end on real MP4s (ffmpeg, with audio, in a folder whose name has
 * spaces, quotes and unicode), checked by c2pa-rs itself: trust with and without the
 * anchor, identical decoded media, exports with ingredients, every tamper case and its
 * code, the worker's lifecycle, the size ceiling, and that the key never leaks.
 */
import { execFile } from 'node:child_process';
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CancelledError } from '../../src/shared/errors';
import {
  C2paSigningError,
  C2paWorkerError,
  createCoseSigner,
  readCredentials,
  readCredentialsInWorker,
  signInWorker,
  signMp4,
  SigningIdentityError,
  SigningSizeLimitError,
  type ManifestDefinition,
} from '../../src/main/provenance/c2pa';
import { forkC2paWorker, type C2paWorkerSpawner } from '../../src/main/provenance/c2pa/worker/spawn';
import { makeTestIdentity, type TestIdentity } from '../support/c2pa-test-identity';
import { bins, makeClip, nastyTempDir, removeDir, sha256File } from './media-fixtures';

const run = promisify(execFile);
const TRAINED = 'http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia';
const COMPOSITE = 'http://cv.iptc.org/newscodes/digitalsourcetype/compositeWithTrainedAlgorithmicMedia';

let identity: TestIdentity;
let dir: string;
let clipA: string; // unsigned takes
let clipB: string;
let signedA: string; // signed in-process
let signedB: string; // signed in the worker, with a timestamp
const stderrTails: string[] = [];
const errorTexts: string[] = [];

/** Records each worker's stderr, to check no key ever reaches it. */
const recordingSpawner: C2paWorkerSpawner = () => {
  const handle = forkC2paWorker();
  return { ...handle, onExit: (listener) => handle.onExit((code, signal, tail) => (stderrTails.push(tail), listener(code, signal, tail))) };
};

function takeManifest(title: string, engineId: string): ManifestDefinition {
  return {
    claim_generator_info: [{ name: 'Shotline', version: '0.1.0-test' }],
    title,
    assertions: [
      { label: 'c2pa.actions.v2', data: { actions: [{ action: 'c2pa.created', digitalSourceType: TRAINED, softwareAgent: { name: 'runway gen4', version: 'gen4_turbo' } }] } },
      { label: 'com.shotline.take', data: { engineId, promptSha256: 'a'.repeat(64), gate: { decision: 'accepted', checks: [{ name: 'black', value: 0.01 }] } } },
    ],
  };
}

const signer = () => ({ certificateChain: identity.chainPem, privateKey: identity.leafKeyPem });
const anchors = () => ({ trustAnchorsPem: [identity.rootPem] });

async function framemd5(file: string, stream: 'v:0' | 'a:0'): Promise<string> {
  const { stdout } = await run(bins.ffmpeg, ['-v', 'error', '-i', file, '-map', `0:${stream}`, '-f', 'framemd5', '-'], { maxBuffer: 16 << 20 });
  return stdout;
}

/** Top-level ISO BMFF boxes: type, offset and size. */
function topBoxes(bytes: Buffer): { type: string; start: number; size: number }[] {
  const boxes = [];
  for (let start = 0; start + 8 <= bytes.length; ) {
    let size = bytes.readUInt32BE(start);
    if (size === 1) size = Number(bytes.readBigUInt64BE(start + 8));
    if (size === 0) size = bytes.length - start;
    boxes.push({ type: bytes.toString('latin1', start + 4, start + 8), start, size });
    start += size;
  }
  return boxes;
}

function box(bytes: Buffer, type: string): { start: number; size: number } {
  const found = topBoxes(bytes).find((b) => b.type === type);
  if (!found) throw new Error(`no ${type} box`);
  return found;
}

/** A copy with one bit changed at `at`. */
function flip(bytes: Buffer, at: number): Buffer {
  expect(at).toBeGreaterThan(0);
  const copy = Buffer.from(bytes);
  copy[at] = (copy[at] as number) ^ 0x01;
  return copy;
}

/** Every form the key could leak in: its PEM body (whole and by line) and its raw private scalar. */
function keyFragments(): string[] {
  const body = identity.leafKeyPem.split('\n').filter((line) => line && !line.startsWith('-----'));
  const scalar = createPrivateKey(identity.leafKeyPem).export({ format: 'jwk' }).d as string;
  return [body.join(''), ...body.filter((line) => line.length >= 40), scalar, Buffer.from(scalar, 'base64url').toString('hex')];
}

async function noPartials(): Promise<void> {
  expect((await readdir(dir)).filter((name) => name.includes('.partial'))).toEqual([]);
}

beforeAll(async () => {
  identity = await makeTestIdentity();
  dir = await nastyTempDir('c2pa');
  clipA = await makeClip(path.join(dir, 'take A ünï 🎬.mp4'), { width: 320, height: 240, fps: 24, seconds: 2, audio: true });
  clipB = path.join(dir, 'take B (faststart).mp4');
  await run(bins.ffmpeg, ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=24:duration=2', '-f', 'lavfi', '-i', 'sine=frequency=660:duration=2', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-movflags', '+faststart', clipB]);
  signedA = path.join(dir, 'take A signed ✓.mp4');
  signedB = path.join(dir, 'take B signed.mp4');
  await signMp4({ inputPath: clipA, outputPath: signedA, manifest: takeManifest('s01 take 1', 'runway-gen4-turbo-test'), signer: signer() });
  await signInWorker(
    { inputPath: clipB, outputPath: signedB, manifest: takeManifest('s02 take 1', 'luma-ray2-test'), signer: { ...signer(), timestamp: identity.timestamp } },
    { spawn: recordingSpawner },
  );
}, 60_000);

afterAll(async () => {
  await removeDir(dir);
  await identity?.remove();
});

describe('signing a take', () => {
  it('reads back trusted with the test root, valid without it, and decodes to the same frames and audio', async () => {
    const trusted = await readCredentials(signedA, anchors());
    expect(trusted.state).toBe('trusted');
    expect(trusted.failures).toEqual([]);
    expect(trusted.signer?.subject).toBe('CN=Shotline Test Signer, O=Shotline Test');
    expect(trusted.signer?.issuer).toBe('CN=Shotline Test Intermediate, O=Shotline Test');
    expect(trusted.signer?.signedAt).toBeNull();
    expect(trusted.assertions.find((a) => a.label === 'com.shotline.take')?.data).toMatchObject({ engineId: 'runway-gen4-turbo-test' });

    const untrusted = await readCredentials(signedA);
    expect(untrusted.state).toBe('valid');
    expect(untrusted.failures.map((f) => f.code)).toEqual(['signingCredential.untrusted']);

    for (const [unsigned, signed] of [[clipA, signedA], [clipB, signedB]] as const) {
      expect(await framemd5(signed, 'v:0')).toBe(await framemd5(unsigned, 'v:0'));
      expect(await framemd5(signed, 'a:0')).toBe(await framemd5(unsigned, 'a:0'));
    }
    await noPartials();
  });

  it('carries a trusted RFC 3161 timestamp (sigTst2) when a timestamp hook is given, even through the worker', async () => {
    const report = await readCredentials(signedB, anchors());
    expect(report.state).toBe('trusted');
    expect(report.signer?.signedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(report.signer?.timestampAuthority).toBe('CN=Shotline Test TSA, O=Shotline Test');
    expect(identity.timestampsIssued()).toBe(1);
  });

  it('never changes the input, and refuses to write over it', async () => {
    const before = await sha256File(clipA);
    const out = path.join(dir, 'again.mp4');
    await signMp4({ inputPath: clipA, outputPath: out, manifest: takeManifest('again', 'x'), signer: signer() });
    expect(await sha256File(clipA)).toBe(before);
    await expect(signMp4({ inputPath: clipA, outputPath: clipA, manifest: takeManifest('x', 'x'), signer: signer() })).rejects.toThrow(/must not replace the unsigned one/);
    expect(await sha256File(clipA)).toBe(before);
  });
});

describe('an export with its takes as ingredients', () => {
  const exportManifest = (labels: string[]): ManifestDefinition => ({
    claim_generator_info: [{ name: 'Shotline', version: '0.1.0-test' }],
    title: 'Pilot',
    assertions: [
      {
        label: 'c2pa.actions.v2',
        data: {
          actions: [
            { action: 'c2pa.created', digitalSourceType: COMPOSITE },
            ...labels.map((label) => ({ action: 'c2pa.placed', parameters: { ingredientIds: [label] } })),
            { action: 'c2pa.transcoded', description: 'h264 320x240' },
          ],
        },
      },
      { label: 'com.shotline.export', data: { episode: 'Pilot' } },
    ],
  });

  it('reads trusted, with each take a trusted componentOf ingredient its c2pa.placed action points at', async () => {
    const reference = path.join(dir, 'ref mara.png');
    await run(bins.ffmpeg, ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=size=64x64', '-frames:v', '1', reference]);
    const out = path.join(dir, 'Pilot export.mp4');
    const result = await signInWorker(
      {
        inputPath: clipA,
        outputPath: out,
        manifest: exportManifest(['shot-s01', 'shot-s02']),
        ingredients: [
          { path: signedA, relationship: 'componentOf', label: 'shot-s01', title: 's01 take 1' },
          { path: signedB, relationship: 'componentOf', label: 'shot-s02', title: 's02 take 1' },
          { path: reference, relationship: 'inputTo' },
        ],
        signer: signer(),
        ...anchors(),
      },
      { spawn: recordingSpawner },
    );
    expect(result.ingredients.map((i) => [i.title, i.state])).toEqual([['s01 take 1', 'trusted'], ['s02 take 1', 'trusted'], ['ref mara.png', 'none']]);

    const report = await readCredentials(out, anchors());
    expect(report.state).toBe('trusted');
    const [s01, s02, ref] = report.ingredients;
    expect([s01?.state, s02?.state, ref?.state]).toEqual(['trusted', 'trusted', 'none']);
    expect([s01?.relationship, s02?.relationship, ref?.relationship]).toEqual(['componentOf', 'componentOf', 'inputTo']);
    expect(s02?.assertions.find((a) => a.label === 'com.shotline.take')?.data).toMatchObject({ engineId: 'luma-ray2-test' });
    expect(s02?.signer?.signedAt).not.toBeNull();
    const actions = (report.assertions.find((a) => a.label === 'c2pa.actions.v2')?.data as { actions: { action: string; parameters?: { ingredients?: { url: string }[] } }[] }).actions;
    const placedUrls = actions.filter((a) => a.action === 'c2pa.placed').map((a) => a.parameters?.ingredients?.[0]?.url);
    expect(placedUrls).toEqual([`self#jumbf=c2pa.assertions/${s01?.label}`, `self#jumbf=c2pa.assertions/${s02?.label}`]);

    // Read by someone without the root: intact but not trusted, the ingredients alike.
    const elsewhere = await readCredentialsInWorker(out);
    expect(elsewhere.state).toBe('valid');
    expect(elsewhere.ingredients.slice(0, 2).map((i) => i.state)).toEqual(['valid', 'valid']);
  });

  it('reports a take tampered before it was added as invalid, per ingredient, while the export stays trusted', async () => {
    const tampered = path.join(dir, 'take B tampered.mp4');
    const bytes = await readFile(signedB);
    const mdat = box(bytes, 'mdat');
    await writeFile(tampered, flip(bytes, mdat.start + Math.floor(mdat.size / 2)));
    const out = path.join(dir, 'Pilot with a bad take.mp4');
    const result = await signMp4({
      inputPath: clipA,
      outputPath: out,
      manifest: exportManifest(['a', 'b']),
      ingredients: [
        { path: signedA, relationship: 'componentOf', label: 'a' },
        { path: tampered, relationship: 'componentOf', label: 'b' },
      ],
      signer: signer(),
      ...anchors(),
    });
    expect(result.ingredients[1]?.state).toBe('invalid');

    const report = await readCredentials(out, anchors());
    expect(report.state).toBe('trusted');
    expect(report.ingredients.map((i) => i.state)).toEqual(['trusted', 'invalid']);
    expect(report.ingredients[1]?.failures.map((f) => f.code)).toEqual(['assertion.bmffHash.mismatch']);
  });
});

describe('tampering with a signed take', () => {
  // signedA keeps ffmpeg's default layout (moov after mdat); signedB is faststart (mdat last).
  type Files = { a: Buffer; b: Buffer; unsignedB: Buffer };
  const cases: [string, (files: Files) => Buffer, string][] = [
    ['a byte flipped in mdat', ({ a }) => flip(a, box(a, 'mdat').start + box(a, 'mdat').size - 100), 'assertion.bmffHash.mismatch'],
    ['the media truncated (faststart: inside mdat)', ({ b }) => b.subarray(0, b.length - 1000), 'assertion.bmffHash.mismatch'],
    ['the media truncated (moov cut off)', ({ a }) => a.subarray(0, a.length - 1000), 'general.error'],
    ['an assertion edited', ({ a }) => flip(a, a.indexOf('runway-gen4-turbo-test', box(a, 'uuid').start, 'latin1')), 'assertion.hashedURI.mismatch'],
    ['another take spliced under the manifest', ({ a, unsignedB }) => Buffer.concat([a.subarray(0, box(a, 'uuid').start + box(a, 'uuid').size), unsignedB.subarray(box(unsignedB, 'ftyp').size)]), 'assertion.bmffHash.mismatch'],
    ['trailing garbage', ({ a }) => Buffer.concat([a, Buffer.from('trailing garbage, not a box')]), 'general.error'],
    ['the file cut inside the manifest', ({ a }) => a.subarray(0, box(a, 'uuid').start + Math.floor(box(a, 'uuid').size / 2)), 'general.error'],
  ];

  it.each(cases)('%s reads invalid with its code', async (name, tamper, code) => {
    const file = path.join(dir, `tampered ${name}.mp4`);
    await writeFile(file, tamper({ a: await readFile(signedA), b: await readFile(signedB), unsignedB: await readFile(clipB) }));
    const report = await readCredentials(file, anchors());
    expect(report.state).toBe('invalid');
    expect(report.failures.map((f) => f.code)).toContain(code);
  });

  it('an unsigned MP4, image or text file has no credentials', async () => {
    expect((await readCredentials(clipA, anchors())).state).toBe('none');
    const text = path.join(dir, 'notes.txt');
    await writeFile(text, 'not media');
    expect(await readCredentials(text)).toMatchObject({ state: 'none', note: expect.stringMatching(/not a file format/) });
    const jpeg = path.join(dir, 'still.jpg');
    await run(bins.ffmpeg, ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=size=64x64', '-frames:v', '1', jpeg]);
    expect((await readCredentials(jpeg)).state).toBe('none');
  });
});

describe('the signing worker', () => {
  const gone = (pid: number | undefined) => {
    try {
      process.kill(pid as number, 0);
      return false;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'ESRCH';
    }
  };

  it('exits after its one job', async () => {
    let pid: number | undefined;
    const report = await readCredentialsInWorker(signedA, anchors(), { onSpawn: (p) => (pid = p), spawn: recordingSpawner });
    expect(report.state).toBe('trusted');
    expect(pid).toBeGreaterThan(0);
    expect(gone(pid)).toBe(true);
  });

  it('is killed by an abort, leaving neither output nor partial file', async () => {
    const controller = new AbortController();
    let pid: number | undefined;
    const out = path.join(dir, 'aborted.mp4');
    // A timestamp that never comes holds the worker mid-signing until the abort.
    const never = () => {
      setTimeout(() => controller.abort(), 50);
      return new Promise<Uint8Array>(() => undefined);
    };
    const job = signInWorker({ inputPath: clipA, outputPath: out, manifest: takeManifest('x', 'x'), signer: { ...signer(), timestamp: never } }, { signal: controller.signal, onSpawn: (p) => (pid = p), spawn: recordingSpawner });
    await expect(job).rejects.toBeInstanceOf(CancelledError);
    expect(gone(pid)).toBe(true);
    await expect(readFile(out)).rejects.toMatchObject({ code: 'ENOENT' });
    await noPartials();
  });

  it('turns a crash into a clear error, keeping the unsigned file', async () => {
    let pid: number | undefined;
    const crash = () => {
      process.kill(pid as number, 'SIGSEGV');
      return new Promise<Uint8Array>(() => undefined);
    };
    const job = signInWorker({ inputPath: clipA, outputPath: path.join(dir, 'crashed.mp4'), manifest: takeManifest('x', 'x'), signer: { ...signer(), timestamp: crash } }, { onSpawn: (p) => (pid = p), spawn: recordingSpawner });
    const error = (await job.catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(C2paWorkerError);
    expect(error.message).toMatch(/killed by SIGSEGV while signing .*take A.*the unsigned file is kept/);
    await noPartials();
  });

  it('refuses a file over the size ceiling, naming the limit, before starting anything', async () => {
    const out = path.join(dir, 'too big.mp4');
    let spawned = false;
    const size = (await readFile(clipA)).length;
    for (const attempt of [
      () => signInWorker({ inputPath: clipA, outputPath: out, manifest: takeManifest('x', 'x'), signer: signer(), maxBytes: 1000 }, { onSpawn: () => (spawned = true) }),
      () => signMp4({ inputPath: clipA, outputPath: out, manifest: takeManifest('x', 'x'), signer: signer(), maxBytes: 1000 }),
    ]) {
      const error = (await attempt().catch((e: unknown) => e)) as SigningSizeLimitError;
      expect(error).toBeInstanceOf(SigningSizeLimitError);
      expect(error.message).toContain('1000 bytes) limit');
      expect(error.message).toContain(`(${size} bytes)`);
      expect(error.message).toContain('take A ünï 🎬.mp4');
    }
    expect(spawned).toBe(false);
    await expect(readFile(out)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('the COSE signer', () => {
  it('fills every reserved size exactly, with a pad2 where one pad cannot, and c2pa-rs accepts that', async () => {
    const claim = new Uint8Array(700);
    const needsPad2: number[] = [];
    for (const size of [...range(1200, 1600), ...range(66500, 66700)]) {
      const cose = await createCoseSigner({ ...signer(), reserveSize: size })
        .sign(claim)
        .catch((error: Error) => error);
      if (cose instanceof Error) {
        expect(cose.message).toMatch(/needs \d+ bytes but only \d+ were reserved/);
        continue;
      }
      expect(cose.length).toBe(size);
      if (Buffer.from(cose).includes('pad2')) needsPad2.push(size);
    }
    expect(needsPad2.length).toBeGreaterThanOrEqual(2);
    const out = path.join(dir, 'pad2.mp4');
    await signMp4({ inputPath: clipA, outputPath: out, manifest: takeManifest('pad2', 'x'), signer: { ...signer(), reserveSize: needsPad2[0] } });
    expect((await readCredentials(out, anchors())).state).toBe('trusted');
  });

  function range(from: number, to: number): number[] {
    return Array.from({ length: to - from }, (_, index) => from + index);
  }
});

describe('the private key', () => {
  it('appears in no signed file, error message or worker stderr', async () => {
    // Errors of every kind: a key that is not the certificate's, garbage for a key, a manifest c2pa-rs rejects (in the worker).
    const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const badManifest: ManifestDefinition = { claim_generator_info: [{ name: 'Shotline' }], title: 'x', assertions: [{ label: 'c2pa.actions.v2', data: { actions: [{ action: 'c2pa.opened' }] } }] };
    const failures = [
      signMp4({ inputPath: clipA, outputPath: path.join(dir, 'k1.mp4'), manifest: takeManifest('x', 'x'), signer: { certificateChain: identity.chainPem, privateKey: stranger } }),
      signMp4({ inputPath: clipA, outputPath: path.join(dir, 'k2.mp4'), manifest: takeManifest('x', 'x'), signer: { certificateChain: identity.chainPem, privateKey: identity.leafKeyPem.replace('MI', 'XX') } }),
      signInWorker({ inputPath: clipA, outputPath: path.join(dir, 'k3.mp4'), manifest: badManifest, signer: signer() }, { spawn: recordingSpawner }),
      signInWorker(
        { inputPath: clipA, outputPath: path.join(dir, 'k4.mp4'), manifest: takeManifest('x', 'x'), signer: { ...signer(), timestamp: () => Promise.reject(new Error('TSA unreachable')) } },
        { spawn: recordingSpawner },
      ),
    ];
    const errors = await Promise.all(failures.map((p) => p.then(() => new Error('signed')).catch((e: unknown) => e as Error)));
    expect(errors[0]).toBeInstanceOf(SigningIdentityError);
    expect(errors[1]).toBeInstanceOf(SigningIdentityError);
    expect(errors[2]).toBeInstanceOf(C2paSigningError);
    expect(errors[2]?.message).toMatch(/assertion\.action\.malformed|assertion\.action\.ingredientMismatch/);
    expect(errors[3]).toBeInstanceOf(C2paSigningError);
    expect(errors[3]?.message).toBe('could not get a timestamp for the signature: TSA unreachable');
    errorTexts.push(...errors.map((e) => `${e.message}\n${e.stack ?? ''}`));

    const signedBytes = [await readFile(signedA), await readFile(signedB)];
    const rawScalar = createPrivateKey(identity.leafKeyPem).export({ format: 'jwk' }).d as string;
    expect(stderrTails.length).toBeGreaterThanOrEqual(6);
    for (const fragment of keyFragments()) {
      for (const bytes of signedBytes) expect(bytes.includes(fragment, 0, 'latin1')).toBe(false);
      for (const text of [...errorTexts, ...stderrTails]) expect(text).not.toContain(fragment);
    }
    for (const bytes of signedBytes) expect(bytes.includes(Buffer.from(rawScalar, 'base64url'))).toBe(false);
  });
});
