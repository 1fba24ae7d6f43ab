/** The live processes under a pid, from /proc's parent links (Linux): what a crash or kill left running. */
import { readdirSync, readFileSync } from 'node:fs';

/** Parent of every live (non-zombie) process. */
function parents(): Map<number, number> {
  const parentOf = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // The command name is in parentheses and may hold spaces: read the fields after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] !== 'Z') parentOf.set(Number(name), Number(fields[1]));
    } catch {
      // The process ended while we looked.
    }
  }
  return parentOf;
}

export function descendants(root: number): number[] {
  const parentOf = parents();
  const found: number[] = [];
  const queue = [root];
  while (queue.length) {
    const pid = queue.shift()!;
    for (const [child, parent] of parentOf) if (parent === pid) found.push(child), queue.push(child);
  }
  return found;
}

/** Those of `pids` still running (zombies count as gone). */
export function alive(pids: readonly number[]): number[] {
  const live = parents();
  return pids.filter((pid) => live.has(pid));
}
