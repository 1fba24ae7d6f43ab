/**
 * The storyboard format (YAML or JSON), as one zod schema. This module is pure: it
 * validates the parsed document. Reading files, parsing YAML and checking that
 * reference images exist happen in src/main/storyboard/.
 */
import { z } from 'zod';
import { ASPECTS, OUTPUT_CODECS, RENDER_MODES, RESOLUTIONS, SHOT_KINDS, TRANSITION_TYPES } from './domain';
import { crowdedClips, formatSeconds, junctionOverlap, type CrowdedClip, type JunctionClip } from './junctions';

export const LIMITS = {
  titleChars: 200,
  promptChars: 4000,
  descriptionChars: 2000,
  minDuration: 1,
  maxDuration: 20,
  maxShots: 500,
  maxTransition: 2,
  maxBudgetUsd: 100_000,
} as const;

const idPattern = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const idMessage = 'must be 1-64 letters, digits, "_" or "-", starting with a letter or digit';

export const shotIdSchema = z.string().regex(idPattern, idMessage);

/** An episode budget in USD: the storyboard's `budget.limit` and the `--budget` flag share it. */
export const budgetLimitSchema = z
  .number()
  .positive('must be more than 0')
  .max(LIMITS.maxBudgetUsd, `must be at most ${LIMITS.maxBudgetUsd} USD`);

const transitionSchema = z
  .object({
    type: z.enum(TRANSITION_TYPES).default('cut'),
    duration: z
      .number()
      .min(0, `must be between 0 and ${LIMITS.maxTransition} seconds`)
      .max(LIMITS.maxTransition, `must be between 0 and ${LIMITS.maxTransition} seconds`)
      .default(0.5),
  })
  .strict();

export const characterSchema = z
  .object({
    id: shotIdSchema,
    description: z.string().trim().min(1, 'must not be empty').max(LIMITS.descriptionChars, `must be at most ${LIMITS.descriptionChars} characters`),
    reference: z.string().min(1, 'must not be empty').optional(),
  })
  .strict();

export const shotSchema = z
  .object({
    id: shotIdSchema,
    kind: z.enum(SHOT_KINDS),
    prompt: z
      .string()
      .trim()
      .min(1, 'must not be empty')
      .max(LIMITS.promptChars, `must be at most ${LIMITS.promptChars} characters`),
    /** What the shot must not show; sent only to engines that take a negative prompt. */
    negative: z.string().trim().min(1, 'must not be empty').max(LIMITS.promptChars, `must be at most ${LIMITS.promptChars} characters`).optional(),
    duration: z
      .number()
      .min(LIMITS.minDuration, `must be between ${LIMITS.minDuration} and ${LIMITS.maxDuration} seconds`)
      .max(LIMITS.maxDuration, `must be between ${LIMITS.minDuration} and ${LIMITS.maxDuration} seconds`),
    audio: z.boolean().default(false),
    characters: z.array(shotIdSchema).default([]),
    reference: z.string().min(1, 'must not be empty').optional(),
    /** 'auto', or a registry id to pin this shot to one engine. */
    engine: z.string().min(1, 'must not be empty').default('auto'),
    /** A named fallback chain that overrides the derived order for this shot. */
    chain: z.string().min(1, 'must not be empty').optional(),
    transition: transitionSchema.optional(),
    seed: z.number().int('must be a whole number').min(0).max(2 ** 31 - 1).optional(),
  })
  .strict();

/** Integrated loudness targets of the common deliveries, in LUFS. */
export const LOUDNESS_PRESETS = { broadcast: -23, streaming: -14, default: -16 } as const;

export const outputSchema = z
  .object({
    resolution: z.enum(RESOLUTIONS).default('1080p'),
    aspect: z.enum(ASPECTS).default('16:9'),
    fps: z.number().int('must be a whole number').min(12, 'must be between 12 and 60').max(60, 'must be between 12 and 60').default(24),
    // Integrated loudness in LUFS, or a delivery preset: broadcast (EBU R128, -23) or streaming (-14).
    loudness: z
      .union([
        z.number().min(-40, 'must be between -40 and -5 LUFS').max(-5, 'must be between -40 and -5 LUFS'),
        z.literal('broadcast').transform(() => LOUDNESS_PRESETS.broadcast),
        z.literal('streaming').transform(() => LOUDNESS_PRESETS.streaming),
      ])
      .default(-16),
    codec: z.enum(OUTPUT_CODECS).default('h264'),
  })
  .strict();

export const storyboardSchema = z
  .object({
    title: z.string().trim().min(1, 'must not be empty').max(LIMITS.titleChars, `must be at most ${LIMITS.titleChars} characters`),
    output: outputSchema.default({ resolution: '1080p', aspect: '16:9', fps: 24, loudness: -16, codec: 'h264' }),
    budget: z.object({ limit: budgetLimitSchema }).strict().optional(),
    mode: z.enum(RENDER_MODES).default('final'),
    /** A named fallback chain for every shot that does not name its own. */
    chain: z.string().min(1, 'must not be empty').optional(),
    characters: z.array(characterSchema).default([]),
    shots: z
      .array(shotSchema)
      .min(1, 'must contain at least one shot')
      .max(LIMITS.maxShots, `must contain at most ${LIMITS.maxShots} shots`),
  })
  .strict()
  .superRefine((board, ctx) => {
    const seen = new Map<string, number>();
    board.shots.forEach((shot, index) => {
      const first = seen.get(shot.id);
      if (first !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['shots', index, 'id'], message: `duplicate shot id "${shot.id}" (first used by shots[${first}])` });
      } else seen.set(shot.id, index);
    });
    const characterIds = new Set<string>();
    board.characters.forEach((character, index) => {
      if (characterIds.has(character.id)) {
        ctx.addIssue({ code: 'custom', path: ['characters', index, 'id'], message: `duplicate character id "${character.id}"` });
      }
      characterIds.add(character.id);
    });
    board.shots.forEach((shot, index) => {
      shot.characters.forEach((id, ci) => {
        if (!characterIds.has(id)) {
          ctx.addIssue({ code: 'custom', path: ['shots', index, 'characters', ci], message: `unknown character "${id}" (not in characters)` });
        }
      });
      const last = index === board.shots.length - 1;
      if (last && junctionOverlap(shot.transition) > 0) {
        ctx.addIssue({ code: 'custom', path: ['shots', index, 'transition'], message: 'the last shot has no next shot to transition into; remove it or use "cut"' });
      }
    });
    for (const crowded of crowdedClips(board.shots.map(asJunctionClip))) {
      const { path, message } = crowdedShotIssue(board.shots, crowded);
      ctx.addIssue({ code: 'custom', path, message });
    }
  }, { when: ({ value }) => crossCheckable(value) });

/** A shot as the junction rule sees it; a duration of the wrong type is reported elsewhere. */
function asJunctionClip(shot: { duration: unknown; transition?: { type: string; duration: number } | undefined }): JunctionClip {
  return { duration: typeof shot.duration === 'number' ? shot.duration : Number.NaN, transitionToNext: shot.transition };
}

/**
 * Names the transition field the user would edit: the shot's own (outgoing) transition
 * when it has one, else the previous shot's transition into it.
 */
function crowdedShotIssue(
  shots: readonly { id: string; transition?: { type: string } | undefined }[],
  crowded: CrowdedClip,
): { path: (string | number)[]; message: string } {
  const { index, incoming, outgoing, total, duration } = crowded;
  const id = JSON.stringify(shots[index]?.id ?? `#${index + 1}`);
  const intoType = shots[index - 1]?.transition?.type ?? 'transition';
  const outType = shots[index]?.transition?.type ?? 'transition';
  const s = formatSeconds;
  if (outgoing === 0) {
    return {
      path: ['shots', index - 1, 'transition', 'duration'],
      message: `the ${intoType} into shot ${id} takes ${s(incoming)} s but that shot is only ${s(duration)} s long`,
    };
  }
  const path = ['shots', index, 'transition', 'duration'];
  if (incoming === 0) return { path, message: `the ${outType} out of shot ${id} takes ${s(outgoing)} s but the shot is only ${s(duration)} s long` };
  const both = intoType === outType ? `the ${intoType}s into and out of shot ${id} take` : `the ${intoType} into shot ${id} and the ${outType} out of it take`;
  return { path, message: `${both} ${s(total)} s (${s(incoming)} s + ${s(outgoing)} s) but the shot is only ${s(duration)} s long` };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Zod skips a refinement once any field has the wrong type, so a storyboard with one bad
 * `kind` would hide its duplicate ids until the next attempt. The cross-shot checks only
 * touch ids, character lists and transitions; run them whenever those are well-formed,
 * so the user sees every problem at once.
 */
function crossCheckable(value: unknown): boolean {
  if (!isRecord(value) || !Array.isArray(value.shots) || !Array.isArray(value.characters)) return false;
  const shotsOk = value.shots.every(
    (shot) =>
      isRecord(shot) &&
      typeof shot.id === 'string' &&
      Array.isArray(shot.characters) &&
      (shot.transition === undefined ||
        (isRecord(shot.transition) && typeof shot.transition.duration === 'number' && typeof shot.duration === 'number')),
  );
  return shotsOk && value.characters.every((character) => isRecord(character) && typeof character.id === 'string');
}

export type StoryboardInput = z.input<typeof storyboardSchema>;
export type Storyboard = z.output<typeof storyboardSchema>;
export type Shot = Storyboard['shots'][number];
export type Character = Storyboard['characters'][number];
export type OutputSpec = Storyboard['output'];

/** Effective transition into the next shot: 'cut' with no overlap when absent. */
export function transitionOf(shot: Shot): { type: (typeof TRANSITION_TYPES)[number]; duration: number } {
  const t = shot.transition;
  return !t || t.type === 'cut' ? { type: 'cut', duration: 0 } : t;
}

/** Runtime of the stitched episode: the shots minus the overlap of each transition. */
export function episodeDuration(board: Pick<Storyboard, 'shots'>): number {
  return board.shots.reduce((sum, shot, i) => sum + shot.duration - (i < board.shots.length - 1 ? transitionOf(shot).duration : 0), 0);
}
