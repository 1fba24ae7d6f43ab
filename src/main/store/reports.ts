/**
 * Read models over the store: the episode view (shots, attempts, money) and the cost
 * summaries behind `shotline costs`. Queries only; nothing here writes.
 */
import type { AttemptView, CostSummary, EpisodeView, FallbackRecord, HeldReservation, ShotView } from '../../shared/api';
import type { RenderMode } from '../../shared/domain';
import type { Db } from './database';
import type { AttemptStore } from './attempts';
import type { EpisodeStore } from './episodes';
import { GateResultStore } from './gate-results';

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
  const shots: ShotView[] = episodes.shots(episodeId).map((s) => {
    const list = (byShot.get(s.shotId) ?? []).sort((x, y) => x.attemptNo - y.attemptNo);
    return {
      shotId: s.shotId,
      status: s.status,
      engineId: list.find((a) => a.attemptId === s.acceptedAttemptId)?.engineId ?? null,
      failureReason: s.failureReason,
      attempts: list,
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
  const byEpisode = db
    .prepare(
      `SELECT e.id AS episodeId, e.title, e.mode,
              COALESCE(SUM(CASE l.entry WHEN 'charge' THEN l.micros ELSE 0 END), 0) AS spentMicros,
              COALESCE(SUM(CASE l.entry WHEN 'reserve' THEN l.micros WHEN 'release' THEN -l.micros ELSE 0 END), 0) AS heldMicros
       FROM episodes e LEFT JOIN ledger l ON l.episode_id = e.id
       GROUP BY e.id ORDER BY e.created_at DESC, e.rowid DESC`,
    )
    .all() as CostSummary['byEpisode'];
  const byMode = db
    .prepare(
      `SELECT e.mode, COALESCE(SUM(l.micros), 0) AS spentMicros
       FROM episodes e LEFT JOIN ledger l ON l.episode_id = e.id AND l.entry = 'charge'
       GROUP BY e.mode ORDER BY e.mode`,
    )
    .all() as { mode: RenderMode; spentMicros: number }[];
  const totalMicros = byMode.reduce((sum, m) => sum + m.spentMicros, 0);
  return { byEngine, byEpisode, byMode, totalMicros, previewSaving: previewSaving(db), fallbacks: fallbacks(db) };
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

/**
 * What preview-then-commit saved: for every shot rendered in preview mode, what its
 * final-mode plan would have cost had it been generated that way instead, minus what
 * the preview actually cost. Final-mode estimates are recorded per preview episode
 * when it is planned (options_json.finalEstimateMicros).
 */
function previewSaving(db: Db): CostSummary['previewSaving'] {
  const rows = db
    .prepare(
      `SELECT e.id, e.options_json AS options,
              COALESCE((SELECT SUM(micros) FROM ledger l WHERE l.episode_id = e.id AND l.entry = 'charge'), 0) AS spent
       FROM episodes e WHERE e.mode = 'preview'`,
    )
    .all() as { id: string; options: string; spent: number }[];
  let previewSpentMicros = 0;
  let finalEstimateMicros = 0;
  let episodes = 0;
  for (const row of rows) {
    const estimate = (JSON.parse(row.options) as { finalEstimateMicros?: number }).finalEstimateMicros;
    if (typeof estimate !== 'number') continue;
    episodes++;
    previewSpentMicros += row.spent;
    finalEstimateMicros += estimate;
  }
  return { previewSpentMicros, finalEstimateMicros, savedMicros: finalEstimateMicros - previewSpentMicros, episodes };
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
