/**
 * stdout and stderr as the CLI uses them: best-effort text sinks that can never take a
 * render down. A closed pipe (EPIPE), a full disk (ENOSPC, `>/dev/full`) or a vanished
 * terminal must not kill or stall paid work: Node reports such failures either by
 * throwing from write() (file streams can) or by an 'error' event that, unheard, ends
 * the process. After the first failure the stream is treated as gone and later writes
 * are dropped, so one broken stream costs one error, not one per progress line.
 */

/** The parts of a Node stream the CLI needs; process.stdout/stderr and plain Writables fit. */
export type OutputStream = NodeJS.WritableStream & {
  isTTY?: boolean;
  columns?: number;
  destroyed?: boolean;
  writableEnded?: boolean;
};

export interface SafeOutput {
  /** Writes text if the stream still works; never throws. */
  write(text: string): void;
  /** Whether the stream is an interactive terminal (and, while it works, still there). */
  readonly isTTY: boolean;
  /** The terminal's width, read at each call (it changes when the window is resized). */
  readonly columns: number | undefined;
  /** True once a write failed or the stream was closed: nothing more is written. */
  readonly gone: boolean;
  /** The first failure, for SHOTLINE_DEBUG diagnostics. */
  readonly failure: unknown;
  /**
   * Resolves once every write so far has been flushed or has failed, or after
   * `timeoutMs` (a reader that stopped reading must not hold the exit): some streams
   * report a failure only after write() returned.
   */
  settle(timeoutMs: number): Promise<void>;
}

/** One wrapper per stream, so that repeated `main()` calls add one 'error' listener, not one each. */
const wrappers = new WeakMap<OutputStream, SafeOutput>();

export function safeOutput(stream: OutputStream): SafeOutput {
  let wrapper = wrappers.get(stream);
  if (!wrapper) {
    wrapper = new GuardedOutput(stream);
    wrappers.set(stream, wrapper);
  }
  return wrapper;
}

class GuardedOutput implements SafeOutput {
  private failed = false;
  private firstFailure: unknown;
  private pendingWrites = 0;
  private settledWaiters: (() => void)[] = [];

  constructor(private readonly stream: OutputStream) {
    // Stays attached for the life of the process: anything else that writes to this
    // stream (Node's own warnings, a library's console.error) is covered too.
    stream.on('error', (error: unknown) => this.markGone(error));
  }

  get isTTY(): boolean {
    return !this.gone && this.stream.isTTY === true;
  }

  get columns(): number | undefined {
    return this.stream.columns;
  }

  get gone(): boolean {
    return this.failed || this.stream.destroyed === true || this.stream.writableEnded === true;
  }

  get failure(): unknown {
    return this.firstFailure;
  }

  write(text: string): void {
    if (text === '' || this.gone) return;
    this.pendingWrites++;
    let pending = true;
    const done = () => {
      if (!pending) return;
      pending = false;
      this.pendingWrites--;
      this.wakeWaiters();
    };
    try {
      // The callback catches failures reported asynchronously (sockets, pipes) that some
      // streams pass only to the callback; the 'error' listener catches the rest.
      this.stream.write(text, (error?: Error | null) => {
        if (error) this.markGone(error);
        done();
      });
    } catch (error) {
      this.markGone(error);
      done();
    }
  }

  settle(timeoutMs: number): Promise<void> {
    if (this.pendingWrites === 0 || this.gone) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs).unref();
      this.settledWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private markGone(error: unknown): void {
    if (this.failed) return;
    this.failed = true;
    this.firstFailure = error;
    this.wakeWaiters();
  }

  private wakeWaiters(): void {
    if (this.pendingWrites > 0 && !this.gone) return;
    const waiters = this.settledWaiters;
    this.settledWaiters = [];
    for (const wake of waiters) wake();
  }
}
