/**
 * Consistency across the episode, after its shots are made: grading outliers from the
 * colour the gate measured for every accepted clip, and, with a Gemini key, an AI
 * comparison of the shots that share a character. Advice for the filmmaker (a reason and
 * a suggested action per flag), never a verdict: nothing is regenerated without them.
 * The character check's cost is reserved within the budget and booked like the AI score.
 */
import { TakeStore } from '../store/takes';
import { join } from 'node:path';
import { ZERO_MICROS } from '../../shared/money';
import { makeContactSheet } from '../media/ai/contact-sheet';
import type { MediaOps } from '../media/backend/types';
import { checkCharacterConsistency, estimateCharacterCheckMaxCostMicros } from '../media/consistency/characters';
import { findColourOutliers } from '../media/consistency/colour';
import type { ConsistencyFlag } from '../media/consistency/types';
import type { KeySource } from '../secrets/keys';
import type { AttemptRecord, AttemptStore } from '../store/attempts';
import type { Db } from '../store/database';
import type { EpisodeRecord } from '../store/episodes';
import { colourOfAttempts } from '../store/gate-results';
import type { QualitySpend } from '../store/quality-spend';

export interface ConsistencyReport {
  flags: ConsistencyFlag[];
  /** Checks that did not run, and why ("no Gemini key: characters not compared"). */
  skipped: string[];
}

export interface ConsistencyDeps {
  db: Db;
  attempts: AttemptStore;
  media: MediaOps;
  keys: KeySource;
  spend: QualitySpend;
  /** Contact sheets the AI score kept, by shot. */
  sheets: Map<string, string>;
  sheetsDir: string;
  env: NodeJS.ProcessEnv;
}

export async function episodeConsistency(episode: EpisodeRecord, deps: ConsistencyDeps, signal: AbortSignal): Promise<ConsistencyReport> {
  const selected = new TakeStore(deps.db).selectedTakes(episode.id);
  const accepted = episode.storyboard.shots.flatMap((shot) => {
    const attempt = selected.get(shot.id);
    return attempt ? [{ shot, attempt }] : [];
  });
  const colours = colourOfAttempts(deps.db, accepted.map(({ attempt }) => attempt.id));
  const flags = findColourOutliers(accepted.flatMap(({ shot, attempt }) => {
    const stats = colours.get(attempt.id);
    return stats ? [{ shotId: shot.id, stats, kind: shot.kind, engineId: attempt.engineId }] : [];
  }));
  const skipped: string[] = [];

  const sharing = accepted.filter(({ shot }) => shot.characters.length > 0);
  const characters = episode.storyboard.characters.filter((c) => sharing.filter(({ shot }) => shot.characters.includes(c.id)).length >= 2);
  if (characters.length === 0) return { flags, skipped };
  const apiKey = deps.keys.credentials('gemini')?.GEMINI_API_KEY;
  if (!apiKey) return { flags, skipped: [...skipped, 'characters not compared: no Gemini key (GEMINI_API_KEY or the keychain)'] };

  const shots = [];
  for (const { shot, attempt } of sharing) {
    let sheetPath = deps.sheets.get(shot.id);
    if (!sheetPath) {
      sheetPath = join(deps.sheetsDir, episode.id, `${shot.id}-${attempt.id}.png`);
      await makeContactSheet(deps.media, attempt.clipPath!, sheetPath, { signal });
      deps.sheets.set(shot.id, sheetPath);
    }
    shots.push({ shotId: shot.id, characterIds: shot.characters, sheetPath, engineId: attempt.engineId });
  }
  const characterSpecs = characters.map((c) => ({ id: c.id, description: c.description, ...(c.reference ? { referenceImagePath: c.reference } : {}) }));
  // Booked against the first shot's accepted attempt: the check belongs to the episode, and the ledger needs an attempt.
  const payer: AttemptRecord = sharing[0]!.attempt;
  const bound = await estimateCharacterCheckMaxCostMicros({ characters: characterSpecs, shots });
  if (!deps.spend.reserve(payer.id, 'character-check', bound, episode.budgetMicros)) {
    return { flags, skipped: [...skipped, 'characters not compared: the budget has no room for the comparison'] };
  }
  let cost = ZERO_MICROS;
  try {
    const result = await checkCharacterConsistency({ connection: { apiKey, env: deps.env }, characters: characterSpecs, shots, signal });
    cost = result.costMicros;
    for (const comparison of result.comparisons) if (comparison.outcome === 'skipped') skipped.push(`character ${comparison.characterId} not compared: ${comparison.detail}`);
    return { flags: [...flags, ...result.flags], skipped };
  } finally {
    deps.spend.settle(payer.id, 'character-check', bound, cost, 'AI character consistency check');
  }
}
