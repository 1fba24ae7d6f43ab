/**
 * Peak resident memory of a process tree, sampled from /proc every 25 ms (Linux): the
 * sum over every live descendant of a root, so a pool of workers and their ffmpeg
 * children count together, as the user's machine feels them.
 */
import { readdirSync, readFileSync } from 'node:fs';

export class TreeRssSampler {
  private peakBytes = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly root: number, private readonly includeRoot = false) {}

  start(): this {
    this.timer = setInterval(() => {
      this.peakBytes = Math.max(this.peakBytes, treeRss(this.root, this.includeRoot));
    }, 25);
    return this;
  }

  stop(): number {
    clearInterval(this.timer);
    return this.peakBytes;
  }
}

function treeRss(root: number, includeRoot: boolean): number {
  const parentOf = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      parentOf.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // Gone while we looked.
    }
  }
  const members = includeRoot ? [root] : [];
  const queue = [root];
  while (queue.length) {
    const pid = queue.shift()!;
    for (const [child, parent] of parentOf) if (parent === pid) members.push(child), queue.push(child);
  }
  let bytes = 0;
  for (const pid of members) {
    try {
      const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
      bytes += Number(rss ?? 0) * 1024;
    } catch {
      // Gone.
    }
  }
  return bytes;
}
