/**
 * Signing benchmark. Prints, in one run, beside the reference command on the same file:
 *  1. Signing a ~200 MB MP4 with content credentials, the product's way (a fresh C2PA
 *     worker process per file), against `sha256sum` of the same file (target ratio
 *     <= 3 warm: the file in the page cache, both measured after a first pass).
 *  2. The same signing in this process, warm (c2pa-wasm already compiled): what the
 *     worker's own start costs on top.
 *  3. Peak RSS of the signing worker process (c2pa-wasm holds about 5.7 x the file).
 * Run: npm run build && npm run bench:sign [-- --megabytes 200]
 */
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { existsSync } from 'node:fs';
import { signInWorker, signMp4 } from '../src/main/provenance/c2pa';
import { forkC2paWorkerFrom } from '../src/main/provenance/c2pa/worker/spawn';
import { makeTestIdentity } from '../test/support/c2pa-test-identity';
import { TreeRssSampler } from './rss-sampler';

const run = promisify(execFile);
const FFMPEG = process.env.FFMPEG_PATH ?? 'ffmpeg';
const megabytes = Number(process.argv[process.argv.indexOf('--megabytes') + 1]) || 200;

const manifest = {
  claim_generator_info: [{ name: 'Shotline bench', version: '0' }],
  title: 'bench',
  format: 'video/mp4',
  assertions: [{ label: 'c2pa.actions.v2', data: { actions: [{ action: 'c2pa.created', digitalSourceType: 'http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia' }] } }],
};

async function timed<T>(work: () => Promise<T>): Promise<{ seconds: number; value: T }> {
  const start = performance.now();
  const value = await work();
  return { seconds: (performance.now() - start) / 1000, value };
}

function best<T extends { seconds: number }>(a: T, b: T): T {
  return a.seconds <= b.seconds ? a : b;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'shotline-bench-sign-'));
  try {
    // A few seconds of high-bitrate 1080p with sound, then looped by stream copy to the size asked for.
    const seed = path.join(dir, 'seed.mp4');
    await run(FFMPEG, ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=s=1920x1080:r=24:d=4', '-f', 'lavfi', '-i', 'sine=f=440:d=4', '-c:v', 'libx264', '-preset', 'ultrafast', '-b:v', '40M', '-c:a', 'aac', '-shortest', seed]);
    const seedBytes = (await stat(seed)).size;
    const loops = Math.max(0, Math.ceil((megabytes * 1e6) / seedBytes) - 1);
    const big = path.join(dir, 'big.mp4');
    await run(FFMPEG, ['-v', 'error', '-stream_loop', String(loops), '-i', seed, '-c', 'copy', '-movflags', '+faststart', big]);
    const bytes = (await stat(big)).size;
    const identity = await makeTestIdentity({ label: 'bench' });
    const signer = { certificateChain: identity.chainPem, privateKey: identity.leafKeyPem };
    try {
      // Warm: the file in the page cache. Each figure is the better of two passes.
      await run('sha256sum', [big]);
      const sha = best(await timed(() => run('sha256sum', [big])), await timed(() => run('sha256sum', [big])));
      let workerPid: number | undefined;
      let workerPeak = 0;
      const signInFreshWorker = async (n: number) => {
        let sampler: TreeRssSampler | undefined;
        const result = await timed(() =>
          signInWorker(
            { inputPath: big, outputPath: path.join(dir, `signed-worker-${n}.mp4`), manifest, signer },
            {
              ...(spawn ? { spawn } : {}),
              onSpawn: (pid) => {
                workerPid = pid;
                sampler = new TreeRssSampler(pid!, true).start();
              },
            },
          ),
        );
        workerPeak = Math.max(workerPeak, sampler?.stop() ?? 0);
        return result;
      };
      // The built worker, as the app and the CLI start it (run `npm run build` first); else its source under tsx.
      const built = path.resolve('out/main/c2pa-worker.js');
      const spawn = existsSync(built) ? () => forkC2paWorkerFrom({ file: built, execArgv: [] }) : undefined;
      // The worker first, while this process holds no wasm memory of its own.
      const inWorker = best(await signInFreshWorker(1), await signInFreshWorker(2));
      await signMp4({ inputPath: big, outputPath: path.join(dir, 'warmup.mp4'), manifest, signer });
      const inProcess = await timed(() => signMp4({ inputPath: big, outputPath: path.join(dir, 'signed-here.mp4'), manifest, signer }));
      const mb = (n: number) => `${(n / 1e6).toFixed(0)} MB`;
      console.log(`file: ${mb(bytes)} MP4 (1080p24 H.264 + AAC), signer ${new X509Certificate(identity.leafPem).subject.split('\n')[0]}`);
      console.log(`sha256sum (reference):          ${sha.seconds.toFixed(2)} s`);
      console.log(`sign, fresh worker (product):   ${inWorker.seconds.toFixed(2)} s   ratio ${(inWorker.seconds / sha.seconds).toFixed(2)} (target <= 3; ${spawn ? 'the built worker' : 'worker from source under tsx: npm run build first'})`);
      console.log(`sign, in this process (warm):   ${inProcess.seconds.toFixed(2)} s   ratio ${(inProcess.seconds / sha.seconds).toFixed(2)}`);
      console.log(`peak RSS of the signing worker: ${mb(workerPeak)} (${(workerPeak / bytes).toFixed(1)} x the file; pid ${workerPid})`);
    } finally {
      await rm(identity.dir, { recursive: true, force: true });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
