/**
 * Who is running an episode: a process identity that a later, unrelated process cannot
 * be mistaken for. A bare pid is reused by the OS (a stale pid belonging to some other
 * live process would lock the episode for good); the pid plus the process's start time
 * is not. Where the start time cannot be read (not Linux), a heartbeat the runner
 * refreshes stands in for it.
 */
import { readFileSync } from 'node:fs';

export interface RunnerIdentity {
  pid: number;
  /** The process's start time as the OS reports it; null where it cannot be read. */
  started: string | null;
}

export interface StoredRunner {
  pid: number | null;
  started: string | null;
  heartbeatAt: number | null;
}

/** A runner refreshes its heartbeat this often... */
export const HEARTBEAT_INTERVAL_MS = 10_000;
/** ...and counts as gone once it has been silent this long. */
export const HEARTBEAT_TIMEOUT_MS = 45_000;

let self: RunnerIdentity | undefined;

export function currentRunner(): RunnerIdentity {
  self ??= { pid: process.pid, started: processStartTime(process.pid) };
  return self;
}

/** Linux: field 22 of /proc/<pid>/stat, the start time in clock ticks since boot. */
export function processStartTime(pid: number): string | null {
  if (process.platform !== 'linux' || !Number.isInteger(pid) || pid <= 0) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may itself contain spaces or ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null;
  } catch {
    return null;
  }
}

export function sameRunner(stored: StoredRunner, runner: RunnerIdentity): boolean {
  return stored.pid === runner.pid && stored.started === runner.started;
}

/** Whether the process recorded as an episode's runner is still that process, alive. */
export function runnerAlive(stored: StoredRunner, now: number): boolean {
  if (!stored.pid) return false;
  if (stored.started !== null) {
    const current = processStartTime(stored.pid);
    if (current !== null) return current === stored.started;
  }
  // No start time to compare: only a live pid that also kept its heartbeat counts.
  return pidExists(stored.pid) && stored.heartbeatAt !== null && now - stored.heartbeatAt < HEARTBEAT_TIMEOUT_MS;
}

function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
