/**
 * What the kill -9 tests against the paid scripted provider share: the CLI in a child
 * process (run-cli-scripted.ts, talking to the emulator over loopback HTTP), a SIGKILL
 * timed to land while the emulator holds a submit answer back, and readers of the
 * pipeline's own lines and of the ledger.
 */
import type { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type Database from 'better-sqlite3';
import { expect } from 'vitest';
import type { ScriptedProviderEmulator } from '../emulators/scripted-provider/server';
import { spawnEntry } from './cli-process';
import { SCRIPTED_PROVIDER_KEY_ENV, SCRIPTED_PROVIDER_URL_ENV } from './http-scripted-adapter';

const entry = fileURLToPath(new URL('./run-cli-scripted.ts', import.meta.url));

/** The key the emulator is started with and the child is given. */
export const SCRIPTED_API_KEY = 'sk-test-scripted-5d1f';

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliRun {
  child: ReturnType<typeof spawn>;
  stderrLines: string[];
  done: Promise<CliResult>;
}

/** Starts `shotline <args>` from source, with the scripted-paid engine served by the emulator at `providerUrl`. */
export function spawnScriptedCli(args: string[], providerUrl: string, apiKey = SCRIPTED_API_KEY): CliRun {
  return spawnEntry(entry, args, { [SCRIPTED_PROVIDER_URL_ENV]: providerUrl, [SCRIPTED_PROVIDER_KEY_ENV]: apiKey });
}

/**
 * A storyboard of `shots` pinned to the paid engine (in either mode), in a file whose
 * name and title are not ASCII.
 */
export function writePaidStoryboard(folder: string, title: string, mode: 'preview' | 'final', shots: readonly { id: string; duration: number; audio: boolean }[], fps: number): string {
  const lines = [
    `title: "${title} — épisode ünïcode"`,
    `mode: ${mode}`,
    'budget: { limit: 10.00 }',
    `output: { resolution: 720p, aspect: "16:9", fps: ${fps}, loudness: -16 }`,
    'shots:',
    ...shots.flatMap((shot) => [
      `  - id: ${shot.id}`,
      `    kind: ${shot.audio ? 'dialogue' : 'establishing'}`,
      `    prompt: "Shot ${shot.id}: a harbour at dawn, take ${shot.duration} s"`,
      `    duration: ${shot.duration}`,
      `    audio: ${shot.audio}`,
      '    engine: scripted-paid',
    ]),
  ];
  const path = join(folder, 'storyboard ünïcode.yaml');
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

/** Shots the run's progress lines have reported accepted so far. */
export const acceptedIn = (run: CliRun) => run.stderrLines.filter((line) => line.includes(': accepted')).length;

/**
 * SIGKILLs the run as soon as `ready()` holds while a submit answer is being held back
 * (the kill then lands between "submitting" written and the job id stored), or once
 * `ready()` holds and `giveUp()` says waiting for such a moment is no longer worth it.
 * Resolves to what happened; a run that finishes first is not an error here.
 */
export async function killMidSubmit(run: CliRun, emulator: ScriptedProviderEmulator, ready: () => boolean, giveUp: () => boolean) {
  const outcome = await new Promise<'killed mid-submit' | 'killed' | 'finished first'>((resolve) => {
    const timer = setInterval(() => {
      if (!ready()) return;
      const midSubmit = emulator.pendingSubmitAnswers > 0;
      if (!midSubmit && !giveUp()) return;
      clearInterval(timer);
      run.child.kill('SIGKILL');
      resolve(midSubmit ? 'killed mid-submit' : 'killed');
    }, 2);
    void run.done.then(() => {
      clearInterval(timer);
      resolve('finished first');
    });
  });
  const result = await run.done;
  if (outcome !== 'finished first') expect(result.signal).toBe('SIGKILL');
  return { outcome, result };
}

export function statusCounts(attempts: { status: string }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const attempt of attempts) counts[attempt.status] = (counts[attempt.status] ?? 0) + 1;
  return counts;
}

/** Job ids from the pipeline's "recovered <engine> job <id> whose submit answer was lost" lines. */
export function recoveredJobIds(lines: string[]): string[] {
  return lines.flatMap((line) => /recovered \S+ job (\S+) whose submit answer was lost/.exec(line)?.slice(1, 2) ?? []);
}

/** The ledger's charges in all, what it still holds, and the charges per attempt. */
export function ledgerMoney(db: Database.Database): { charged: number; held: number; chargeByAttempt: Map<string, number> } {
  const money = db
    .prepare(
      `SELECT COALESCE(SUM(CASE entry WHEN 'charge' THEN micros ELSE 0 END), 0) AS charged,
              COALESCE(SUM(CASE entry WHEN 'reserve' THEN micros WHEN 'release' THEN -micros ELSE 0 END), 0) AS held
       FROM ledger`,
    )
    .get() as { charged: number; held: number };
  const chargeByAttempt = new Map(
    (db.prepare(`SELECT attempt_id, SUM(micros) AS micros FROM ledger WHERE entry = 'charge' GROUP BY attempt_id`).all() as { attempt_id: string; micros: number }[]).map(
      (row) => [row.attempt_id, row.micros],
    ),
  );
  return { ...money, chargeByAttempt };
}
