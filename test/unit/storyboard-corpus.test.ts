/**
 * The bad-storyboard corpus: every file under test/fixtures/storyboards/bad/ must be
 * rejected with a UserError whose problem lines are exactly the ones below. Huge and
 * binary files are generated here instead of being committed.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/shared/errors';
import { loadStoryboard } from '../../src/main/storyboard/load';

const bad = resolve(__dirname, '../fixtures/storyboards/bad');
const KINDS = 'establishing, dialogue, action, closeup, stylized, insert';

interface Expectation {
  /** The first line of the error message. */
  summary: string;
  problems: string[];
}

const corpus: Record<string, Expectation> = {
  'wrong-types.yaml': {
    summary: '5 problems in the storyboard',
    problems: [
      'title: expected a string, got number',
      'output.fps: expected a number, got string',
      'shots[0].duration: expected a number, got string',
      'shots[0].audio: expected true or false, got string',
      'shots[0].characters: expected a list, got string',
    ],
  },
  'wrong-types.json': {
    summary: '4 problems in the storyboard',
    problems: [
      'mode: must be one of preview, final (got true)',
      'shots[0].prompt: expected a string, got a list',
      'shots[0].duration: expected a number, got null',
      'shots[1]: expected a mapping (key: value pairs), got string',
    ],
  },
  'negative-duration.yaml': {
    summary: '1 problem in the storyboard',
    problems: ['shots[0].duration: must be between 1 and 20 seconds (got -3)'],
  },
  'huge-duration.yaml': {
    summary: '1 problem in the storyboard',
    problems: ['shots[1].duration: must be between 1 and 20 seconds (got 3600)'],
  },
  'unknown-kind.yaml': {
    summary: '1 problem in the storyboard',
    problems: [`shots[3].kind: must be one of ${KINDS} (got "explosion")`],
  },
  'missing-reference.yaml': {
    summary: '3 problems in the storyboard',
    problems: [
      `characters[0].reference: file not found: ${join(bad, 'refs', 'mara-missing.png')}`,
      `shots[0].reference: file not found: ${join(bad, 'refs', 'no such file.png')}`,
      `shots[1].reference: a folder, not an image: ${join(bad, 'refs')}`,
    ],
  },
  'duplicate-ids.yaml': {
    summary: '1 problem in the storyboard',
    problems: ['shots[2].id: duplicate shot id "s01" (first used by shots[0])'],
  },
  'shots-empty.yaml': { summary: '1 problem in the storyboard', problems: ['shots: must contain at least one shot'] },
  'shots-missing.yaml': { summary: '1 problem in the storyboard', problems: ['shots: required'] },
  'missing-title.yaml': { summary: '1 problem in the storyboard', problems: ['title: required'] },
  'broken.yaml': { summary: 'not valid YAML', problems: ['line 5, column 1: Sequence item without - indicator'] },
  'broken.json': { summary: 'not valid JSON', problems: ['line 4, column 74: Expected double-quoted property name'] },
  'broken-literal.json': { summary: 'not valid JSON', problems: ["line 4, column 83: Unexpected token 'y'"] },
  'unknown-top-level-key.yaml': {
    summary: '2 problems in the storyboard',
    problems: [
      'storyboard: unknown key "titel" (did you mean "title"?)',
      'storyboard: unknown key "colour" (allowed keys: title, output, budget, mode, chain, characters, shots)',
    ],
  },
  'unknown-shot-key.yaml': {
    summary: '3 problems in the storyboard',
    problems: [
      'shots[1]: unknown key "promt" (did you mean "prompt"?)',
      'shots[1]: unknown key "ref" (did you mean "reference"?)',
      'shots[1]: unknown key "wibble" (allowed keys: id, kind, prompt, negative, duration, audio, characters, reference, engine, chain, transition, seed)',
    ],
  },
  'several-errors.yaml': {
    summary: '7 problems in the storyboard',
    problems: [
      'title: required',
      'shots[1].prompt: must not be empty',
      'shots[1].duration: must be between 1 and 20 seconds (got 25)',
      'shots[2].id: duplicate shot id "s01" (first used by shots[0])',
      'shots[2].duration: expected a number, got string',
      `shots[3].kind: must be one of ${KINDS} (got "explosion")`,
      'shots[3].characters[0]: unknown character "ghost" (not in characters)',
    ],
  },
  'transition-too-long.yaml': {
    summary: '2 problems in the storyboard',
    problems: [
      'shots[1].transition.duration: the fade into shot "s02" and the dissolve out of it take 2 s (1.5 s + 0.5 s) but the shot is only 1.5 s long',
      'shots[2].transition: the last shot has no next shot to transition into; remove it or use "cut"',
    ],
  },
  'unknown-character.yaml': {
    summary: '1 problem in the storyboard',
    problems: ['shots[0].characters[1]: unknown character "ilo" (not in characters)'],
  },
  'duplicate-keys.yaml': {
    summary: 'not valid YAML',
    problems: ['line 7, column 5: duplicate key "prompt" (each key may appear once per mapping)'],
  },
  'alias-bomb.yaml': {
    summary: 'not valid YAML',
    problems: ['too many alias expansions (*name): the file expands far beyond its size'],
  },
  'empty.yaml': { summary: 'the storyboard is empty', problems: [] },
  'comments-only.yaml': { summary: 'the storyboard is empty', problems: [] },
  'list-root.yaml': {
    summary: '1 problem in the storyboard',
    problems: ['storyboard: expected a mapping (key: value pairs), got a list'],
  },
};

async function rejection(path: string): Promise<UserError> {
  const error = await loadStoryboard(path).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof UserError)) throw new Error(`${path}: expected a UserError, got ${String(error)}`);
  return error;
}

describe('bad storyboard corpus', () => {
  it('has an expectation for every fixture file', async () => {
    const files = (await readdir(bad, { withFileTypes: true })).filter((f) => f.isFile()).map((f) => f.name);
    expect(files.sort()).toEqual(Object.keys(corpus).sort());
  });

  for (const [file, expected] of Object.entries(corpus)) {
    it(`rejects ${file}`, async () => {
      const error = await rejection(join(bad, file));
      expect(error.message.split('\n')[0]).toBe(`${file}: ${expected.summary}`);
      expect(error.problems).toEqual(expected.problems);
    });
  }
});

describe('generated bad storyboards', () => {
  let scratch: string;
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'shotline-bad-storyboards-'));
  });
  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('rejects a 10 MB prompt with the prompt-length problem, quickly and without echoing it', async () => {
    const prompt = 'x'.repeat(10 * 1024 * 1024);
    for (const [name, text] of [
      ['long-prompt.yaml', `title: Long\nshots:\n  - id: s01\n    kind: action\n    duration: 4\n    prompt: "${prompt}"\n`],
      ['long-prompt.json', JSON.stringify({ title: 'Long', shots: [{ id: 's01', kind: 'action', duration: 4, prompt }] })],
    ] as const) {
      const file = join(scratch, name);
      await writeFile(file, text);
      const started = performance.now();
      const error = await rejection(file);
      expect(performance.now() - started).toBeLessThan(10_000);
      expect(error.problems).toEqual([`shots[0].prompt: must be at most 4000 characters (got ${prompt.length} characters)`]);
      expect(error.message.length).toBeLessThan(500);
    }
  });

  it('refuses a file over the size cap before parsing it', async () => {
    const file = join(scratch, 'enormous.yaml');
    await writeFile(file, Buffer.alloc(33 * 1024 * 1024, 'a'));
    const error = await rejection(file);
    expect(error.message).toBe('enormous.yaml: too large for a storyboard (33.0 MB; the limit is 32 MB)');
  });

  it('refuses binary junk', async () => {
    const junk = randomBytes(4096);
    junk[100] = 0;
    const file = join(scratch, 'junk.yaml');
    await writeFile(file, junk);
    const error = await rejection(file);
    expect(error.message).toBe('junk.yaml: not a text storyboard (binary data)');
    expect(error.problems).toEqual([]);
  });

  it('refuses text that is not UTF-8', async () => {
    const file = join(scratch, 'latin1.yaml');
    await writeFile(file, Buffer.from('title: Café\nshots: []\n', 'latin1'));
    const error = await rejection(file);
    expect(error.message).toBe('latin1.yaml: not a text storyboard (binary data)');
  });

  it('reports JSON truncated mid-document at its last line', async () => {
    const file = join(scratch, 'truncated.json');
    await writeFile(file, '{\n  "title": "Cut off",\n  "shots": [\n    {"id": "s01", "kind": "act');
    const error = await rejection(file);
    expect(error.problems).toEqual(['line 4, column 31: Unterminated string']);
  });

  it('reports a deeply nested JSON bomb as a problem, not a crash', async () => {
    const file = join(scratch, 'nested.json');
    await writeFile(file, '['.repeat(200_000));
    const error = await rejection(file);
    expect(error.problems).toEqual(['line 1, column 200001: Unexpected end of the file']);
  });
});
