/** Money as the board and `shotline costs` show it: held reservations, an episode's costs, fallbacks. */
import type { RenderMode } from '../domain';
import type { EpisodeView } from './episode-views';

/** Money still reserved for one attempt, and why (`shotline costs --held`). */
export interface HeldReservation {
  episodeId: string;
  title: string;
  shotId: string;
  attemptId: string;
  engineId: string;
  /** The attempt's state: submitting, submitted, timed_out, unknown, ... */
  status: string;
  heldMicros: number;
  /** Epoch ms the reservation was made. */
  since: number;
  /** Epoch ms after which it is released if nothing is heard of the job; null while the job is live. */
  holdUntil: number | null;
  reason: string;
}

/** An episode's money: by mode, and what preview-then-commit saved against a final render of every shot. */
export interface EpisodeCosts {
  /** Everything charged: generation in both modes and the AI quality checks. */
  spentMicros: number;
  heldMicros: number;
  previewSpentMicros: number;
  finalSpentMicros: number;
  qualityCheckMicros: number;
  /** A final render of every shot: final takes as billed, the rest at their final estimate; null when a shot has no estimate. */
  fullFinalMicros: number | null;
  /** fullFinalMicros minus what generation really cost; null for an episode that never previewed. */
  savedMicros: number | null;
}

/** One line of `shotline episodes`: an episode as the filmmaker works it. */
export interface EpisodeSummary extends EpisodeCosts {
  episodeId: string;
  title: string;
  storyboardPath: string;
  /** The mode of the latest run. */
  mode: RenderMode;
  status: EpisodeView['status'];
  /**
   * What to do next, in a word: completed (the episode file shows the selected takes),
   * out_of_date (a take was selected or made since the last stitch), not_stitched,
   * running, stitching, interrupted (its process died: `resume`), failed, cancelled.
   */
  state: 'completed' | 'out_of_date' | 'not_stitched' | 'running' | 'stitching' | 'interrupted' | 'failed' | 'cancelled';
  outputPath: string;
  shots: number;
  takes: number;
  approved: number;
  /** Shots with no current take selected (never made, failed, or edited since). */
  withoutTake: number;
  /** Shots whose selected take is stale. */
  staleSelections: number;
  createdAt: number;
  finishedAt: number | null;
}

export interface CostSummary {
  byEngine: { engineId: string; spentMicros: number; attempts: number }[];
  byEpisode: ({ episodeId: string; title: string; mode: RenderMode } & EpisodeCosts)[];
  byMode: { mode: RenderMode; spentMicros: number }[];
  /** Spend per calendar day (UTC, YYYY-MM-DD) on which anything was charged, oldest first. */
  byDay: { day: string; spentMicros: number }[];
  totalMicros: number;
  /** What previewing saved, over the episodes that previewed: a final render of every shot (finalEstimateMicros) minus what generation really cost. */
  previewSaving: { previewSpentMicros: number; finalEstimateMicros: number; savedMicros: number; episodes: number };
  /** Every time a shot left an engine for another (or ran out of engines), newest first: why, and what the failed try cost. */
  fallbacks: FallbackRecord[];
}

export interface FallbackRecord {
  episodeId: string;
  title: string;
  shotId: string;
  engineId: string;
  errorKind: string;
  reason: string;
  costMicros: number;
  /** The engine the shot went to next; null when no other engine was tried. */
  nextEngineId: string | null;
  /** The engine that made the shot in the end; null while it has none. */
  madeByEngineId: string | null;
  /** Epoch ms the failed attempt ended. */
  at: number;
}
