import { describe, expect, it } from 'vitest';
import type { EncoderTrialResult } from '../../src/main/media/backend/types';
import { ENCODER_CANDIDATES, encoderChoice, pickEncoder, withinTrialLimit } from '../../src/main/media/encoders';
import { CancelledError } from '../../src/shared/errors';

/** One result per candidate of the codec, in order: `working` work, the rest fail with a reason. */
function results(codec: 'h264' | 'hevc', working: string[], notBuilt: string[] = []): EncoderTrialResult[] {
  return ENCODER_CANDIDATES.filter((c) => c.codec === codec).map((c) =>
    notBuilt.includes(c.encoder)
      ? { encoder: c.encoder, works: false, reason: 'not in this FFmpeg build' }
      : { encoder: c.encoder, works: working.includes(c.encoder), reason: working.includes(c.encoder) ? null : `${c.encoder} could not open its device` },
  );
}

describe('pickEncoder', () => {
  it('takes the first hardware encoder that works, naming the ones before it that failed', () => {
    const { candidate, reason } = pickEncoder('h264', results('h264', ['h264_vaapi', 'libx264'], ['h264_vulkan']));
    expect(candidate.encoder).toBe('h264_vaapi');
    expect(reason).toContain('h264_nvenc: h264_nvenc could not open its device');
    // Not built in is no news: only real failures are told.
    expect(reason).not.toContain('h264_vulkan');
    expect(reason).not.toContain('h264_qsv');
  });

  it('falls back to the software encoder, saying why no hardware one was used', () => {
    const { candidate, reason } = pickEncoder('hevc', results('hevc', ['libx265']));
    expect(candidate.encoder).toBe('libx265');
    expect(reason).toMatch(/^libx265: no hardware hevc encoder works here; not used: hevc_vulkan: .*hevc_nvenc: .*hevc_vaapi: .*hevc_qsv: .*hevc_videotoolbox/);
  });

  it('honours cpu and a named encoder, and says when the named one cannot be used', () => {
    const all = results('h264', ['h264_nvenc', 'libx264']);
    expect(pickEncoder('h264', all, 'cpu').candidate.encoder).toBe('libx264');
    expect(pickEncoder('h264', all, 'h264_nvenc').candidate.encoder).toBe('h264_nvenc');
    const fallback = pickEncoder('h264', all, 'h264_qsv');
    expect(fallback.candidate.encoder).toBe('h264_nvenc');
    expect(fallback.reason).toContain('h264_qsv was asked for but cannot be used (h264_qsv could not open its device)');
    expect(pickEncoder('h264', all, 'libx265').reason).toContain('not a h264 encoder Shotline knows');
  });

  it('fails only when nothing works, with every reason', () => {
    expect(() => pickEncoder('h264', results('h264', []))).toThrow(/no h264 encoder works.*libx264: libx264 could not open/);
  });
});

describe('encoderChoice', () => {
  const find = (name: string) => ENCODER_CANDIDATES.find((c) => c.encoder === name)!;

  it('gives a device encoder the upload tail and its hardware format', () => {
    const qsv = encoderChoice(find('hevc_qsv'), 'r', []);
    expect(qsv.filterTail).toEqual(['format=pix_fmts=nv12', 'hwupload=extra_hw_frames=64']);
    expect(qsv.hardware).toEqual({ type: 'qsv' });
    expect(qsv.encoding(24, { gopFrames: 48 })).toEqual({ encoder: 'hevc_qsv', options: { preset: 'medium', global_quality: '24' }, pixelFormat: 'qsv', fps: 24, gopFrames: 48, tag: 'hvc1' });
    expect(encoderChoice(find('h264_vaapi'), 'r', []).hardware).toEqual({ type: 'vaapi', device: '/dev/dri/renderD128' });
  });

  it('gives software encoders no tail and their quality settings', () => {
    const x264 = encoderChoice(find('libx264'), 'r', []);
    expect(x264.filterTail).toEqual([]);
    expect(x264.encoding(30)).toEqual({ encoder: 'libx264', options: { preset: 'veryfast', crf: '20' }, pixelFormat: 'yuv420p', fps: 30 });
    expect(encoderChoice(find('libx265'), 'r', []).encoding(30)).toMatchObject({ options: { preset: 'fast', crf: '24' }, tag: 'hvc1' });
    expect(encoderChoice(find('h264_nvenc'), 'r', []).encoding(30)).toMatchObject({ options: { preset: 'p5', cq: '21' }, pixelFormat: 'yuv420p' });
  });
});

describe('withinTrialLimit', () => {
  /** A device open that never returns, as a wedged driver does: it ends only when its signal aborts. */
  const hangs = (signal: AbortSignal) => new Promise<string>((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true }));

  it('gives a trial that does not answer in time its "not working" result, and cancels it', async () => {
    let seen: AbortSignal | undefined;
    const result = await withinTrialLimit((signal) => ((seen = signal), hangs(signal)), undefined, (seconds) => `no answer within ${seconds} s`, 50);
    expect(result).toBe('no answer within 0.05 s');
    expect(seen?.aborted).toBe(true);
  });

  it("passes an answer through, and the caller's own cancel is a cancel, not a result", async () => {
    expect(await withinTrialLimit(async () => 'works', undefined, () => 'late', 50)).toBe('works');
    const cancel = new AbortController();
    const trial = withinTrialLimit(hangs, cancel.signal, () => 'late', 5_000);
    cancel.abort(new CancelledError());
    await expect(trial).rejects.toBeInstanceOf(CancelledError);
  });
});
