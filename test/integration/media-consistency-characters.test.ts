/**
 * Character consistency across shots: real contact sheets (ffmpeg through the media
 * worker), the real @google/genai SDK, the loopback generateContent emulator. What is
 * sent per character, how answers become flags and remedies, faults, and the cost.
 */
import { suiteMediaSettings } from '../support/test-media';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeContactSheet } from '../../src/main/media/ai/contact-sheet';
import { characterGroups, checkCharacterConsistency, estimateCharacterCheckMaxCostMicros, type CharacterShot, type CharacterSpec } from '../../src/main/media/consistency/characters';
import { runFfmpeg } from '../../src/main/media/ffmpeg';
import { MediaPool } from '../../src/main/media/worker/pool';
import { GeminiVisionEmulator } from '../emulators/gemini-vision/server';
import { bins, makeClip, nastyTempDir, removeDir } from './media-fixtures';

const KEY = 'AIzaSyCharacterCheck-0123456789abcdefghij';

let dir: string;
let emulator: GeminiVisionEmulator;
let pool: MediaPool;
let referencePng: string;
const sheets: Record<string, string> = {};

const characters = (): CharacterSpec[] => [
  { id: 'mara', description: 'a tall woman in her thirties with short dark hair and a red coat', referenceImagePath: referencePng },
  { id: 'jon', description: 'an old fisherman with a grey beard and a yellow raincoat' },
  { id: 'solo', description: 'a dog that appears once' },
];

const shots = (): CharacterShot[] => [
  { shotId: 's01', characterIds: ['mara'], sheetPath: sheets.s01!, engineId: 'veo-fast' },
  { shotId: 's02', characterIds: ['mara', 'jon'], sheetPath: sheets.s02!, engineId: 'veo-fast' },
  { shotId: 's03', characterIds: ['mara'], sheetPath: sheets.s03!, engineId: 'veo-fast' },
  { shotId: 's04', characterIds: ['jon'], sheetPath: sheets.s04!, engineId: 'runway-gen4' },
  { shotId: 's05', characterIds: ['solo'], sheetPath: sheets.s05!, engineId: 'veo-fast' },
];

const connection = () => ({ apiKey: KEY, baseUrl: emulator.url });

beforeAll(async () => {
  dir = await nastyTempDir('characters');
  emulator = new GeminiVisionEmulator({ apiKey: KEY });
  await emulator.start();
  pool = new MediaPool({ settings: suiteMediaSettings(), size: 2 });
  referencePng = join(dir, 'mara référence.png');
  await runFfmpeg(bins.ffmpeg, ['-y', '-f', 'lavfi', '-i', 'color=c=darkred:size=256x384', '-frames:v', '1', referencePng]);
  const patterns = { s01: 'testsrc2', s02: 'testsrc', s03: 'testsrc2', s04: 'testsrc', s05: 'testsrc2' } as const;
  await Promise.all(
    Object.entries(patterns).map(async ([id, pattern]) => {
      const clip = await makeClip(join(dir, `${id}.mp4`), { width: 256, height: 144, fps: 24, seconds: 1, audio: false, pattern });
      sheets[id] = (await makeContactSheet(pool, clip, join(dir, `${id}.sheet.png`))).path;
    }),
  );
});

afterAll(async () => {
  pool?.close();
  await emulator?.close();
  await removeDir(dir);
});

beforeEach(() => emulator.reset());

describe('comparison groups (pure)', () => {
  it('one group per character seen in two or more shots, split with the first shot in every group', () => {
    const groups = characterGroups(characters(), shots());
    expect(groups.map((g) => [g.character.id, g.shots.map((s) => s.shotId)])).toEqual([
      ['mara', ['s01', 's02', 's03']],
      ['jon', ['s02', 's04']],
    ]);
    const split = characterGroups(characters(), shots(), 2);
    expect(split.map((g) => [g.character.id, g.shots.map((s) => s.shotId)])).toEqual([
      ['mara', ['s01', 's02']],
      ['mara', ['s01', 's03']],
      ['jon', ['s02', 's04']],
    ]);
    expect(() => characterGroups(characters(), shots(), 1)).toThrow(RangeError);
  });
});

describe('character consistency against the emulator', () => {
  it('flags the shot the model names, suggesting the character\'s reference image; a consistent character flags nothing', async () => {
    emulator.when('Character mara', { consistent: false, score: 0.3, reason: 'Her hair is blonde and long in s03.', outliers: ['s03'] });
    emulator.when('Character jon', { consistent: true, score: 0.92, reason: 'Same beard and raincoat.' });
    const before = emulator.invoiceMicros;
    const first = emulator.requests.length;
    const result = await checkCharacterConsistency({ connection: connection(), characters: characters(), shots: shots() });

    expect(emulator.requests.length - first).toBe(2);
    const [maraCall, jonCall] = emulator.requests.slice(first);
    // The reference first, then one sheet per shot, each labelled.
    expect(maraCall!.images.map((image) => `${image.width}x${image.height}`)).toEqual(['256x384', '512x288', '512x288', '512x288']);
    expect(maraCall!.text).toContain('Character mara: a tall woman in her thirties');
    expect(maraCall!.text).toMatch(/Reference image of mara:\nShot s01:\nShot s02:\nShot s03:/);
    expect(Object.keys((maraCall!.generationConfig.responseSchema as { properties: object }).properties)).toEqual(['consistent', 'score', 'reason', 'outliers']);
    expect(jonCall!.images).toHaveLength(2);

    expect(result.comparisons.map((c) => [c.characterId, c.outcome, c.score])).toEqual([
      ['mara', 'inconsistent', 0.3],
      ['jon', 'consistent', 0.92],
    ]);
    expect(result.flags).toEqual([
      {
        shotId: 's03',
        kind: 'character',
        characterId: 'mara',
        reason: 'shot s03: mara looks different than in s01, s02 (score 0.3): Her hair is blonde and long in s03.',
        action: 'regenerate_with_reference',
        suggestion: "regenerate s03 with mara's reference image (mara référence.png) so mara matches the other shots",
      },
    ]);
    expect(result.costMicros).toBeGreaterThan(0);
    expect(result.costMicros).toBe(emulator.invoiceMicros - before);
    expect(result.comparisons.every((c) => c.billing === 'billed' && c.costMicros <= c.maxCostMicros)).toBe(true);
  });

  it('without a reference image: another engine when the odd shot came from one, and a low score counts as inconsistent', async () => {
    // Says "consistent" but scores under the minimum, and names no outlier: every shot but the first is flagged.
    emulator.when('Character jon', { consistent: true, score: 0.35, reason: 'The beard may differ.', outliers: [] });
    const result = await checkCharacterConsistency({ connection: connection(), characters: characters().filter((c) => c.id === 'jon'), shots: shots() });
    expect(result.comparisons[0]?.outcome).toBe('inconsistent');
    expect(result.flags).toHaveLength(1);
    expect(result.flags[0]).toMatchObject({
      shotId: 's04',
      action: 'other_engine',
      suggestion: 'regenerate s04 on veo-fast, which drew jon consistently in s02',
    });
    // Same engine everywhere: regenerate anchored on a frame of a shot where jon looks right.
    const sameEngine = shots().map((shot) => ({ ...shot, engineId: 'veo-fast' }));
    emulator.reset();
    emulator.when('Character jon', { consistent: false, score: 0.1, reason: 'Different man.', outliers: ['s04', 'not-a-shot'] });
    const anchored = await checkCharacterConsistency({ connection: connection(), characters: characters().filter((c) => c.id === 'jon'), shots: sameEngine, minScore: 0.2 });
    expect(anchored.flags.map((flag) => [flag.shotId, flag.action])).toEqual([['s04', 'regenerate_with_reference']]);
    expect(anchored.flags[0]?.suggestion).toMatch(/^regenerate s04 with a frame of s02 \(where jon looks right\) as the reference image/);
  });

  it('a failed comparison is skipped with its reason and flags nothing, the others still run', async () => {
    emulator.setFaults({ rateLimits: 1 });
    emulator.when('Character jon', { consistent: false, score: 0.2, reason: 'Different coat.', outliers: ['s04'] });
    const result = await checkCharacterConsistency({ connection: connection(), characters: characters(), shots: shots() });
    expect(result.comparisons[0]).toMatchObject({ characterId: 'mara', outcome: 'skipped', skippedBecause: 'rate_limited', costMicros: 0 });
    expect(result.comparisons[0]?.detail).toMatch(/^character check skipped: Gemini rate limit or quota reached \(HTTP 429\)/);
    expect(result.flags.map((flag) => flag.shotId)).toEqual(['s04']);

    emulator.setFaults({ malformedAnswers: 2 });
    const before = emulator.invoiceMicros;
    const malformed = await checkCharacterConsistency({ connection: connection(), characters: characters(), shots: shots() });
    expect(malformed.comparisons.map((c) => c.skippedBecause)).toEqual(['bad_answer', 'bad_answer']);
    expect(malformed.flags).toEqual([]);
    // Billed although unusable: the ledger still matches the invoice.
    expect(malformed.costMicros).toBeGreaterThan(0);
    expect(malformed.costMicros).toBe(emulator.invoiceMicros - before);
  });

  it('a refused key skips every comparison and never appears in the result', async () => {
    const wrong = 'AIzaSyNotTheRightKey-abcdefghij0123456789';
    const result = await checkCharacterConsistency({ connection: { apiKey: wrong, baseUrl: emulator.url }, characters: characters(), shots: shots() });
    expect(result.comparisons.map((c) => c.skippedBecause)).toEqual(['auth', 'auth']);
    expect(result.comparisons[0]?.detail).toMatch(/Gemini key refused/);
    expect(result.costMicros).toBe(0);
    expect(JSON.stringify(result)).not.toContain(wrong);
  });

  it('a reference that is not an image skips that character without a call', async () => {
    const notImage = join(dir, 'notes.txt');
    await writeFile(notImage, 'not an image');
    const cast = characters().map((c) => (c.id === 'mara' ? { ...c, referenceImagePath: notImage } : c));
    const first = emulator.requests.length;
    const result = await checkCharacterConsistency({ connection: connection(), characters: cast, shots: shots() });
    expect(result.comparisons[0]).toMatchObject({ characterId: 'mara', outcome: 'skipped', skippedBecause: 'unreadable_image', costMicros: 0 });
    expect(result.comparisons[0]?.detail).toBe('could not read an image for mara: notes.txt is not a PNG, JPEG or WebP image');
    const sent = emulator.requests.slice(first);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.text).toContain('Character jon');
  });

  it('the estimate bounds what the check costs, call by call', async () => {
    const bound = await estimateCharacterCheckMaxCostMicros({ characters: characters(), shots: shots(), maxSheetsPerCall: 2 });
    const before = emulator.invoiceMicros;
    const result = await checkCharacterConsistency({ connection: connection(), characters: characters(), shots: shots(), maxSheetsPerCall: 2 });
    expect(result.comparisons).toHaveLength(3);
    expect(result.costMicros).toBe(emulator.invoiceMicros - before);
    expect(result.costMicros).toBeLessThanOrEqual(bound);
    expect(bound).toBe(result.comparisons.reduce((sum, c) => sum + c.maxCostMicros, 0));
  });
});
