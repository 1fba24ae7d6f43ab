/**
 * Render progress for the terminal: live bars per shot and overall when the stream is a
 * TTY, one plain line per state change otherwise (CI logs, pipes). Progress is only a
 * view: it writes through a SafeOutput and stops drawing once that stream is gone.
 */
import type { ProgressEvent } from '../../shared/api';
import type { SafeOutput } from './output';

export interface ProgressView {
  update(event: ProgressEvent): void;
  /** A message between progress lines (the Ctrl-C notice): the bars are drawn again below it. */
  notice(text: string): void;
  finish(): void;
}

interface ShotLine {
  state: string;
  engineId?: string;
  progress: number;
}

const DONE_STATES = new Set(['accepted', 'failed']);

/** Shots appear in the order their first event arrives: the runner announces them in storyboard order. */
export function createProgressView(output: SafeOutput): ProgressView {
  return output.isTTY ? new BarsView(output) : new PlainView(output);
}

class PlainView implements ProgressView {
  private readonly last = new Map<string, string>();

  constructor(private readonly stream: SafeOutput) {}

  update(event: ProgressEvent): void {
    if (this.stream.gone) return;
    if (event.type === 'stitch') {
      if (!this.last.has('stitch')) this.stream.write('stitching the episode...\n');
      this.last.set('stitch', 'started');
      return;
    }
    if (event.type === 'log' && event.message) {
      this.stream.write(`${event.shotId ?? ''} ${event.message}\n`);
      return;
    }
    if (event.type !== 'shot' || !event.shotId || !event.state || event.state === 'polling' || event.state === 'pending') return;
    const line = `${event.shotId}: ${event.state}${event.engineId ? ` (${event.engineId})` : ''}${event.message ? `: ${event.message}` : ''}`;
    if (this.last.get(event.shotId) === line) return;
    this.last.set(event.shotId, line);
    this.stream.write(`${line}\n`);
  }

  notice(text: string): void {
    this.stream.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  finish(): void {}
}

class BarsView implements ProgressView {
  private readonly shots = new Map<string, ShotLine>();
  private stitch: number | null = null;
  private stitchEta: number | null = null;
  private drawnLines = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly stream: SafeOutput) {}

  update(event: ProgressEvent): void {
    if (this.stream.gone) return;
    if (event.type === 'stitch') {
      this.stitch = event.progress ?? this.stitch ?? 0;
      this.stitchEta = event.etaSeconds ?? null;
    }
    if (event.type === 'shot' && event.shotId) {
      const line = this.shots.get(event.shotId) ?? { state: 'pending', progress: 0 };
      if (event.state) line.state = event.state;
      if (event.engineId) line.engineId = event.engineId;
      line.progress = DONE_STATES.has(line.state) ? 1 : (event.progress ?? line.progress);
      this.shots.set(event.shotId, line);
    }
    // Redraw at most ~10 times a second, however many events arrive. unref: a pending
    // redraw must never keep a finished (or failed) process alive.
    this.timer ??= setTimeout(() => {
      this.timer = null;
      this.draw();
    }, 100).unref();
  }

  notice(text: string): void {
    this.stream.write(text.endsWith('\n') ? text : `${text}\n`);
    // The bars drawn so far stay above the message; the next draw starts below it.
    this.drawnLines = 0;
  }

  finish(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.draw();
  }

  private draw(): void {
    // Nothing to show (the run stopped before its first event): no empty "0/0 shots" bar.
    if (this.stream.gone || (this.shots.size === 0 && this.stitch === null)) return;
    const width = Math.max(10, Math.min(30, (this.stream.columns ?? 80) - 50));
    const lines: string[] = [];
    let done = 0;
    for (const [id, shot] of this.shots) {
      if (DONE_STATES.has(shot.state)) done++;
      lines.push(`${id.padEnd(12).slice(0, 12)} ${bar(shot.progress, width)} ${shot.state.padEnd(11)} ${shot.engineId ?? ''}`);
    }
    const overall = (done + (this.stitch ?? 0)) / (this.shots.size + 1);
    lines.push(`${'episode'.padEnd(12)} ${bar(overall, width)} ${done}/${this.shots.size} shots${this.stitch !== null ? `, stitching ${Math.round(this.stitch * 100)}%${this.stitchEta !== null ? `, about ${this.stitchEta} s left` : ''}` : ''}`);
    const up = this.drawnLines > 0 ? `\x1b[${this.drawnLines}F` : '';
    this.stream.write(`${up}${lines.map((l) => `\x1b[2K${l}`).join('\n')}\n`);
    this.drawnLines = lines.length;
  }
}

export function bar(fraction: number, width: number): string {
  const clamped = Math.max(0, Math.min(1, Number.isFinite(fraction) ? fraction : 0));
  const filled = Math.round(clamped * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}
