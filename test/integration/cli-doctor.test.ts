import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDoctorCommand, type DoctorReport } from '../../src/main/cli/doctor-command';
import { MediaPool } from '../../src/main/media/worker/pool';
import { bins } from './media-fixtures';

let pool: MediaPool;
beforeAll(() => {
  pool = new MediaPool({ settings: { backend: 'cli', ffmpegPath: bins.ffmpeg }, size: 1 });
});
afterAll(() => pool?.close());

async function doctor(args: string[], media: Parameters<typeof runDoctorCommand>[1]["media"] = pool) {
  let stdout = '';
  let stderr = '';
  const code = await runDoctorCommand(args, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), env: process.env, media });
  return { code, stdout, stderr };
}

describe('shotline doctor', () => {
  it('reports engine, encoders, the choice, GPU filters and fonts as JSON', async () => {
    const { code, stdout } = await doctor(['--json']);
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as DoctorReport;
    expect(report.media).toMatchObject({ backend: 'cli', fallbackReason: null });
    expect(report.media.origin).toContain(bins.ffmpeg);
    expect(report.media.version).toMatch(/\d/);
    const x264 = report.encoders.find((e) => e.encoder === 'libx264');
    expect(x264).toMatchObject({ works: true, codec: 'h264', family: 'cpu' });
    // Every failure carries its reason.
    for (const e of report.encoders.filter((e) => !e.works)) expect(e.reason).toBeTruthy();
    expect(report.chosen.h264.encoder).toBeTruthy();
    expect(report.chosen.h264.reason).toContain(report.chosen.h264.encoder!);
    expect(typeof report.gpuFilters.libplacebo).toBe('boolean');
    const scripts = Object.fromEntries(report.fonts.scripts.map((s) => [s.script, s]));
    expect(Object.keys(scripts)).toEqual(['Latin', 'Greek', 'Cyrillic', 'Arabic', 'Hebrew', 'Devanagari', 'Thai', 'Han', 'Hangul', 'Kana', 'Emoji']);
    expect(scripts.Latin!.font).toBeTruthy();
    expect(scripts.Han!.debianPackage).toBe('fonts-noto-cjk');
  });

  it('prints a readable report, naming the package for any script without a font', async () => {
    const { code, stdout } = await doctor([]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Media engine: FFmpeg command line, version /);
    expect(stdout).toMatch(/yes {2}libx264 +works/);
    expect(stdout).toMatch(/Chosen encoder:\n {2}h264 {2}\S+ — /);
    expect(stdout).toMatch(/GPU scaling \(libplacebo\): (yes|no) — /);
    expect(stdout).toMatch(/ {2}(yes|no ) {2}Kana /);
    const json = JSON.parse((await doctor(['--json'])).stdout) as DoctorReport;
    for (const s of json.fonts.scripts.filter((s) => !s.font)) expect(stdout).toContain(`install ${s.debianPackage}`);
  });

  it('exits 1 when no FFmpeg works, and 2 on an unknown flag', async () => {
    const unusable = () => Promise.reject(new Error('ffmpeg was not found'));
    const broken = { info: unusable, probe: unusable, runGraph: unusable, concatCopy: unusable, mux: unusable, tryEncoder: unusable, backend: unusable };
    const failed = await doctor([], broken);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('no FFmpeg works: ffmpeg was not found');
    expect((await doctor(['--frobnicate'])).code).toBe(2);
  });
});
