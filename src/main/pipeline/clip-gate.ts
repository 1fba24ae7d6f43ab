/**
 * The quality gate as the pipeline uses it: every accepted-or-not clip goes through the
 * media gate (media/gate) held to the episode's mode, with the AI score when a Gemini
 * key is configured, its cost reserved within the episode's budget and booked in the
 * ledger. Verdicts are memoised by content: the same bytes held to the same expectation
 * get the same verdict, so a resume never pays to score a clip twice. Each clip's colour
 * statistics are kept for the episode's consistency check.
 */
import { join } from 'node:path';
import type { GateVerdict } from '../../shared/quality';
import { DEFAULT_AI_MODEL, makeAiScorer } from '../media/ai/index';
import { ZERO_MICROS } from '../../shared/money';
import type { MediaOps } from '../media/backend/types';
import { checkClip, type ClipColourStats } from '../media/gate/index';
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

export interface EpisodeGateRecords {
  colour: Map<string, { attemptId: string; stats: ClipColourStats }>;
  sheets: Map<string, string>;
}

export function createClipGate(deps: ClipGateDeps): { gate: ClipGate; records: (episodeId: string) => EpisodeGateRecords } {
  const memo = new Map<string, Promise<{ verdict: GateVerdict; colour: ClipColourStats | null }>>();
  const byEpisode = new Map<string, EpisodeGateRecords>();
  const records = (episodeId: string) => {
    let found = byEpisode.get(episodeId);
    if (!found) byEpisode.set(episodeId, (found = { colour: new Map(), sheets: new Map() }));
    return found;
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
      const mine = records(attempt.episodeId);
      const model = DEFAULT_AI_MODEL;
      const aiScore = makeAiScorer({
        model,
        media: deps.media,
        connection: () => (apiKey ? { apiKey, env: deps.env } : undefined),
        workDir: join(deps.sheetsDir, attempt.episodeId),
        onSheet: (sheet) => mine.sheets.set(attempt.shotId, sheet.path),
        reserve: (maxMicros) => deps.spend.reserve(attempt.id, model, maxMicros, episode.budgetMicros),
        onCost: (cost) => deps.spend.settle(attempt.id, cost.model, cost.reservedMicros ?? ZERO_MICROS, cost.costMicros, `AI quality score (${cost.billing})`),
      });
      result = checkClip(deps.media, clip.path, { durationSeconds, width, height, audio, prompt, fps: fps - 0.5 }, {
        strictness,
        ...(still ? { thresholds: { maxFreezeFraction: 1 } } : {}),
        aiScore,
        aiSkippedReason: 'no Gemini key (GEMINI_API_KEY or the keychain): AI score skipped',
        shotId: attempt.shotId,
        signal,
        log: deps.log,
      }).then(({ verdict, colour }) => ({
        verdict: { ...verdict, colour: colour ? { lumaMean: colour.lumaMean, saturationMean: colour.saturationMean, uMean: colour.uMean, vMean: colour.vMean } : null },
        colour,
      }));
      memo.set(key, result);
      result.catch(() => memo.delete(key));
    }
    const { verdict, colour } = await result;
    if (colour && verdict.decision === 'pass') records(attempt.episodeId).colour.set(attempt.shotId, { attemptId: attempt.id, stats: colour });
    return verdict;
  };
  return { gate, records };
}
