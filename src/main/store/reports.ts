/**
 * Read models over the store: the episode view (shots, attempts, money) and the cost
 * summaries behind `shotline costs`. Queries only; nothing here writes.
 */
import type { AttemptView, CostSummary, EpisodeView, FallbackRecord, HeldReservation, ShotView, TakeView } from '../../shared/api';
import type { RenderMode } from '../../shared/domain';
import type { Db } from './database';
import type { AttemptStore } from './attempts';
import { GateResultStore } from './gate-results';
import { TakeStore, type TakeRecord } from './takes';
import { EpisodeStore } from './episodes';
import { episodeCosts } from './takes-report';

export function episodeView(episodes: EpisodeStore, attempts: AttemptStore, episodeId: string): EpisodeView {
  const episode = episodes.get(episodeId);
  const gates = new GateResultStore(attempts.db).gateVerdictsForEpisode(episodeId);
  const byShot = new Map<string, AttemptView[]>();
  for (const a of attempts.forEpisode(episodeId)) {
    const list = byShot.get(a.shotId) ?? [];
    const gate = gates.get(a.id);
    list.push({
      attemptId: a.id,
      attemptNo: a.attemptNo,
      runId: a.runId,
      mode: a.mode as RenderMode,
      engineId: a.engineId,
      status: a.status,
      providerJobId: a.providerJobId,
      errorKind: a.errorKind,
      errorMessage: a.errorMessage,
      estimatedMicros: a.estimatedMicros,
      actualMicros: a.actualMicros,
      clipPath: a.clipPath,
      clipSha256: a.clipSha256,
      gate: gate ? { decision: gate.decision, qualityScore: gate.qualityScore, problems: gate.problems, checks: gate.checks } : null,
    });
    byShot.set(a.shotId, list);
  }
  const takes = new Map(new TakeStore(attempts.db).shots(episodeId).map((s) => [s.shotId, s]));
  const models = engineModels(attempts.db);
  const shots: ShotView[] = episodes.shots(episodeId).map((s) => {
    const list = (byShot.get(s.shotId) ?? []).sort((x, y) => x.attemptNo - y.attemptNo);
    const shot = takes.get(s.shotId);
    return {
      shotId: s.shotId,
      status: s.status,
      engineId: list.find((a) => a.attemptId === s.selectedTakeId)?.engineId ?? null,
      failureReason: s.failureReason,
      attempts: list,
      version: s.version,
      approved: shot?.approved ?? false,
      selectedTakeId: s.selectedTakeId,
      selectedBy: shot?.selectedBy ?? null,
      takes: (shot?.takes ?? []).map((take) => takeView(take, s.selectedTakeId, models, list.find((a) => a.attemptId === take.attempt.id)?.gate ?? null)),
    };
  });
  const money = attempts.ledger.episodeMoney(episodeId);
  return {
    episodeId,
    title: episode.title,
    mode: episode.mode,
    status: episode.status,
    outputPath: episode.outputPath,
    budgetMicros: episode.budgetMicros,
    spentMicros: money.spentMicros,
    heldMicros: money.heldMicros,
    shots,
  };
}

function takeView(take: TakeRecord, selectedTakeId: string | null, models: Map<string, string>, gate: TakeView['gate']): TakeView {
  const { attempt } = take;
  const request = attempt.request;
  return {
    takeNo: take.takeNo,
    attemptId: attempt.id,
    mode: take.mode,
    engineId: attempt.engineId,
    model: models.get(attempt.engineId) ?? null,
    prompt: request.prompt,
    negativePrompt: request.negativePrompt ?? null,
    seed: request.seed ?? null,
    settings: { durationSeconds: request.durationSeconds, resolution: request.resolution, aspect: request.aspect, fps: request.fps, audio: request.audio },
    costMicros: attempt.actualMicros ?? 0,
    gate,
    clipPath: attempt.clipPath,
    clipSha256: attempt.clipSha256,
    createdAt: attempt.finishedAt ?? attempt.createdAt,
    shotVersion: take.shotVersion,
    stale: take.stale,
    selected: attempt.id === selectedTakeId,
  };
}

/** The provider model of each engine the registry has (seeded or the user's own). */
function engineModels(db: Db): Map<string, string> {
  const rows = db.prepare(`SELECT id, json_extract(seed_json, '$.model') AS model FROM engines`).all() as { id: string; model: string | null }[];
  return new Map(rows.flatMap((r) => (r.model ? [[r.id, r.model] as const] : [])));
}

export function costSummary(db: Db): CostSummary {
  const byEngine = db
    .prepare(
      `SELECT a.engine_id AS engineId, COALESCE(SUM(l.micros), 0) AS spentMicros,
              (SELECT COUNT(*) FROM attempts x WHERE x.engine_id = a.engine_id) AS attempts
       FROM (SELECT DISTINCT engine_id FROM attempts
             -- what checking clips cost (the AI score), under the model that did it
             UNION SELECT DISTINCT engine_id FROM ledger WHERE purpose = 'quality_check') a
       LEFT JOIN ledger l ON l.engine_id = a.engine_id AND l.entry = 'charge'
       GROUP BY a.engine_id ORDER BY spentMicros DESC, a.engine_id`,
    )
    .all() as CostSummary['byEngine'];
  const episodes = new EpisodeStore(db);
  const byEpisode = episodes.list(1_000).map((e) => ({ episodeId: e.id, title: e.title, mode: e.mode, ...episodeCosts(db, e) }));
  // By the mode each charge was made in (an episode now previews and commits in one).
  const byMode = db
    .prepare(`SELECT mode, COALESCE(SUM(CASE entry WHEN 'charge' THEN micros ELSE 0 END), 0) AS spentMicros FROM ledger GROUP BY mode ORDER BY mode`)
    .all() as { mode: RenderMode; spentMicros: number }[];
  const totalMicros = byMode.reduce((sum, m) => sum + m.spentMicros, 0);
  // UTC days: the dashboard's axis must not shift with the machine's time zone between runs.
  const byDay = db
    .prepare(
      `SELECT strftime('%Y-%m-%d', created_at / 1000, 'unixepoch') AS day, SUM(micros) AS spentMicros
       FROM ledger WHERE entry = 'charge' GROUP BY day ORDER BY day`,
    )
    .all() as { day: string; spentMicros: number }[];
  return { byEngine, byEpisode, byMode, byDay, totalMicros, previewSaving: previewSaving(byEpisode), fallbacks: fallbacks(db) };
}

/**
 * Fallbacks: the last failed attempt of a shot on each engine it left (retries on the same
 * engine are one fallback, told by their last reason), with the engine tried next and
 * the one that made the shot. A user's cancel is not a fallback.
 */
function fallbacks(db: Db): FallbackRecord[] {
  const rows = db
    .prepare(
      `SELECT a.episode_id AS episodeId, e.title, a.shot_id AS shotId, a.engine_id AS engineId,
              a.error_kind AS errorKind, a.error_message AS reason, COALESCE(a.actual_micros, 0) AS costMicros,
              COALESCE(a.finished_at, a.created_at) AS at,
              (SELECT x.engine_id FROM attempts x WHERE x.episode_id = a.episode_id AND x.shot_id = a.shot_id AND x.status = 'accepted' LIMIT 1) AS madeByEngineId
       FROM attempts a JOIN episodes e ON e.id = a.episode_id
       ORDER BY a.episode_id, a.shot_id, a.attempt_no`,
    )
    .all() as (Omit<FallbackRecord, 'nextEngineId' | 'errorKind' | 'reason'> & { errorKind: string | null; reason: string | null })[];
  const found: FallbackRecord[] = [];
  rows.forEach((row, i) => {
    if (row.errorKind === null || row.errorKind === 'cancelled') return;
    // Rows are in attempt order per shot: the next row is this shot's next attempt, if it is the same shot.
    const following = rows[i + 1];
    const next = following && following.episodeId === row.episodeId && following.shotId === row.shotId ? following : undefined;
    // A retry on the same engine comes next: this failure is not where the shot left the engine.
    if (next?.engineId === row.engineId) return;
    found.push({ ...row, errorKind: row.errorKind, reason: row.reason ?? row.errorKind, nextEngineId: next?.engineId ?? null });
  });
  return found.sort((a, b) => b.at - a.at);
}

/** What preview-then-commit saved, over every episode that previewed (see takes-report.ts). */
function previewSaving(byEpisode: CostSummary['byEpisode']): CostSummary['previewSaving'] {
  const previewed = byEpisode.filter((e) => e.savedMicros !== null);
  const total = (pick: (e: (typeof previewed)[number]) => number) => previewed.reduce((n, e) => n + pick(e), 0);
  return {
    previewSpentMicros: total((e) => e.previewSpentMicros),
    finalEstimateMicros: total((e) => e.fullFinalMicros ?? 0),
    savedMicros: total((e) => e.savedMicros ?? 0),
    episodes: previewed.length,
  };
}

/**
 * Every attempt that still holds money, with why and until when: what
 * `shotline costs --held` lists. Newest first.
 */
export function heldReservations(db: Db): HeldReservation[] {
  const rows = db
    .prepare(
      `SELECT a.episode_id AS episodeId, e.title, a.shot_id AS shotId, a.id AS attemptId, a.engine_id AS engineId, a.status,
              SUM(CASE l.entry WHEN 'reserve' THEN l.micros WHEN 'release' THEN -l.micros ELSE 0 END) AS heldMicros,
              a.created_at AS since, a.hold_until AS holdUntil, a.provider_job_id AS jobId, a.error_message AS message
       FROM attempts a JOIN episodes e ON e.id = a.episode_id JOIN ledger l ON l.attempt_id = a.id
       GROUP BY a.id HAVING heldMicros > 0 ORDER BY a.created_at DESC, a.id`,
    )
    .all() as (Omit<HeldReservation, 'reason'> & { jobId: string | null; message: string | null })[];
  return rows.map(({ jobId, message, ...row }) => ({ ...row, reason: whyHeld(row.status, row.engineId, jobId, message) }));
}

function whyHeld(status: string, engineId: string, jobId: string | null, message: string | null): string {
  switch (status) {
    case 'reserved':
      return 'reserved for an attempt not sent yet (its run stopped); `shotline resume` sends it or releases it';
    case 'submitting':
      return `sent to ${engineId}, answer not recorded (its run stopped); \`shotline resume\` asks the provider what became of it`;
    case 'submitted':
      return `job ${jobId} in progress at ${engineId}`;
    default:
      return message ?? `attempt ${status}`;
  }
}

/**
 * What the money of an episode did that a filmmaker should hear about, one line each:
 * a bill above what was held, a top-up forced past the budget, a submit whose outcome
 * is unknown (and may be billed), a reservation released after the provider's retention.
 */
export function moneyNotes(db: Db, episodeId: string): string[] {
  const ledgerNotes = db
    .prepare(
      `SELECT a.shot_id AS shotId, a.engine_id AS engineId, l.note FROM ledger l JOIN attempts a ON a.id = l.attempt_id
       WHERE l.episode_id = ? AND ((l.entry = 'charge' AND l.note LIKE 'billed % above the % held')
                                OR (l.entry = 'reserve' AND l.note LIKE 'over budget:%')
                                OR (l.entry = 'charge' AND l.note LIKE '%unusable amount%'))
       ORDER BY l.id`,
    )
    .all(episodeId) as { shotId: string; engineId: string; note: string }[];
  const attemptNotes = db
    .prepare(`SELECT shot_id AS shotId, engine_id AS engineId, status, error_message AS note FROM attempts WHERE episode_id = ? AND status IN ('unknown', 'abandoned', 'expired') ORDER BY created_at`)
    .all(episodeId) as { shotId: string; engineId: string; status: string; note: string | null }[];
  return [
    ...ledgerNotes.map((row) => `${row.shotId} (${row.engineId}): ${row.note}`),
    ...attemptNotes.map((row) => `${row.shotId} (${row.engineId}, ${row.status}): ${row.note ?? row.status}`),
  ];
}
