/**
 * The quality gate as the pipeline uses it: every accepted-or-not clip goes through the
 * media gate (media/gate) held to the episode's mode, with the AI score when a Gemini
 * key is configured, its cost reserved within the episode's budget and booked in the
 * ledger. Verdicts are memoised by content: the same bytes held to the same expectation
 * get the same verdict, so a clip gated again in this session is never scored (and paid) twice.
 */
import { join } from 'node:path';
import type { GateVerdict } from '../../shared/quality';
import { DEFAULT_AI_MODEL, makeAiScorer } from '../media/ai/index';
import { ZERO_MICROS } from '../../shared/money';
import type { MediaOps } from '../media/backend/types';
import { checkClip } from '../media/gate/index';
import type { KeySource } from '../secrets/keys';
import type { EpisodeStore } from '../store/episodes';
import type { QualitySpend } from '../store/quality-spend';
import type { ClipGate } from './attempt/context';

export interface ClipGateDeps {
  media: MediaOps;
  keys: KeySource;
  spend: QualitySpend;
  episodes: EpisodeStore;
  /** Contact sheets are kept here (the character check compares them). */
  sheetsDir: string;
  log?: (line: string) => void;
  env: NodeJS.ProcessEnv;
  /** Engines whose clips are still cards by design (the animatic): a frozen picture is what they promise. */
  makesStills: (engineId: string) => boolean;
}

/** The contact sheets the AI score made, per episode and shot: the character check compares them. */
export type ContactSheets = (episodeId: string) => Map<string, string>;

export function createClipGate(deps: ClipGateDeps): { gate: ClipGate; contactSheets: ContactSheets } {
  const memo = new Map<string, Promise<GateVerdict>>();
  const sheetsByEpisode = new Map<string, Map<string, string>>();
  const contactSheets: ContactSheets = (episodeId) => {
    let sheets = sheetsByEpisode.get(episodeId);
    if (!sheets) sheetsByEpisode.set(episodeId, (sheets = new Map()));
    return sheets;
  };

  const gate: ClipGate = async (clip, attempt, signal) => {
    const { durationSeconds, width, height, audio, prompt, fps } = attempt.request;
    const strictness = attempt.mode === 'preview' ? 'preview' : 'final';
    const apiKey = deps.keys.credentials('gemini')?.GEMINI_API_KEY;
    const still = deps.makesStills(attempt.engineId);
    const key = JSON.stringify([clip.sha256, durationSeconds, width, height, audio, prompt, fps, strictness, Boolean(apiKey), still]);
    let result = memo.get(key);
    if (!result) {
      const episode = deps.episodes.get(attempt.episodeId);
      const sheets = contactSheets(attempt.episodeId);
      const model = DEFAULT_AI_MODEL;
      const aiScore = makeAiScorer({
        model,
        media: deps.media,
        connection: () => (apiKey ? { apiKey, env: deps.env } : undefined),
        workDir: join(deps.sheetsDir, attempt.episodeId),
        onSheet: (sheet) => sheets.set(attempt.shotId, sheet.path),
        reserve: (maxMicros) => deps.spend.reserve(attempt.id, model, maxMicros, episode.budgetMicros),
        onCost: (cost) => deps.spend.settle(attempt.id, cost.model, cost.reservedMicros ?? ZERO_MICROS, cost.costMicros, `AI quality score (${cost.billing})`),
      });
      result = checkClip(deps.media, clip.path, { durationSeconds, width, height, audio, prompt, fps }, {
        strictness,
        ...(still ? { thresholds: { maxFreezeFraction: 1 } } : {}),
        aiScore,
        aiSkippedReason: 'no Gemini key (GEMINI_API_KEY or the keychain): AI score skipped',
        shotId: attempt.shotId,
        signal,
        log: deps.log,
        // The clip's average colour travels with the verdict into the store, for the episode's consistency check.
      }).then(({ verdict, colour }) => ({
        ...verdict,
        colour: colour ? { lumaMean: colour.lumaMean, saturationMean: colour.saturationMean, uMean: colour.uMean, vMean: colour.vMean } : null,
      }));
      memo.set(key, result);
      result.catch(() => memo.delete(key));
    }
    return result;
  };
  return { gate, contactSheets };
}
