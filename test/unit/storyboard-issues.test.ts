import { describe, expect, it } from 'vitest';
import { editDistance, issuePath, suggestKey, validateStoryboard } from '../../src/shared/storyboard-issues';
import { jsonErrorOffset, lineColumn } from '../../src/main/storyboard/json-syntax';

const shotKeys = ['id', 'kind', 'prompt', 'duration', 'audio', 'characters', 'reference', 'engine', 'chain', 'transition', 'seed'];

describe('issue paths', () => {
  it('writes list indexes in brackets and names the document itself', () => {
    expect(issuePath(['shots', 2, 'duration'])).toBe('shots[2].duration');
    expect(issuePath(['shots', 0, 'transition', 'type'])).toBe('shots[0].transition.type');
    expect(issuePath(['output', 'my key'])).toBe('output["my key"]');
    expect(issuePath([])).toBe('storyboard');
  });
});

describe('key suggestions', () => {
  it('counts edits, with an adjacent swap as one', () => {
    expect(editDistance('promt', 'prompt')).toBe(1);
    expect(editDistance('titel', 'title')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('suggests the key a typo, a case slip or an abbreviation meant', () => {
    expect(suggestKey('promt', shotKeys)).toBe('prompt');
    expect(suggestKey('durration', shotKeys)).toBe('duration');
    expect(suggestKey('Kind', shotKeys)).toBe('kind');
    expect(suggestKey('ref', shotKeys)).toBe('reference');
    expect(suggestKey('charcters', shotKeys)).toBe('characters');
  });

  it('suggests nothing for a key unlike any allowed one', () => {
    expect(suggestKey('wibble', shotKeys)).toBeUndefined();
    expect(suggestKey('x', shotKeys)).toBeUndefined();
  });
});

describe('validateStoryboard', () => {
  it('returns the storyboard with defaults when valid', () => {
    const result = validateStoryboard({ title: 'T', shots: [{ id: 'a', kind: 'insert', prompt: 'p', duration: 2 }] });
    expect(result.ok && result.storyboard.shots[0]?.engine).toBe('auto');
  });

  it('takes hevc as the episode codec and names any other', () => {
    const shots = [{ id: 'a', kind: 'insert', prompt: 'p', duration: 2 }];
    const hevc = validateStoryboard({ title: 'T', output: { codec: 'hevc' }, shots });
    expect(hevc.ok && hevc.storyboard.output.codec).toBe('hevc');
    const av1 = validateStoryboard({ title: 'T', output: { codec: 'av1' }, shots });
    expect(!av1.ok && av1.problems).toEqual(['output.codec: must be one of h264, hevc (got "av1")']);
  });

  it('words checks that the schema leaves to zod and shows the offending value', () => {
    const result = validateStoryboard({
      title: 'T',
      output: { fps: 23.976, aspect: '16/9' },
      budget: { limit: -5 },
      shots: [{ id: 'bad id!', kind: 'insert', prompt: 'p', duration: 2, seed: -1, transition: 'fade' }],
    });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems).toEqual([
      'output.aspect: must be one of 16:9, 9:16, 1:1, 4:3, 3:4, 21:9 (got "16/9")',
      'output.fps: must be a whole number (got 23.976)',
      'budget.limit: must be more than 0 (got -5)',
      'shots[0].id: must be 1-64 letters, digits, "_" or "-", starting with a letter or digit (got "bad id!")',
      'shots[0].transition: expected a mapping (key: value pairs), got string',
      'shots[0].seed: must be at least 0 (got -1)',
    ]);
  });

  it('still finds duplicate ids when another shot has a field of the wrong type', () => {
    const result = validateStoryboard({
      title: 'T',
      shots: [
        { id: 'a', kind: 'insert', prompt: 'p', duration: 'long' },
        { id: 'a', kind: 'insert', prompt: 'q', duration: 2 },
      ],
    });
    expect(!result.ok && result.problems).toEqual([
      'shots[0].duration: expected a number, got string',
      'shots[1].id: duplicate shot id "a" (first used by shots[0])',
    ]);
  });
});

describe('JSON error positions', () => {
  const invalid = ['{"a": 1,}', '{"a": 1', '{a:1}', '{"a": tru}', '[1 2]', '{"a":"x\ny"}', '{"a": "\\q"}', '{"a": 01}', '"x" y', '', '{"a":"\\u12"}'];
  const valid = ['{}', '[]', '{"a": [1, -2.5e3, true, false, null, {"b": "\\u00e9\\n"}]}', ' 42 ', '"s"', '[[], [{}]]'];

  it('finds no error in valid JSON', () => {
    for (const text of valid) {
      expect(() => JSON.parse(text)).not.toThrow();
      expect(jsonErrorOffset(text)).toBe(-1);
    }
  });

  it('finds the error wherever JSON.parse reports one, and an offset where it does not', () => {
    for (const text of invalid) {
      expect(() => JSON.parse(text)).toThrow();
      const offset = jsonErrorOffset(text);
      expect(offset).toBeGreaterThanOrEqual(0);
      const reported = /at position (\d+)/.exec(String((() => { try { JSON.parse(text); } catch (e) { return (e as Error).message; } })()));
      if (reported) expect(offset).toBe(Number(reported[1]));
    }
  });

  it('gives 1-based lines and columns', () => {
    expect(lineColumn('ab\ncd\nef', 0)).toEqual({ line: 1, column: 1 });
    expect(lineColumn('ab\ncd\nef', 4)).toEqual({ line: 2, column: 2 });
    expect(lineColumn('ab\ncd\nef', 8)).toEqual({ line: 3, column: 3 });
  });
});
