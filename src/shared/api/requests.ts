/** What a render, resume, regenerate, restitch or approval asks for and answers. */
import type { RenderMode } from '../domain';

/** How a render treats money it cannot be sure of; the same choices for a new render and a resume. */
export interface MoneyChoices {
  /**
   * Start even when the plan's estimate is over the budget or some shots have no engine:
   * shots that do not fit fail with the reason and the rest is stitched.
   */
  allowPartial?: boolean;
  /**
   * Generate again the shots whose submit outcome is unknown (the provider may have
   * made, and billed, a job we never heard back about and cannot look up).
   */
  resubmitUnknown?: boolean;
}

/** Content credentials (C2PA) for the run's takes and episode file. */
export interface SigningChoices {
  /** false: nothing is signed (--no-sign). Default: signed. */
  sign?: boolean;
  /** Sign the episode even when a take's own credentials do not validate; the export records why. */
  allowUnverified?: boolean;
}

export interface RenderOptions extends MoneyChoices, SigningChoices {
  outputPath: string;
  mode?: RenderMode;
  /** With mode final: generate final takes only for approved shots (preview-then-commit). */
  approved?: boolean;
  budgetUsd?: number;
  concurrency?: number;
  strict?: boolean;
}

/** Resuming an episode: the same choices as a render, and the budget may be raised (or lowered). */
export interface ResumeOptions extends MoneyChoices, SigningChoices {
  budgetUsd?: number;
  concurrency?: number;
  strict?: boolean;
}

export interface RegenerateOptions extends MoneyChoices, SigningChoices {
  shotIds: string[];
  /** A registry id: the new take is made there. */
  engineId?: string;
  /** Edits the shot's prompt first (one shot only): a new version of the shot. */
  prompt?: string;
  seed?: number;
  mode?: RenderMode;
  budgetUsd?: number;
  concurrency?: number;
}

export interface RestitchOptions extends SigningChoices {
  outputPath: string;
  /** Integrated loudness target in LUFS (-40 to -5; broadcast -23, streaming -14); default: the storyboard's. Kept for later stitches of the episode. */
  loudness?: number;
  /** Stitch without the shots that have no current take. */
  allowPartial?: boolean;
}

export interface ApproveResult {
  approved: string[];
  /** Already approved. */
  unchanged: string[];
  /** 'all' only: shots that cannot be approved yet, and why. */
  skipped: { shotId: string; reason: string }[];
}
