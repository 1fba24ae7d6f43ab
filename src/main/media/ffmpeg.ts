/**
 * The one place that starts ffmpeg and ffprobe. Every child is registered with its
 * AbortController so that a cancel, a timeout or app exit can stop it; every command is
 * logged shell-quoted so it can be pasted into a terminal to reproduce a problem; every
 * child starts without the user's provider keys (child-env.ts).
 */
import { spawn } from 'node:child_process';
import { CancelledError, ShotlineError } from '../../shared/errors';
import { childProcessEnv } from './child-env';
import { initialProgressState, parseProgress, type FfmpegProgress } from './progress';
import { quoteCommand } from './quote';

export { parseProgress, initialProgressState, type FfmpegProgress, type ProgressState } from './progress';
export { quoteCommand, quoteShellArg } from './quote';

const STDERR_TAIL_LINES = 20;
/** How long a child may take to exit after SIGTERM before it gets SIGKILL. */
const KILL_GRACE_MS = 1500;

export interface RunFfmpegOptions {
  signal?: AbortSignal;
  onProgress?: (progress: FfmpegProgress) => void;
  expectedDurationSeconds?: number;
  log?: (line: string) => void;
  timeoutMs?: number;
  /** Called with the child's pid once it is running (useful for logs and tests). */
  onStart?: (pid: number) => void;
  /** Working directory of the child; defaults to the current one. */
  cwd?: string;
  /** The environment to start from (default: this process's); provider keys and other secrets are always removed. */
  env?: NodeJS.ProcessEnv;
  /** Every complete line ffmpeg writes to stderr (decode errors are counted from these). */
  onStderrLine?: (line: string) => void;
}

/** ffmpeg or ffprobe failed: carries the command to reproduce it and the end of its stderr. */
export class FfmpegError extends ShotlineError {
  override name = 'FfmpegError';
  constructor(
    message: string,
    readonly command: string,
    readonly stderrTail: string,
    readonly exitCode: number | null,
    readonly timedOut = false,
  ) {
    super(`${message}\n  command: ${command}${stderrTail ? `\n  ffmpeg said:\n${indent(stderrTail)}` : ''}`);
  }
}

const running = new Map<AbortController, { pid: number | undefined; kill: (signal: NodeJS.Signals) => void }>();

/** Stops every ffmpeg/ffprobe child at once (app exit). Returns how many were running. */
export function killAllFfmpeg(): number {
  const count = running.size;
  for (const [controller, child] of [...running]) {
    // SIGKILL at once: on exit there is no time left for the grace timer to fire.
    child.kill('SIGKILL');
    controller.abort(new CancelledError('ffmpeg stopped: the application is exiting'));
  }
  return count;
}

/** Pids of the children started here that are still running. */
export function runningFfmpegPids(): number[] {
  return [...running.values()].flatMap((child) => (child.pid === undefined ? [] : [child.pid]));
}

export async function runFfmpeg(binary: string, args: string[], options: RunFfmpegOptions = {}): Promise<{ stderrTail: string }> {
  const fullArgs = [...globalArgs(args), ...args];
  let progressState = initialProgressState;
  const result = await runTracked(binary, fullArgs, {
    ...options,
    onStdout: (chunk) => {
      const parsed = parseProgress(progressState, chunk, options.expectedDurationSeconds);
      progressState = parsed.state;
      for (const report of parsed.reports) {
        // A throwing callback runs inside a stream event and would otherwise crash the process.
        try {
          options.onProgress?.(report);
        } catch (error) {
          options.log?.(`ffmpeg progress callback failed: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    },
  });
  return { stderrTail: result.stderrTail };
}

/** Runs ffprobe with JSON output and returns the parsed document. */
export async function runFfprobeJson(
  ffprobe: string,
  args: string[],
  options: { signal?: AbortSignal; log?: (line: string) => void; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<unknown> {
  const fullArgs = ['-hide_banner', '-v', 'error', '-print_format', 'json', ...args];
  const chunks: string[] = [];
  await runTracked(ffprobe, fullArgs, { timeoutMs: 60_000, ...options, onStdout: (chunk) => chunks.push(chunk) });
  const text = chunks.join('');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new FfmpegError('ffprobe printed something that is not JSON', quoteCommand(ffprobe, fullArgs), text.slice(0, 2000), 0);
  }
}

/** Runs ffmpeg for what it prints (-version, -encoders): no progress pipe, stdout returned. */
export async function runFfmpegText(binary: string, args: string[], options: { signal?: AbortSignal; log?: (line: string) => void; timeoutMs?: number } = {}): Promise<string> {
  const chunks: string[] = [];
  await runTracked(binary, ['-hide_banner', ...args], { timeoutMs: 30_000, ...options, onStdout: (chunk) => chunks.push(chunk) });
  return chunks.join('');
}

function globalArgs(args: string[]): string[] {
  const extra: string[] = [];
  for (const flag of ['-hide_banner', '-nostdin', '-nostats']) if (!args.includes(flag)) extra.push(flag);
  if (!args.includes('-progress')) extra.push('-progress', 'pipe:1');
  return extra;
}

interface TrackedOptions extends RunFfmpegOptions {
  onStdout: (chunk: string) => void;
}

function runTracked(binary: string, args: string[], options: TrackedOptions): Promise<{ stderrTail: string }> {
  const command = quoteCommand(binary, args);
  const { signal } = options;
  if (signal?.aborted) return Promise.reject(cancelledFrom(signal));
  options.log?.(`$ ${command}`);

  return new Promise((resolve, reject) => {
    const controller = new AbortController();
    const child = spawn(binary, args, { cwd: options.cwd, env: childProcessEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    const stderr = new LineTail(STDERR_TAIL_LINES, options.onStderrLine);
    let timedOut = false;
    let killTimer: NodeJS.Timeout | undefined;

    const stop = () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      killTimer ??= setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
    };
    const onAbort = () => controller.abort(cancelledFrom(signal));
    signal?.addEventListener('abort', onAbort, { once: true });
    controller.signal.addEventListener('abort', stop, { once: true });
    const timeout =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            stop();
          }, options.timeoutMs);

    running.set(controller, { pid: child.pid, kill: (s) => child.kill(s) });
    if (child.pid !== undefined) options.onStart?.(child.pid);

    child.stdout.setEncoding('utf8').on('data', (chunk: string) => options.onStdout(chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => stderr.push(chunk));
    let settled = false;
    const finish = (error: Error | undefined) => {
      if (settled) return;
      settled = true;
      running.delete(controller);
      signal?.removeEventListener('abort', onAbort);
      clearTimeout(timeout);
      clearTimeout(killTimer);
      if (error) reject(error);
      else resolve({ stderrTail: stderr.text() });
    };
    // A binary that cannot start gets 'error' (and, depending on the Node version, no 'close').
    child.on('error', (error) => {
      if (child.pid === undefined) finish(new FfmpegError(`could not start ${binary}: ${error.message}`, command, '', null));
    });
    // 'close' comes after the process exited and its pipes drained: the child is gone by then.
    child.on('close', (code, exitSignal) => {
      const tail = stderr.text();
      if (controller.signal.aborted) return finish(controller.signal.reason ?? new CancelledError());
      if (timedOut) return finish(new FfmpegError(`${binary} timed out after ${options.timeoutMs} ms`, command, tail, code, true));
      if (code !== 0) {
        const how = code === null ? `was killed by ${exitSignal ?? 'a signal'}` : `failed with exit code ${code}`;
        return finish(new FfmpegError(`${binary} ${how}`, command, tail, code));
      }
      finish(undefined);
    });
  });
}

function cancelledFrom(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof CancelledError ? reason : new CancelledError('ffmpeg run cancelled');
}

/**
 * Keeps the last N complete lines of a stream, plus the line in progress, and hands each
 * complete line to an optional listener as it arrives.
 */
class LineTail {
  private lines: string[] = [];
  private partial = '';
  constructor(
    private readonly max: number,
    private readonly onLine?: (line: string) => void,
  ) {}
  push(chunk: string): void {
    const parts = (this.partial + chunk).split(/\r?\n|\r/);
    this.partial = parts.pop() ?? '';
    for (const line of parts) {
      if (!line.trim()) continue;
      this.lines.push(line);
      this.onLine?.(line);
    }
    if (this.lines.length > this.max) this.lines = this.lines.slice(-this.max);
  }
  text(): string {
    const all = this.partial.trim() ? [...this.lines, this.partial] : this.lines;
    return all.slice(-this.max).join('\n');
  }
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
}
