/**
 * Parser for ffmpeg's `-progress` output: blocks of `key=value` lines, each block closed
 * by `progress=continue` or `progress=end`. Pure, so it can be tested on captured output;
 * the caller keeps the returned state between stdout chunks (a chunk may end mid-line).
 */

export interface FfmpegProgress {
  /** Seconds of output written so far (0 until ffmpeg reports a valid time). */
  outTimeSeconds: number;
  /** outTimeSeconds / expected duration, clamped to 0..1; 1 when done. Undefined without an expected duration. */
  fraction?: number;
  /** Encoding speed as a multiple of real time, when ffmpeg reports one. */
  speed?: number;
  /** Frames written so far, when ffmpeg reports them. */
  frame?: number;
  /** True for the final block (`progress=end`). */
  done: boolean;
}

export interface ProgressState {
  /** Text after the last newline of the previous chunk. */
  partialLine: string;
  /** Keys seen so far in the block that is not yet closed. */
  block: Readonly<Record<string, string>>;
  /** Last valid output time, so a block reporting N/A does not send progress backwards. */
  lastOutTimeSeconds: number;
}

export const initialProgressState: ProgressState = { partialLine: '', block: {}, lastOutTimeSeconds: 0 };

export function parseProgress(
  state: ProgressState,
  chunk: string,
  expectedDurationSeconds?: number,
): { state: ProgressState; reports: FfmpegProgress[] } {
  const lines = (state.partialLine + chunk).split(/\r?\n/);
  const partialLine = lines.pop() ?? '';
  let block: Record<string, string> = { ...state.block };
  let lastOutTimeSeconds = state.lastOutTimeSeconds;
  const reports: FfmpegProgress[] = [];

  for (const line of lines) {
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    if (key !== 'progress') {
      block[key] = value;
      continue;
    }
    const done = value === 'end';
    const outTime = readOutTimeSeconds(block);
    if (outTime !== undefined) lastOutTimeSeconds = Math.max(lastOutTimeSeconds, outTime);
    reports.push(toReport(block, lastOutTimeSeconds, done, expectedDurationSeconds));
    block = {};
  }
  return { state: { partialLine, block, lastOutTimeSeconds }, reports };
}

function toReport(
  block: Record<string, string>,
  outTimeSeconds: number,
  done: boolean,
  expectedDurationSeconds: number | undefined,
): FfmpegProgress {
  const report: FfmpegProgress = { outTimeSeconds, done };
  if (expectedDurationSeconds !== undefined && expectedDurationSeconds > 0) {
    report.fraction = done ? 1 : Math.min(1, Math.max(0, outTimeSeconds / expectedDurationSeconds));
  }
  const speed = Number.parseFloat(block.speed ?? '');
  if (Number.isFinite(speed) && speed >= 0) report.speed = speed;
  const frame = Number.parseInt(block.frame ?? '', 10);
  if (Number.isFinite(frame) && frame >= 0) report.frame = frame;
  return report;
}

/**
 * ffmpeg reports the same time three ways. `out_time_ms` is, despite its name, in
 * microseconds (a long-standing ffmpeg quirk); old builds lack `out_time_us`. Values are
 * "N/A" or negative before the first packet.
 */
function readOutTimeSeconds(block: Record<string, string>): number | undefined {
  for (const key of ['out_time_us', 'out_time_ms']) {
    const raw = block[key];
    if (raw === undefined || !/^-?\d+$/.test(raw)) continue;
    return Math.max(0, Number(raw) / 1e6);
  }
  const clock = /^(-)?(\d+):(\d{2}):(\d{2}(?:\.\d+)?)$/.exec(block.out_time ?? '');
  if (!clock) return undefined;
  if (clock[1]) return 0;
  return Number(clock[2]) * 3600 + Number(clock[3]) * 60 + Number(clock[4]);
}
