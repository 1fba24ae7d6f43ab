/**
 * The inline shot editor's pure logic: the form to a storyboard (unknown fields kept), the
 * problems it shows (the CLI's own lines, this shot's first) and the id it suggests.
 */
import { describe, expect, it } from 'vitest';
import { editedShotIndex, formOf, nextShotId, problemsFor, shotFrom, shotProblems, storyboardFolder, withShot } from '../../src/renderer/src/board/editor/shot-edit';
import { LIMITS, type StoryboardInput } from '../../src/shared/storyboard';
import { validateStoryboard } from '../../src/shared/storyboard-issues';

const board = (): StoryboardInput => ({
  title: 'Tidewater: Pilot',
  characters: [{ id: 'mara', description: 'a harbour pilot' }],
  shots: [
    { id: 's01', kind: 'establishing', prompt: 'harbour at dawn', duration: 4, transition: { type: 'fade', duration: 0.5 } },
    { id: 's02', kind: 'dialogue', prompt: 'Mara at the helm', duration: 5, characters: ['mara'] },
    { id: 's03', kind: 'insert', prompt: 'the gauge', duration: 3 },
  ],
});

/** Edits shot `id` of the board with the form changes given; returns the storyboard the editor would save. */
function edit(id: string, changes: Partial<ReturnType<typeof formOf>>, storyboard = board()): StoryboardInput {
  const original = storyboard.shots.find((shot) => shot.id === id);
  return withShot(storyboard, shotFrom({ ...formOf(original, 'x'), ...changes }, original), id);
}

describe('the shot editor: form to storyboard', () => {
  it('an untouched form gives back the storyboard as it was (apart from the explicit sound flag)', () => {
    const storyboard = board();
    const saved = edit('s02', {}, storyboard);
    expect(saved.shots[1]).toEqual({ ...storyboard.shots[1], audio: false });
    expect(validateStoryboard(saved).ok).toBe(true);
  });

  it('keeps fields the form does not show, on the shot and on the storyboard', () => {
    const storyboard = { ...board(), notes: 'kept', chain: 'cheap' } as StoryboardInput & { notes: string };
    storyboard.shots[2] = { ...storyboard.shots[2], chain: 'fast', director: 'ana' } as StoryboardInput['shots'][number];
    const saved = edit('s03', { prompt: 'the gauge, needle trembling' }, storyboard) as StoryboardInput & { notes: string };
    expect(saved.notes).toBe('kept');
    expect(saved.chain).toBe('cheap');
    expect(saved.shots[2]).toMatchObject({ chain: 'fast', director: 'ana', prompt: 'the gauge, needle trembling' });
    // An unknown key is the CLI's problem as much as the editor's: it is kept and reported, not dropped.
    expect(shotProblems(saved, 's03')).toEqual({
      mine: ['shots[2]: unknown key "director" (allowed keys: id, kind, prompt, negative, duration, audio, characters, reference, engine, chain, transition, seed)'],
      others: ['storyboard: unknown key "notes" (allowed keys: title, output, budget, mode, chain, characters, shots)'],
    });
  });

  it('writes numbers as numbers, optional fields only when filled, a cut as no transition', () => {
    const saved = edit('s01', { duration: ' 6 ', seed: '42', negative: 'text, logos', reference: ' refs/harbour.png ', engine: 'runway-gen4.5', transition: 'cut' });
    expect(saved.shots[0]).toEqual({ id: 's01', kind: 'establishing', prompt: 'harbour at dawn', duration: 6, audio: false, seed: 42, negative: 'text, logos', reference: 'refs/harbour.png', engine: 'runway-gen4.5' });
    const cleared = edit('s02', { characters: [], engine: 'auto' });
    expect(cleared.shots[1]).not.toHaveProperty('characters');
    expect(cleared.shots[1]).not.toHaveProperty('engine');
  });

  it('a transition without a length takes the schema default; a file that spells out a cut keeps it', () => {
    expect(edit('s02', { transition: 'dissolve', transitionDuration: '' }).shots[1]?.transition).toEqual({ type: 'dissolve' });
    const spelled = board();
    spelled.shots[1] = { ...spelled.shots[1]!, transition: { type: 'cut' }, engine: 'auto' };
    const saved = edit('s02', {}, spelled);
    expect(saved.shots[1]).toMatchObject({ transition: { type: 'cut' }, engine: 'auto' });
  });

  it('a new shot is appended with the next free id', () => {
    const storyboard = board();
    const id = nextShotId(storyboard);
    expect(id).toBe('s04');
    const saved = withShot(storyboard, shotFrom({ ...formOf(undefined, id), prompt: 'gulls over the pier' }, undefined), null);
    expect(saved.shots.map((shot) => shot.id)).toEqual(['s01', 's02', 's03', 's04']);
    expect(editedShotIndex(saved, null)).toBe(3);
    expect(validateStoryboard(saved).ok).toBe(true);
  });
});

describe('the shot editor: the CLI lines it shows', () => {
  it('a prompt over the limit gives the CLI message with the count', () => {
    const saved = edit('s02', { prompt: 'x'.repeat(LIMITS.promptChars + 1) });
    const { mine, others } = shotProblems(saved, 's02');
    expect(mine).toEqual([`shots[1].prompt: must be at most ${LIMITS.promptChars} characters (got ${LIMITS.promptChars + 1} characters)`]);
    expect(others).toEqual([]);
    // The very lines `shotline check` prints come from the same function.
    expect(mine).toEqual((validateStoryboard(saved) as { problems: string[] }).problems);
  });

  it('a transition type the schema does not know, a duration out of range, a text seed', () => {
    const lines = problemsFor(edit('s01', { transition: 'spin', duration: '30', seed: 'lucky' }), 's01');
    expect(lines).toContain('shots[0].duration: must be between 1 and 20 seconds (got 30)');
    expect(lines).toContain('shots[0].seed: expected a number, got string');
    expect(lines.find((line) => line.startsWith('shots[0].transition.type: must be one of cut, fade,'))).toMatch(/\(got "spin"\)$/);
  });

  it('a new shot that repeats an id is told so on its own line', () => {
    const storyboard = board();
    const saved = withShot(storyboard, shotFrom({ ...formOf(undefined, 's02'), prompt: 'again' }, undefined), null);
    const { mine } = shotProblems(saved, 's02', editedShotIndex(saved, null));
    expect(mine).toEqual(['shots[3].id: duplicate shot id "s02" (first used by shots[1])']);
  });

  it("a transition that does not fit is this shot's problem even when reported on the shot before", () => {
    // s01 fades 1.5 s into s02; s02 shortened to 1 s cannot hold it.
    const saved = edit('s02', { duration: '1' }, { ...board(), shots: board().shots.map((shot) => (shot.id === 's01' ? { ...shot, transition: { type: 'fade', duration: 1.5 } } : shot)) });
    const { mine, others } = shotProblems(saved, 's02');
    expect(mine).toEqual(['shots[0].transition.duration: the fade into shot "s02" takes 1.5 s but that shot is only 1 s long']);
    expect(others).toEqual([]);
  });

  it("other shots' problems come after this shot's, and shots[1] does not claim shots[10]", () => {
    const many = { ...board(), shots: Array.from({ length: 11 }, (_, i) => ({ id: `s${i + 1}`, kind: 'insert' as const, prompt: 'p', duration: 3 })) };
    many.shots[10] = { ...many.shots[10]!, duration: 99 };
    const saved = edit('s2', { prompt: '' }, many);
    const { mine, others } = shotProblems(saved, 's2');
    expect(mine).toEqual(['shots[1].prompt: must not be empty']);
    expect(others).toEqual(['shots[10].duration: must be between 1 and 20 seconds (got 99)']);
    expect(problemsFor(saved, 's2')).toEqual([...mine, ...others]);
  });

  it('a valid edit has no problems', () => {
    expect(problemsFor(edit('s03', { prompt: 'the gauge at zero' }), 's03')).toEqual([]);
  });
});

describe('the shot editor: ids and folders', () => {
  it('suggests the id after the highest, as wide as the widest, skipping taken ones', () => {
    expect(nextShotId({ title: 't', shots: [] })).toBe('s01');
    expect(nextShotId({ ...board(), shots: [...board().shots, { id: 's12', kind: 'insert', prompt: 'p', duration: 2 }] })).toBe('s13');
    expect(nextShotId({ ...board(), shots: [{ id: 's099', kind: 'insert', prompt: 'p', duration: 2 }] })).toBe('s100');
    expect(nextShotId({ ...board(), shots: [{ id: 'intro', kind: 'insert', prompt: 'p', duration: 2 }] })).toBe('s01');
  });

  it("names the storyboard's folder for relative references", () => {
    expect(storyboardFolder('/home/ana/tide/pilot.yaml')).toBe('/home/ana/tide');
    expect(storyboardFolder('C:\\films\\tide\\pilot.yaml')).toBe('C:\\films\\tide');
  });
});
