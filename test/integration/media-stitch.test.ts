import { execFile } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CancelledError, UserError } from '../../src/shared/errors';
import { testMedia } from '../support/test-media';
import { chooseStitchVideo, expectedEpisodeSeconds, stitchEpisode, type StitchClip } from '../../src/main/media/stitch/index';
import { runStitchCommand } from '../../src/main/cli/stitch-command';
import { bins, makeClip, nastyTempDir, removeDir } from './media-fixtures';
import { runFfmpeg } from '../../src/main/media/ffmpeg';

let dir: string;
let clips: StitchClip[];
const output = { width: 640, height: 360, fps: 24, loudness: -16 };

beforeAll(async () => {
  dir = await nastyTempDir('stitch');
  const [wide, small, portrait] = await Promise.all([
    makeClip(path.join(dir, 'shot "one".mp4'), { width: 640, height: 360, fps: 24, seconds: 2, audio: true }),
    makeClip(path.join(dir, "shot 'two' ü.mp4"), { width: 320, height: 240, fps: 30, seconds: 2.2, audio: false, pattern: 'testsrc' }),
    makeClip(path.join(dir, 'shot 3 🎬.mp4'), { width: 180, height: 320, fps: 25, seconds: 1.5, audio: true }),
  ]);
  clips = [
    { path: wide, durationSeconds: 2, hasAudio: true, transitionToNext: { type: 'fade', duration: 0.5 } },
    // Trimmed from 2.2 s to 2 s; a cut into the portrait clip.
    { path: small, durationSeconds: 2, hasAudio: false, transitionToNext: { type: 'cut', duration: 0 } },
    { path: portrait, durationSeconds: 1.5, hasAudio: true, transitionToNext: { type: 'cut', duration: 0 } },
  ];
});

afterAll(() => removeDir(dir));

async function partials(folder: string): Promise<string[]> {
  return (await readdir(folder)).filter((name) => name.includes('.partial'));
}

describe('stitchEpisode', () => {
  it('stitches clips of different sizes, rates and audio into the planned duration', async () => {
    const out = path.join(dir, 'new folder', 'episode "pilot".mp4');
    const fractions: number[] = [];
    const started = Date.now();
    const result = await stitchEpisode(testMedia(), { clips, output }, out, { onProgress: (f) => fractions.push(f) });
    console.log(`stitched 3 clips (5.0 s, 640x360) in ${Date.now() - started} ms`);

    expect(expectedEpisodeSeconds(clips)).toBe(5);
    expect(result.path).toBe(out);
    expect(Math.abs(result.durationSeconds - 5)).toBeLessThanOrEqual(0.1);
    const probe = await testMedia().probe(out);
    expect(probe).toMatchObject({ width: 640, height: 360, fps: 24, hasAudio: true, audioCodec: 'aac', videoCodec: 'h264', pixelFormat: 'yuv420p' });
    expect(Math.abs(probe.durationSeconds - 5)).toBeLessThanOrEqual(0.1);
    expect(fractions.at(-1)).toBe(1);
    expect(await partials(path.dirname(out))).toEqual([]);
  });

  it('stitches a single clip without transitions, holding its last frame when it is a little short', async () => {
    const out = path.join(dir, 'single.mp4');
    // The file is 1.5 s; the plan says 1.7 s (an engine that delivered slightly short).
    const single = { ...clips[2]!, durationSeconds: 1.7, transitionToNext: { type: 'fade' as const, duration: 1 } };
    const result = await stitchEpisode(testMedia(), { clips: [single], output }, out);
    expect(Math.abs(result.durationSeconds - 1.7)).toBeLessThanOrEqual(0.1);
    expect((await testMedia().probe(out)).hasAudio).toBe(true);
  });

  it('leaves an existing output byte-identical and no temp files when cancelled', async () => {
    const out = path.join(dir, 'keep me.mp4');
    const original = Buffer.from('the previous episode, which must survive');
    await writeFile(out, original);
    const controller = new AbortController();
    const run = stitchEpisode(testMedia(), { clips, output }, out, { signal: controller.signal, onProgress: () => controller.abort() });
    await expect(run).rejects.toBeInstanceOf(CancelledError);
    expect(await readFile(out)).toEqual(original);
    expect(await partials(dir)).toEqual([]);
  });

  it('refuses transitions longer than their clips, naming the clip', async () => {
    const tooLong = clips.map((clip, i) => (i === 0 ? { ...clip, transitionToNext: { type: 'dissolve' as const, duration: 2.5 } } : clip));
    const error = await stitchEpisode(testMedia(), { clips: tooLong, output }, path.join(dir, 'x.mp4')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).problems).toEqual([
      'clip 1: transitions take 2.5 s but the clip is only 2 s long',
      'clip 2: transitions take 2.5 s but the clip is only 2 s long',
    ]);
  });

  it('names a clip that is missing', async () => {
    const missing = path.join(dir, 'gone.mp4');
    const broken = [clips[0]!, { ...clips[1]!, path: missing }];
    await expect(stitchEpisode(testMedia(), { clips: broken, output }, path.join(dir, 'y.mp4'))).rejects.toThrow(
      `clip 2 cannot be stitched: ${missing} is not a playable video: the file does not exist`,
    );
  });
});

describe('stitching what engines really send', () => {
  it('names a clip that is empty or holds no picture, before any work starts', async () => {
    const empty = path.join(dir, 'empty take.mp4');
    await writeFile(empty, '');
    const audioOnly = path.join(dir, 'sound only.m4a');
    await runFfmpeg(bins.ffmpeg, ['-y', '-f', 'lavfi', '-i', 'sine=d=1', '-c:a', 'aac', audioOnly]);
    const out = path.join(dir, 'never.mp4');
    await expect(stitchEpisode(testMedia(), { clips: [clips[0]!, { ...clips[1]!, path: empty }], output }, out)).rejects.toThrow(/clip 2 cannot be stitched: .*empty take\.mp4 is not a playable video: the file is empty/);
    await expect(stitchEpisode(testMedia(), { clips: [{ ...clips[0]!, path: audioOnly }], output }, out)).rejects.toThrow(/clip 1 cannot be stitched: .*audio only/);
    expect(await partials(dir)).toEqual([]);
  });

  it('turns a rotated, variable-frame-rate clip and trims one far longer than its shot, to the planned length', async () => {
    const rotated = path.join(dir, 'phone vfr.mp4');
    const uneven = path.join(dir, 'uneven.mp4');
    // A phone clip: frames at uneven times (30 fps, then 15), portrait by rotation metadata (set on a copy, as FFmpeg 5.1 only writes it there).
    await runFfmpeg(bins.ffmpeg, ['-y', '-f', 'lavfi', '-i', 'testsrc2=s=320x180:r=30:d=3', '-vf', String.raw`select='lt(n\,30)+not(mod(n\,2))'`, '-fps_mode', 'vfr', '-c:v', 'libx264', '-preset', 'ultrafast', uneven]);
    await runFfmpeg(bins.ffmpeg, ['-y', '-i', uneven, '-c', 'copy', '-metadata:s:v:0', 'rotate=90', rotated]);
    const long = await makeClip(path.join(dir, 'ten seconds.mp4'), { width: 640, height: 360, fps: 24, seconds: 10, audio: true });
    const probe = await testMedia().probe(rotated);
    expect(probe.rotation % 180).toBe(90);
    expect(probe.variableFrameRate).toBe(true);
    const out = path.join(dir, 'normalised.mp4');
    const result = await stitchEpisode(
      testMedia(),
      {
        clips: [
          { path: rotated, durationSeconds: 2, hasAudio: false, transitionToNext: { type: 'dissolve', duration: 0.5 } },
          { path: long, durationSeconds: 2, hasAudio: true, transitionToNext: { type: 'cut', duration: 0 } },
        ],
        output,
      },
      out,
    );
    expect(Math.abs(result.durationSeconds - 3.5)).toBeLessThanOrEqual(1 / 24 + 0.03);
    expect(await testMedia().probe(out)).toMatchObject({ width: 640, height: 360, fps: 24, rotation: 0, variableFrameRate: false, hasAudio: true });
  });
});

describe('shotline stitch --codec', () => {
  const run = (args: string[]) => {
    let stdout = '';
    const io = {
      stdout: { write: (text: string) => void (stdout += text) },
      stderr: { write: () => undefined },
      media: testMedia(),
      signal: new AbortController().signal,
      video: (codec: 'h264' | 'hevc') => chooseStitchVideo(testMedia(), codec),
    };
    return runStitchCommand(args, io).then((code) => ({ code, stdout }));
  };

  it('writes HEVC, tagged hvc1 for Apple players, with the encoder that codec does best here', async () => {
    const out = path.join(dir, 'episode «hevc».mp4');
    const { code, stdout } = await run([clips[2]!.path, '--out', out, '--codec', 'hevc', '--resolution', '480p', '--fps', '12', '--json']);
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as { encoder: string; encoderReason: string };
    const probe = await testMedia().probe(out);
    expect(probe.videoCodec).toBe('hevc');
    expect(report.encoderReason).toContain(report.encoder);
    const { stdout: tag } = await promisify(execFile)(bins.ffprobe, ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=codec_tag_string', '-of', 'csv=p=0', out]);
    expect(tag.trim()).toBe('hvc1');
  });

  it('refuses a codec it cannot write, naming the flag', async () => {
    await expect(run([clips[0]!.path, '--out', path.join(dir, 'x.mp4'), '--codec', 'av1'])).rejects.toThrow('--codec: "av1" is not one of h264, hevc');
  });
});
