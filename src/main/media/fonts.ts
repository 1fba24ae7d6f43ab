/**
 * Which installed font draws which text. FFmpeg's drawtext uses exactly one font file and
 * draws a box for every character it lacks, so the animatic asks fontconfig once for every
 * font and the characters it covers (`fc-list`), then picks per line the best font that
 * covers the whole line, or cuts the line into runs when none does. Colour bitmap fonts
 * (Noto Color Emoji) are left out: drawtext cannot scale them and fails to start.
 */
import { execFile } from 'node:child_process';
import { graphemesOf } from './bidi';

export interface FontFace {
  file: string;
  /** Face index inside a collection (.ttc); drawtext's fontfile= always opens face 0. */
  index: number;
  family: string;
  style: string;
  /** fontconfig weight (80 regular), slant (0 roman) and width (100 normal). */
  weight: number;
  slant: number;
  width: number;
  /** Sorted, inclusive code point ranges. */
  ranges: [number, number][];
}

export type Script = 'Latin' | 'Greek' | 'Cyrillic' | 'Arabic' | 'Hebrew' | 'Devanagari' | 'Thai' | 'Han' | 'Hangul' | 'Kana' | 'Emoji';

/** What the doctor checks, with a sample to test and the Debian package that brings a font for it. */
export const SCRIPTS: { script: Script; sample: string; debianPackage: string }[] = [
  { script: 'Latin', sample: 'Hello', debianPackage: 'fonts-noto-core' },
  { script: 'Greek', sample: 'Καλημέρα', debianPackage: 'fonts-noto-core' },
  { script: 'Cyrillic', sample: 'Привет', debianPackage: 'fonts-noto-core' },
  { script: 'Arabic', sample: 'مرحبا', debianPackage: 'fonts-noto-core' },
  { script: 'Hebrew', sample: 'שלום', debianPackage: 'fonts-noto-core' },
  { script: 'Devanagari', sample: 'नमस्ते', debianPackage: 'fonts-noto-core' },
  { script: 'Thai', sample: 'สวัสดี', debianPackage: 'fonts-noto-core' },
  { script: 'Han', sample: '你好世界', debianPackage: 'fonts-noto-cjk' },
  { script: 'Hangul', sample: '안녕하세요', debianPackage: 'fonts-noto-cjk' },
  { script: 'Kana', sample: 'こんにちは', debianPackage: 'fonts-noto-cjk' },
  { script: 'Emoji', sample: '🎬😀🚀', debianPackage: 'fonts-symbola' },
];

const SCRIPT_TESTS: [Script, RegExp][] = [
  ['Emoji', /\p{Extended_Pictographic}|\p{Regional_Indicator}/u],
  ['Latin', /\p{Script=Latin}/u],
  ['Greek', /\p{Script=Greek}/u],
  ['Cyrillic', /\p{Script=Cyrillic}/u],
  ['Arabic', /\p{Script=Arabic}/u],
  ['Hebrew', /\p{Script=Hebrew}/u],
  ['Devanagari', /\p{Script=Devanagari}/u],
  ['Thai', /\p{Script=Thai}/u],
  ['Kana', /\p{Script=Hiragana}|\p{Script=Katakana}/u],
  ['Hangul', /\p{Script=Hangul}/u],
  ['Han', /\p{Script=Han}/u],
];

/** The script of one grapheme, or null for digits, spaces and punctuation (they go with any font). */
export function scriptOf(grapheme: string): Script | null {
  // Digits and ASCII symbols with an emoji presentation selector (1️⃣, ©️) count as emoji only then.
  if (/^[\d#*]/.test(grapheme) && !grapheme.includes('\u20e3')) return null;
  return SCRIPT_TESTS.find(([, test]) => test.test(grapheme))?.[0] ?? null;
}

export function scriptsIn(text: string): Script[] {
  const found = new Set<Script>();
  for (const g of graphemesOf(text)) {
    const script = scriptOf(g);
    if (script) found.add(script);
  }
  return SCRIPT_TESTS.map(([script]) => script).filter((script) => found.has(script));
}

/** Families to prefer for each script, best first; DejaVu Sans is the last resort for all that it covers. */
const PREFERRED: Record<Script, string[]> = {
  Latin: ['Noto Sans', 'DejaVu Sans'],
  Greek: ['Noto Sans', 'DejaVu Sans'],
  Cyrillic: ['Noto Sans', 'DejaVu Sans'],
  Arabic: ['Noto Sans Arabic', 'Noto Naskh Arabic', 'DejaVu Sans'],
  Hebrew: ['Noto Sans Hebrew', 'DejaVu Sans'],
  Devanagari: ['Noto Sans Devanagari'],
  Thai: ['Noto Sans Thai'],
  Kana: ['Noto Sans CJK JP'],
  Hangul: ['Noto Sans CJK KR'],
  Han: ['Noto Sans CJK SC', 'Noto Sans CJK JP', 'Noto Sans CJK TC'],
  Emoji: ['Symbola', 'Noto Emoji', 'DejaVu Sans'],
};
const GENERAL = ['Noto Sans', 'Noto Sans CJK JP', 'DejaVu Sans'];

/**
 * Characters that draw nothing (joiners, variation selectors, tag characters, BOM). They
 * are never a reason to reject a font, and are dropped from a run whose font lacks them:
 * drawtext would draw the font's box for them.
 */
export const isInvisible = (cp: number) =>
  cp < 0x20 || (cp >= 0x200b && cp <= 0x200f) || (cp >= 0xfe00 && cp <= 0xfe0f) || cp === 0xfeff || (cp >= 0xe0000 && cp <= 0xe007f) || cp === 0x20e3;

export function covers(face: FontFace, cp: number): boolean {
  let low = 0;
  let high = face.ranges.length - 1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    const [from, to] = face.ranges[mid]!;
    if (cp < from) high = mid - 1;
    else if (cp > to) low = mid + 1;
    else return true;
  }
  return false;
}

const visibleCodePoints = (text: string) => Array.from(text, (c) => c.codePointAt(0)!).filter((cp) => !isInvisible(cp) && cp !== 0x20);
export const coversText = (face: FontFace, text: string) => visibleCodePoints(text).every((cp) => covers(face, cp));

/** Lower is better: the scripts' preferred families in order, then regular upright normal-width faces. */
function rank(face: FontFace, preferred: string[]): number {
  const at = preferred.indexOf(face.family);
  const family = at === -1 ? 100 : at;
  const shape = Math.abs(face.weight - 80) + face.slant + Math.abs(face.width - 100) + (face.index === 0 ? 0 : 1);
  return family * 1000 + shape;
}

function preferenceFor(text: string): string[] {
  const scripts = scriptsIn(text);
  // The rarer script decides: a Japanese line with two Latin words wants the CJK font first.
  const order = [...scripts.filter((s) => s !== 'Latin'), ...scripts.filter((s) => s === 'Latin')];
  return [...new Set([...order.flatMap((s) => PREFERRED[s]), ...GENERAL])];
}

/** The best face that covers every visible character of the text, or null when none does. */
export function chooseFont(faces: readonly FontFace[], text: string): FontFace | null {
  const preferred = preferenceFor(text);
  let best: FontFace | null = null;
  for (const face of faces) {
    if (!coversText(face, text)) continue;
    if (!best || rank(face, preferred) < rank(best, preferred)) best = face;
  }
  return best;
}

export interface FontRun {
  text: string;
  face: FontFace | null;
}

/**
 * One run when a face covers the whole text; otherwise graphemes go to the face chosen
 * for them (spaces and digits stay with the run they are in) and neighbours sharing a
 * face are merged. A grapheme no font covers gets the text's general font (a box).
 */
export function splitRuns(faces: readonly FontFace[], text: string): FontRun[] {
  const whole = chooseFont(faces, text);
  if (whole || !text) return [{ text: dropUncovered(whole, text), face: whole }];
  const fallback = chooseFont(faces, 'a') ?? faces[0] ?? null;
  const runs: FontRun[] = [];
  for (const g of graphemesOf(text)) {
    const current = runs[runs.length - 1];
    if (current?.face && coversText(current.face, g)) current.text += g;
    else {
      const face = chooseFont(faces, g) ?? fallback;
      if (current && current.face === face) current.text += g;
      else runs.push({ text: g, face });
    }
  }
  return runs.map((run) => ({ ...run, text: dropUncovered(run.face, run.text) }));
}

function dropUncovered(face: FontFace | null, text: string): string {
  if (!face) return text;
  return Array.from(text)
    .filter((c) => !isInvisible(c.codePointAt(0)!) || covers(face, c.codePointAt(0)!))
    .join('');
}

/** "20-7e a0 ..." as fontconfig prints a charset. */
export function parseCharset(text: string): [number, number][] {
  return text
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .map((part) => {
      const [from, to] = part.split('-').map((hex) => parseInt(hex, 16));
      return [from!, to ?? from!] as [number, number];
    })
    .filter(([from, to]) => Number.isFinite(from) && Number.isFinite(to))
    .sort((a, b) => a[0] - b[0]);
}

const FC_FORMAT = '%{file}\\t%{index}\\t%{family[0]}\\t%{style[0]}\\t%{weight}\\t%{slant}\\t%{width}\\t%{color}\\t%{scalable}\\t%{charset}\\n';

/** Parses `fc-list --format FC_FORMAT`, leaving out colour and bitmap-only fonts. */
export function parseFontList(output: string): FontFace[] {
  const faces: FontFace[] = [];
  for (const line of output.split('\n')) {
    const [file, index, family, style, weight, slant, width, color, scalable, charset] = line.split('\t');
    if (!file || charset === undefined || color === 'True' || scalable === 'False') continue;
    faces.push({
      file,
      index: Number(index) || 0,
      family: family ?? '',
      style: style ?? '',
      weight: Number(weight) || 80,
      slant: Number(slant) || 0,
      width: Number(width) || 100,
      ranges: parseCharset(charset),
    });
  }
  // fc-list's order is the cache's: sort so that the choice never depends on it.
  return faces.sort((a, b) => (a.file === b.file ? a.index - b.index : a.file < b.file ? -1 : 1));
}

const FC_TIMEOUT_MS = 10_000;
let installed: Promise<{ faces: FontFace[]; problem: string | null }> | undefined;

/** Every usable installed face, read once per process; empty (with the reason) without fontconfig. */
export function installedFonts(): Promise<{ faces: FontFace[]; problem: string | null }> {
  return (installed ??= new Promise((resolve) => {
    execFile('fc-list', ['--format', FC_FORMAT], { timeout: FC_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 }, (error, stdout) => {
      if (error) resolve({ faces: [], problem: `fc-list failed (${error.message.split('\n')[0]}); is fontconfig installed?` });
      else resolve({ faces: parseFontList(stdout), problem: null });
    });
  }));
}

/** For the doctor: the face that would draw each script's sample, or null when none covers it. */
export async function scriptCoverage(): Promise<{ script: string; sample: string; font: string | null; debianPackage: string }[]> {
  const { faces } = await installedFonts();
  return SCRIPTS.map(({ script, sample, debianPackage }) => {
    const face = chooseFont(faces, sample);
    return { script, sample, font: face ? `${face.family} ${face.style} (${face.file})` : null, debianPackage };
  });
}
