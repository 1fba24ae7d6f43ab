/**
 * Takes survive kill -9, on a paid provider that does not deduplicate: a 6-shot episode
 * is previewed on "scripted-paid" (served over loopback HTTP by an emulator in this
 * process, so the provider's jobs and invoice outlive the killed child), 4 shots are
 * approved, and then
 *
 *   - `render --mode final --approved` is killed with SIGKILL while the emulator holds a
 *     submit answer back (the job exists, its id was never recorded), and `shotline
 *     resume` finishes it: final takes for the approved shots only, stitched from the
 *     selected takes;
 *   - `regenerate <episode> s02 s03 --seed 7` is killed the same way after one shot has
 *     its new take, and `shotline resume` continues it as that regenerate: one new take
 *     of each shot, selected, nothing stitched.
 *
 * Checked against the provider's own books: one job per shot and run, and the ledger's
 * charges equal the provider's invoice to the micro-dollar with nothing held. Checked on
 * the database file: takes are only ever added (every earlier take keeps its number and
 * its clip, byte for byte), take numbers continue, and the run a resume continued is the
 * one that was killed.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScriptedProviderEmulator } from '../emulators/scripted-provider/server';
import { killMidSubmit, ledgerMoney, recoveredJobIds, SCRIPTED_API_KEY, spawnScriptedCli, statusCounts, type CliResult, writePaidStoryboard } from '../support/scripted-kill';

/** 6 shots of 1-2 s at 720p (the only resolution scripted-paid offers): 9 s planned. */
const SHOTS = [
  { id: 's01', duration: 1, audio: false },
  { id: 's02', duration: 2, audio: false },
  { id: 's03', duration: 1, audio: true },
  { id: 's04', duration: 2, audio: false },
  { id: 's05', duration: 1, audio: false },
  { id: 's06', duration: 2, audio: false },
];
const PLANNED_SECONDS = SHOTS.reduce((sum, shot) => sum + shot.duration, 0);
const FRAME = { width: 1280, height: 720, fps: 24 };
const APPROVED = ['s01', 's02', 's04', 's05'];
/** One approved shot (it has a final take) and one that is not (a preview take only). */
const REGENERATED = ['s02', 's03'];

interface AttemptRow {
  id: string;
  shot_id: string;
  client_reference: string;
  provider_job_id: string | null;
  status: string;
  mode: string;
  run_id: string | null;
  take_no: number | null;
  shot_version: number | null;
  clip_path: string | null;
  clip_sha256: string | null;
}

interface ShotRow {
  shot_id: string;
  status: string;
  version: number;
  approved_version: number | null;
  selected_take_id: string | null;
}

interface RunRow {
  id: string;
  kind: string;
  mode: string;
  approved_only: number;
  shots_json: string | null;
  seed: number | null;
  finished_at: number | null;
}

function readBooks(dataDir: string) {
  const db = new Database(join(dataDir, 'shotline.db'), { readonly: true });
  try {
    const attempts = db
      .prepare(
        `SELECT id, shot_id, client_reference, provider_job_id, status, mode, run_id, take_no, shot_version, clip_path, clip_sha256
         FROM attempts ORDER BY created_at, rowid`,
      )
      .all() as AttemptRow[];
    const shots = db.prepare(`SELECT shot_id, status, version, approved_version, selected_take_id FROM shots ORDER BY position`).all() as ShotRow[];
    const episodes = db.prepare(`SELECT id, status, current_run_id, stitched_json FROM episodes`).all() as {
      id: string;
      status: string;
      current_run_id: string | null;
      stitched_json: string | null;
    }[];
    const runs = db.prepare(`SELECT id, kind, mode, approved_only, shots_json, seed, finished_at FROM runs ORDER BY created_at, rowid`).all() as RunRow[];
    return { attempts, shots, episodes, runs, ...ledgerMoney(db) };
  } finally {
    db.close();
  }
}

type Books = ReturnType<typeof readBooks>;

/** The takes (accepted attempts with a number), by attempt id. */
function takesOf(books: Books): Map<string, AttemptRow> {
  return new Map(books.attempts.filter((a) => a.status === 'accepted' && a.take_no !== null).map((a) => [a.id, a]));
}

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

function writeStoryboard(folder: string): string {
  return writePaidStoryboard(folder, 'Takes kill test', 'preview', SHOTS, FRAME.fps);
}

const probeSeconds = (file: string) => Number(execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file]).toString());

describe('kill -9 during an approved final render and a regenerate, then resume: nothing paid twice, no take lost', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shotline takes kill '));
  const folder = join(dir, 'épisode ünïcode 🎬 takes');
  const dataDir = join(folder, 'data dir');
  const previewOut = join(folder, 'épisode preview.mp4');
  const finalOut = join(folder, 'épisode final.mp4');
  let storyboard = '';
  let episodeId = '';
  const emulator = new ScriptedProviderEmulator({
    apiKey: SCRIPTED_API_KEY,
    clipDirectory: join(dir, 'provider clips'),
    microsPerSecond: 123_457,
    fractionMicros: 0.25,
    timing: { minMs: 300, maxMs: 1200 },
    // The window in which a kill loses the answer but not the job.
    submitAnswerDelayMs: 300,
    seed: 11,
  });
  const summary: Record<string, unknown> = {};
  const started = Date.now();
  /** Every pipeline line of the resumes: where lost answers are reported found again. */
  const resumeLines: string[] = [];

  const cli = (args: string[]) => spawnScriptedCli([...args, '--data-dir', dataDir], emulator.url);
  const finished = (result: CliResult, what: string) => expect(result.code, `${what} failed:\n${result.stderr}\n${result.stdout}`).toBe(0);

  /**
   * The provider's books against the client's after every run: the ledger charged exactly
   * what the provider invoiced, job by job, and holds nothing; every job belongs to an attempt.
   */
  function expectBooksBalance(books: Books): void {
    expect(emulator.settled).toBe(true);
    const byReference = new Map(books.attempts.map((attempt) => [attempt.client_reference, attempt]));
    for (const job of emulator.jobs) {
      const attempt = byReference.get(job.request.clientReference);
      expect(attempt, `provider job ${job.id} has a client reference no attempt sent`).toBeDefined();
      expect(books.chargeByAttempt.get(attempt!.id), `charge for ${attempt!.shot_id} (job ${job.id})`).toBe(emulator.invoicedFor(job));
      expect(attempt!.provider_job_id, `the attempt of job ${job.id} knows its job`).toBe(job.id);
    }
    expect(books.charged).toBe(emulator.invoiceMicros);
    expect(books.held).toBe(0);
  }

  /** The provider's jobs made for attempts of `runId`, by shot. */
  function jobsOfRun(books: Books, runId: string): Map<string, { jobId: string; mode: string }[]> {
    const byReference = new Map(books.attempts.map((attempt) => [attempt.client_reference, attempt]));
    const jobs = new Map<string, { jobId: string; mode: string }[]>();
    for (const job of emulator.jobs) {
      const attempt = byReference.get(job.request.clientReference);
      if (attempt?.run_id !== runId) continue;
      jobs.set(attempt.shot_id, [...(jobs.get(attempt.shot_id) ?? []), { jobId: job.id, mode: attempt.mode }]);
    }
    return jobs;
  }

  /** Every take of `before` is still there with its number, its mode and its clip, byte for byte. */
  function expectNoTakeLost(before: Map<string, AttemptRow>, after: Map<string, AttemptRow>): void {
    for (const [id, take] of before) {
      const kept = after.get(id);
      expect(kept, `take ${take.take_no} of ${take.shot_id} was lost`).toBeDefined();
      expect({ take: kept!.take_no, mode: kept!.mode, sha: kept!.clip_sha256 }).toEqual({ take: take.take_no, mode: take.mode, sha: take.clip_sha256 });
    }
    for (const take of after.values()) {
      expect(existsSync(take.clip_path!), `clip of take ${take.take_no} of ${take.shot_id}`).toBe(true);
      expect(sha256(take.clip_path!), `clip of take ${take.take_no} of ${take.shot_id}`).toBe(take.clip_sha256);
    }
  }

  /**
   * Every submit answer the provider could not deliver was found again by client
   * reference, and every job found again was one whose id a killed process had not
   * recorded. (A kill can also land after the answer left the provider but before the
   * child stored the id: such a job is found again too, though its answer counts as sent.)
   */
  function expectLostFoundAgain(lines: string[], jobsFrom: number, unrecorded: Set<string>): void {
    const recovered = new Set(recoveredJobIds(lines));
    const jobs = emulator.jobs.slice(jobsFrom);
    for (const job of jobs.filter((j) => j.submitAnswer === 'lost')) expect(recovered.has(job.id), `lost answer of job ${job.id} found again`).toBe(true);
    for (const id of recovered) {
      const job = jobs.find((j) => j.id === id);
      expect(job, `recovered job ${id} is a job of this run`).toBeDefined();
      expect(unrecorded.has(job!.request.clientReference), `recovered job ${id} belongs to an attempt a kill left without its job id`).toBe(true);
    }
  }

  /** Client references of attempts whose submit went out but whose job id was never stored. */
  const unrecordedSubmits = (books: Books) => books.attempts.filter((a) => a.status === 'submitting' && a.provider_job_id === null).map((a) => a.client_reference);

  beforeAll(async () => {
    mkdirSync(folder, { recursive: true });
    storyboard = writeStoryboard(folder);
    await emulator.start();
    // Encoded before the clock starts: the test measures the pipeline, not ffmpeg.
    await emulator.prepareClips(SHOTS.map((shot) => ({ durationSeconds: shot.duration, audio: shot.audio, ...FRAME })));
  }, 90_000);

  afterAll(async () => {
    console.log(`kill-resume-takes: ${JSON.stringify({ seconds: Math.round((Date.now() - started) / 100) / 10, ...summary })}`);
    await emulator.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('previews every shot on the paid engine (take 1 of each, selected) and approves four', async () => {
    const preview = await cli(['render', storyboard, '--mode', 'preview', '--out', previewOut, '--concurrency', '3', '--json']).done;
    finished(preview, 'the preview render');
    const report = JSON.parse(preview.stdout) as { episodeId: string; status: string };
    expect(report.status).toBe('completed');
    episodeId = report.episodeId;

    const books = readBooks(dataDir);
    // Schema 6 on the real file: attempts know their run, take number and shot version.
    const db = new Database(join(dataDir, 'shotline.db'), { readonly: true });
    try {
      expect(db.pragma('user_version', { simple: true })).toBeGreaterThanOrEqual(6);
      const columns = (db.prepare(`PRAGMA table_info(attempts)`).all() as { name: string }[]).map((c) => c.name);
      expect(columns).toEqual(expect.arrayContaining(['run_id', 'take_no', 'shot_version']));
    } finally {
      db.close();
    }
    expect(emulator.jobs).toHaveLength(SHOTS.length);
    expectBooksBalance(books);
    const [previewRun] = books.runs;
    expect(books.runs).toHaveLength(1);
    expect(previewRun).toMatchObject({ kind: 'render', mode: 'preview', approved_only: 0 });
    for (const shot of books.shots) {
      const takes = books.attempts.filter((a) => a.shot_id === shot.shot_id && a.take_no !== null);
      expect(takes.map((t) => [t.take_no, t.mode, t.run_id, t.shot_version])).toEqual([[1, 'preview', previewRun!.id, 1]]);
      expect(shot.selected_take_id).toBe(takes[0]!.id);
    }

    const approve = await cli(['approve', episodeId, ...APPROVED]).done;
    finished(approve, 'approve');
    const approved = readBooks(dataDir).shots.filter((s) => s.approved_version === s.version).map((s) => s.shot_id);
    expect(approved).toEqual(APPROVED);
    // Approving spends nothing.
    expect(emulator.jobs).toHaveLength(SHOTS.length);
  }, 90_000);

  it('render --mode final --approved, killed mid-submit and resumed: one final job per approved shot, previews kept', async () => {
    expect(episodeId, 'the preview step failed').not.toBe('');
    const before = readBooks(dataDir);
    const takesBefore = takesOf(before);
    const jobsBefore = emulator.jobs.length;

    // Two at a time: the third job is made once a first shot is done, and the kill lands
    // while its answer is held back (or, failing such a moment, once every job exists).
    const render = cli(['render', storyboard, '--mode', 'final', '--approved', '--out', finalOut, '--concurrency', '2']);
    const killed = await killMidSubmit(
      render,
      emulator,
      () => emulator.jobs.length >= jobsBefore + 3,
      () => emulator.jobs.length >= jobsBefore + APPROVED.length,
    );
    expect(killed.outcome, `the final render was not killed:\n${killed.result.stderr}`).not.toBe('finished first');
    const atKill = readBooks(dataDir);
    const unrecorded = new Set(unrecordedSubmits(atKill));
    const finalRun = atKill.runs.at(-1)!;
    expect(finalRun).toMatchObject({ kind: 'render', mode: 'final', approved_only: 1, finished_at: null });
    expect(atKill.episodes).toEqual([expect.objectContaining({ id: episodeId, status: 'running', current_run_id: finalRun.id })]);
    summary.finalKill = killed.outcome;
    summary.finalAttemptsAtKill = statusCounts(atKill.attempts.filter((a) => a.run_id === finalRun.id));
    summary.finalLostAtKill = emulator.jobs.slice(jobsBefore).filter((job) => job.submitAnswer === 'lost').length;

    // The resume is killed again the moment it makes a job, while that job's answer is held
    // back (when it has one to make), and a second resume finishes.
    const jobsAtKill = emulator.jobs.length;
    const resume = cli(['resume', episodeId, '--concurrency', '2', '--json']);
    const second = await killMidSubmit(
      resume,
      emulator,
      () => emulator.jobs.length > jobsAtKill,
      () => false,
    );
    const finalLines = [...resume.stderrLines];
    let result = second.result;
    if (second.outcome !== 'finished first') {
      const atSecondKill = readBooks(dataDir);
      expect(atSecondKill.runs.at(-1)).toMatchObject({ id: finalRun.id, finished_at: null });
      for (const reference of unrecordedSubmits(atSecondKill)) unrecorded.add(reference);
      const last = cli(['resume', episodeId, '--concurrency', '2', '--json']);
      result = await last.done;
      finalLines.push(...last.stderrLines);
    }
    resumeLines.push(...finalLines);
    summary.finalResumeKill = second.outcome;
    finished(result, 'resume of the final render');
    const report = JSON.parse(result.stdout) as { status: string; resumed: boolean; durationSeconds: number };
    expect(report).toMatchObject({ status: 'completed', resumed: true });

    const after = readBooks(dataDir);
    expectBooksBalance(after);
    // The resume continued the killed run: no other run was started.
    expect(after.runs.map((r) => r.id)).toEqual(atKill.runs.map((r) => r.id));
    expect(after.runs.at(-1)).toMatchObject({ id: finalRun.id, finished_at: expect.any(Number) });

    // One final job per approved shot, none for the others, and nothing else paid.
    const jobs = jobsOfRun(after, finalRun.id);
    expect([...jobs.keys()].sort()).toEqual(APPROVED);
    for (const [shotId, shotJobs] of jobs) expect(shotJobs, `final jobs of ${shotId}`).toEqual([{ jobId: expect.any(String), mode: 'final' }]);
    expect(emulator.jobs).toHaveLength(jobsBefore + APPROVED.length);

    // Every lost answer was found again by its client reference, not submitted again.
    const lost = emulator.jobs.slice(jobsBefore).filter((job) => job.submitAnswer === 'lost').map((job) => job.id);
    expectLostFoundAgain(finalLines, jobsBefore, unrecorded);

    // Takes are only added: each approved shot gained its final take 2 (selected), the others kept their preview selected.
    const takesAfter = takesOf(after);
    expectNoTakeLost(takesBefore, takesAfter);
    for (const shot of after.shots) {
      const takes = [...takesAfter.values()].filter((t) => t.shot_id === shot.shot_id);
      const selected = takesAfter.get(shot.selected_take_id ?? '');
      if (APPROVED.includes(shot.shot_id)) {
        expect(takes.map((t) => [t.take_no, t.mode]), shot.shot_id).toEqual([
          [1, 'preview'],
          [2, 'final'],
        ]);
        expect(selected, shot.shot_id).toMatchObject({ take_no: 2, mode: 'final', run_id: finalRun.id });
      } else {
        expect(takes.map((t) => [t.take_no, t.mode]), shot.shot_id).toEqual([[1, 'preview']]);
        expect(selected, shot.shot_id).toMatchObject({ take_no: 1, mode: 'preview' });
      }
    }

    // Stitched from the selected takes: every shot, as long as planned.
    const stitched = JSON.parse(after.episodes[0]!.stitched_json ?? '{}') as { outputPath: string; takes: Record<string, string> };
    expect(stitched).toMatchObject({ outputPath: finalOut, takes: Object.fromEntries(after.shots.map((s) => [s.shot_id, s.selected_take_id])) });
    expect(report.durationSeconds).toBeCloseTo(PLANNED_SECONDS, 1);
    expect(Math.abs(probeSeconds(finalOut) - PLANNED_SECONDS)).toBeLessThanOrEqual(0.1);
    summary.finalLost = lost.length;
    summary.finalRecovered = recoveredJobIds(finalLines).length;
  }, 90_000);

  it('regenerate, killed mid-submit and resumed as that regenerate: one new take per shot, numbers continue, nothing stitched', async () => {
    expect(episodeId, 'the preview step failed').not.toBe('');
    const before = readBooks(dataDir);
    const takesBefore = takesOf(before);
    const jobsBefore = emulator.jobs.length;
    const finalFile = statSync(finalOut);
    const lastTake = new Map(REGENERATED.map((id) => [id, Math.max(...[...takesBefore.values()].filter((t) => t.shot_id === id).map((t) => t.take_no!))]));

    // One at a time: the second job exists only once the first shot has its new take;
    // the kill lands while that second job's answer is held back.
    const regenerate = cli(['regenerate', episodeId, ...REGENERATED, '--seed', '7', '--concurrency', '1']);
    const killed = await killMidSubmit(
      regenerate,
      emulator,
      () => emulator.jobs.length >= jobsBefore + 2,
      () => true,
    );
    expect(killed.outcome, `the regenerate was not killed:\n${killed.result.stderr}`).not.toBe('finished first');
    const atKill = readBooks(dataDir);
    const regenerateRun = atKill.runs.at(-1)!;
    expect(regenerateRun).toMatchObject({ kind: 'regenerate', seed: 7, finished_at: null });
    expect(JSON.parse(regenerateRun.shots_json!)).toEqual(REGENERATED);
    expect(atKill.episodes[0]).toMatchObject({ current_run_id: regenerateRun.id });
    // One shot had its new take when the kill came.
    expect(atKill.attempts.filter((a) => a.run_id === regenerateRun.id && a.take_no !== null)).toHaveLength(1);
    summary.regenerateKill = killed.outcome;
    summary.regenerateAttemptsAtKill = statusCounts(atKill.attempts.filter((a) => a.run_id === regenerateRun.id));
    summary.regenerateLostAtKill = emulator.jobs.slice(jobsBefore).filter((job) => job.submitAnswer === 'lost').length;

    const resume = cli(['resume', episodeId, '--concurrency', '2', '--json']);
    const result = await resume.done;
    resumeLines.push(...resume.stderrLines);
    finished(result, 'resume of the regenerate');
    expect(JSON.parse(result.stdout)).toMatchObject({ status: 'completed', resumed: true });

    const after = readBooks(dataDir);
    expectBooksBalance(after);
    // Continued as that regenerate: no other run, and it is finished.
    expect(after.runs.map((r) => r.id)).toEqual(atKill.runs.map((r) => r.id));
    expect(after.runs.at(-1)).toMatchObject({ id: regenerateRun.id, finished_at: expect.any(Number) });

    // Exactly one new job per regenerated shot, and no other.
    const jobs = jobsOfRun(after, regenerateRun.id);
    expect([...jobs.keys()].sort()).toEqual(REGENERATED);
    for (const [shotId, shotJobs] of jobs) expect(shotJobs, `regenerate jobs of ${shotId}`).toHaveLength(1);
    expect(emulator.jobs).toHaveLength(jobsBefore + REGENERATED.length);
    const lost = emulator.jobs.slice(jobsBefore).filter((job) => job.submitAnswer === 'lost').map((job) => job.id);
    expectLostFoundAgain(resume.stderrLines, jobsBefore, new Set(unrecordedSubmits(atKill)));

    // Each regenerated shot gained exactly one take, numbered next and selected; the others are untouched.
    const takesAfter = takesOf(after);
    expectNoTakeLost(takesBefore, takesAfter);
    const added = [...takesAfter.values()].filter((t) => !takesBefore.has(t.id));
    expect(added.map((t) => t.shot_id).sort()).toEqual(REGENERATED);
    for (const take of added) {
      expect(take, take.shot_id).toMatchObject({ run_id: regenerateRun.id, take_no: lastTake.get(take.shot_id)! + 1, mode: regenerateRun.mode });
      expect(after.shots.find((s) => s.shot_id === take.shot_id)!.selected_take_id, take.shot_id).toBe(take.id);
    }
    for (const shot of after.shots.filter((s) => !REGENERATED.includes(s.shot_id))) {
      expect(shot.selected_take_id, shot.shot_id).toBe(before.shots.find((s) => s.shot_id === shot.shot_id)!.selected_take_id);
    }
    // Approval is untouched, and a regenerate stitches nothing.
    expect(after.shots.filter((s) => s.approved_version === s.version).map((s) => s.shot_id)).toEqual(APPROVED);
    expect(after.episodes[0]!.stitched_json).toBe(before.episodes[0]!.stitched_json);
    expect(statSync(finalOut)).toMatchObject({ size: finalFile.size, mtimeMs: finalFile.mtimeMs });
    summary.regenerateLost = lost.length;
    summary.regenerateRecovered = recoveredJobIds(resume.stderrLines).length;
  }, 90_000);

  it('lost submit answers were met and found again, never paid twice', () => {
    expect(episodeId, 'the preview step failed').not.toBe('');
    const books = readBooks(dataDir);
    expectBooksBalance(books);
    // Preview, final for the approved shots, one regenerate take per shot: nothing more.
    expect(emulator.jobs).toHaveLength(SHOTS.length + APPROVED.length + REGENERATED.length);
    const lost = emulator.jobs.filter((job) => job.submitAnswer === 'lost').map((job) => job.id);
    // At least one kill landed with an answer held back: the case only a lookup by client reference can save.
    expect(lost.length).toBeGreaterThan(0);
    const recovered = new Set(recoveredJobIds(resumeLines));
    for (const id of lost) expect(recovered.has(id), `lost answer of job ${id} found again`).toBe(true);
    // Not a round figure: 123_457 µ$ per second plus a quarter micro-dollar per job, rounded up per job.
    const seconds = (ids: string[]) => SHOTS.filter((s) => ids.includes(s.id)).reduce((sum, s) => sum + s.duration, 0);
    expect(emulator.invoiceMicros).toBe((PLANNED_SECONDS + seconds(APPROVED) + seconds(REGENERATED)) * 123_457 + emulator.jobs.length);
    Object.assign(summary, {
      providerJobs: emulator.jobs.length,
      lostAnswers: lost.length,
      requests: emulator.requests,
      invoiceMicros: emulator.invoiceMicros,
      ledgerChargeMicros: books.charged,
      heldMicros: books.held,
      attemptsAtEnd: statusCounts(books.attempts),
    });
  });
});
