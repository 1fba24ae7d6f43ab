import { copyFile, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHOT_KINDS } from '../../src/shared/domain';
import { UserError } from '../../src/shared/errors';
import { episodeDuration } from '../../src/shared/storyboard';
import { characterReferenceFor, loadStoryboard, parseStoryboardText, referenceFor } from '../../src/main/storyboard/load';

const examples = resolve(__dirname, '../../resources/examples');

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'shotline-storyboard-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

async function rejection(promise: Promise<unknown>): Promise<UserError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof UserError)) throw new Error(`expected a UserError, got ${String(error)}`);
  return error;
}

describe('example storyboards', () => {
  it('quick.yaml is a three-shot 720p preview with one fade and one shot with audio', async () => {
    const loaded = await loadStoryboard(join(examples, 'quick.yaml'));
    const board = loaded.storyboard;
    expect(board.title).toBe('Quick look');
    expect(board.mode).toBe('preview');
    expect(board.output).toEqual({ resolution: '720p', aspect: '16:9', fps: 24, loudness: -16, codec: 'h264' });
    expect(board.shots.map((s) => s.duration)).toEqual([3, 3, 4]);
    expect(new Set(board.shots.map((s) => s.kind)).size).toBe(3);
    expect(board.shots[0]?.transition).toEqual({ type: 'fade', duration: 0.5 });
    expect(board.shots.filter((s) => s.transition).length).toBe(1);
    expect(board.shots.filter((s) => s.audio).length).toBe(1);
    expect(episodeDuration(board)).toBe(9.5);
    // Prompts exercise quoting: colon, double and single quotes, percent signs.
    const prompts = board.shots.map((s) => s.prompt).join('\n');
    for (const mark of [':', '"', "'", '%']) expect(prompts).toContain(mark);
    expect(loaded.sourcePath).toBe(join(examples, 'quick.yaml'));
    expect(loaded.baseDir).toBe(examples);
    expect(loaded.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('pilot.yaml is a 12-shot final episode using every kind, characters and image references', async () => {
    const loaded = await loadStoryboard(join(examples, 'pilot.yaml'));
    const board = loaded.storyboard;
    expect(board.mode).toBe('final');
    expect(board.budget).toEqual({ limit: 25 });
    expect(board.output).toEqual({ resolution: '1080p', aspect: '16:9', fps: 24, loudness: -16, codec: 'h264' });
    expect(board.shots).toHaveLength(12);
    expect(new Set(board.shots.map((s) => s.kind))).toEqual(new Set(SHOT_KINDS));
    expect(board.shots.every((s) => s.duration >= 4 && s.duration <= 8)).toBe(true);
    expect(board.shots.filter((s) => s.audio).length).toBeGreaterThanOrEqual(3);
    const transitions = board.shots.flatMap((s) => (s.transition ? [s.transition] : []));
    expect(new Set(transitions.map((t) => t.type))).toEqual(new Set(['fade', 'dissolve', 'wipeleft']));
    expect(transitions.every((t) => t.duration > 0 && t.duration <= 0.5)).toBe(true);

    expect(board.characters.map((c) => c.id)).toEqual(['mara', 'ilo']);
    for (const character of board.characters) {
      const path = characterReferenceFor(loaded, character);
      expect(path).toBe(join(examples, 'refs', `${character.id}.png`));
    }
    const withReference = board.shots.filter((s) => s.reference);
    expect(withReference.length).toBeGreaterThanOrEqual(2);
    for (const shot of withReference) {
      const path = referenceFor(loaded, shot);
      expect(path && isAbsolute(path)).toBe(true);
      expect(path).toBe(resolve(examples, shot.reference as string));
      expect((await stat(path as string)).isFile()).toBe(true);
    }
    expect(referenceFor(loaded, 's02')).toBeUndefined();
    expect(loaded.references.shots.size).toBe(withReference.length);
  });

  it('ships small PNG reference images', async () => {
    for (const name of ['mara.png', 'ilo.png', 'harbour.png', 'hangar.png']) {
      const bytes = await readFile(join(examples, 'refs', name));
      expect(bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
      expect(bytes.length).toBeLessThan(20 * 1024);
    }
  });
});

describe('loading', () => {
  it('loads from a folder with spaces, quotes and accents, resolving relative and absolute references', async () => {
    const folder = join(scratch, 'my films', "épisode 'one'");
    await mkdir(join(folder, 'refs'), { recursive: true });
    const relativeImage = join(folder, 'refs', 'Mara "M" Quell.png');
    const absoluteImage = join(scratch, 'shared stills', 'höhle.png');
    await mkdir(join(scratch, 'shared stills'), { recursive: true });
    await copyFile(join(examples, 'refs', 'mara.png'), relativeImage);
    await copyFile(join(examples, 'refs', 'hangar.png'), absoluteImage);
    const file = join(folder, 'pilot «v2».yaml');
    await writeFile(
      file,
      [
        'title: "Épisode un — l\'aube"',
        'characters:',
        `  - { id: mara, description: "Pilot", reference: 'refs/Mara "M" Quell.png' }`,
        'shots:',
        '  - id: s01',
        '    kind: closeup',
        '    prompt: "Ünïcödé prompt: 100% \\"quoted\\" — ✈"',
        '    duration: 4',
        '    characters: [mara]',
        `    reference: ${JSON.stringify(absoluteImage)}`,
        '',
      ].join('\n'),
    );

    const loaded = await loadStoryboard(file);
    expect(loaded.sourcePath).toBe(file);
    expect(loaded.baseDir).toBe(folder);
    expect(loaded.storyboard.shots[0]?.prompt).toBe('Ünïcödé prompt: 100% "quoted" — ✈');
    expect(characterReferenceFor(loaded, 'mara')).toBe(relativeImage);
    expect(referenceFor(loaded, 's01')).toBe(absoluteImage);
  });

  it('resolves a relative storyboard path to an absolute source path', async () => {
    const relativePath = relative(process.cwd(), join(examples, 'quick.yaml'));
    expect(isAbsolute(relativePath)).toBe(false);
    const loaded = await loadStoryboard(relativePath);
    expect(loaded.sourcePath).toBe(join(examples, 'quick.yaml'));
  });

  it('hashes the validated storyboard: YAML and JSON spellings with other key order agree', async () => {
    const yaml = await loadStoryboard(join(examples, 'quick.yaml'));
    const json = join(scratch, 'quick.json');
    const reordered = { ...yaml.storyboard, shots: yaml.storyboard.shots.map((s) => Object.fromEntries(Object.entries(s).reverse())) };
    await writeFile(json, JSON.stringify(Object.fromEntries(Object.entries(reordered).reverse()), null, 2));
    const loaded = await loadStoryboard(json);
    expect(loaded.sha256).toBe(yaml.sha256);

    const changed = join(scratch, 'quick-changed.json');
    await writeFile(changed, JSON.stringify({ ...yaml.storyboard, title: 'Quick look 2' }));
    expect((await loadStoryboard(changed)).sha256).not.toBe(yaml.sha256);
  });

  it('sniffs the format when the extension says nothing', async () => {
    const asJson = join(scratch, 'board.txt');
    await writeFile(asJson, '{"title": "Sniffed", "shots": [{"id": "a", "kind": "insert", "prompt": "p", "duration": 2}]}');
    expect((await loadStoryboard(asJson)).storyboard.title).toBe('Sniffed');
    const asYaml = join(scratch, 'board');
    await writeFile(asYaml, 'title: Sniffed YAML\nshots:\n  - { id: a, kind: insert, prompt: p, duration: 2 }\n');
    expect((await loadStoryboard(asYaml)).storyboard.title).toBe('Sniffed YAML');
  });

  it('accepts a UTF-8 byte-order mark and modest use of YAML anchors', async () => {
    const file = join(scratch, 'anchors.yaml');
    await writeFile(
      file,
      '\uFEFFtitle: Anchors\nshots:\n' +
        '  - { id: a, kind: action, prompt: p, duration: 3, transition: &soft { type: dissolve, duration: 0.5 } }\n' +
        '  - { id: b, kind: action, prompt: q, duration: 3, transition: *soft }\n' +
        '  - { id: c, kind: action, prompt: r, duration: 3 }\n',
    );
    const board = (await loadStoryboard(file)).storyboard;
    expect(board.shots[1]?.transition).toEqual({ type: 'dissolve', duration: 0.5 });
  });

  it('fills defaults for omitted fields', async () => {
    const board = parseStoryboardText('title: Minimal\nshots:\n  - { id: a, kind: insert, prompt: p, duration: 2 }\n', 'yaml', 'draft');
    expect(board.output).toEqual({ resolution: '1080p', aspect: '16:9', fps: 24, loudness: -16, codec: 'h264' });
    expect(board.mode).toBe('final');
    expect(board.shots[0]).toMatchObject({ audio: false, characters: [], engine: 'auto' });
  });

  it('rejects a missing storyboard file with its absolute path', async () => {
    const missing = join(scratch, 'nope', 'gone.yaml');
    const error = await rejection(loadStoryboard(missing));
    expect(error.message).toBe(`gone.yaml: file not found: ${missing}`);
    expect(error.problems).toEqual([]);
  });

  it('rejects a folder given as the storyboard', async () => {
    const error = await rejection(loadStoryboard(scratch));
    expect(error.message).toMatch(/: is a folder, not a storyboard file: /);
  });
});

describe('parseStoryboardText', () => {
  it('validates JSON text and names the source in its errors', () => {
    const board = parseStoryboardText('{"title":"T","shots":[{"id":"a","kind":"action","prompt":"p","duration":4}]}', 'json', 'draft.json');
    expect(board.shots[0]?.id).toBe('a');
    let error: unknown;
    try {
      parseStoryboardText('title: T\nshots:\n  - { id: a, kind: action, prompt: p, duration: 0 }\n', 'yaml', 'Untitled draft');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message.split('\n')[0]).toBe('Untitled draft: 1 problem in the storyboard');
    expect((error as UserError).problems).toEqual(['shots[0].duration: must be between 1 and 20 seconds (got 0)']);
  });

  it('does not check reference files (that needs the file system)', () => {
    const board = parseStoryboardText('title: T\nshots:\n  - { id: a, kind: action, prompt: p, duration: 4, reference: nowhere.png }\n', 'yaml', 'draft');
    expect(board.shots[0]?.reference).toBe('nowhere.png');
  });

});
