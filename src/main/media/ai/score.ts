/**
 * The quality gate's AI score: a contact sheet of the clip and the shot's prompt go to a
 * Gemini Flash model, which answers JSON {promptAdherence, artifacts, score, reason}.
 * The result is the gate's 'ai_score' check: pass or fail against the strictness's
 * threshold, or 'skipped' (with the reason) whenever the scorer could not give a
 * trustworthy answer: a clip is never rejected because the scorer was down.
 *
 * The cost of every call that reached Google comes back with the check, for the ledger.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Type, type Schema } from '@google/genai';
import { z } from 'zod';
import { isAbortError } from '../../../shared/errors';
import { ZERO_MICROS, type Micros } from '../../../shared/money';
import type { GateCheck, GateStrictness } from '../../../shared/quality';
import type { MediaOps, MediaProbe } from '../backend/types';
import { contactSheetGeometry, makeContactSheet, readPngImage, type ContactSheet, type ContactSheetLayout } from './contact-sheet';
import { callGeminiJson, maxCostOfCall, type AiFailure, type Billing, type GeminiConnection } from './gemini-json';
import { DEFAULT_AI_MODEL, type GeminiUsage } from './prices';
import { safeMessage } from '../../engines/errors';

export interface AiScoreThresholds {
  preview: number;
  final: number;
}

/** The lowest score that passes: lenient for previews (only a clearly wrong clip fails), stricter for the final cut. */
export const AI_SCORE_THRESHOLDS: Readonly<AiScoreThresholds> = { preview: 0.3, final: 0.6 };
/** Enough for the JSON answer (about 60 tokens) with a short reason, and a hard cap on the output bill. */
export const AI_SCORE_MAX_OUTPUT_TOKENS = 256;
const MAX_REASON_CHARS = 200;

export const AI_SCORE_SYSTEM_INSTRUCTION = [
  'You are a strict film editor reviewing one shot of an AI-generated video.',
  'The image is a contact sheet: frames sampled evenly through the clip, in reading order (left to right, top to bottom).',
  'Rate promptAdherence (0..1): how well the clip shows what the shot prompt asks for (subject, action, setting, framing, mood).',
  'Rate artifacts (0..1, 1 = clean): absence of AI artifacts such as warped anatomy, melting objects, garbled text, flicker between frames, broken physics.',
  'Give score (0..1): your overall judgement of whether the shot is usable as is.',
  'Give reason: one short sentence a filmmaker can act on (at most 25 words).',
  'Answer with the JSON object only.',
].join('\n');

export const AI_SCORE_SCHEMA: Schema = {
  type: Type.OBJECT,
  properties: {
    promptAdherence: { type: Type.NUMBER, minimum: 0, maximum: 1 },
    artifacts: { type: Type.NUMBER, minimum: 0, maximum: 1, description: '1 = no visible artifacts' },
    score: { type: Type.NUMBER, minimum: 0, maximum: 1 },
    reason: { type: Type.STRING },
  },
  required: ['promptAdherence', 'artifacts', 'score', 'reason'],
  propertyOrdering: ['promptAdherence', 'artifacts', 'score', 'reason'],
};

const unit = z.number().refine(Number.isFinite, 'must be a finite number').transform(clamp01);
const scoreAnswer = z.object({
  promptAdherence: unit,
  artifacts: unit,
  score: unit,
  reason: z.string().transform((text) => oneLine(text, MAX_REASON_CHARS)),
});
export type AiScores = z.infer<typeof scoreAnswer>;

export interface AiScoreResult {
  check: GateCheck;
  /** What Google charges for the call, rounded up to a whole micro-dollar; 0 when nothing was billed (or billing is unknown). */
  costMicros: Micros;
  /** 'unknown': the call died with no answer (timeout, dropped connection) and may have been billed, at most maxCostMicros. */
  billing: Billing;
  usage: GeminiUsage | null;
  /** The reservation bound of the call made (0 when no call was made). */
  maxCostMicros: Micros;
  model: string;
  /** The model's numbers (clamped to 0..1), when it answered. */
  scores: AiScores | null;
  /** Why the check was skipped, as a code (null when it ran). */
  skippedBecause: AiFailure | 'sampling' | null;
  /** The contact sheet, when it was kept (a workDir was given). */
  sheet: ContactSheet | null;
}

interface ScoreOptions {
  connection: GeminiConnection;
  /** The shot's prompt, as sent to the engine. */
  prompt: string;
  strictness: GateStrictness;
  /** Default gemini-2.5-flash. */
  model?: string;
  thresholds?: Partial<AiScoreThresholds>;
  signal?: AbortSignal;
  /** Per call; default 60 s. */
  timeoutMs?: number;
  maxOutputTokens?: number;
}

export interface ScoreClipInput extends ScoreOptions {
  media: Pick<MediaOps, 'probe' | 'runGraph'>;
  clipPath: string;
  /** The gate's probe of the clip, when it has one (saves a probe). */
  probe?: MediaProbe;
  layout?: ContactSheetLayout;
  /**
   * Where to keep the contact sheet (`<clip name>.sheet.png`), e.g. for the character
   * check later. Default: a temporary folder, removed when the score is in.
   */
  workDir?: string;
}

export interface ScoreSheetInput extends ScoreOptions {
  /** A PNG contact sheet (see makeContactSheet). */
  sheetPath: string;
}

export function aiScoreThreshold(strictness: GateStrictness, thresholds: Partial<AiScoreThresholds> = {}): number {
  return { ...AI_SCORE_THRESHOLDS, ...thresholds }[strictness];
}

/** Samples the clip into a contact sheet and scores it. Never throws for provider or sampling trouble; throws CancelledError when `signal` aborts. */
export async function scoreClip(input: ScoreClipInput): Promise<AiScoreResult> {
  const model = input.model ?? DEFAULT_AI_MODEL;
  const temporary = input.workDir === undefined ? await mkdtemp(path.join(os.tmpdir(), 'shotline-ai-score-')) : undefined;
  const folder = input.workDir ?? temporary!;
  const sheetPath = path.join(folder, `${path.parse(input.clipPath).name}.sheet.png`);
  try {
    let sheet: ContactSheet;
    try {
      sheet = await makeContactSheet(input.media, input.clipPath, sheetPath, { ...input.layout, signal: input.signal, probe: input.probe });
    } catch (error) {
      if (isAbortError(error) || input.signal?.aborted) throw error;
      const why = safeMessage(`could not sample frames from the clip: ${(error as Error).message ?? String(error)}`, [input.connection.apiKey]);
      return { ...skippedResult(input, model, 'sampling', why), sheet: null };
    }
    const result = await scoreContactSheet({ ...input, sheetPath: sheet.path });
    return { ...result, sheet: temporary ? null : sheet };
  } finally {
    if (temporary) await rm(temporary, { recursive: true, force: true });
  }
}

/** Scores a contact sheet already made. */
export async function scoreContactSheet(input: ScoreSheetInput): Promise<AiScoreResult> {
  const model = input.model ?? DEFAULT_AI_MODEL;
  const image = await readPngImage(input.sheetPath);
  const call = await callGeminiJson({
    connection: input.connection,
    model,
    purpose: 'AI score',
    systemInstruction: AI_SCORE_SYSTEM_INSTRUCTION,
    parts: [{ text: scorePromptText(input.prompt) }, { image }],
    responseSchema: AI_SCORE_SCHEMA,
    validate: scoreAnswer,
    maxOutputTokens: input.maxOutputTokens ?? AI_SCORE_MAX_OUTPUT_TOKENS,
    signal: input.signal,
    timeoutMs: input.timeoutMs,
  });
  const money = { costMicros: call.costMicros, billing: call.billing, usage: call.usage, maxCostMicros: call.maxCostMicros, model, sheet: null };
  if (!call.ok) return { ...skippedResult(input, model, call.failure, call.detail), ...money };
  const scores = call.value;
  const threshold = aiScoreThreshold(input.strictness, input.thresholds);
  const pass = scores.score >= threshold;
  const check: GateCheck = {
    name: 'ai_score',
    value: scores.score,
    measured: `${formatScore(scores.score)} (adherence ${formatScore(scores.promptAdherence)}, artifacts ${formatScore(scores.artifacts)})`,
    limit: limitText(threshold, input.strictness),
    outcome: pass ? 'pass' : 'fail',
    detail: safeMessage(scores.reason, [input.connection.apiKey]) || (pass ? 'the scorer gave no reason' : 'the scorer rated the clip below the threshold and gave no reason'),
  };
  return { check, scores, skippedBecause: null, ...money };
}

/** The text part sent with the sheet (exported so estimates count the same characters). */
export function scorePromptText(prompt: string): string {
  return `Shot prompt:\n${prompt}\n\nRate the clip shown in the contact sheet against this prompt.`;
}

/**
 * The most one scoring call can cost, for the reservation before the call: from the
 * clip's display size (the sheet's size follows from it) or the sheet's own size.
 */
export function estimateAiScoreMaxCostMicros(input: {
  prompt: string;
  model?: string;
  /** The clip's display size (with `layout`) or, if `sheet` is given, ignored. */
  clip?: { width: number; height: number };
  sheet?: { width: number; height: number };
  layout?: ContactSheetLayout;
  maxOutputTokens?: number;
}): Micros {
  const size = input.sheet ?? contactSheetGeometry(input.clip ?? { width: 1920, height: 1080 }, input.layout);
  return maxCostOfCall({
    model: input.model ?? DEFAULT_AI_MODEL,
    systemInstruction: AI_SCORE_SYSTEM_INSTRUCTION,
    parts: [{ text: scorePromptText(input.prompt) }, { image: { mimeType: 'image/png', base64: '', width: size.width, height: size.height } }],
    responseSchema: AI_SCORE_SCHEMA,
    maxOutputTokens: input.maxOutputTokens ?? AI_SCORE_MAX_OUTPUT_TOKENS,
  });
}

function skippedResult(input: ScoreOptions, model: string, because: AiFailure | 'sampling', why: string): Omit<AiScoreResult, 'sheet'> {
  const threshold = aiScoreThreshold(input.strictness, input.thresholds);
  return {
    check: { name: 'ai_score', value: null, measured: 'not scored', limit: limitText(threshold, input.strictness), outcome: 'skipped', detail: `AI score skipped: ${why}` },
    costMicros: ZERO_MICROS,
    billing: 'not_billed',
    usage: null,
    maxCostMicros: ZERO_MICROS,
    model,
    scores: null,
    skippedBecause: because,
  };
}

function limitText(threshold: number, strictness: GateStrictness): string {
  return `at least ${formatScore(threshold)} (${strictness})`;
}

/** 0.82, 0.9, 1: two decimals at most, no trailing zeros. */
export function formatScore(value: number): string {
  return String(Math.round(value * 100) / 100);
}

function clamp01(value: number): number {
  return Math.min(1, Math.max(0, value));
}

function oneLine(text: string, max: number): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}
