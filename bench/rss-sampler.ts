/**
 * Peak resident memory of a process tree, sampled from /proc every 25 ms (Linux): the
 * sum over every live descendant of a root, so a pool of workers and their ffmpeg
 * children count together, as the user's machine feels them.
 */
import { readFileSync } from 'node:fs';
import { descendants } from '../test/support/process-tree';

export class TreeRssSampler {
  private peakBytes = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly root: number,
    private readonly includeRoot = false,
  ) {}

  start(): this {
    this.timer = setInterval(() => {
      const members = [...(this.includeRoot ? [this.root] : []), ...descendants(this.root)];
      this.peakBytes = Math.max(this.peakBytes, members.reduce((sum, pid) => sum + rssBytes(pid), 0));
    }, 25);
    return this;
  }

  stop(): number {
    clearInterval(this.timer);
    return this.peakBytes;
  }
}

function rssBytes(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
  } catch {
    return 0; // gone while we looked
  }
}
