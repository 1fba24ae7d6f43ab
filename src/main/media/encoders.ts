/**
 * Which video encoder to use on this machine. An encoder being listed by FFmpeg says
 * nothing about the hardware behind it (every Debian FFmpeg lists h264_nvenc), so each
 * candidate is tried once per process and backend version with MediaOps.tryEncoder (two
 * small frames through the encoder with its device and upload), in order of preference:
 * Vulkan, NVENC, VA-API, Quick Sync, VideoToolbox, then the software encoders.
 */
import { isAbortError } from '../../shared/errors';
import { isSoftwareDevice } from './backend/device-log';
import type { BackendInfo, EncoderTrialResult, HardwareDevice, MediaOps, VideoEncoding } from './backend/types';
import { chain, filter } from './filtergraph';

export type VideoCodec = 'h264' | 'hevc' | 'av1';
export type EncoderPreference = 'auto' | 'cpu' | (string & {});

export interface EncoderCandidate {
  encoder: string;
  codec: VideoCodec;
  family: 'vulkan' | 'nvenc' | 'vaapi' | 'qsv' | 'videotoolbox' | 'cpu';
  hardware?: HardwareDevice;
  /** The filter that moves software frames to the device; the frames are first turned into nv12. */
  upload?: string;
  /** What the encoder receives: a hardware format after an upload, else a software one. */
  pixelFormat: string;
  options: Record<string, string>;
  tag?: string;
}

export const VULKAN: HardwareDevice = { type: 'vulkan' };
const VAAPI: HardwareDevice = { type: 'vaapi', device: '/dev/dri/renderD128' };
const QSV: HardwareDevice = { type: 'qsv' };
const HVC1 = { tag: 'hvc1' }; // Apple's players take HEVC in MP4 only with this tag.

/** In order of preference; quality settings aim at visually clean intermediates, not at size. */
export const ENCODER_CANDIDATES: EncoderCandidate[] = [
  { encoder: 'h264_vulkan', codec: 'h264', family: 'vulkan', hardware: VULKAN, upload: filter('hwupload'), pixelFormat: 'vulkan', options: { qp: '22' } },
  { encoder: 'hevc_vulkan', codec: 'hevc', family: 'vulkan', hardware: VULKAN, upload: filter('hwupload'), pixelFormat: 'vulkan', options: { qp: '22' }, ...HVC1 },
  { encoder: 'av1_vulkan', codec: 'av1', family: 'vulkan', hardware: VULKAN, upload: filter('hwupload'), pixelFormat: 'vulkan', options: { qp: '22' } },
  { encoder: 'h264_nvenc', codec: 'h264', family: 'nvenc', pixelFormat: 'yuv420p', options: { preset: 'p5', rc: 'vbr', cq: '21', 'b:v': '0' } },
  { encoder: 'hevc_nvenc', codec: 'hevc', family: 'nvenc', pixelFormat: 'yuv420p', options: { preset: 'p5', rc: 'vbr', cq: '23', 'b:v': '0' }, ...HVC1 },
  { encoder: 'h264_vaapi', codec: 'h264', family: 'vaapi', hardware: VAAPI, upload: filter('hwupload'), pixelFormat: 'vaapi', options: { qp: '22' } },
  { encoder: 'hevc_vaapi', codec: 'hevc', family: 'vaapi', hardware: VAAPI, upload: filter('hwupload'), pixelFormat: 'vaapi', options: { qp: '24' }, ...HVC1 },
  { encoder: 'h264_qsv', codec: 'h264', family: 'qsv', hardware: QSV, upload: filter('hwupload', { extra_hw_frames: 64 }), pixelFormat: 'qsv', options: { preset: 'medium', global_quality: '22' } },
  { encoder: 'hevc_qsv', codec: 'hevc', family: 'qsv', hardware: QSV, upload: filter('hwupload', { extra_hw_frames: 64 }), pixelFormat: 'qsv', options: { preset: 'medium', global_quality: '24' }, ...HVC1 },
  { encoder: 'h264_videotoolbox', codec: 'h264', family: 'videotoolbox', pixelFormat: 'yuv420p', options: { 'q:v': '65' } },
  { encoder: 'hevc_videotoolbox', codec: 'hevc', family: 'videotoolbox', pixelFormat: 'yuv420p', options: { 'q:v': '60' }, ...HVC1 },
  { encoder: 'libx264', codec: 'h264', family: 'cpu', pixelFormat: 'yuv420p', options: { preset: 'veryfast', crf: '20' } },
  { encoder: 'libx265', codec: 'hevc', family: 'cpu', pixelFormat: 'yuv420p', options: { preset: 'fast', crf: '24', 'x265-params': 'log-level=error' }, ...HVC1 },
  { encoder: 'libsvtav1', codec: 'av1', family: 'cpu', pixelFormat: 'yuv420p', options: { preset: '8', crf: '32' } },
];

export interface EncoderChoice {
  encoder: string;
  codec: VideoCodec;
  hardware?: HardwareDevice;
  /** Filters to append after the graph's format=yuv420p (format=nv12,hwupload for a device encoder); empty for software. */
  filterTail: string[];
  /** The encoding for a job at this frame rate. */
  encoding(fps: number, extra?: Pick<VideoEncoding, 'keyframesAt' | 'gopFrames'>): VideoEncoding;
  reason: string;
  tried: EncoderTrialResult[];
}

const NOT_BUILT = 'not in this FFmpeg build';

/**
 * Pure choice from trial results (`results` holds one per candidate of the codec, in
 * order). Throws only when nothing works, which the caller reports.
 */
export function pickEncoder(codec: VideoCodec, results: readonly EncoderTrialResult[], preference: EncoderPreference = 'auto'): { candidate: EncoderCandidate; reason: string } {
  const works = new Map(results.map((r) => [r.encoder, r]));
  const usable = ENCODER_CANDIDATES.filter((c) => c.codec === codec && works.get(c.encoder)?.works);
  const failed = (upTo?: EncoderCandidate) =>
    results
      .filter((r) => !r.works && r.reason !== NOT_BUILT && (!upTo || ENCODER_CANDIDATES.findIndex((c) => c.encoder === r.encoder) < ENCODER_CANDIDATES.indexOf(upTo)))
      .map((r) => `${r.encoder}: ${r.reason ?? 'failed'}`);
  const explain = (candidate: EncoderCandidate, lead: string) => {
    const before = failed(candidate);
    return before.length ? `${lead}${PASSED_OVER}${before.join('; ')}` : lead;
  };
  if (!usable.length) throw new Error(`no ${codec} encoder works with this FFmpeg: ${failed().join('; ') || 'none is built in'}`);

  if (preference === 'cpu') {
    const cpu = usable.find((c) => c.family === 'cpu');
    if (cpu) return { candidate: cpu, reason: `${cpu.encoder}: the software encoder, as asked` };
  } else if (preference !== 'auto') {
    const named = usable.find((c) => c.encoder === preference);
    if (named) return { candidate: named, reason: `${named.encoder}: as asked` };
    const result = works.get(preference);
    const why = result ? result.reason ?? 'it failed' : `it is not a ${codec} encoder Shotline knows`;
    const fallback = usable[0]!;
    return { candidate: fallback, reason: explain(fallback, `${preference} was asked for but cannot be used (${why}); ${fallback.encoder} is the first that works`) };
  }
  const best = usable[0]!;
  const lead = best.family === 'cpu' ? `${best.encoder}: no hardware ${codec} encoder works here` : `${best.encoder}: the first ${best.family} encoder that works`;
  return { candidate: best, reason: explain(best, lead) };
}

const PASSED_OVER = '; not used: ';

/** A choice's reason without the list of encoders passed over (for a line of a report; doctor lists them). */
export function reasonLead(reason: string): { lead: string; passedOver: boolean } {
  const at = reason.indexOf(PASSED_OVER);
  return at < 0 ? { lead: reason, passedOver: false } : { lead: reason.slice(0, at), passedOver: true };
}

/** The choice as a job builds on it. */
export function encoderChoice(candidate: EncoderCandidate, reason: string, tried: EncoderTrialResult[]): EncoderChoice {
  return {
    encoder: candidate.encoder,
    codec: candidate.codec,
    hardware: candidate.hardware,
    filterTail: candidate.upload ? [filter('format', { pix_fmts: 'nv12' }), candidate.upload] : [],
    encoding: (fps, extra = {}) => ({
      encoder: candidate.encoder,
      options: { ...candidate.options },
      pixelFormat: candidate.pixelFormat,
      fps,
      ...extra,
      ...(candidate.tag ? { tag: candidate.tag } : {}),
    }),
    reason,
    tried,
  };
}

/** A wedged driver must not hold a render: a device trial that has not answered by then counts as not working. */
export const DEVICE_TRIAL_MS = 20_000;

/** `run` under the caller's signal and the trial limit; running out of time (not a cancel) resolves to `onTimeout`. */
export async function withinTrialLimit<T>(run: (signal: AbortSignal) => Promise<T>, signal: AbortSignal | undefined, onTimeout: (seconds: number) => T, limitMs = DEVICE_TRIAL_MS): Promise<T> {
  const limit = new AbortController();
  const timer = setTimeout(() => limit.abort(new Error('device trial timed out')), limitMs);
  try {
    return await run(signal ? AbortSignal.any([signal, limit.signal]) : limit.signal);
  } catch (error) {
    if (limit.signal.aborted && !signal?.aborted) return onTimeout(limitMs / 1000);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

const backendKey = (info: BackendInfo) => `${info.name} ${info.version} ${info.origin}`;
const trials = new Map<string, Promise<EncoderTrialResult>>();

/** Every candidate of the codec tried (once per backend and version), in preference order. */
export async function tryEncoders(media: MediaOps, codec?: VideoCodec, signal?: AbortSignal): Promise<EncoderTrialResult[]> {
  const info = await media.info({ signal });
  const results: EncoderTrialResult[] = [];
  // One after another: device encoders share the GPU, and a failed open can be slow.
  for (const candidate of ENCODER_CANDIDATES.filter((c) => !codec || c.codec === codec)) {
    if (!info.encoders.includes(candidate.encoder)) {
      results.push({ encoder: candidate.encoder, works: false, reason: NOT_BUILT });
      continue;
    }
    const key = `${backendKey(info)}|${candidate.encoder}`;
    let trial = trials.get(key);
    if (!trial) {
      const attempt = { encoder: candidate.encoder, hardware: candidate.hardware, upload: candidate.upload, pixelFormat: candidate.pixelFormat };
      trial = withinTrialLimit((limited) => media.tryEncoder(attempt, { signal: limited }), signal, (seconds) => ({ encoder: candidate.encoder, works: false, reason: `no answer within ${seconds} s` }));
      trials.set(key, trial);
      trial.catch(() => trials.delete(key));
    }
    const result = await trial;
    // "[h264_nvenc @ 0x55d0c3a1] Cannot load libcuda.so.1": the address is noise in a report.
    results.push({ ...result, reason: result.reason?.replace(/^\[[^\]]* @ 0x[0-9a-f]+\]\s*/, '') ?? null });
  }
  return results;
}

export async function chooseEncoder(media: MediaOps, codec: 'h264' | 'hevc', preference: EncoderPreference = 'auto', signal?: AbortSignal): Promise<EncoderChoice> {
  const tried = await tryEncoders(media, codec, signal);
  const { candidate, reason } = pickEncoder(codec, tried, preference);
  return encoderChoice(candidate, reason, tried);
}

export interface GpuFilters {
  /** libplacebo runs on a hardware Vulkan device: the stitcher scales clips and converts their colour there. */
  libplacebo: boolean;
  /** The Vulkan device libplacebo ran on, as FFmpeg names it, or null when none opened. */
  device: string | null;
  reason: string;
}
const gpuByBackend = new Map<string, Promise<GpuFilters>>();

/**
 * Whether scaling can run on the GPU with libplacebo: the filter is built in and a Vulkan
 * device opens and runs it. A software rasteriser (Mesa's lavapipe) runs it too, about 40
 * times slower than FFmpeg's own scaler (1080p to 720p, measured), so it does not count.
 */
export async function gpuFilters(media: MediaOps, signal?: AbortSignal): Promise<GpuFilters> {
  const info = await media.info({ signal });
  if (!info.filters.includes('libplacebo')) return { libplacebo: false, device: null, reason: 'this FFmpeg has no libplacebo filter' };
  const key = backendKey(info);
  let known = gpuByBackend.get(key);
  if (!known) {
    const graph = chain([], [filter('color', { size: '64x64', rate: 1, duration: 1 }), ...libplaceboScale({ width: 32, height: 32, colour: false })], ['gpu']);
    const probe = (limited: AbortSignal): Promise<GpuFilters> =>
      media.runGraph({ inputs: [], graph, discard: ['gpu'], hardware: VULKAN, output: { path: '-', container: 'null' }, expectedSeconds: 1 }, { signal: limited }).then(({ device }) => {
        if (device && isSoftwareDevice(device)) return { libplacebo: false, device, reason: `the Vulkan device FFmpeg opens is ${device}, a CPU rasteriser: FFmpeg's own scaler is faster` };
        return { libplacebo: true, device, reason: `libplacebo ran on ${device ?? 'the Vulkan device'}` };
      });
    known = withinTrialLimit(probe, signal, (seconds) => ({ libplacebo: false, device: null, reason: `the Vulkan device gave no answer within ${seconds} s` }))
      .catch((error: unknown) => {
        if (isAbortError(error) || signal?.aborted) throw error;
        return { libplacebo: false, device: null, reason: `no Vulkan device runs libplacebo here: ${firstLine(error)}` };
      });
    gpuByBackend.set(key, known);
    known.catch(() => gpuByBackend.delete(key));
  }
  return known;
}

/**
 * Software frames to the Vulkan device, scaled there to exactly width x height (square
 * pixels) and, with `colour`, converted to BT.709 SDR in TV range (libplacebo tone-maps
 * an HDR clip on the way), then back as yuv420p. The options are those FFmpeg 5.1's
 * libplacebo already had, so both backends take the same text.
 */
export function libplaceboScale(size: { width: number; height: number; colour: boolean }): string[] {
  const colour = size.colour ? { colorspace: 'bt709', color_primaries: 'bt709', color_trc: 'bt709', range: 'tv' } : {};
  return [
    filter('format', { pix_fmts: 'yuv420p' }),
    filter('hwupload'),
    filter('libplacebo', { w: size.width, h: size.height, format: 'yuv420p', normalize_sar: 1, pad_crop_ratio: 0, ...colour }),
    filter('hwdownload'),
    filter('format', { pix_fmts: 'yuv420p' }),
  ];
}

function firstLine(error: unknown): string {
  const detail = (error as { detail?: unknown }).detail;
  const text = typeof detail === 'string' && detail.trim() ? detail : error instanceof Error ? error.message : String(error);
  const lines = text.split('\n').map((line) => line.trim()).filter(Boolean);
  return lines.find((line) => /error|fail|cannot|not|no device|invalid/i.test(line)) ?? lines[0] ?? 'failed';
}
