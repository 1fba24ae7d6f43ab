/**
 * The stitcher against the promise of a broadcast-clean episode: clips of three engines
 * (different rates, sizes, orientation, with and without sound) come out in the target
 * format, at the planned length to the frame, with a beep still where its frame is and
 * the integrated loudness on target, as measured by the FFmpeg CLI itself.
 */
import { execFile } from 'node:child_process';
import { readFile, stat, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stitchEpisode, type StitchClip } from '../../src/main/media/stitch/index';
import { planTimeline } from '../../src/main/media/stitch/timeline';
import { verifyStitched } from '../../src/main/media/stitch/verify';
import { PARITY_BACKENDS, parityPool, testMedia } from '../support/test-media';
import { bins, nastyTempDir, removeDir } from './media-fixtures';

const run = promisify(execFile);
let dir: string;

async function ffmpeg(args: string[]): Promise<string> {
  const { stderr } = await run(bins.ffmpeg, ['-hide_banner', '-y', ...args], { maxBuffer: 64 << 20 });
  return stderr;
}

async function ffprobeStreams(file: string): Promise<Record<string, string>[]> {
  const { stdout } = await run(bins.ffprobe, ['-v', 'error', '-count_frames', '-show_entries', 'stream=codec_type,codec_name,width,height,r_frame_rate,nb_read_frames,sample_rate,channels,pix_fmt', '-of', 'json', file]);
  return (JSON.parse(stdout) as { streams: Record<string, string>[] }).streams;
}

/** Seconds at which the sound first rises above `level` (full scale 1.0) after `from` seconds. */
async function firstLoudSample(file: string, from: number, level: number): Promise<number> {
  const { stdout } = await run(bins.ffmpeg, ['-v', 'error', '-i', file, '-map', '0:a', '-ac', '1', '-ar', '48000', '-f', 'f32le', '-'], { encoding: 'buffer', maxBuffer: 256 << 20 });
  const samples = new Float32Array(stdout.buffer, stdout.byteOffset, stdout.byteLength / 4);
  for (let i = Math.floor(from * 48000); i < samples.length; i++) if (Math.abs(samples[i]!) > level) return i / 48000;
  return Number.NaN;
}

async function integratedLoudness(file: string): Promise<number> {
  const stderr = await ffmpeg(['-nostats', '-i', file, '-map', '0:a', '-af', 'ebur128', '-f', 'null', '-']);
  const summary = stderr.slice(stderr.lastIndexOf('Summary:'));
  return Number(/I:\s+(-?[\d.]+) LUFS/.exec(summary)?.[1]);
}

let clips: StitchClip[];
const BEEP_AT = 2; // seconds into the third clip

beforeAll(async () => {
  dir = await nastyTempDir('broadcast');
  const engineA = path.join(dir, 'runway "a".mp4');
  const engineB = path.join(dir, "veo 'b' 1080p.mp4");
  const engineC = path.join(dir, 'kling portrait ü.mp4');
  await Promise.all([
    // 24 fps 1280x720 with a quiet tone.
    ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=s=1280x720:r=24:d=4', '-f', 'lavfi', '-i', 'sine=f=220:d=4,volume=0.05', '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', '-shortest', engineA]),
    // 30 fps 1920x1080, no sound.
    ffmpeg(['-f', 'lavfi', '-i', 'testsrc=s=1920x1080:r=30:d=3', '-c:v', 'libx264', '-preset', 'ultrafast', engineB]),
    // 25 fps portrait, silence with one beep at exactly 2.000 s (frame 50).
    ffmpeg([
      ...['-f', 'lavfi', '-i', 'testsrc2=s=720x1280:r=25:d=5'],
      ...['-f', 'lavfi', '-i', `sine=f=1000:d=5,volume='if(between(t,${BEEP_AT},${BEEP_AT + 0.2}),0.8,0)':eval=frame`],
      ...['-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', '-ar', '48000', '-shortest', engineC],
    ]),
  ]);
  clips = [
    { path: engineA, durationSeconds: 4, hasAudio: true, transitionToNext: { type: 'fade', duration: 0.5 } },
    { path: engineB, durationSeconds: 3, hasAudio: true, transitionToNext: { type: 'fadeblack', duration: 0.5 } },
    { path: engineC, durationSeconds: 5, hasAudio: true, transitionToNext: { type: 'cut', duration: 0 } },
  ];
}, 60_000);

afterAll(() => removeDir(dir));

describe.each(PARITY_BACKENDS)('a mixed-engine episode (%s FFmpeg)', (backend) => {
  it('comes out in the target format, to the frame, in sync and on loudness target', async () => {
    const out = path.join(dir, `episode "mixed" ${backend}.mp4`);
    const report = await stitchEpisode(parityPool(backend), { clips, output: { width: 1280, height: 720, fps: 24, loudness: -16 } }, out);

    const expectedFrames = planTimeline(clips, 24).totalFrames;
    expect(expectedFrames).toBe(264); // 4 + 3 + 5 - 0.5 - 0.5 = 11 s at 24 fps
    const [video, audio] = await ffprobeStreams(out);
    expect(video).toMatchObject({ codec_type: 'video', codec_name: 'h264', width: 1280, height: 720, r_frame_rate: '24/1', pix_fmt: 'yuv420p' });
    expect(Math.abs(Number(video!.nb_read_frames) - expectedFrames)).toBeLessThanOrEqual(1);
    expect(audio).toMatchObject({ codec_type: 'audio', codec_name: 'aac', sample_rate: '48000', channels: 2 });
    expect(Math.abs(report.durationSeconds - 11)).toBeLessThanOrEqual(1 / 24 + 0.03);

    // The third clip starts at 4 + 3 - 0.5 - 0.5 = 6 s; its beep belongs at 8 s.
    const beep = await firstLoudSample(out, 7, 0.2);
    expect(Math.abs(beep - (6 + BEEP_AT))).toBeLessThanOrEqual(1 / 24);

    const loudness = await integratedLoudness(out);
    expect(Math.abs(loudness - -16)).toBeLessThanOrEqual(0.5);
    expect(report).toMatchObject({ method: 'pieces', encoder: 'libx264', loudness: { target: -16 } });
  }, 120_000);
});

describe('joining and checking', () => {
  it('joins matching clips with only cuts packet for packet (no re-encode)', async () => {
    const same = await Promise.all(
      [1, 2, 3].map(async (n) => {
        const file = path.join(dir, `same ${n}.mp4`);
        await ffmpeg(['-f', 'lavfi', '-i', `testsrc2=s=640x360:r=24:d=${n}`, '-f', 'lavfi', '-i', `sine=f=${300 + n * 100}:d=${n}`, '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', '-ar', '48000', '-shortest', file]);
        return file;
      }),
    );
    const input = same.map((file, i): StitchClip => ({ path: file, durationSeconds: i + 1, hasAudio: true, transitionToNext: { type: 'cut', duration: 0 } }));
    const out = path.join(dir, 'copied.mp4');
    const report = await stitchEpisode(testMedia(), { clips: input, output: { width: 640, height: 360, fps: 24, loudness: null } }, out);
    expect(report.method).toBe('stream-copy');
    expect(report.notCopiedBecause).toBeNull();

    // Decoded pictures identical to the sources': a lossy re-encode could not do that.
    // (Packets are not compared: joining puts the parameter sets in-band in each clip's first packet, as `ffmpeg -f concat -c copy` does.)
    const packetHashes = async (file: string) => (await run(bins.ffmpeg, ['-v', 'error', '-i', file, '-map', '0:v', '-f', 'framemd5', '-'], { maxBuffer: 64 << 20 })).stdout.split('\n').filter((line) => line && !line.startsWith('#')).map((line) => line.split(',').at(-1)!.trim());
    const joined = (await Promise.all(same.map(packetHashes))).flat();
    expect(await packetHashes(out)).toEqual(joined);

    // The same pictures where one clip has no sound (engines differ): the pictures are still copied, the sound is made.
    const silent = path.join(dir, 'same 2 silent.mp4');
    await ffmpeg(['-i', same[1]!, '-map', '0:v', '-c', 'copy', silent]);
    const mixedSound = input.map((clip, i) => (i === 1 ? { ...clip, path: silent } : clip));
    const soundMade = await stitchEpisode(testMedia(), { clips: mixedSound, output: { width: 640, height: 360, fps: 24, loudness: -16 } }, path.join(dir, 'copied sound made.mp4'));
    expect(soundMade).toMatchObject({ method: 'stream-copy', soundCopied: false });
    expect(await packetHashes(path.join(dir, 'copied sound made.mp4'))).toEqual(joined);
    expect(Math.abs(soundMade.durationSeconds - 6)).toBeLessThanOrEqual(1 / 24 + 0.03);

    // With a transition the same clips go through the pieces path, and the report says why.
    const faded = input.map((clip, i) => (i === 0 ? { ...clip, transitionToNext: { type: 'dissolve' as const, duration: 0.25 } } : clip));
    const second = await stitchEpisode(testMedia(), { clips: faded, output: { width: 640, height: 360, fps: 24, loudness: null } }, path.join(dir, 'faded.mp4'));
    expect(second).toMatchObject({ method: 'pieces', notCopiedBecause: 'the episode has transitions' });
  }, 120_000);

  it('refuses to rename a file whose encoder left it without its index (a full disk)', async () => {
    const whole = path.join(dir, 'whole.mp4');
    await ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=s=320x240:r=24:d=2', '-c:v', 'libx264', '-preset', 'ultrafast', whole]);
    const cut = path.join(dir, 'cut.mp4');
    await writeFile(cut, await readFile(whole));
    // moov is at the end without faststart: cutting the tail removes it, as ENOSPC would.
    await truncate(cut, Math.floor((await stat(whole)).size * 0.7));
    const timeline = planTimeline([{ durationSeconds: 2, transitionToNext: { type: 'cut', duration: 0 } }], 24);
    await expect(verifyStitched(testMedia(), cut, timeline, {})).rejects.toThrow(/damaged.*output was left unchanged/s);
  });
});
