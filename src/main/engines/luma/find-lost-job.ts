/**
 * Finding the generation a lost submit made. Luma keeps no client reference, but its
 * list endpoint (GET /generations, newest first) returns each generation with the
 * request that made it, so a lost submit is recognised by content: made no earlier than
 * the submit was sent, by the same model, with exactly the same prompt, aspect ratio,
 * resolution and duration, and no keyframes (Shotline never sends any).
 *
 * Only an unambiguous answer is given. No such generation: null (the submit never made
 * one, so the shot may be generated again). Exactly one: its id. Several, or one that
 * cannot be judged (no request echoed, no creation time): EngineError('unavailable'),
 * so the attempt's money stays held and resume asks again, rather than guessing and
 * paying twice. Generations whose create answer this process received belong to other
 * attempts and are left out, so a retried shot with the same prompt is not ambiguous.
 */
import type LumaAI from 'lumaai';
import { EngineError } from '../../../shared/errors';
import type { LumaCreateBody } from './create-body';
import type { LumaGeneration } from './poll-result';

/** Small pages: the page size Luma allows is not documented; 20 is well inside any plausible limit. */
export const LOOKUP_PAGE_SIZE = 20;
/** 500 generations since one submit was sent means something else is using the account heavily; stop and say so. */
export const MAX_LOOKUP_PAGES = 25;

export interface LostSubmitQuery {
  /** The body the lost submit sent. */
  body: LumaCreateBody;
  /** Epoch ms: generations created earlier are not this submit's. */
  submittedAfter: number;
  /** Ids of generations whose create answer was received: other attempts' jobs. */
  answered: ReadonlySet<string>;
}

export type Verdict = 'ours' | 'not_ours' | 'undecidable';

const COMPARED_FIELDS = ['prompt', 'aspect_ratio', 'resolution', 'duration'] as const;

/** Whether one listed generation is the one the lost submit made. */
export function judgeGeneration(generation: LumaGeneration, query: LostSubmitQuery): Verdict {
  const id = generation.id;
  if (typeof id === 'string' && query.answered.has(id)) return 'not_ours';
  if (generation.generation_type !== undefined && generation.generation_type !== 'video') return 'not_ours';
  const request = (typeof generation.request === 'object' && generation.request !== null ? generation.request : {}) as Record<string, unknown>;
  const model = request.model ?? generation.model;
  if (model !== undefined && model !== query.body.model) return 'not_ours';
  if (hasKeyframes(request.keyframes)) return 'not_ours';
  let incomplete = model === undefined || typeof id !== 'string' || id.length === 0;
  for (const field of COMPARED_FIELDS) {
    if (request[field] === undefined) incomplete = true;
    else if (request[field] !== query.body[field]) return 'not_ours';
  }
  const createdAt = typeof generation.created_at === 'string' ? Date.parse(generation.created_at) : Number.NaN;
  if (Number.isNaN(createdAt)) return 'undecidable';
  if (createdAt < query.submittedAfter) return 'not_ours';
  return incomplete ? 'undecidable' : 'ours';
}

function hasKeyframes(keyframes: unknown): boolean {
  if (typeof keyframes !== 'object' || keyframes === null) return false;
  return Object.values(keyframes).some((frame) => frame !== null && frame !== undefined);
}

export type ListPage = (offset: number, limit: number) => Promise<LumaAI.GenerationListResponse>;

/** Pages through the account's generations, newest first, until they predate the submit. */
export async function findLostGeneration(listPage: ListPage, query: LostSubmitQuery, engineId: string): Promise<string | null> {
  const ours = new Set<string>();
  let undecidable = 0;
  const seen = new Set<string>();
  let newerThan = Number.POSITIVE_INFINITY;

  for (let page = 0; page < MAX_LOOKUP_PAGES; page++) {
    const answer = await listPage(page * LOOKUP_PAGE_SIZE, LOOKUP_PAGE_SIZE);
    const generations: unknown = answer?.generations;
    if (!Array.isArray(generations)) throw new EngineError('unavailable', `${engineId}: the generation list came without a generations array`);
    let reachedOlder = false;
    for (const generation of generations as LumaGeneration[]) {
      const id = typeof generation?.id === 'string' ? generation.id : undefined;
      // Offsets shift when generations are made while we page: the same one may come twice.
      if (id !== undefined && seen.has(id)) continue;
      if (id !== undefined) seen.add(id);
      const createdAt = typeof generation?.created_at === 'string' ? Date.parse(generation.created_at) : Number.NaN;
      if (!Number.isNaN(createdAt)) {
        // Stopping at the first old page is only sound if the list is newest first; if it is not, say so rather than miss a job.
        if (createdAt > newerThan) throw new EngineError('unavailable', `${engineId}: the generation list is not newest first, so a lost submit cannot be ruled out`);
        newerThan = createdAt;
        if (createdAt < query.submittedAfter) reachedOlder = true;
      }
      const verdict = judgeGeneration(generation ?? {}, query);
      if (verdict === 'ours') ours.add(id!);
      else if (verdict === 'undecidable') undecidable++;
    }
    const more = typeof answer.has_more === 'boolean' ? answer.has_more : generations.length >= LOOKUP_PAGE_SIZE;
    if (reachedOlder || !more || generations.length === 0) return verdictOf(ours, undecidable, engineId);
  }
  throw new EngineError('unavailable', `${engineId}: more than ${MAX_LOOKUP_PAGES * LOOKUP_PAGE_SIZE} generations since the lost submit; cannot tell whether it made one`);
}

function verdictOf(ours: Set<string>, undecidable: number, engineId: string): string | null {
  if (ours.size === 1 && undecidable === 0) return [...ours][0]!;
  if (ours.size === 0 && undecidable === 0) return null;
  const parts = [
    ours.size > 0 ? `${ours.size === 1 ? '1 generation matches' : `${ours.size} generations match`} the lost submit (${[...ours].join(', ')})` : '',
    undecidable > 0 ? `${undecidable} recent generation${undecidable === 1 ? '' : 's'} could not be compared (no request or creation time echoed)` : '',
  ].filter(Boolean);
  throw new EngineError('unavailable', `${engineId}: cannot tell which generation the lost submit made: ${parts.join('; ')}; its money stays held until this is settled`);
}
