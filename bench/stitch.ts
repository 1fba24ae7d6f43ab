/**
 * Stitch benchmark. Prints, in one run, each of our figures beside the reference
 * command that makes the same output:
 *  1. 12 x 5 s 720p clips that already match the output, 0.5 s transitions, loudness
 *     to -16 LUFS: our stitch against one hand-written ffmpeg command (xfade/acrossfade
 *     chain + loudnorm, libx264 veryfast crf 20, AAC 192k) (target ratio <= 0.5).
 *  2. The same with clips that all need normalising (1080p 30 fps, half without sound)
 *     (target ratio <= 1.0).
 *  3. Only cuts between matching clips, loudness left alone: our stream-copy path
 *     against `ffmpeg -f concat -c copy` (target ratio <= 1.10).
 *  4. The animatic engine's time per 5 s 720p card.
 *  5. Peak RSS: our whole process tree (main + media workers + their ffmpeg) against
 *     the reference ffmpeg process's.
 * Run: npm run bench:stitch [-- --ffmpeg cli|bundled]
 */
import { execFile, spawn } from 'node:child_process';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { renderCard } from '../src/main/engines/animatic/render';
import { DEFAULT_VIDEO, stitchEpisode, type StitchClip } from '../src/main/media/stitch/index';
import { MediaPool } from '../src/main/media/worker/pool';
import { mediaWorkerSettings } from '../src/main/media/worker/settings';
import { generationRequest } from '../test/support/generation-request';
import { TreeRssSampler } from './rss-sampler';

const run = promisify(execFile);
const FFMPEG = process.env.FFMPEG_PATH ?? 'ffmpeg';
const CLIPS = 12;
const SECONDS = 5;
const FADE = 0.5;
const OUT = { width: 1280, height: 720, fps: 24 };

const backendFlag = process.argv.indexOf('--ffmpeg');
const media = new MediaPool({ settings: mediaWorkerSettings(backendFlag > 0 ? process.argv[backendFlag + 1] : undefined, undefined, process.env) });

async function ffmpeg(args: string[]): Promise<void> {
  await run(FFMPEG, ['-hide_banner', '-v', 'error', '-y', ...args], { maxBuffer: 64 << 20 });
}

/** The reference command, with the peak memory of its own process. */
async function reference(args: string[]): Promise<number> {
  const child = spawn(FFMPEG, ['-hide_banner', '-v', 'error', '-y', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  const sampler = new TreeRssSampler(child.pid!, true).start();
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const peak = sampler.stop();
  if (code !== 0) throw new Error(`reference ffmpeg failed: ${stderr.slice(-500)}`);
  return peak;
}

async function makeClips(dir: string, kind: 'matching' | 'mixed'): Promise<string[]> {
  return Promise.all(
    Array.from({ length: CLIPS }, async (_, i) => {
      const file = path.join(dir, `${kind} ${i + 1}.mp4`);
      const size = kind === 'matching' ? '1280x720' : '1920x1080';
      const rate = kind === 'matching' ? 24 : 30;
      const withSound = kind === 'matching' || i % 2 === 0;
      const sound = withSound ? ['-f', 'lavfi', '-i', `sine=f=${200 + i * 40}:d=${SECONDS}:sample_rate=${kind === 'matching' ? 48000 : 44100}`] : [];
      const audioCodec = withSound ? ['-c:a', 'aac', '-ac', '2'] : [];
      await ffmpeg(['-f', 'lavfi', '-i', `testsrc2=s=${size}:r=${rate}:d=${SECONDS}`, ...sound, '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', ...audioCodec, '-shortest', file]);
      return file;
    }),
  );
}

/** The one command a skilled user would write for the same episode. */
function referenceArgs(files: string[], withSound: boolean[], out: string): string[] {
  const parts: string[] = [];
  files.forEach((_, i) => {
    parts.push(`[${i}:v]scale=${OUT.width}:${OUT.height}:force_original_aspect_ratio=decrease,pad=${OUT.width}:${OUT.height}:(ow-iw)/2:(oh-ih)/2,setsar=1,fps=${OUT.fps},format=yuv420p,settb=AVTB[v${i}]`);
    parts.push(withSound[i] ? `[${i}:a]aresample=48000,aformat=sample_fmts=fltp:channel_layouts=stereo[a${i}]` : `anullsrc=r=48000:cl=stereo,atrim=duration=${SECONDS}[a${i}]`);
  });
  let video = 'v0';
  let audio = 'a0';
  for (let i = 1; i < files.length; i++) {
    const offset = i * (SECONDS - FADE);
    parts.push(`[${video}][v${i}]xfade=transition=fade:duration=${FADE}:offset=${offset}[vx${i}]`);
    parts.push(`[${audio}][a${i}]acrossfade=d=${FADE}[ax${i}]`);
    video = `vx${i}`;
    audio = `ax${i}`;
  }
  parts.push(`[${audio}]loudnorm=I=-16:TP=-1.5:LRA=11,aresample=48000,aformat=sample_fmts=fltp:channel_layouts=stereo[aout]`);
  return [...files.flatMap((file) => ['-i', file]), '-filter_complex', parts.join(';'), '-map', `[${video}]`, '-map', '[aout]', '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20', '-c:a', 'aac', '-b:a', '192k', '-movflags', '+faststart', out];
}

async function timed<T>(work: () => Promise<T>, includeRoot: boolean): Promise<{ seconds: number; peakBytes: number; result: T }> {
  const sampler = new TreeRssSampler(process.pid, includeRoot).start();
  const started = performance.now();
  const result = await work();
  const seconds = (performance.now() - started) / 1000;
  return { seconds, peakBytes: sampler.stop(), result };
}

const mb = (bytes: number) => `${(bytes / 1048576).toFixed(0)} MB`;
const s = (seconds: number) => `${seconds.toFixed(2)} s`;

async function compare(label: string, target: number, ours: () => Promise<unknown>, referenceRun: () => Promise<number>): Promise<void> {
  const started = performance.now();
  const theirPeak = await referenceRun();
  const theirs = { seconds: (performance.now() - started) / 1000, peakBytes: theirPeak };
  // How long main's event loop (the UI's, in the app) ever waited while we stitched.
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const mine = await timed(ours, true);
  loop.disable();
  const ratio = mine.seconds / theirs.seconds;
  console.log(
    `${label}\n  ours ${s(mine.seconds)} (peak RSS ${mb(mine.peakBytes)}, main's event loop delayed ${(loop.max / 1e6).toFixed(0)} ms at most) | reference ${s(theirs.seconds)} (peak RSS ${mb(theirs.peakBytes)}) | ratio ${ratio.toFixed(2)} (target <= ${target.toFixed(2)})`,
  );
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'shotline bench stitch '));
  try {
    // The app keeps its workers running; start them before anything is timed.
    await media.warm();
    const info = await media.info();
    const backend = await media.backend();
    console.log(`media backend: ${backend.backend} (FFmpeg ${info.version}, ${info.origin}); reference: ${FFMPEG}; ${os.availableParallelism()} cores`);
    const [matching, mixed] = [await makeClips(dir, 'matching'), await makeClips(dir, 'mixed')];
    const faded = (files: string[], sound: boolean[]): StitchClip[] => files.map((file, i) => ({ path: file, durationSeconds: SECONDS, hasAudio: sound[i]!, transitionToNext: { type: 'fade', duration: FADE } }));
    const allSound = matching.map(() => true);
    const halfSound = mixed.map((_, i) => i % 2 === 0);

    await compare(
      `1. ${CLIPS} x ${SECONDS} s 720p clips already in the output format, ${FADE} s fades, loudness -16 LUFS`,
      0.5,
      () => stitchEpisode(media, { clips: faded(matching, allSound), output: { ...OUT, loudness: -16, video: DEFAULT_VIDEO } }, path.join(dir, 'ours-matching.mp4')),
      () => reference(referenceArgs(matching, allSound, path.join(dir, 'ref-matching.mp4'))),
    );
    await compare(
      `2. ${CLIPS} x ${SECONDS} s 1080p30 clips (half without sound), every clip normalised to 720p24`,
      1.0,
      () => stitchEpisode(media, { clips: faded(mixed, halfSound), output: { ...OUT, loudness: -16, video: DEFAULT_VIDEO } }, path.join(dir, 'ours-mixed.mp4')),
      () => reference(referenceArgs(mixed, halfSound, path.join(dir, 'ref-mixed.mp4'))),
    );
    // Fresh copies: the pool remembers probes by file, and these must be probed like any new clips.
    const copies = await Promise.all(matching.map(async (file) => {
      const copy = file.replace(/\.mp4$/, ' copy.mp4');
      await copyFile(file, copy);
      return copy;
    }));
    const list = path.join(dir, 'list.txt');
    await writeFile(list, copies.map((file) => `file '${file.replace(/'/g, "'\\''")}'\n`).join(''));
    const cuts = copies.map((file): StitchClip => ({ path: file, durationSeconds: SECONDS, hasAudio: true, transitionToNext: { type: 'cut', duration: 0 } }));
    await compare(
      `3. the same matching clips with only cuts, loudness off: stream copy`,
      1.1,
      () => stitchEpisode(media, { clips: cuts, output: { ...OUT, loudness: null } }, path.join(dir, 'ours-copy.mp4')),
      () => reference(['-f', 'concat', '-safe', '0', '-i', list, '-c', 'copy', '-movflags', '+faststart', path.join(dir, 'ref-copy.mp4')]),
    );

    const cards = 3;
    const card = await timed(async () => {
      for (let i = 0; i < cards; i++) {
        await renderCard(generationRequest({ shotId: `s${i}`, durationSeconds: 5, audio: true, prompt: `Dawn over a flooded city, wide, take ${i}` }), path.join(dir, `card ${i}.mp4`), { media, textDir: path.join(dir, 'text') });
      }
    }, true);
    console.log(`4. animatic card, 5 s 720p with sound: ${s(card.seconds / cards)} per card (${cards} cards, peak RSS ${mb(card.peakBytes)})`);
  } finally {
    media.close();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
