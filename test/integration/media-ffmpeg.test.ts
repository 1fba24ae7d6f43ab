import { afterEach, describe, expect, it } from 'vitest';
import { CancelledError } from '../../src/shared/errors';
import { FfmpegError, killAllFfmpeg, runFfmpeg, runFfprobeJson, runningFfmpegPids, type FfmpegProgress } from '../../src/main/media/ffmpeg';
import { bins } from './media-fixtures';

/** An encode that runs until stopped: a live (-re) test source into the null muxer. */
const ENDLESS = ['-re', '-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=25', '-f', 'null', '-'];

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

afterEach(() => {
  expect(runningFfmpegPids()).toEqual([]);
});

describe('runFfmpeg', () => {
  it('reports progress up to done and logs a copy-pasteable command', async () => {
    const reports: FfmpegProgress[] = [];
    const logs: string[] = [];
    await runFfmpeg(bins.ffmpeg, ['-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=25:duration=1', '-f', 'null', '-'], {
      expectedDurationSeconds: 1,
      onProgress: (p) => reports.push(p),
      log: (line) => logs.push(line),
    });
    expect(reports.at(-1)).toMatchObject({ done: true, fraction: 1 });
    expect(reports.at(-1)?.outTimeSeconds).toBeCloseTo(1, 1);
    expect(logs).toEqual([
      `$ ${bins.ffmpeg} -hide_banner -nostdin -nostats -progress pipe:1 -f lavfi -i testsrc=size=160x120:rate=25:duration=1 -f null -`,
    ]);
  });

  it('rejects a failing run with the command and the last lines of stderr', async () => {
    const error = await runFfmpeg(bins.ffmpeg, ['-f', 'lavfi', '-i', 'nosuchsource', '-f', 'null', '-']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FfmpegError);
    const failure = error as FfmpegError;
    expect(failure.exitCode).not.toBe(0);
    expect(failure.message).toMatch(/failed with exit code \d+/);
    expect(failure.message).toContain('command: /usr/bin/ffmpeg -hide_banner');
    expect(failure.stderrTail).toMatch(/nosuchsource/);
    expect(failure.stderrTail.split('\n').length).toBeLessThanOrEqual(20);
  });

  it('kills the child on abort and rejects with CancelledError once it is gone', async () => {
    const controller = new AbortController();
    let pid = 0;
    const run = runFfmpeg(bins.ffmpeg, ENDLESS, {
      signal: controller.signal,
      onStart: (p) => (pid = p),
      onProgress: () => controller.abort(),
    });
    await expect(run).rejects.toBeInstanceOf(CancelledError);
    expect(pid).toBeGreaterThan(0);
    expect(isRunning(pid)).toBe(false);
  });

  it('does not start at all when the signal is already aborted', async () => {
    let started = false;
    await expect(runFfmpeg(bins.ffmpeg, ['-version'], { signal: AbortSignal.abort(), onStart: () => (started = true) })).rejects.toBeInstanceOf(
      CancelledError,
    );
    expect(started).toBe(false);
  });

  it('stops every running child with killAllFfmpeg', async () => {
    const pids: number[] = [];
    let bothStarted = () => {};
    const started = new Promise<void>((resolve) => (bothStarted = resolve));
    const runs = [0, 1].map(() =>
      runFfmpeg(bins.ffmpeg, ENDLESS, {
        onStart: (pid) => {
          pids.push(pid);
          if (pids.length === 2) bothStarted();
        },
      }).catch((e: unknown) => e),
    );
    await started;
    expect(runningFfmpegPids().sort()).toEqual([...pids].sort());
    expect(killAllFfmpeg()).toBe(2);
    for (const result of await Promise.all(runs)) expect(result).toBeInstanceOf(CancelledError);
    expect(pids.filter(isRunning)).toEqual([]);
  });

  it('times out a run that takes too long', async () => {
    const error = await runFfmpeg(bins.ffmpeg, ENDLESS, { timeoutMs: 300 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FfmpegError);
    expect((error as FfmpegError).timedOut).toBe(true);
    expect((error as Error).message).toContain('timed out after 300 ms');
  });

  it('explains a binary that cannot be started', async () => {
    await expect(runFfmpeg('/nonexistent/ffmpeg', ['-version'])).rejects.toThrow(/could not start \/nonexistent\/ffmpeg: .*ENOENT/);
  });
});

describe('runFfprobeJson', () => {
  it('returns ffprobe output as parsed JSON', async () => {
    const document = (await runFfprobeJson(bins.ffprobe, ['-f', 'lavfi', '-show_streams', 'testsrc=size=160x120:rate=25:duration=1'])) as {
      streams: { codec_type: string; width: number }[];
    };
    expect(document.streams[0]).toMatchObject({ codec_type: 'video', width: 160 });
  });
});
