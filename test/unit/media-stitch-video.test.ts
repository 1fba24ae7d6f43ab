/**
 * Where the stitcher's pictures are made: which device each picture job opens, when
 * clips are scaled with libplacebo on a Vulkan GPU, and the size a clip takes inside
 * the output frame. Pure decisions; the stitch itself runs in the integration tests.
 */
import { describe, expect, it } from 'vitest';
import { isSoftwareDevice, selectedDevice } from '../../src/main/media/backend/device-log';
import type { EncoderTrialResult, MediaProbe } from '../../src/main/media/backend/types';
import { ENCODER_CANDIDATES, encoderChoice, VULKAN, type GpuFilters } from '../../src/main/media/encoders';
import { segmentVideoJob, type PieceClip, type PieceOutput } from '../../src/main/media/stitch/piece-graphs';
import { fittedSize, isHdr, swscaleMatrix } from '../../src/main/media/stitch/picture';
import { DEFAULT_VIDEO, stitchVideoFrom, type StitchVideoSettings } from '../../src/main/media/stitch/video-settings';

const choiceOf = (encoder: string) => encoderChoice(ENCODER_CANDIDATES.find((c) => c.encoder === encoder)!, `${encoder}: chosen`, [] as EncoderTrialResult[]);
const GPU: GpuFilters = { libplacebo: true, device: 'NVIDIA H100 80GB HBM3 (discrete)', reason: 'libplacebo ran on NVIDIA H100 80GB HBM3 (discrete)' };
const SOFTWARE: GpuFilters = { libplacebo: false, device: 'llvmpipe (LLVM 15.0.6, 256 bits) (software)', reason: 'the Vulkan device FFmpeg opens is llvmpipe, a CPU rasteriser' };

describe('the Vulkan device FFmpeg names in its log', () => {
  it('reads the device and its type, without the id, and tells a CPU rasteriser from a GPU', () => {
    const lavapipe = selectedDevice('Device 0 selected: llvmpipe (LLVM 15.0.6, 256 bits) (software) (0x0)');
    const nvidia = selectedDevice('[AVHWDeviceContext @ 0x55f1] Device 1 selected: NVIDIA H100 80GB HBM3 (discrete) (0x2330)');
    expect(lavapipe).toBe('llvmpipe (LLVM 15.0.6, 256 bits) (software)');
    expect(nvidia).toBe('NVIDIA H100 80GB HBM3 (discrete)');
    expect(isSoftwareDevice(lavapipe!)).toBe(true);
    expect(isSoftwareDevice(nvidia!)).toBe(false);
    expect(isSoftwareDevice('AMD Radeon Pro W7900 (RADV NAVI31) (discrete)')).toBe(false);
    expect(selectedDevice('Using device extension VK_KHR_push_descriptor')).toBeNull();
  });
});

describe('stitchVideoFrom', () => {
  it('scales on the GPU with a software encoder, opening Vulkan for every picture job', () => {
    const video = stitchVideoFrom(choiceOf('libx264'), GPU);
    expect(video).toMatchObject({ scaling: 'libplacebo', hardware: VULKAN, encoderTail: [] });
    expect(video.scalingReason).toContain('NVIDIA H100');
  });

  it('shares the Vulkan device with a Vulkan encoder, and leaves NVENC its frames in memory', () => {
    expect(stitchVideoFrom(choiceOf('h264_vulkan'), GPU)).toMatchObject({ scaling: 'libplacebo', hardware: VULKAN });
    expect(stitchVideoFrom(choiceOf('h264_nvenc'), GPU)).toMatchObject({ scaling: 'libplacebo', hardware: VULKAN });
  });

  it("keeps the CPU scaler beside an encoder with a device of its own, and keeps that device for the encoder", () => {
    const video = stitchVideoFrom(choiceOf('h264_vaapi'), GPU);
    expect(video).toMatchObject({ scaling: 'cpu', hardware: { type: 'vaapi', device: '/dev/dri/renderD128' } });
    expect(video.scalingReason).toMatch(/h264_vaapi works on its own vaapi device/);
  });

  it('keeps the CPU scaler when only a software rasteriser runs libplacebo, saying so', () => {
    const video = stitchVideoFrom(choiceOf('libx264'), SOFTWARE);
    expect(video.scaling).toBe('cpu');
    expect(video.hardware).toBeUndefined();
    expect(video.scalingReason).toContain('CPU rasteriser');
  });
});

describe('fittedSize', () => {
  const probe = (codedWidth: number, codedHeight: number, sampleAspectRatio = '1:1', rotation = 0) => ({ codedWidth, codedHeight, sampleAspectRatio, rotation });
  const hd = { width: 1280, height: 720 };

  it('fills a frame of the same shape and fits other shapes inside it in even sizes', () => {
    expect(fittedSize(probe(1920, 1080), hd)).toEqual({ width: 1280, height: 720 });
    expect(fittedSize(probe(640, 480), hd)).toEqual({ width: 960, height: 720 });
    expect(fittedSize(probe(1080, 1920), hd)).toEqual({ width: 406, height: 720 });
    expect(fittedSize(probe(2560, 1080), hd)).toEqual({ width: 1280, height: 540 });
  });

  it('widens non-square pixels and turns a rotated clip before fitting', () => {
    // PAL widescreen: 720x576 stored, 16:9 shown.
    expect(fittedSize(probe(720, 576, '64:45'), hd)).toEqual({ width: 1280, height: 720 });
    // A phone clip stored landscape with a 90 degree display matrix is portrait.
    expect(fittedSize(probe(1920, 1080, '1:1', 90), hd)).toEqual({ width: 406, height: 720 });
  });
});

describe('swscaleMatrix', () => {
  it("names the clip's own matrix, and reads an untagged clip as players do: BT.601 below 720 lines", () => {
    expect(swscaleMatrix({ colourMatrix: 'smpte170m', codedHeight: 1080 })).toBe('smpte170m');
    expect(swscaleMatrix({ colourMatrix: 'bt470bg', codedHeight: 576 })).toBe('bt470');
    expect(swscaleMatrix({ colourMatrix: 'bt2020nc', codedHeight: 2160 })).toBe('bt2020');
    expect(swscaleMatrix({ colourMatrix: null, codedHeight: 480 })).toBe('bt601');
    expect(swscaleMatrix({ colourMatrix: null, codedHeight: 720 })).toBe('bt709');
    expect(swscaleMatrix({ colourMatrix: 'ycgco', codedHeight: 1080 })).toBe('bt709');
  });
});

describe('segmentVideoJob', () => {
  const probe = { codedWidth: 640, codedHeight: 480, width: 640, height: 480, rotation: 0, sampleAspectRatio: '1:1' } as MediaProbe;
  const clip: PieceClip = { path: '/clips/a.mp4', probe, useAudio: false };
  const segment = { clip: 0, fromFrame: 0, toFrame: 48, blend: null, start: 0, end: 48 };
  const outputOf = (video: StitchVideoSettings): PieceOutput => ({ width: 1280, height: 720, fps: 24, encoding: { ...video.encoding, fps: 24 }, encoderTail: video.encoderTail, hardware: video.hardware, scaling: video.scaling });

  it('scales with libplacebo on the device and back before padding, when the settings say so', () => {
    const job = segmentVideoJob(segment, clip, undefined, outputOf(stitchVideoFrom(choiceOf('libx264'), GPU)), '/work/v.mp4');
    expect(job.hardware).toEqual(VULKAN);
    expect(job.graph).toMatch(/hwupload,libplacebo=w=960:h=720:format=yuv420p:normalize_sar=1:pad_crop_ratio=0:colorspace=bt709:color_primaries=bt709:color_trc=bt709:range=tv,hwdownload,format=pix_fmts=yuv420p,pad=/);
    expect(job.graph).not.toMatch(/scale=/);
  });

  it('opens the encoder device for a hardware encoder (its graph ends in an upload)', () => {
    const job = segmentVideoJob(segment, clip, undefined, outputOf(stitchVideoFrom(choiceOf('h264_vaapi'), SOFTWARE)), '/work/v.mp4');
    expect(job.hardware).toEqual({ type: 'vaapi', device: '/dev/dri/renderD128' });
    expect(job.graph).toMatch(/format=pix_fmts=nv12,hwupload\[v\]$/);
    expect(job.graph).toMatch(/scale=w=1280:h=720:force_original_aspect_ratio=decrease:force_divisible_by=2:in_color_matrix=bt601:out_color_matrix=bt709:out_range=tv/);
  });

  it('leaves a clip already in BT.709 and TV range to the plain scaler, which passes a frame of the right size through', () => {
    const hd = { ...probe, codedWidth: 1280, codedHeight: 720, width: 1280, height: 720, colourMatrix: null, colourRange: null };
    const plain = segmentVideoJob(segment, { ...clip, probe: hd }, undefined, outputOf(DEFAULT_VIDEO), '/work/v.mp4');
    expect(plain.graph).toMatch(/scale=w=1280:h=720:force_original_aspect_ratio=decrease:force_divisible_by=2,pad=/);
    const fullRange = segmentVideoJob(segment, { ...clip, probe: { ...hd, colourMatrix: 'bt709', colourRange: 'pc' } }, undefined, outputOf(DEFAULT_VIDEO), '/work/v.mp4');
    expect(fullRange.graph).toContain('in_color_matrix=bt709:out_color_matrix=bt709:out_range=tv');
  });

  it('tone-maps an HDR clip to SDR on the CPU after scaling it, and only an HDR clip', () => {
    const hdr = { ...probe, codedWidth: 3840, codedHeight: 2160, width: 3840, height: 2160, colourMatrix: 'bt2020nc', colourRange: 'tv' as const, colourTransfer: 'smpte2084' };
    const job = segmentVideoJob(segment, { ...clip, probe: hdr }, undefined, outputOf(DEFAULT_VIDEO), '/work/v.mp4');
    expect(job.graph).toMatch(/scale=w=1280:h=720:force_original_aspect_ratio=decrease:force_divisible_by=2,zscale=transfer=linear:npl=100,format=pix_fmts=gbrpf32le,zscale=primaries=bt709,tonemap=tonemap=mobius:desat=0,zscale=transfer=bt709:matrix=bt709:range=tv,format=pix_fmts=yuv420p,pad=/);
    expect(isHdr({ colourTransfer: 'arib-std-b67' })).toBe(true);
    expect(isHdr({ colourTransfer: 'bt709' })).toBe(false);
    expect(isHdr({ colourTransfer: null })).toBe(false);
  });

  it('opens no device when everything runs on the CPU', () => {
    const job = segmentVideoJob(segment, clip, undefined, outputOf(DEFAULT_VIDEO), '/work/v.mp4');
    expect(job.hardware).toBeUndefined();
    expect(job.graph).not.toMatch(/hwupload|libplacebo/);
  });
});
