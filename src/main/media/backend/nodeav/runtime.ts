/**
 * What every node-av job needs: cancellation in the contract's terms, FFmpeg's own words
 * for errors (its log goes through one process-wide callback, shared out to the jobs
 * that are running), and small time-base arithmetic.
 */
import { CancelledError } from '../../../../shared/errors';
import type { NodeAv } from './load';

type Rational = { num: number; den: number };

/** The contract: the signal's reason when it is an Error, else a CancelledError. */
export function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new CancelledError();
}

export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw abortReason(signal);
}

/** FFmpeg log lines of the jobs running now; each keeps its last few for error details. */
export class LogCapture {
  private static readonly active = new Set<LogCapture>();
  /** The level the process-wide callback was installed with; -1 before the first capture. */
  private static installedLevel = -1;
  readonly lines: string[] = [];
  /** The first line matching `watch`, kept however many lines follow it. */
  firstMatch: string | null = null;

  private constructor(
    private readonly av: NodeAv,
    private readonly keep: number,
    private readonly watch: RegExp | null,
    private readonly level: number,
  ) {}

  /**
   * `level` above warnings (AV_LOG_VERBOSE) is for a capture that watches for one line
   * FFmpeg only says verbosely (which device it opened); such lines are matched against
   * `watch` but not kept, and other captures still see warnings and errors only.
   */
  static start(av: NodeAv, keep = 40, watch: RegExp | null = null, level: number = av.AV_LOG_WARNING): LogCapture {
    const capture = new LogCapture(av, keep, watch, level);
    LogCapture.active.add(capture);
    LogCapture.install(av);
    return capture;
  }

  /** Without a callback FFmpeg writes straight to the worker's stderr, where nobody reads it. */
  private static install(av: NodeAv): void {
    let wanted: number = av.AV_LOG_WARNING;
    for (const capture of LogCapture.active) wanted = Math.max(wanted, capture.level);
    if (wanted === LogCapture.installedLevel) return;
    LogCapture.installedLevel = wanted;
    av.Log.setCallback(
      (level, message) => {
        const line = message.trim();
        if (line) for (const capture of LogCapture.active) capture.add(level, line);
      },
      { maxLevel: wanted as never },
    );
  }

  private add(level: number, line: string): void {
    if (level > this.level) return;
    if (this.firstMatch === null && this.watch?.test(line)) this.firstMatch = line;
    if (level > this.av.AV_LOG_WARNING) return;
    this.lines.push(line);
    if (this.lines.length > this.keep) this.lines.shift();
  }

  /** Concurrent jobs share the callback, so lines of another job may appear here too. */
  text(): string {
    return this.lines.join('\n');
  }

  stop(): void {
    LogCapture.active.delete(this);
    LogCapture.install(this.av);
  }
}

/**
 * For loops of synchronous node-av calls: each async call costs a hop through libuv's
 * thread pool (about 70 us, measured: a 12-clip join took 0.6 s that way, 0.1 s with the
 * sync calls), more than moving a packet itself. `due()` says when the loop has held the
 * event loop for `budgetMs`; the loop then awaits `pause()` so a cancel (and the other
 * jobs in this worker) get their turn.
 */
export class TurnBudget {
  private since = performance.now();

  constructor(private readonly budgetMs = 10) {}

  due(): boolean {
    return performance.now() - this.since >= this.budgetMs;
  }

  async pause(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    this.since = performance.now();
  }
}

/** Log callbacks arrive asynchronously from FFmpeg's threads; give them a turn before reading. */
export function settleLog(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export function strerror(av: NodeAv, code: number): string {
  return av.FFmpegError.strerror(code);
}

export function toSeconds(ts: bigint, timeBase: Rational): number {
  return timeBase.den ? (Number(ts) * timeBase.num) / timeBase.den : 0;
}

/** 25 -> 25/1, 29.97 -> 30000/1001, 23.976 -> 24000/1001; otherwise millisecond precision. */
export function rateToRational(fps: number): Rational {
  if (Number.isInteger(fps)) return { num: fps, den: 1 };
  const ntsc = Math.round((fps * 1001) / 1000);
  if (Math.abs((ntsc * 1000) / 1001 - fps) < 0.001) return { num: ntsc * 1000, den: 1001 };
  return { num: Math.round(fps * 1000), den: 1000 };
}

export function rationalText(value: Rational, separator: string): string {
  return `${value.num}${separator}${value.den}`;
}

export function rationalValue(value: Rational): number | undefined {
  return value.den > 0 && value.num > 0 ? value.num / value.den : undefined;
}
