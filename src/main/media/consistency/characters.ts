/**
 * Character consistency across shots: for each character that appears in two or more
 * shots, one Gemini call with the shots' contact sheets (and the character's reference
 * image when the storyboard has one) and the character's description asks whether the
 * character looks the same throughout. JSON answer: {consistent, score 0..1, reason,
 * outliers: shot ids that differ}.
 *
 * Inconsistent (consistent false, or score under `minScore`) flags the outlier shots (or,
 * when the model names none, every shot but the first) with a remedy: regenerate with
 * the character's reference image; failing that, on the engine that drew the character
 * right elsewhere; failing that, with a frame of a shot where the character looks right.
 *
 * A comparison that cannot be made (no key, 429, Gemini down, a malformed answer) is
 * 'skipped' with its reason and flags nothing. Every call's cost comes back for the ledger.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Type, type Schema } from '@google/genai';
import { z } from 'zod';
import { addMicros, ZERO_MICROS, type Micros } from '../../../shared/money';
import { pngSize } from '../ai/contact-sheet';
import { callGeminiJson, maxCostOfCall, type AiFailure, type AiPart, type Billing, type GeminiConnection } from '../ai/gemini-json';
import { DEFAULT_AI_MODEL, type GeminiUsage } from '../ai/prices';
import { safeMessage } from '../../engines/errors';
import type { ConsistencyAction, ConsistencyFlag } from './types';

export interface CharacterSpec {
  id: string;
  description: string;
  /** The storyboard's reference image for the character (PNG, JPEG or WebP). */
  referenceImagePath?: string;
}

export interface CharacterShot {
  shotId: string;
  characterIds: readonly string[];
  /** The shot's contact sheet (PNG; see makeContactSheet). */
  sheetPath: string;
  engineId?: string;
}

export interface CharacterCheckInput {
  connection: GeminiConnection;
  characters: readonly CharacterSpec[];
  shots: readonly CharacterShot[];
  /** Default gemini-2.5-flash. */
  model?: string;
  /** Below this the character counts as inconsistent even if the model said consistent; default 0.5. */
  minScore?: number;
  /** Contact sheets per call (the reference image not counted); more shots are compared in groups that all include the first shot. Default 6. */
  maxSheetsPerCall?: number;
  maxOutputTokens?: number;
  signal?: AbortSignal;
  /** Per call; default 60 s. */
  timeoutMs?: number;
}

export interface CharacterComparison {
  characterId: string;
  shotIds: string[];
  outcome: 'consistent' | 'inconsistent' | 'skipped';
  score: number | null;
  /** The model's reason, or why the comparison was skipped. */
  detail: string;
  skippedBecause: AiFailure | 'unreadable_image' | null;
  costMicros: Micros;
  billing: Billing;
  usage: GeminiUsage | null;
  maxCostMicros: Micros;
}

export interface CharacterCheckResult {
  flags: ConsistencyFlag[];
  comparisons: CharacterComparison[];
  /** Everything billed, rounded up per call (the sum of the comparisons' costMicros). */
  costMicros: Micros;
}

export const CHARACTER_MIN_SCORE = 0.5;
export const CHARACTER_MAX_OUTPUT_TOKENS = 384;
const DEFAULT_SHEETS_PER_CALL = 6;
/** A reference image whose size cannot be read is bounded as this large. */
const UNKNOWN_IMAGE_SIZE = { width: 3072, height: 3072 };
const MAX_REASON_CHARS = 240;

export const CHARACTER_SYSTEM_INSTRUCTION = [
  'You check continuity for an AI-generated video episode.',
  'You get a character description and images: optionally the character reference image, then one contact sheet per shot (frames of the clip in reading order), each labelled with its shot id.',
  'Decide whether the described character looks like the same person (or creature) in every shot: face, hair, build, age, skin tone, costume and distinctive marks. Ignore lighting, framing, pose and expression.',
  'consistent: true when every shot shows the same character. score (0..1): how confident you are that they all match.',
  'outliers: the shot ids whose character differs from the reference (or from the majority). reason: one short sentence naming what differs.',
  'Answer with the JSON object only.',
].join('\n');

export const CHARACTER_SCHEMA: Schema = {
  type: Type.OBJECT,
  properties: {
    consistent: { type: Type.BOOLEAN },
    score: { type: Type.NUMBER, minimum: 0, maximum: 1 },
    reason: { type: Type.STRING },
    outliers: { type: Type.ARRAY, items: { type: Type.STRING } },
  },
  required: ['consistent', 'score', 'reason'],
  propertyOrdering: ['consistent', 'score', 'reason', 'outliers'],
};

const characterAnswer = z.object({
  consistent: z.boolean(),
  score: z
    .number()
    .refine(Number.isFinite, 'must be a finite number')
    .transform((value) => Math.min(1, Math.max(0, value))),
  reason: z.string().transform((text) => text.replace(/\s+/g, ' ').trim().slice(0, MAX_REASON_CHARS)),
  outliers: z.array(z.string()).optional().default([]),
});

interface Group {
  character: CharacterSpec;
  shots: CharacterShot[];
}

/** The comparisons to make: per character with 2+ shots, groups of at most maxSheetsPerCall sheets, each starting with the character's first shot. */
export function characterGroups(characters: readonly CharacterSpec[], shots: readonly CharacterShot[], maxSheetsPerCall = DEFAULT_SHEETS_PER_CALL): Group[] {
  if (!Number.isInteger(maxSheetsPerCall) || maxSheetsPerCall < 2) throw new RangeError(`maxSheetsPerCall must be a whole number >= 2, got ${maxSheetsPerCall}`);
  const groups: Group[] = [];
  for (const character of characters) {
    const appearing = shots.filter((shot) => shot.characterIds.includes(character.id));
    if (appearing.length < 2) continue;
    const [anchor, ...rest] = appearing;
    for (let start = 0; start < rest.length; start += maxSheetsPerCall - 1) {
      groups.push({ character, shots: [anchor!, ...rest.slice(start, start + maxSheetsPerCall - 1)] });
    }
  }
  return groups;
}

export async function checkCharacterConsistency(input: CharacterCheckInput): Promise<CharacterCheckResult> {
  const model = input.model ?? DEFAULT_AI_MODEL;
  const minScore = input.minScore ?? CHARACTER_MIN_SCORE;
  const comparisons: CharacterComparison[] = [];
  const flags: ConsistencyFlag[] = [];
  for (const group of characterGroups(input.characters, input.shots, input.maxSheetsPerCall)) {
    const shotIds = group.shots.map((shot) => shot.shotId);
    let parts: AiPart[];
    try {
      parts = await comparisonParts(group);
    } catch (error) {
      const detail = safeMessage(`could not read an image for ${group.character.id}: ${(error as Error).message}`, [input.connection.apiKey]);
      comparisons.push(skipped(group.character.id, shotIds, 'unreadable_image', detail));
      continue;
    }
    const call = await callGeminiJson({
      connection: input.connection,
      model,
      purpose: 'character check',
      systemInstruction: CHARACTER_SYSTEM_INSTRUCTION,
      parts,
      responseSchema: CHARACTER_SCHEMA,
      validate: characterAnswer,
      maxOutputTokens: input.maxOutputTokens ?? CHARACTER_MAX_OUTPUT_TOKENS,
      signal: input.signal,
      timeoutMs: input.timeoutMs,
    });
    const money = { costMicros: call.costMicros, billing: call.billing, usage: call.usage, maxCostMicros: call.maxCostMicros };
    if (!call.ok) {
      comparisons.push({ ...skipped(group.character.id, shotIds, call.failure, `character check skipped: ${call.detail}`), ...money });
      continue;
    }
    const answer = call.value;
    const reason = safeMessage(answer.reason, [input.connection.apiKey]) || 'no reason given';
    const inconsistent = !answer.consistent || answer.score < minScore;
    comparisons.push({ characterId: group.character.id, shotIds, outcome: inconsistent ? 'inconsistent' : 'consistent', score: answer.score, detail: reason, skippedBecause: null, ...money });
    if (!inconsistent) continue;
    const named = answer.outliers.filter((id) => shotIds.includes(id));
    const outliers = named.length > 0 ? named : shotIds.slice(1);
    const matching = group.shots.filter((shot) => !outliers.includes(shot.shotId));
    for (const shotId of outliers) {
      if (flags.some((flag) => flag.kind === 'character' && flag.shotId === shotId && flag.characterId === group.character.id)) continue;
      const shot = group.shots.find((candidate) => candidate.shotId === shotId)!;
      const { action, suggestion } = remedy(group.character, shot, matching);
      flags.push({
        shotId,
        kind: 'character',
        characterId: group.character.id,
        reason: `shot ${shotId}: ${group.character.id} looks different than in ${matching.length > 0 ? matching.map((m) => m.shotId).join(', ') : 'the other shots'} (score ${Math.round(answer.score * 100) / 100}): ${reason}`,
        action,
        suggestion,
      });
    }
  }
  return { flags, comparisons, costMicros: addMicros(...comparisons.map((comparison) => comparison.costMicros)) };
}

/** The most the whole check can cost (every comparison at its bound), for the reservation. */
export async function estimateCharacterCheckMaxCostMicros(input: Pick<CharacterCheckInput, 'characters' | 'shots' | 'model' | 'maxSheetsPerCall' | 'maxOutputTokens'>): Promise<Micros> {
  let total = ZERO_MICROS;
  for (const group of characterGroups(input.characters, input.shots, input.maxSheetsPerCall)) {
    const parts = await comparisonParts(group, { sizesOnly: true });
    total = addMicros(
      total,
      maxCostOfCall({
        model: input.model ?? DEFAULT_AI_MODEL,
        systemInstruction: CHARACTER_SYSTEM_INSTRUCTION,
        parts,
        responseSchema: CHARACTER_SCHEMA,
        maxOutputTokens: input.maxOutputTokens ?? CHARACTER_MAX_OUTPUT_TOKENS,
      }),
    );
  }
  return total;
}

function remedy(character: CharacterSpec, shot: CharacterShot, matching: readonly CharacterShot[]): { action: ConsistencyAction; suggestion: string } {
  if (character.referenceImagePath) {
    return {
      action: 'regenerate_with_reference',
      suggestion: `regenerate ${shot.shotId} with ${character.id}'s reference image (${path.basename(character.referenceImagePath)}) so ${character.id} matches the other shots`,
    };
  }
  const goodEngines = [...new Set(matching.flatMap((m) => (m.engineId ? [m.engineId] : [])))];
  if (shot.engineId && goodEngines.length > 0 && !goodEngines.includes(shot.engineId)) {
    const engine = goodEngines[0]!;
    const where = matching.filter((m) => m.engineId === engine).map((m) => m.shotId).join(', ');
    return { action: 'other_engine', suggestion: `regenerate ${shot.shotId} on ${engine}, which drew ${character.id} consistently in ${where}` };
  }
  const anchor = matching[0];
  return {
    action: 'regenerate_with_reference',
    suggestion: anchor
      ? `regenerate ${shot.shotId} with a frame of ${anchor.shotId} (where ${character.id} looks right) as the reference image, or give ${character.id} a reference image in the storyboard`
      : `give ${character.id} a reference image in the storyboard and regenerate ${shot.shotId} with it`,
  };
}

/** Labelled images: the reference first (when there is one), then each shot's sheet. */
async function comparisonParts(group: Group, options: { sizesOnly?: boolean } = {}): Promise<AiPart[]> {
  const { character } = group;
  const parts: AiPart[] = [{ text: `Character ${character.id}: ${character.description}` }];
  if (character.referenceImagePath) {
    parts.push({ text: `Reference image of ${character.id}:` });
    parts.push({ image: await readImage(character.referenceImagePath, options.sizesOnly) });
  }
  for (const shot of group.shots) {
    parts.push({ text: `Shot ${shot.shotId}:` });
    parts.push({ image: await readImage(shot.sheetPath, options.sizesOnly) });
  }
  parts.push({ text: `Does ${character.id} look the same in shots ${group.shots.map((shot) => shot.shotId).join(', ')}?` });
  return parts;
}

async function readImage(file: string, sizesOnly = false): Promise<Extract<AiPart, { image: unknown }>['image']> {
  const bytes = await readFile(file);
  const mimeType = imageMimeType(bytes);
  if (!mimeType) throw new Error(`${path.basename(file)} is not a PNG, JPEG or WebP image`);
  const size = (mimeType === 'image/png' ? pngSize(bytes) : undefined) ?? UNKNOWN_IMAGE_SIZE;
  return { mimeType, base64: sizesOnly ? '' : bytes.toString('base64'), ...size };
}

function imageMimeType(bytes: Buffer): 'image/png' | 'image/jpeg' | 'image/webp' | undefined {
  if (pngSize(bytes)) return 'image/png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (bytes.subarray(0, 4).toString('latin1') === 'RIFF' && bytes.subarray(8, 12).toString('latin1') === 'WEBP') return 'image/webp';
  return undefined;
}

function skipped(characterId: string, shotIds: string[], because: CharacterComparison['skippedBecause'], detail: string): CharacterComparison {
  return { characterId, shotIds, outcome: 'skipped', score: null, detail, skippedBecause: because, costMicros: ZERO_MICROS, billing: 'not_billed', usage: null, maxCostMicros: ZERO_MICROS };
}
