import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { initialProgressState, parseProgress, type FfmpegProgress } from '../../src/main/media/progress';
import { quoteCommand, quoteShellArg } from '../../src/main/media/quote';

// Captured from ffmpeg 5.1 (`-progress pipe:1 -nostats`) encoding a 2 s clip.
const SAMPLE = `frame=1
fps=0.00
stream_0_0_q=0.0
bitrate=N/A
total_size=48
out_time_us=0
out_time_ms=0
out_time=00:00:00.000000
dup_frames=0
drop_frames=0
speed=   0x
progress=continue
frame=48
fps=0.00
stream_0_0_q=-1.0
bitrate= 247.5kbits/s
total_size=62495
out_time_us=2020136
out_time_ms=2020136
out_time=00:00:02.020136
dup_frames=0
drop_frames=0
speed=42.5x
progress=end
`;

function parseAll(chunks: string[], expected?: number): FfmpegProgress[] {
  let state = initialProgressState;
  const reports: FfmpegProgress[] = [];
  for (const chunk of chunks) {
    const parsed = parseProgress(state, chunk, expected);
    state = parsed.state;
    reports.push(...parsed.reports);
  }
  return reports;
}

describe('parseProgress', () => {
  it('reads both blocks of captured output', () => {
    const reports = parseAll([SAMPLE], 4);
    expect(reports).toEqual([
      { outTimeSeconds: 0, fraction: 0, speed: 0, frame: 1, done: false },
      { outTimeSeconds: 2.020136, fraction: 1, speed: 42.5, frame: 48, done: true },
    ]);
  });

  it('gives the same reports whatever the chunk boundaries', () => {
    const whole = parseAll([SAMPLE], 4);
    for (let cut = 1; cut < SAMPLE.length; cut += 7) {
      expect(parseAll([SAMPLE.slice(0, cut), SAMPLE.slice(cut)], 4)).toEqual(whole);
    }
    expect(parseAll([...SAMPLE], 4)).toEqual(whole);
  });

  it('computes the fraction from the expected duration, clamped, and omits it without one', () => {
    const block = (us: number) => `out_time_us=${us}\nprogress=continue\n`;
    expect(parseAll([block(1_000_000)], 4)[0]?.fraction).toBe(0.25);
    expect(parseAll([block(9_000_000)], 4)[0]?.fraction).toBe(1);
    expect(parseAll([block(1_000_000)])[0]).toEqual({ outTimeSeconds: 1, done: false });
  });

  it('keeps the last valid time when ffmpeg reports N/A or a negative time', () => {
    const reports = parseAll(['out_time_us=1500000\nprogress=continue\n', 'out_time_us=N/A\nout_time_ms=N/A\nout_time=N/A\nprogress=continue\n'], 3);
    expect(reports.map((r) => r.outTimeSeconds)).toEqual([1.5, 1.5]);
    expect(parseAll(['out_time_us=-9223372036854775807\nprogress=continue\n'])[0]?.outTimeSeconds).toBe(0);
    expect(parseAll(['out_time=-00:00:00.100000\nprogress=continue\n'])[0]?.outTimeSeconds).toBe(0);
  });

  it('reads out_time_ms as microseconds and out_time as a clock when out_time_us is missing', () => {
    expect(parseAll(['out_time_ms=2500000\nprogress=continue\n'])[0]?.outTimeSeconds).toBe(2.5);
    expect(parseAll(['out_time=01:02:03.500000\nprogress=continue\n'])[0]?.outTimeSeconds).toBeCloseTo(3723.5, 6);
  });

  it('accepts CRLF line ends and ignores junk lines', () => {
    const reports = parseAll(['garbage\r\nframe=7\r\nspeed=N/A\r\nout_time_us=700000\r\nprogress=continue\r\n']);
    expect(reports).toEqual([{ outTimeSeconds: 0.7, frame: 7, done: false }]);
  });
});

describe('quoteCommand', () => {
  it('leaves plain words alone and quotes the rest', () => {
    expect(quoteShellArg('-c:v')).toBe('-c:v');
    expect(quoteShellArg('/tmp/a.mp4')).toBe('/tmp/a.mp4');
    expect(quoteShellArg('')).toBe("''");
    expect(quoteShellArg('a b')).toBe("'a b'");
    expect(quoteShellArg("it's")).toBe(`'it'\\''s'`);
    expect(quoteShellArg('$HOME')).toBe("'$HOME'");
    expect(quoteCommand('/opt/my ffmpeg/ffmpeg', ['-i', 'x y.mp4'])).toBe("'/opt/my ffmpeg/ffmpeg' -i 'x y.mp4'");
    expect(quoteCommand('a=b', [])).toBe("'a=b'");
  });

  it('round-trips any argument through a real POSIX shell', () => {
    const nasty = ["it's", '"quoted"', 'back\\slash', 'new\nline', 'ünï 🎬 עברית', '$(touch /tmp/x)', '`id`', '*', '; rm -rf /', '', ' lead', 'a=b', '%{pts}', "''"];
    const command = quoteCommand('printf', ['%s\\0', ...nasty]);
    const output = execFileSync('sh', ['-c', command], { encoding: 'utf8' });
    expect(output.split('\0').slice(0, -1)).toEqual(nasty);
  });
});
