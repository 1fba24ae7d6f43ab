/**
 * Backend B (node-av, FFmpeg 8.1 in-process) against real media: every job of the
 * MediaBackend contract, checked by probing what it wrote (with the system ffprobe where
 * an independent reading matters). Fixtures are made with the system ffmpeg CLI.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CancelledError } from '../../src/shared/errors';
import { MediaJobError, NotPlayableError } from '../../src/main/media/backend/errors';
import { loadNodeAvBackend } from '../../src/main/media/backend/nodeav/index';
import type { GraphJob, JobProgress, MediaBackend, RunContext, VideoEncoding } from '../../src/main/media/backend/types';

const run = promisify(execFile);
const FFMPEG = process.env.FFMPEG_PATH ?? '/usr/bin/ffmpeg';
const FFPROBE = process.env.FFPROBE_PATH ?? '/usr/bin/ffprobe';

let backend: MediaBackend;
let dir: string;
/** Graph text embeds metadata=file= paths; this folder's name needs no escaping. */
let plainDir: string;
const clip = { a: '', b: '', videoOnly: '', rotated: '', vfr: '', audioOnly: '', black: '', corrupt: '', empty: '', garbage: '' };

function context(extra: Partial<RunContext> = {}): RunContext {
  return { signal: new AbortController().signal, ...extra };
}

async function ffmpeg(...args: string[]): Promise<void> {
  await run(FFMPEG, ['-hide_banner', '-loglevel', 'error', '-y', ...args]);
}

async function ffprobe(...args: string[]): Promise<string> {
  return (await run(FFPROBE, ['-v', 'error', ...args])).stdout;
}

const x264: VideoEncoding = { encoder: 'libx264', options: { preset: 'ultrafast' }, pixelFormat: 'yuv420p', fps: 30 };

beforeAll(async () => {
  const loaded = await loadNodeAvBackend();
  if ('error' in loaded) throw new Error(loaded.error);
  backend = loaded.backend;
  // Users' folders have spaces, quotes and unicode in them.
  dir = await mkdtemp(path.join(os.tmpdir(), `shotline nodeav "q" 'a' ünï `));
  plainDir = await mkdtemp(path.join(os.tmpdir(), 'shotline-nodeav-'));
  for (const key of Object.keys(clip) as (keyof typeof clip)[]) clip[key] = path.join(dir, `${key}.${key === 'audioOnly' ? 'm4a' : 'mp4'}`);
  const h264 = ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'];
  await Promise.all([
    ffmpeg(...['-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25:duration=2', '-f', 'lavfi', '-i', 'sine=frequency=330:sample_rate=44100:duration=2'], ...h264, '-c:a', 'aac', clip.a),
    ffmpeg(...['-f', 'lavfi', '-i', 'testsrc=size=256x192:rate=30:duration=2', '-f', 'lavfi', '-i', 'sine=frequency=550:sample_rate=48000:duration=2'], ...h264, '-c:a', 'aac', '-ac', '2', clip.b),
    ffmpeg('-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25:duration=2', ...h264, clip.videoOnly),
    // First second at 30 fps, then every third frame: r_frame_rate 30, average 20.
    ffmpeg('-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=30:duration=2', '-vf', String.raw`select='lt(n\,30)+not(mod(n\,3))'`, '-vsync', 'vfr', ...h264, clip.vfr),
    ffmpeg('-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=22050:duration=2', '-c:a', 'aac', clip.audioOnly),
    ffmpeg('-f', 'lavfi', '-i', 'color=c=black:size=320x240:rate=25:duration=1', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25:duration=1', '-filter_complex', '[0:v][1:v]concat=n=2:v=1', ...h264, clip.black),
    // Intra-only, so every damaged frame is one the decoder must report.
    ffmpeg('-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25:duration=2', ...h264, '-g', '1', clip.corrupt),
    writeFile(clip.empty, ''),
    writeFile(clip.garbage, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 251))),
  ]);
  await ffmpeg('-i', clip.a, '-c', 'copy', '-metadata:s:v', 'rotate=90', clip.rotated);
  // Overwrite stretches of the picture data (mdat), leaving the container intact.
  const bytes = await readFile(clip.corrupt);
  const mdat = bytes.indexOf('mdat');
  const span = bytes.length - mdat;
  for (const at of [0.2, 0.4, 0.6, 0.8]) bytes.fill(0x5a, mdat + Math.floor(span * at), mdat + Math.floor(span * at) + 400);
  await writeFile(clip.corrupt, bytes);
}, 60_000);

afterAll(async () => {
  for (const folder of [dir, plainDir]) if (folder) await rm(folder, { recursive: true, force: true });
});

describe('node-av backend: info and probe', () => {
  it('reports the bundled FFmpeg 8.1 with its encoders, filters and hardware types', async () => {
    const info = await backend.info();
    expect(info.name).toBe('node-av');
    expect(info.version).toMatch(/^8\.1/);
    expect(info.origin).toMatch(/^node-av 6\.1\.1 \(bundled FFmpeg\)$/);
    expect(info.encoders).toEqual(expect.arrayContaining(['libx264', 'aac', 'png', 'pcm_s16le', 'h264_vaapi']));
    expect(info.filters).toEqual(expect.arrayContaining(['xfade', 'acrossfade', 'blackdetect', 'metadata', 'hwupload']));
    expect(info.hardwareTypes).toEqual(expect.arrayContaining(['vaapi', 'vulkan']));
  });

  it('probes size, rates, codecs, audio and durations', async () => {
    const probe = await backend.probe(clip.a, context());
    expect(probe).toMatchObject({
      width: 320, height: 240, codedWidth: 320, codedHeight: 240, rotation: 0, fps: 25, baseFps: 25, variableFrameRate: false,
      videoCodec: 'h264', pixelFormat: 'yuv420p', sampleAspectRatio: '1:1', hasAudio: true, audioCodec: 'aac', audioSampleRate: 44100, audioChannels: 1,
    });
    expect(probe.videoProfile).toMatch(/Baseline|High|Main/);
    expect(probe.videoTimeBase).toMatch(/^1\/\d+$/);
    expect(probe.videoSetupHash).toMatch(/^[0-9a-f]{64}$/);
    expect(probe.durationSeconds).toBeCloseTo(2, 1);
    expect(probe.videoDurationSeconds).toBeCloseTo(2, 1);
    expect(probe.audioDurationSeconds).toBeCloseTo(2, 1);
    // Same encoder settings, same setup hash; another size, another hash.
    expect((await backend.probe(clip.videoOnly, context())).videoSetupHash).toBe(probe.videoSetupHash);
    expect((await backend.probe(clip.b, context())).videoSetupHash).not.toBe(probe.videoSetupHash);
  });

  it('turns the display size by the display matrix, in the sense ffprobe reads it', async () => {
    const probe = await backend.probe(clip.rotated, context());
    const ffprobeRotation = Number((await ffprobe('-select_streams', 'v', '-show_entries', 'stream_side_data=rotation', '-of', 'csv=p=0', clip.rotated)).trim());
    expect(Math.abs(ffprobeRotation)).toBe(90);
    // ffprobe's matrix rotation is counter-clockwise; the contract's is clockwise.
    expect(probe.rotation).toBe((((-ffprobeRotation) % 360) + 360) % 360);
    expect(probe).toMatchObject({ codedWidth: 320, codedHeight: 240, width: 240, height: 320 });
  });

  it('detects variable frame rate', async () => {
    const probe = await backend.probe(clip.vfr, context());
    expect(probe.baseFps).toBe(30);
    expect(probe.fps).toBeGreaterThan(17);
    expect(probe.fps).toBeLessThan(23);
    expect(probe.variableFrameRate).toBe(true);
  });

  it('rejects missing, empty, audio-only and garbage files as not playable', async () => {
    const cases: [string, RegExp][] = [
      [path.join(dir, 'missing.mp4'), /does not exist/],
      [clip.empty, /empty/],
      [clip.audioOnly, /audio only/],
      [clip.garbage, /could not read it \(Invalid data/],
    ];
    for (const [file, reason] of cases) {
      const error = await backend.probe(file, context()).catch((e: unknown) => e);
      expect(error, file).toBeInstanceOf(NotPlayableError);
      expect((error as NotPlayableError).file).toBe(file);
      expect((error as NotPlayableError).reason).toMatch(reason);
      expect((error as Error).message).toBe(`${file} is not a playable video: ${(error as NotPlayableError).reason}`);
    }
  });
});

describe('node-av backend: graph jobs', () => {
  it('crossfades two clips of other sizes and rates into an mp4 with keyframes where asked', async () => {
    const out = path.join(dir, 'xfade.mp4');
    const progress: JobProgress[] = [];
    const normalise = (i: number) => `[${i}:v]scale=320:240:force_original_aspect_ratio=decrease,pad=320:240:(ow-iw)/2:(oh-ih)/2,setsar=1,fps=30,format=yuv420p[v${i}]`;
    const audio = (i: number) => `[${i}:a]aformat=sample_rates=48000:channel_layouts=stereo[a${i}]`;
    const result = await backend.runGraph(
      {
        inputs: [{ path: clip.a }, { path: clip.b }],
        graph: [normalise(0), normalise(1), audio(0), audio(1), '[v0][v1]xfade=transition=fade:duration=0.5:offset=1.5[v]', '[a0][a1]acrossfade=d=0.5[a]'].join(';'),
        video: { label: 'v', encoding: { ...x264, keyframesAt: [0.5, 2.2], gopFrames: 250 } },
        audio: { label: 'a', encoding: { encoder: 'aac', sampleRate: 48000, channels: 2, bitrate: 128_000 } },
        output: { path: out, container: 'mp4', faststart: true },
        expectedSeconds: 3.5,
      },
      context({ onProgress: (p) => progress.push(p) }),
    );
    expect(result).toEqual({ decodeErrors: 0, firstDecodeError: null, device: null });
    const probe = await backend.probe(out, context());
    expect(probe).toMatchObject({ width: 320, height: 240, fps: 30, videoCodec: 'h264', pixelFormat: 'yuv420p', hasAudio: true, audioCodec: 'aac', audioSampleRate: 48000, audioChannels: 2 });
    expect(probe.durationSeconds).toBeCloseTo(3.5, 1);
    expect(probe.videoDurationSeconds).toBeCloseTo(3.5, 1);
    // faststart: the index comes before the media.
    const bytes = await readFile(out);
    expect(bytes.indexOf('moov')).toBeLessThan(bytes.indexOf('mdat'));
    // Keyframes at 0 (always), 0.5 and 2.2, and nowhere else with a 250-frame GOP.
    const keys = (await ffprobe('-select_streams', 'v', '-skip_frame', 'nokey', '-show_entries', 'frame=pts_time', '-of', 'csv=p=0', out))
      .split('\n')
      .map((line) => Number.parseFloat(line))
      .filter((t) => Number.isFinite(t));
    expect(keys.map((t) => Math.round(t * 30))).toEqual([0, 15, 66]);
    expect(progress.at(-1)).toEqual({ seconds: 3.5, fraction: 1 });
    expect(progress.every((p, i) => i === 0 || p.seconds >= progress[i - 1]!.seconds)).toBe(true);
  });

  it('seeks accurately and limits the read like -ss/-t before -i', async () => {
    const out = path.join(dir, 'trimmed.mkv');
    await backend.runGraph(
      {
        inputs: [{ path: clip.a, seekSeconds: 0.52, durationSeconds: 1 }],
        graph: '[0:v]null[v];[0:a]anull[a]',
        // Lossless, so the first frame can be compared with the source's.
        video: { label: 'v', encoding: { ...x264, options: { preset: 'ultrafast', qp: '0' }, fps: 25 } },
        audio: { label: 'a', encoding: { encoder: 'pcm_s16le', sampleRate: 44100, channels: 1 } },
        output: { path: out, container: 'matroska' },
        expectedSeconds: 1,
      },
      context(),
    );
    const frames = (await ffprobe('-count_frames', '-select_streams', 'v', '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', out)).trim();
    expect(Number(frames)).toBe(25);
    // Sample-accurate, as the CLI's atrim is (Matroska's millisecond packet times would round).
    const samples = (await ffprobe('-select_streams', 'a', '-show_entries', 'frame=nb_samples', '-of', 'csv=p=0', out))
      .split('\n')
      .reduce((sum, line) => sum + (Number.parseInt(line, 10) || 0), 0);
    expect(samples).toBe(44100);
    // The first frame shown is the one at 0.52 s (frame 13 of the 25 fps source), not the keyframe before it.
    expect(await ffmpegFrameMd5(out, 0)).not.toBe(await ffmpegFrameMd5(clip.a, 12));
    expect(await ffmpegFrameMd5(out, 0)).toBe(await ffmpegFrameMd5(clip.a, 13));
  });

  it('writes one PNG contact sheet', async () => {
    const out = path.join(dir, 'sheet.png');
    await backend.runGraph(
      {
        inputs: [{ path: clip.a }],
        graph: '[0:v]fps=2,scale=160:120,tile=2x2[sheet]',
        video: { label: 'sheet', encoding: { ...x264, fps: 1 } },
        output: { path: out, container: 'png' },
        expectedSeconds: 1,
      },
      context(),
    );
    const png = await readFile(out);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([320, 240]);

    // One frame is all a PNG takes, even from a source that never ends.
    const still = path.join(dir, 'still.png');
    await backend.runGraph({ inputs: [], graph: 'color=c=red:s=64x48[v]', video: { label: 'v', encoding: { ...x264, fps: 1 } }, output: { path: still, container: 'png' }, expectedSeconds: 0 }, context());
    const small = await readFile(still);
    expect([small.readUInt32BE(16), small.readUInt32BE(20)]).toEqual([64, 48]);
  });

  it('writes wav audio as pcm_s16le', async () => {
    const out = path.join(dir, 'audio.wav');
    await backend.runGraph(
      { inputs: [{ path: clip.a }], graph: '[0:a]volume=0.5[a]', audio: { label: 'a', encoding: { encoder: 'pcm_s16le', sampleRate: 48000, channels: 2 } }, output: { path: out, container: 'wav' }, expectedSeconds: 2 },
      context(),
    );
    const wav = await readFile(out);
    expect(wav.subarray(0, 4).toString()).toBe('RIFF');
    expect(wav.subarray(8, 12).toString()).toBe('WAVE');
    const fmt = wav.indexOf('fmt ');
    expect({ format: wav.readUInt16LE(fmt + 8), channels: wav.readUInt16LE(fmt + 10), rate: wav.readUInt32LE(fmt + 12), bits: wav.readUInt16LE(fmt + 22) }).toEqual({ format: 1, channels: 2, rate: 48000, bits: 16 });
    const data = wav.indexOf('data');
    expect(wav.readUInt32LE(data + 4) / (48000 * 4)).toBeCloseTo(2, 1);
  });

  it('runs an analysis graph into nothing while metadata=print writes its file', async () => {
    const report = path.join(plainDir, 'black.txt');
    const stats = path.join(plainDir, 'stats.txt');
    const result = await backend.runGraph(
      {
        inputs: [{ path: clip.black }],
        graph: `[0:v]split[s0][s1];[s0]blackdetect=d=0.2:pix_th=0.1,metadata=mode=print:file=${report}[x];[s1]signalstats,metadata=mode=print:key=lavfi.signalstats.YAVG:file=${stats}[y]`,
        discard: ['x', 'y'],
        output: { path: '', container: 'null' },
        expectedSeconds: 2,
      },
      context(),
    );
    expect(result.decodeErrors).toBe(0);
    const text = await readFile(report, 'utf8');
    expect(text).toMatch(/lavfi\.black_start=0\b/);
    expect(text).toMatch(/lavfi\.black_end=1\b/);
    const averages = [...(await readFile(stats, 'utf8')).matchAll(/YAVG=([\d.]+)/g)].map((m) => Number(m[1]));
    expect(averages).toHaveLength(50);
    expect(averages[0]).toBeLessThan(20);
    expect(averages[49]).toBeGreaterThan(50);
  });

  it('counts decode errors of a damaged clip and keeps going', async () => {
    const out = path.join(dir, 'from-corrupt.mp4');
    const result = await backend.runGraph(
      { inputs: [{ path: clip.corrupt }], graph: '[0:v]null[v]', video: { label: 'v', encoding: { ...x264, fps: 25 } }, output: { path: out, container: 'mp4' }, expectedSeconds: 2 },
      context(),
    );
    expect(result.decodeErrors).toBeGreaterThan(0);
    expect(result.firstDecodeError).toMatch(/stream #0:0/);
    // The undamaged frames still came through.
    expect((await backend.probe(out, context())).durationSeconds).toBeCloseTo(2, 0);
  });

  it('fails with a MediaJobError naming the input at fault, and for a broken graph', async () => {
    const missing = path.join(dir, 'nope.mp4');
    const base: GraphJob = { inputs: [{ path: missing }], graph: '[0:v]null[v]', video: { label: 'v', encoding: x264 }, output: { path: path.join(dir, 'never.mp4'), container: 'mp4' }, expectedSeconds: 1 };
    const error = await backend.runGraph(base, context()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MediaJobError);
    expect((error as Error).message).toContain(missing);
    expect((error as MediaJobError).detail).toMatch(/No such file/);

    const noAudio = await backend.runGraph({ ...base, inputs: [{ path: clip.videoOnly }], graph: '[0:a]anull[a]', video: undefined, audio: { label: 'a', encoding: { encoder: 'aac', sampleRate: 48000, channels: 2 } } }, context()).catch((e: unknown) => e);
    expect(noAudio).toBeInstanceOf(MediaJobError);
    expect((noAudio as Error).message).toMatch(new RegExp(`${escapeRegExp(clip.videoOnly)}.*no audio stream`));

    const badGraph = await backend.runGraph({ ...base, inputs: [{ path: clip.a }], graph: '[0:v]nosuchfilter[v]' }, context()).catch((e: unknown) => e);
    expect(badGraph).toBeInstanceOf(MediaJobError);
    expect((badGraph as Error).message).toMatch(/filter graph/);
  });

  it('cancels a long encode promptly and frees its natives', async () => {
    const controller = new AbortController();
    const job = backend.runGraph(
      {
        inputs: [],
        graph: 'testsrc2=size=640x480:rate=30:duration=120[v]',
        video: { label: 'v', encoding: { ...x264, options: { preset: 'medium' } } },
        output: { path: path.join(dir, 'cancelled.mp4'), container: 'mp4' },
        expectedSeconds: 120,
      },
      { signal: controller.signal },
    );
    const rejected = job.then(
      () => null,
      (e: unknown) => ({ error: e, at: performance.now() }),
    );
    await new Promise((resolve) => setTimeout(resolve, 400));
    const abortedAt = performance.now();
    controller.abort('user pressed stop');
    const outcome = await rejected;
    expect(outcome?.error).toBeInstanceOf(CancelledError);
    expect(outcome!.at - abortedAt).toBeLessThan(500);

    // An Error reason is passed through as it is.
    const second = new AbortController();
    const reason = new Error('worker shutting down');
    second.abort(reason);
    await expect(backend.runGraph({ inputs: [{ path: clip.a }], graph: '[0:v]null[v]', video: { label: 'v', encoding: x264 }, output: { path: path.join(dir, 'x.mp4'), container: 'mp4' }, expectedSeconds: 2 }, { signal: second.signal })).rejects.toBe(reason);
  });
});

describe('node-av backend: copy jobs and encoders', () => {
  it('joins two mp4 pieces end to end without re-encoding', async () => {
    const out = path.join(dir, 'joined.mp4');
    await backend.concatCopy({ parts: [clip.a, clip.a], output: { path: out, container: 'mp4', faststart: true }, expectedSeconds: 4 }, context());
    const probe = await backend.probe(out, context());
    expect(probe.durationSeconds).toBeCloseTo(4, 1);
    expect(probe.videoDurationSeconds).toBeCloseTo(4, 1);
    expect(probe.audioDurationSeconds).toBeCloseTo(4, 1);
    expect(probe.videoSetupHash).toBe((await backend.probe(clip.a, context())).videoSetupHash);
    const pts = (await ffprobe('-select_streams', 'v', '-show_entries', 'packet=pts_time', '-of', 'csv=p=0', out))
      .split('\n')
      .map(Number.parseFloat)
      .filter(Number.isFinite)
      .sort((x, y) => x - y);
    expect(pts).toHaveLength(100);
    // Continuous: the second piece's frames follow the first's at the frame interval.
    expect(pts.every((t, i) => Math.abs(t - i / 25) < 0.001)).toBe(true);
  });

  it('joins matroska pieces with video and audio', async () => {
    const pieces = [0, 1].map((i) => path.join(dir, `piece-${i}.mkv`));
    for (const [i, piece] of pieces.entries()) {
      await backend.runGraph(
        {
          inputs: [{ path: clip.a, seekSeconds: i, durationSeconds: 1 }],
          graph: '[0:v]null[v];[0:a]anull[a]',
          video: { label: 'v', encoding: { ...x264, fps: 25 } },
          audio: { label: 'a', encoding: { encoder: 'aac', sampleRate: 44100, channels: 1 } },
          output: { path: piece, container: 'matroska' },
          expectedSeconds: 1,
        },
        context(),
      );
    }
    const out = path.join(dir, 'joined.mkv');
    await backend.concatCopy({ parts: pieces, output: { path: out, container: 'matroska' }, expectedSeconds: 2 }, context());
    const probe = await backend.probe(out, context());
    expect(probe).toMatchObject({ hasAudio: true, audioCodec: 'aac', videoCodec: 'h264' });
    expect(probe.durationSeconds).toBeCloseTo(2, 1);
    const frames = (await ffprobe('-count_frames', '-select_streams', 'v', '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', out)).trim();
    expect(Number(frames)).toBe(50);
  });

  it('joins wav pieces', async () => {
    const piece = path.join(dir, 'piece.wav');
    await backend.runGraph({ inputs: [{ path: clip.a }], graph: '[0:a]anull[a]', audio: { label: 'a', encoding: { encoder: 'pcm_s16le', sampleRate: 44100, channels: 1 } }, output: { path: piece, container: 'wav' }, expectedSeconds: 2 }, context());
    const out = path.join(dir, 'joined.wav');
    await backend.concatCopy({ parts: [piece, piece, piece], output: { path: out, container: 'wav' }, expectedSeconds: 6 }, context());
    const wav = await readFile(out);
    expect(wav.readUInt32LE(wav.indexOf('data') + 4) / (44100 * 2)).toBeCloseTo(6, 1);
  });

  it('muxes one file’s video with another’s audio, or with none', async () => {
    const out = path.join(dir, 'muxed.mp4');
    await backend.mux({ video: clip.videoOnly, audio: clip.audioOnly, output: { path: out, faststart: true }, expectedSeconds: 2 }, context());
    const probe = await backend.probe(out, context());
    expect(probe).toMatchObject({ width: 320, height: 240, fps: 25, hasAudio: true, audioCodec: 'aac', audioSampleRate: 22050 });
    expect(probe.durationSeconds).toBeCloseTo(2, 1);
    const bytes = await readFile(out);
    expect(bytes.indexOf('moov')).toBeLessThan(bytes.indexOf('mdat'));

    const silent = path.join(dir, 'silent.mp4');
    await backend.mux({ video: clip.a, audio: null, output: { path: silent, faststart: false }, expectedSeconds: 2 }, context());
    expect((await backend.probe(silent, context())).hasAudio).toBe(false);
    expect((await stat(silent)).size).toBeLessThan((await stat(clip.a)).size);
  });

  it('tries encoders: libx264 works; hardware ones without hardware report why not', async () => {
    expect(await backend.tryEncoder({ encoder: 'libx264', pixelFormat: 'yuv420p' }, context())).toEqual({ encoder: 'libx264', works: true, reason: null });
    const trials = [
      { encoder: 'h264_vaapi', hardware: { type: 'vaapi' as const }, upload: 'hwupload', pixelFormat: 'vaapi' },
      { encoder: 'h264_nvenc', pixelFormat: 'yuv420p' },
      { encoder: 'no_such_encoder', pixelFormat: 'yuv420p' },
    ];
    for (const trial of trials) {
      const result = await backend.tryEncoder(trial, context());
      expect(result.encoder).toBe(trial.encoder);
      expect(result.works, trial.encoder).toBe(false);
      expect(result.reason, trial.encoder).toMatch(/\w{4,}/);
    }
  });
});

/** MD5 of one decoded frame as raw yuv420p, through the system ffmpeg (an independent decoder). */
async function ffmpegFrameMd5(file: string, index: number): Promise<string> {
  const { stdout } = await run(FFMPEG, ['-v', 'error', '-i', file, '-map', '0:v', '-vf', `select=eq(n\\,${index})`, '-frames:v', '1', '-pix_fmt', 'yuv420p', '-f', 'md5', '-']);
  return stdout.trim();
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
