import type LumaAI from 'lumaai';
import { describe, expect, it } from 'vitest';
import { EngineError } from '../../src/shared/errors';
import type { LumaCreateBody } from '../../src/main/engines/luma/create-body';
import { findLostGeneration, judgeGeneration, LOOKUP_PAGE_SIZE, type LostSubmitQuery } from '../../src/main/engines/luma/find-lost-job';
import type { LumaGeneration } from '../../src/main/engines/luma/poll-result';

const SENT_AT = Date.parse('2026-11-21T10:00:00.000Z');
const BODY: LumaCreateBody = { model: 'ray-2', prompt: 'A lighthouse at dusk', aspect_ratio: '16:9', resolution: '720p', duration: '5s' };
const query = (answered: string[] = []): LostSubmitQuery => ({ body: BODY, submittedAfter: SENT_AT, answered: new Set(answered) });

function generation(id: string, secondsAfter: number, request: Record<string, unknown> = {}): LumaGeneration {
  return {
    id,
    generation_type: 'video',
    state: 'dreaming',
    model: 'ray-2',
    created_at: new Date(SENT_AT + secondsAfter * 1000).toISOString(),
    request: { generation_type: 'video', ...BODY, loop: false, ...request } as LumaGeneration['request'],
  };
}

/** A list endpoint over these generations (given newest first), recording the pages asked for. */
function listing(generations: LumaGeneration[], asked: number[] = []) {
  return async (offset: number, limit: number): Promise<LumaAI.GenerationListResponse> => {
    asked.push(offset);
    const page = generations.slice(offset, offset + limit);
    return { generations: page, count: page.length, has_more: offset + page.length < generations.length, limit, offset };
  };
}

async function thrown(promise: Promise<unknown>): Promise<EngineError> {
  try {
    await promise;
  } catch (error) {
    return error as EngineError;
  }
  throw new Error('expected a throw');
}

describe('judging one listed generation', () => {
  it('ours only when made after the submit with the same model, prompt, aspect, resolution and duration', () => {
    expect(judgeGeneration(generation('a', 2), query())).toBe('ours');
    expect(judgeGeneration(generation('a', -1), query())).toBe('not_ours');
    expect(judgeGeneration(generation('a', 2, { prompt: 'A lighthouse at dusk ' }), query())).toBe('not_ours');
    expect(judgeGeneration(generation('a', 2, { model: 'ray-flash-2' }), query())).toBe('not_ours');
    expect(judgeGeneration(generation('a', 2, { duration: '9s' }), query())).toBe('not_ours');
    expect(judgeGeneration(generation('a', 2, { resolution: '1080p' }), query())).toBe('not_ours');
    expect(judgeGeneration(generation('a', 2, { aspect_ratio: '9:16' }), query())).toBe('not_ours');
    expect(judgeGeneration(generation('a', 2, { keyframes: { frame0: { type: 'image', url: 'https://x/y.png' } } }), query())).toBe('not_ours');
    expect(judgeGeneration(generation('a', 2), query(['a']))).toBe('not_ours');
  });

  it('undecidable when it cannot be compared: no request echoed, or no creation time', () => {
    expect(judgeGeneration({ ...generation('a', 2), request: undefined }, query())).toBe('undecidable');
    expect(judgeGeneration({ ...generation('a', 2), created_at: 'yesterday' }, query())).toBe('undecidable');
    expect(judgeGeneration({ ...generation('a', 2), request: undefined, created_at: new Date(SENT_AT - 5000).toISOString() }, query())).toBe('not_ours');
  });
});

describe('finding the generation of a lost submit', () => {
  it('exactly one match: its id; pages stop once they reach generations older than the submit', async () => {
    const newest = Array.from({ length: LOOKUP_PAGE_SIZE + 3 }, (_, i) => generation(`other-${i}`, 50 - i, { prompt: `other ${i}` }));
    const asked: number[] = [];
    const all = [...newest.slice(0, 25), generation('mine', 1), generation('old-same', -120), ...Array.from({ length: 40 }, (_, i) => generation(`older-${i}`, -200 - i))];
    expect(await findLostGeneration(listing(all, asked), query(), 'luma-ray-2')).toBe('mine');
    expect(asked).toEqual([0, LOOKUP_PAGE_SIZE]);
  });

  it('no match: null, so the shot may be generated again', async () => {
    expect(await findLostGeneration(listing([generation('x', 3, { prompt: 'another shot' }), generation('old', -10)]), query(), 'luma-ray-2')).toBeNull();
    expect(await findLostGeneration(listing([]), query(), 'luma-ray-2')).toBeNull();
  });

  it('several matches: unavailable, naming them, so the money stays held', async () => {
    const error = await thrown(findLostGeneration(listing([generation('b', 4), generation('a', 2)]), query(), 'luma-ray-2'));
    expect(error).toBeInstanceOf(EngineError);
    expect(error.kind).toBe('unavailable');
    expect(error.message).toContain('2 generations match the lost submit (b, a)');
    expect(error.message).toContain('money stays held');
  });

  it('a generation this process already got an answer for is another attempt, not ambiguity', async () => {
    expect(await findLostGeneration(listing([generation('b', 4), generation('a', 2)]), query(['a']), 'luma-ray-2')).toBe('b');
  });

  it('one match beside a recent generation that cannot be compared: unavailable', async () => {
    const error = await thrown(findLostGeneration(listing([{ ...generation('c', 5), request: undefined }, generation('a', 2)]), query(), 'luma-ray-2'));
    expect(error.kind).toBe('unavailable');
    expect(error.message).toMatch(/1 generation matches .*1 recent generation could not be compared/);
  });

  it('a list that is not newest first is refused rather than trusted to stop early', async () => {
    const error = await thrown(findLostGeneration(listing([generation('old', -300), generation('a', 2)]), query(), 'luma-ray-2'));
    expect(error.message).toContain('not newest first');
  });

  it('an answer without a generations array is unavailable', async () => {
    const error = await thrown(findLostGeneration(async () => ({}) as LumaAI.GenerationListResponse, query(), 'luma-ray-2'));
    expect(error).toMatchObject({ kind: 'unavailable' });
  });
});
