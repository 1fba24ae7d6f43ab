import { describe, expect, it } from 'vitest';
import { planLine } from '../../src/main/engines/animatic/render';
import { isRtlLine, shapeArabic, visualOrder } from '../../src/main/media/bidi';
import { chooseFont, parseCharset, parseFontList, scriptOf, scriptsIn, splitRuns, type FontFace } from '../../src/main/media/fonts';

const face = (family: string, charset: string, extra: Partial<FontFace> = {}): FontFace => ({
  file: `/fonts/${family.replace(/ /g, '')}.ttf`,
  index: 0,
  family,
  style: 'Regular',
  weight: 80,
  slant: 0,
  width: 100,
  ranges: parseCharset(charset),
  ...extra,
});
const LATIN = '20-7e a0-17f';
const dejavu = face('DejaVu Sans', `${LATIN} 370-3ff 400-4ff 590-5ff 600-6ff fe70-fefc 1f600-1f64f`);
const notoSans = face('Noto Sans', `${LATIN} 370-3ff 400-4ff`);
const cjkJp = face('Noto Sans CJK JP', `${LATIN} 3000-30ff 4e00-9fff ac00-d7af`, { file: '/fonts/NotoSansCJK.ttc' });
const cjkSc = face('Noto Sans CJK SC', `${LATIN} 3000-30ff 4e00-9fff ac00-d7af`, { file: '/fonts/NotoSansCJK.ttc', index: 2 });
const cjkKr = face('Noto Sans CJK KR', `${LATIN} 3000-30ff 4e00-9fff ac00-d7af`, { file: '/fonts/NotoSansCJK.ttc', index: 1 });
const arabic = face('Noto Sans Arabic', '20-21 2c-2e 30-3a 600-6ff fe70-fefc');
const hebrew = face('Noto Sans Hebrew', '20 2d 590-5ff');
const symbola = face('Symbola', `${LATIN} 2600-27bf 1f300-1faff`);
const boldNoto = face('Noto Sans', `${LATIN} 370-3ff 400-4ff`, { weight: 200, file: '/fonts/NotoSans-Bold.ttf' });
const ALL = [dejavu, boldNoto, notoSans, cjkJp, cjkSc, cjkKr, arabic, hebrew, symbola];

describe('script detection', () => {
  it('names the script of each grapheme and ignores digits, spaces and punctuation', () => {
    expect(['a', 'é', 'Ω', 'Ж', 'ب', 'ש', 'क', 'ก', '中', '한', 'か', 'カ', '🎬', '👩‍👩‍👧', '🇫🇷', '1', ' ', '!'].map(scriptOf)).toEqual([
      'Latin', 'Latin', 'Greek', 'Cyrillic', 'Arabic', 'Hebrew', 'Devanagari', 'Thai', 'Han', 'Hangul', 'Kana', 'Kana', 'Emoji', 'Emoji', 'Emoji', null, null, null,
    ]);
    expect(scriptsIn('Kenji: 東京へ行く 🎬 123')).toEqual(['Emoji', 'Latin', 'Kana', 'Han']);
  });
});

describe('font choice', () => {
  it('reads fc-list output, leaving out colour and bitmap-only fonts, in a stable order', () => {
    const line = (file: string, family: string, color: string, scalable: string) => [file, '0', family, 'Regular', '80', '0', '100', color, scalable, '20-7e 1f600'].join('\t');
    const faces = parseFontList([line('/b.ttf', 'B', 'False', 'True'), line('/emoji.ttf', 'Noto Color Emoji', 'True', 'True'), line('/bitmap.pcf', 'Fixed', 'False', 'False'), line('/a.ttf', 'A', 'False', 'True'), ''].join('\n'));
    expect(faces.map((f) => f.family)).toEqual(['A', 'B']);
    expect(faces[0]!.ranges).toEqual([[0x20, 0x7e], [0x1f600, 0x1f600]]);
  });

  it('picks per line the preferred regular face that covers every character', () => {
    expect(chooseFont(ALL, 'Hello, world')?.family).toBe('Noto Sans');
    expect(chooseFont(ALL, 'Hello, world')?.weight).toBe(80);
    expect(chooseFont(ALL, '東京へ行く Kenji')?.family).toBe('Noto Sans CJK JP');
    expect(chooseFont(ALL, '夜晚的城市')?.family).toBe('Noto Sans CJK SC');
    expect(chooseFont(ALL, '비 오는 밤')?.family).toBe('Noto Sans CJK KR');
    expect(chooseFont(ALL, 'مرحبا 123')?.family).toBe('Noto Sans Arabic');
    // Noto Sans Hebrew has no digits: the line goes to the face that has them all.
    expect(chooseFont(ALL, 'שלום 123')?.family).toBe('DejaVu Sans');
    expect(chooseFont(ALL, 'שלום')?.family).toBe('Noto Sans Hebrew');
    expect(chooseFont(ALL, '🎬🚀 go')?.family).toBe('Symbola');
    // A joiner or a variation selector never rules a face out.
    expect(chooseFont(ALL, '🌧️👩‍🚀')?.family).toBe('Symbola');
    expect(chooseFont([notoSans], '東京')).toBeNull();
  });

  it('cuts a line no face covers into runs of one face each, dropping invisible characters the face lacks', () => {
    const runs = splitRuns(ALL, '東京 🎬🌧️ 雨');
    expect(runs.map((r) => [r.text, r.face?.family])).toEqual([
      ['東京 ', 'Noto Sans CJK SC'],
      ['🎬🌧 ', 'Symbola'],
      ['雨', 'Noto Sans CJK SC'],
    ]);
    expect(splitRuns(ALL, 'plain')).toEqual([{ text: 'plain', face: notoSans }]);
    expect(splitRuns([], 'no fonts at all')).toEqual([{ text: 'no fonts at all', face: null }]);
  });
});

describe('right-to-left lines', () => {
  it('tells a line by its first strong character', () => {
    expect(isRtlLine('123 שלום')).toBe(true);
    expect(isRtlLine('hello שלום')).toBe(false);
  });

  it('reverses the RTL text but keeps numbers and Latin words in reading order', () => {
    expect(visualOrder('שלום עולם 123')).toBe('123 םלוע םולש');
    expect(visualOrder('אבג ABC דהו')).toBe('והד ABC גבא');
    expect(visualOrder('hello שלום world')).toBe('hello םולש world');
    expect(visualOrder('no rtl here, 42')).toBe('no rtl here, 42');
  });

  it('shapes Arabic letters by their neighbours, with the lam-alef ligature', () => {
    // beh (initial) + alef (final) | beh isolated
    expect(shapeArabic('با ب')).toBe('\ufe91\ufe8e \ufe8f');
    // beh medial between two joiners; dal joins only to the letter before it
    expect(shapeArabic('ببد')).toBe('\ufe91\ufe92\ufeaa');
    // lam + alef: one ligature, final form after a joining letter
    expect(shapeArabic('لا')).toBe('\ufefb');
    expect(shapeArabic('سلام')).toBe('\ufeb3\ufefc\ufee1');
    expect(shapeArabic('abc')).toBe('abc');
  });

  it('leaves a line FFmpeg can shape as typed, and orders it here otherwise', () => {
    expect(planLine(ALL, 'مرحبا 123', true)).toEqual({ runs: [{ text: 'مرحبا 123', face: arabic }], rtl: true, visual: false });
    const own = planLine(ALL, 'مرحبا 123', false);
    expect(own.visual).toBe(true);
    expect(own.runs.map((r) => r.text).join('')).toBe(visualOrder(shapeArabic('مرحبا 123')));
    expect(own.runs[0]!.text.startsWith('123 ')).toBe(true);
  });
});
