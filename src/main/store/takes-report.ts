/**
 * Read models of episodes as filmmakers work them: what each episode is (its state,
 * shots, takes, approvals) and what preview-then-commit did with its money. Queries only.
 */
import type { EpisodeCosts, EpisodeSummary } from '../../shared/api';
import type { Db } from './database';
import type { EpisodeRecord, EpisodeStore } from './episodes';
import { runnerAlive } from './runner-identity';
import { selectedTake, TakeStore, type ShotTakes } from './takes';

export function episodeSummaries(db: Db, episodes: EpisodeStore, now: number, limit = 200): EpisodeSummary[] {
  const takes = new TakeStore(db);
  return episodes.list(limit).map((episode) => {
    const shots = takes.shots(episode.id);
    const money = episodeCosts(db, episode, shots);
    return {
      episodeId: episode.id,
      title: episode.title,
      storyboardPath: episode.storyboardPath,
      mode: episode.mode,
      status: episode.status,
      state: stateOf(episode, shots, now),
      outputPath: episode.outputPath,
      shots: shots.length,
      takes: shots.reduce((n, s) => n + s.takes.length, 0),
      approved: shots.filter((s) => s.approved).length,
      withoutTake: shots.filter((s) => !selectedTake(s)).length,
      staleSelections: shots.filter((s) => s.takes.some((t) => t.attempt.id === s.selectedTakeId && t.stale)).length,
      createdAt: episode.createdAt,
      finishedAt: episode.finishedAt,
      ...money,
    };
  });
}

/**
 * An episode's money by mode, and the preview-then-commit saving: what a final render of
 * every shot would have cost (each shot's final take as billed where it has one, else the
 * final estimate recorded when it was last rendered) minus what was really spent.
 */
export function episodeCosts(db: Db, episode: EpisodeRecord, shots: ShotTakes[] = new TakeStore(db).shots(episode.id)): EpisodeCosts {
  const rows = db
    .prepare(
      `SELECT mode, purpose,
              COALESCE(SUM(CASE entry WHEN 'charge' THEN micros ELSE 0 END), 0) AS spent,
              COALESCE(SUM(CASE entry WHEN 'reserve' THEN micros WHEN 'release' THEN -micros ELSE 0 END), 0) AS held
       FROM ledger WHERE episode_id = ? GROUP BY mode, purpose`,
    )
    .all(episode.id) as { mode: string; purpose: string; spent: number; held: number }[];
  const sum = (pick: (r: (typeof rows)[number]) => boolean, field: 'spent' | 'held') => rows.filter(pick).reduce((n, r) => n + r[field], 0);
  const previewSpentMicros = sum((r) => r.mode === 'preview' && r.purpose === 'generation', 'spent');
  const finalSpentMicros = sum((r) => r.mode === 'final' && r.purpose === 'generation', 'spent');
  const qualityCheckMicros = sum((r) => r.purpose === 'quality_check', 'spent');
  const estimates = (episode.options.finalEstimateByShot ?? {}) as Record<string, number>;
  let fullFinal: number | null = 0;
  for (const shot of shots) {
    const finalTake = shot.takes.filter((t) => !t.stale && t.mode === 'final').at(-1);
    const cost = finalTake ? (finalTake.attempt.actualMicros ?? 0) : estimates[shot.shotId];
    fullFinal = cost === undefined || fullFinal === null ? null : fullFinal + cost;
  }
  const generation = previewSpentMicros + finalSpentMicros;
  return {
    spentMicros: generation + qualityCheckMicros,
    heldMicros: sum(() => true, 'held'),
    previewSpentMicros,
    finalSpentMicros,
    qualityCheckMicros,
    fullFinalMicros: fullFinal,
    savedMicros: fullFinal === null || previewSpentMicros === 0 && !shots.some((s) => s.takes.some((t) => t.mode === 'preview')) ? null : fullFinal - generation,
  };
}

function stateOf(episode: EpisodeRecord, shots: ShotTakes[], now: number): EpisodeSummary['state'] {
  if (episode.status === 'running' || episode.status === 'stitching') {
    return episode.runner.pid !== null && runnerAlive(episode.runner, now) ? episode.status : 'interrupted';
  }
  if (episode.status !== 'completed') return episode.status;
  const stitched = episode.stitched?.takes;
  if (!stitched) return 'not_stitched';
  const differs = shots.some((s) => (selectedTake(s)?.attempt.id ?? undefined) !== stitched[s.shotId]);
  return differs ? 'out_of_date' : 'completed';
}
