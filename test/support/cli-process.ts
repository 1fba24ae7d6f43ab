import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const entry = fileURLToPath(new URL('./run-cli.ts', import.meta.url));
const root = fileURLToPath(new URL('../..', import.meta.url));

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Starts `shotline <args>` from source in a child process. */
export function spawnCli(args: string[], env: NodeJS.ProcessEnv = {}): { child: ChildProcess; done: Promise<CliResult>; stderrLines: string[] } {
  return spawnEntry(entry, args, env);
}

/** Starts a TypeScript entry (a CLI wrapper) under tsx, collecting its output and its stderr lines as they come. */
export function spawnEntry(file: string, args: string[], env: NodeJS.ProcessEnv = {}): { child: ChildProcess; done: Promise<CliResult>; stderrLines: string[] } {
  // SIGUSR2 makes Node write a diagnostic report (stack, handles, child processes): the watchdog below sends it.
  const child = spawn(process.execPath, ['--report-on-signal', `--report-directory=${REPORTS}`, '--import', 'tsx', file, ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const stderrLines: string[] = [];
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    stderrLines.push(...chunk.toString().split('\n').filter(Boolean));
  });
  const watchdog = watchForHang(child, args);
  const done = new Promise<CliResult>((resolve) =>
    child.on('close', (code, signal) => {
      clearTimeout(watchdog);
      resolve({ code, signal, stdout, stderr });
    }),
  );
  return { child, done, stderrLines };
}

const REPORTS = join(root, 'test-results', 'cli-reports');
/** Longer than any CLI run a test makes (the slowest take about a minute), shorter than the test timeouts. */
const HANG_AFTER_MS = 180_000;

/**
 * A CLI run that has not finished by HANG_AFTER_MS is described on this process's stderr
 * (whether it exited with its output still held open by a descendant, and its process
 * tree) and, if still running, asked for a diagnostic report, so a hang that happens
 * once in a CI run can be explained afterwards. It is not killed: the test's own timeout decides.
 */
function watchForHang(child: ChildProcess, args: string[]): NodeJS.Timeout {
  let exited: string | null = null;
  child.once('exit', (code, signal) => (exited = signal ?? String(code)));
  const timer = setTimeout(() => {
    const tree = processTree(child.pid);
    const state = exited === null ? 'still running; a diagnostic report goes to ' + REPORTS : `exited (${exited}) but its output is still held open`;
    process.stderr.write(`[cli-process] shotline ${args.join(' ')} (pid ${child.pid}) not done after ${HANG_AFTER_MS / 1000} s: ${state}\n${tree}\n`);
    if (exited === null) {
      mkdirSync(REPORTS, { recursive: true });
      child.kill('SIGUSR2');
    }
  }, HANG_AFTER_MS);
  timer.unref();
  return timer;
}

export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return spawnCli(args, env).done;
}

export const projectRoot = root;

/** `ps` lines of a process and its descendants (a child that exited is no longer among them). */
function processTree(pid: number | undefined): string {
  try {
    const rows = execFileSync('ps', ['-eo', 'pid,ppid,etime,stat,args'], { encoding: 'utf8' }).split('\n').slice(1).filter(Boolean);
    const parsed = rows.map((line) => ({ pid: Number(line.trim().split(/\s+/)[0]), ppid: Number(line.trim().split(/\s+/)[1]), line }));
    const family = new Set([pid]);
    for (let grew = true; grew; ) {
      grew = false;
      for (const row of parsed) if (family.has(row.ppid) && !family.has(row.pid)) grew = family.add(row.pid).size > 0;
    }
    return parsed.filter((row) => family.has(row.pid)).map((row) => row.line).join('\n') || '(no process left)';
  } catch (error) {
    return `(ps failed: ${String(error)})`;
  }
}
