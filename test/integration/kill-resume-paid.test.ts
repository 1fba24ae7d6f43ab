/**
 * The real kill -9 test against a paid provider that does not deduplicate: a child
 * process renders a 10-shot final storyboard on "scripted-paid" (served over loopback
 * HTTP by an emulator in this process, so the provider's jobs and invoice survive the
 * child), is killed with SIGKILL mid-run (and again mid-resume), and `shotline resume`
 * finishes the episode. The emulator holds every submit answer back for a moment after
 * creating the job, and the kill is timed to land while one is held back: the job exists,
 * the client never learned its id, and only a lookup by client reference can avoid
 * paying for the shot twice.
 *
 * Checked against the provider's own books, not the client's: one job per shot, and the
 * ledger's charges equal the provider's invoice to the micro-dollar.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScriptedProviderEmulator } from '../emulators/scripted-provider/server';
import { acceptedIn, killMidSubmit, ledgerMoney, recoveredJobIds, SCRIPTED_API_KEY as API_KEY, spawnScriptedCli, statusCounts, writePaidStoryboard } from '../support/scripted-kill';

/** 10 shots, cut together: 24 s planned. Two durations and two audio settings make four clip shapes. */
const SHOTS = Array.from({ length: 10 }, (_, i) => ({
  id: `s${String(i + 1).padStart(2, '0')}`,
  duration: i % 3 === 1 ? 3 : 2,
  audio: i % 4 === 2,
}));
const PLANNED_SECONDS = SHOTS.reduce((sum, shot) => sum + shot.duration, 0);
const FRAME = { width: 1280, height: 720, fps: 24 };

interface AttemptRow {
  id: string;
  shot_id: string;
  client_reference: string;
  provider_job_id: string | null;
  status: string;
}

function readBooks(dataDir: string) {
  const db = new Database(join(dataDir, 'shotline.db'), { readonly: true });
  try {
    const attempts = db.prepare(`SELECT id, shot_id, client_reference, provider_job_id, status FROM attempts ORDER BY created_at`).all() as AttemptRow[];
    const { charged, held, chargeByAttempt } = ledgerMoney(db);
    const shots = db.prepare(`SELECT shot_id, status FROM shots ORDER BY position`).all() as { shot_id: string; status: string }[];
    const episodes = db.prepare(`SELECT status FROM episodes`).all() as { status: string }[];
    return { attempts, charged, held, chargeByAttempt, shots, episodes };
  } finally {
    db.close();
  }
}

function writeStoryboard(folder: string): string {
  return writePaidStoryboard(folder, 'Paid kill test', 'final', SHOTS, FRAME.fps);
}

describe('kill -9 mid-render on a paid, non-deduplicating provider, then resume', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shotline paid kill '));
  const emulator = new ScriptedProviderEmulator({
    apiKey: API_KEY,
    clipDirectory: join(dir, 'provider clips'),
    microsPerSecond: 123_457,
    fractionMicros: 0.25,
    timing: { minMs: 300, maxMs: 1500 },
    // The window in which a kill loses the answer but not the job.
    submitAnswerDelayMs: 300,
    seed: 7,
  });

  beforeAll(async () => {
    await emulator.start();
    // Encoded before the clock starts: the test measures the pipeline, not ffmpeg.
    await emulator.prepareClips(SHOTS.map((shot) => ({ durationSeconds: shot.duration, audio: shot.audio, ...FRAME })));
  }, 60_000);

  afterAll(async () => {
    await emulator.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses job calls without the API key, as a paid provider does', async () => {
    const before = emulator.requests.unauthorized;
    const response = await fetch(`${emulator.url}/v1/jobs?clientReference=nobody`);
    expect(response.status).toBe(401);
    expect(emulator.requests.unauthorized).toBe(before + 1);
  });

  it('pays for each shot once and the ledger equals the provider invoice to the micro-dollar', async () => {
    const started = Date.now();
    const unauthorizedBefore = emulator.requests.unauthorized;
    const folder = join(dir, 'épisode ünïcode 🎬 pilot');
    mkdirSync(folder, { recursive: true });
    const storyboard = writeStoryboard(folder);
    const dataDir = join(folder, 'data dir');
    const out = join(folder, 'épisode final.mp4');
    const lostAnswerLines: string[] = [];

    // 1. Render, killed once three shots are accepted and a submit answer is held back.
    const render = spawnScriptedCli(['render', storyboard, '--out', out, '--data-dir', dataDir, '--concurrency', '3'], emulator.url);
    const first = await killMidSubmit(
      render,
      emulator,
      () => acceptedIn(render) >= 3,
      () => acceptedIn(render) >= SHOTS.length - 2,
    );
    expect(first.outcome, `the render was not killed:\n${first.result.stderr}`).not.toBe('finished first');
    const afterKill = readBooks(dataDir);
    const acceptedAtKill = afterKill.shots.filter((shot) => shot.status === 'accepted').length;
    expect(afterKill.episodes).toEqual([{ status: 'running' }]);
    expect(acceptedAtKill).toBeGreaterThanOrEqual(3);
    expect(acceptedAtKill).toBeLessThan(SHOTS.length);
    const lostAtFirstKill = emulator.jobs.filter((job) => job.submitAnswer === 'lost').length;
    const jobsAtFirstKill = emulator.jobs.length;
    const attemptsAtFirstKill = statusCounts(afterKill.attempts);

    // 2. Resume, killed again mid-submit if a moment comes (with few shots left it may not).
    const resume = spawnScriptedCli(['resume', '--data-dir', dataDir, '--concurrency', '3', '--json'], emulator.url);
    const second = await killMidSubmit(
      resume,
      emulator,
      () => acceptedIn(resume) >= 1,
      () => false,
    );
    lostAnswerLines.push(...resume.stderrLines);

    // 3. Resume to the end when the second run was killed.
    let final = second.result;
    if (second.outcome !== 'finished first') {
      const last = spawnScriptedCli(['resume', '--data-dir', dataDir, '--concurrency', '3', '--json'], emulator.url);
      final = await last.done;
      lostAnswerLines.push(...last.stderrLines);
    }
    expect(final.code, final.stderr).toBe(0);
    const report = JSON.parse(final.stdout) as { status: string; resumed: boolean; durationSeconds: number };
    expect(report).toMatchObject({ status: 'completed', resumed: true });

    // Every job the provider made is finished by now (the episode waited for them).
    expect(emulator.settled).toBe(true);
    const books = readBooks(dataDir);
    const byReference = new Map(books.attempts.map((attempt) => [attempt.client_reference, attempt]));

    // One job per shot, at the provider: no submit was ever paid twice.
    const jobsByShot = new Map<string, string[]>();
    for (const job of emulator.jobs) {
      const attempt = byReference.get(job.request.clientReference);
      expect(attempt, `provider job ${job.id} has a client reference no attempt sent`).toBeDefined();
      jobsByShot.set(attempt!.shot_id, [...(jobsByShot.get(attempt!.shot_id) ?? []), job.id]);
    }
    expect(emulator.jobs).toHaveLength(SHOTS.length);
    expect([...jobsByShot.keys()].sort()).toEqual(SHOTS.map((shot) => shot.id));
    for (const [shotId, jobIds] of jobsByShot) expect(jobIds, `jobs for ${shotId}`).toHaveLength(1);

    // Every shot accepted, each on the job the provider made for it.
    expect(books.shots.every((shot) => shot.status === 'accepted')).toBe(true);
    const accepted = books.attempts.filter((attempt) => attempt.status === 'accepted');
    expect(accepted).toHaveLength(SHOTS.length);
    expect(new Set(accepted.map((a) => a.provider_job_id))).toEqual(new Set(emulator.jobs.map((job) => job.id)));

    // Every lost answer was found again by its client reference, not submitted again.
    // A kill can also land after the provider sent its answer and before the job id was
    // stored: that job is found again too (the emulator counts its answer as sent).
    const lostJobs = emulator.jobs.filter((job) => job.submitAnswer === 'lost').map((job) => job.id);
    const recovered = new Set(recoveredJobIds(lostAnswerLines));
    for (const id of lostJobs) expect(recovered.has(id), `lost answer of job ${id} found again`).toBe(true);
    for (const id of recovered) expect(emulator.jobs.some((job) => job.id === id), `recovered ${id} is one of the provider's jobs`).toBe(true);

    // The ledger equals the provider's invoice, in total and per job, and holds nothing.
    const invoice = emulator.invoiceMicros;
    expect(books.charged).toBe(invoice);
    for (const job of emulator.jobs) {
      const attempt = byReference.get(job.request.clientReference)!;
      expect(books.chargeByAttempt.get(attempt.id), `charge for ${attempt.shot_id} (job ${job.id})`).toBe(emulator.invoicedFor(job));
    }
    expect(books.held).toBe(0);
    // The key reached the adapter through AdapterDeps.credentials: the provider never had to refuse a call.
    expect(emulator.requests.unauthorized).toBe(unauthorizedBefore);
    // Not a round figure: 123_457 µ$ per second plus a quarter micro-dollar per job, rounded up per job.
    expect(invoice).toBe(PLANNED_SECONDS * 123_457 + SHOTS.length);

    // The episode is as long as planned.
    const probed = Number(execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', out]).toString());
    expect(report.durationSeconds).toBeCloseTo(PLANNED_SECONDS, 1);
    expect(Math.abs(probed - PLANNED_SECONDS)).toBeLessThanOrEqual(0.1);

    const summary = {
      seconds: Math.round((Date.now() - started) / 100) / 10,
      firstKill: first.outcome,
      acceptedAtKill,
      jobsAtFirstKill,
      attemptsAtFirstKill,
      lostAtFirstKill,
      secondKill: second.outcome,
      lostAnswers: lostJobs.length,
      recovered: recoveredJobIds(lostAnswerLines).length,
      providerJobs: emulator.jobs.length,
      requests: emulator.requests,
      invoiceMicros: invoice,
      ledgerChargeMicros: books.charged,
      heldMicros: books.held,
      attemptsAtEnd: statusCounts(books.attempts),
      probedSeconds: probed,
    };
    console.log(`kill-resume-paid: ${JSON.stringify(summary)}`);
  }, 120_000);
});
