/**
 * The stitcher's pictures, on both FFmpeg backends and both scalers (FFmpeg's on the CPU,
 * libplacebo on a Vulkan device): clips of other shapes fitted without distortion, a
 * BT.601 clip converted to BT.709, a full-range clip brought to TV range, an HDR10 clip
 * tone-mapped to SDR, and one colour description for the whole episode. CI has no GPU: its Vulkan device is Mesa's software
 * rasteriser (lavapipe, installed by scripts/system-deps.sh), which runs the same filter
 * text through the same Vulkan path. The GPU probe must see that it is a CPU rasteriser
 * and keep stitches off it; the stitches below ask for libplacebo explicitly.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSoftwareDevice } from '../../src/main/media/backend/device-log';
import { gpuFilters, VULKAN } from '../../src/main/media/encoders';
import { filter } from '../../src/main/media/filtergraph';
import { DEFAULT_VIDEO, stitchEpisode, type StitchClip, type StitchVideoSettings } from '../../src/main/media/stitch/index';
import { PARITY_BACKENDS, parityPool } from '../support/test-media';
import { bins, nastyTempDir, removeDir } from './media-fixtures';

const run = promisify(execFile);
let dir: string;
let clips: StitchClip[];
const OUTPUT = { width: 256, height: 144, fps: 12, loudness: null };
const LIBPLACEBO: StitchVideoSettings = { ...DEFAULT_VIDEO, hardware: VULKAN, scaling: 'libplacebo', scalingReason: 'asked for by the test' };

async function ffmpeg(args: string[]): Promise<void> {
  await run(bins.ffmpeg, ['-hide_banner', '-v', 'error', '-y', ...args]);
}

/** One second of a flat colour, 12 fps, with the given size, pixel shape and colour tags. */
async function flatClip(name: string, colour: string, size: string, extra: { filters?: string; tags?: string[] } = {}): Promise<string> {
  const file = path.join(dir, name);
  const filters = ['format=rgb24', extra.filters ?? 'scale=out_color_matrix=bt709:out_range=tv', 'format=yuv420p'].join(',');
  await ffmpeg(['-f', 'lavfi', '-i', `color=c=${colour}:s=${size}:r=12:d=1`, '-vf', filters, ...(extra.tags ?? []), '-c:v', 'libx264', '-preset', 'ultrafast', file]);
  return file;
}

interface FrameStats {
  /** The picture's box: what is brighter than black padding. */
  box: { x1: number; x2: number; y1: number; y2: number };
  /** Mean luma of the frame's centre. */
  centreLuma: number;
}

async function colourTags(file: string): Promise<Record<string, string>> {
  const { stdout } = await run(bins.ffprobe, ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=pix_fmt,color_range,color_space,color_primaries,color_transfer', '-of', 'json', file]);
  return (JSON.parse(stdout) as { streams: Record<string, string>[] }).streams[0]!;
}

/** Measured by the FFmpeg CLI on frames 6, 18, 30, 42 and 54: the middle of each one-second clip. */
async function middleFrames(file: string): Promise<FrameStats[]> {
  const printed = path.join(dir, `${path.basename(file)}.txt`);
  const filters = [filter('select', { expr: 'eq(n,6)+eq(n,18)+eq(n,30)+eq(n,42)+eq(n,54)' }), filter('bbox', { min_val: 40 }), filter('crop', { w: 32, h: 32 }), 'signalstats', filter('metadata', { mode: 'print', file: printed })];
  await ffmpeg(['-i', file, '-vf', filters.join(','), '-f', 'null', '-']);
  const frames = (await readFile(printed, 'utf8')).split(/^frame:/m).slice(1);
  return frames.map((text) => {
    const value = (key: string) => Number(new RegExp(`^lavfi\\.${key.replace('.', '\\.')}=(.+)$`, 'm').exec(text)?.[1]);
    return { box: { x1: value('bbox.x1'), x2: value('bbox.x2'), y1: value('bbox.y1'), y2: value('bbox.y2') }, centreLuma: value('signalstats.YAVG') };
  });
}

beforeAll(async () => {
  dir = await nastyTempDir('gpu scaling');
  const cut = { type: 'cut' as const, duration: 0 };
  const files = await Promise.all([
    // Pure red in BT.601's matrix (tagged so): Y 81 there, 63 in BT.709's.
    flatClip('red 601 «sd».mp4', 'red', '320x240', { filters: 'scale=out_color_matrix=bt601:out_range=tv', tags: ['-colorspace', 'smpte170m', '-color_primaries', 'bt709', '-color_trc', 'bt709'] }),
    flatClip("portrait 'white'.mp4", 'white', '180x320'),
    // 320x240 stored, shown 16:9 (pixels 4:3 wide): it fills the 16:9 frame.
    flatClip('anamorphic.mp4', 'white', '320x240', { filters: 'scale=out_color_matrix=bt709:out_range=tv,setsar=4/3' }),
    // Mid grey in full range (Y 128), as some image-sequence pipelines deliver: Y 126 in TV range.
    flatClip('full range.mp4', '0x808080', '256x144', { filters: 'scale=out_color_matrix=bt709:out_range=pc', tags: ['-colorspace', 'bt709', '-color_range', 'pc'] }),
    // SDR white as HDR10 (PQ, BT.2020, 10 bits): its codes read as SDR are a dull grey (Y 127).
    flatClip('hdr10 white.mp4', 'white', '256x144', {
      filters: 'format=gbrpf32le,zscale=tin=bt709:min=gbr:pin=bt709:rin=pc:t=smpte2084:m=bt2020nc:p=bt2020:r=tv:npl=100,format=yuv420p10le',
      tags: ['-colorspace', 'bt2020nc', '-color_primaries', 'bt2020', '-color_trc', 'smpte2084'],
    }),
  ]);
  clips = files.map((file) => ({ path: file, durationSeconds: 1, hasAudio: false, transitionToNext: cut }));
});

afterAll(() => removeDir(dir));

describe.each(PARITY_BACKENDS)('the pictures on the %s backend', (backend) => {
  const media = parityPool(backend);

  it('names the Vulkan device and uses it for stitches only when it is not a CPU rasteriser', async () => {
    const gpu = await gpuFilters(media);
    expect(gpu.device, gpu.reason).toBeTruthy();
    expect(gpu.libplacebo).toBe(!isSoftwareDevice(gpu.device!));
    expect(gpu.reason).toContain(gpu.device);
  });

  it('reads the colour tags as the other backend does', async () => {
    const probes = await Promise.all(clips.map((clip) => media.probe(clip.path)));
    expect(probes.map((p) => [p.colourMatrix, p.colourRange, p.colourTransfer])).toEqual([
      ['smpte170m', 'tv', 'bt709'],
      [null, null, null],
      [null, null, null],
      ['bt709', 'pc', null],
      ['bt2020nc', 'tv', 'smpte2084'],
    ]);
  });

  it('fits, converts to BT.709 in TV range and describes every piece alike, on either scaler', async () => {
    const onGpu = await stitchEpisode(media, { clips, output: { ...OUTPUT, video: LIBPLACEBO } }, path.join(dir, `${backend} libplacebo.mp4`));
    const onCpu = await stitchEpisode(media, { clips, output: { ...OUTPUT, video: DEFAULT_VIDEO } }, path.join(dir, `${backend} cpu.mp4`));
    expect(onGpu).toMatchObject({ scaling: 'libplacebo', method: 'pieces', pieces: 5 });
    expect(onCpu.scaling).toBe('cpu');
    expect(onGpu.durationSeconds).toBeCloseTo(5, 1);

    const [gpu, cpu] = await Promise.all([middleFrames(onGpu.path), middleFrames(onCpu.path)]);
    expect(gpu).toHaveLength(5);
    for (const frames of [gpu, cpu]) {
      // The red clip: BT.709's luma (63), not BT.601's (81).
      expect(frames[0]!.centreLuma).toBeGreaterThan(59);
      expect(frames[0]!.centreLuma).toBeLessThan(67);
      // Full-range grey in TV range.
      expect(Math.abs(frames[3]!.centreLuma - 126)).toBeLessThanOrEqual(2);
      // HDR10 white tone-mapped to SDR: well above the grey its PQ codes would show as, within TV range.
      expect(frames[4]!.centreLuma).toBeGreaterThan(170);
      expect(frames[4]!.centreLuma).toBeLessThanOrEqual(235);
    }
    for (const file of [onGpu.path, onCpu.path]) expect(await colourTags(file)).toEqual({ pix_fmt: 'yuv420p', color_range: 'tv', color_space: 'bt709', color_primaries: 'bt709', color_transfer: 'bt709' });
    // The portrait clip: about 81 x 144 in the middle of the frame, black bars on both sides.
    for (const { box } of [gpu[1]!, cpu[1]!]) {
      expect(box.y1).toBe(0);
      expect(box.y2).toBe(143);
      expect(Math.abs(box.x1 - 87)).toBeLessThanOrEqual(2);
      expect(Math.abs(box.x2 - 167)).toBeLessThanOrEqual(2);
    }
    // The anamorphic clip fills the frame: its pixels were made square, not left narrow.
    expect(gpu[2]!.box).toEqual({ x1: 0, x2: 255, y1: 0, y2: 143 });
    expect(cpu[2]!.box).toEqual({ x1: 0, x2: 255, y1: 0, y2: 143 });
    expect(gpu[2]!.centreLuma).toBeGreaterThan(230);
  });
});
