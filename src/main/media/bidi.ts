/**
 * Just enough bidi and Arabic shaping to draw a right-to-left line with an FFmpeg whose
 * drawtext cannot (no `text_shaping`: built without FriBidi), and for lines that must be
 * cut into runs drawn with different fonts, where FFmpeg would shape each run alone and
 * could not order the runs. Not the full Unicode algorithm (UAX #9): one paragraph per
 * line, no explicit embeddings, no mirrored brackets; numbers and Latin words inside a
 * Hebrew or Arabic line keep their left-to-right order, which is what a title card needs.
 */

const graphemeSegmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
export const graphemesOf = (text: string): string[] => Array.from(graphemeSegmenter.segment(text), (s) => s.segment);

type BidiClass = 'L' | 'R' | 'EN' | 'N';

const RTL = /[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]|[\u{10800}-\u{10fff}\u{1e800}-\u{1efff}]/u;

/** The direction class of a grapheme, by its first code point. */
export function bidiClass(grapheme: string): BidiClass {
  if (RTL.test(grapheme)) return 'R';
  if (/^\p{Nd}/u.test(grapheme)) return 'EN';
  if (/^\p{L}|^\p{M}/u.test(grapheme)) return 'L';
  return 'N';
}

/** True when the line's first strong character is Hebrew, Arabic or another RTL script. */
export function isRtlLine(text: string): boolean {
  for (const g of graphemesOf(text)) {
    const c = bidiClass(g);
    if (c === 'R') return true;
    if (c === 'L') return false;
  }
  return false;
}

export function hasRtl(text: string): boolean {
  return RTL.test(text);
}

/**
 * Embedding level of each grapheme (rules W7, N1/N2, I1/I2 of UAX #9, simplified):
 * neutrals between two runs of the same direction take it (digits count as RTL there),
 * other neutrals take the line's direction; digits in an RTL context sit one level above.
 */
export function bidiLevels(graphemes: readonly string[], rtlBase: boolean): number[] {
  const base = rtlBase ? 1 : 0;
  const classes = graphemes.map(bidiClass);
  // W7: digits after a Latin letter (or at the start of an LTR line) are Latin.
  let lastStrong: BidiClass = rtlBase ? 'R' : 'L';
  const resolved = classes.map((c) => {
    if (c === 'L' || c === 'R') lastStrong = c;
    return c === 'EN' && lastStrong === 'L' ? 'L' : c;
  });
  const strongAt = (i: number, step: 1 | -1): BidiClass => {
    for (let j = i; j >= 0 && j < resolved.length; j += step) {
      const c = resolved[j]!;
      if (c === 'L') return 'L';
      if (c === 'R' || c === 'EN') return 'R';
    }
    return rtlBase ? 'R' : 'L';
  };
  return resolved.map((c, i) => {
    let direction: BidiClass = c;
    if (c === 'N') {
      const before = strongAt(i - 1, -1);
      direction = before === strongAt(i + 1, 1) ? before : rtlBase ? 'R' : 'L';
    }
    if (direction === 'EN') return base % 2 === 0 ? base + 2 : base + 1;
    if (direction === 'R') return base % 2 === 0 ? base + 1 : base;
    return base % 2 === 0 ? base : base + 1;
  });
}

/** Rule L2: from the highest level down to the lowest odd one, reverse every run at or above it. */
export function reorderGraphemes<T>(items: readonly T[], levels: readonly number[]): T[] {
  const order = items.map((_, i) => i);
  const max = Math.max(0, ...levels);
  const lowestOdd = Math.min(...levels.filter((l) => l % 2 === 1), max + 1);
  for (let level = max; level >= lowestOdd && level > 0; level--) {
    for (let i = 0; i < order.length; ) {
      if (levels[order[i]!]! < level) {
        i++;
        continue;
      }
      let end = i;
      while (end < order.length && levels[order[end]!]! >= level) end++;
      order.splice(i, end - i, ...order.slice(i, end).reverse());
      i = end;
    }
  }
  return order.map((i) => items[i]!);
}

/** The line as it reads on screen from left to right (graphemes stay whole: a flag or an accented letter is never split). */
export function visualOrder(text: string): string {
  const graphemes = graphemesOf(text);
  return reorderGraphemes(graphemes, bidiLevels(graphemes, isRtlLine(text))).join('');
}

/**
 * Presentation forms B (U+FE80..U+FEFC) of the basic Arabic letters U+0621..U+064A: the
 * first form (isolated), then final, initial, medial. One form: does not join; two forms
 * (alef, dal, reh, waw, ...) join only to the letter before them.
 */
const ARABIC_FORMS: Record<number, [first: number, count: 1 | 2 | 4]> = {};
[
  [0x0621, 0xfe80, 1], [0x0622, 0xfe81, 2], [0x0623, 0xfe83, 2], [0x0624, 0xfe85, 2], [0x0625, 0xfe87, 2],
  [0x0626, 0xfe89, 4], [0x0627, 0xfe8d, 2], [0x0628, 0xfe8f, 4], [0x0629, 0xfe93, 2], [0x062a, 0xfe95, 4],
  [0x062b, 0xfe99, 4], [0x062c, 0xfe9d, 4], [0x062d, 0xfea1, 4], [0x062e, 0xfea5, 4], [0x062f, 0xfea9, 2],
  [0x0630, 0xfeab, 2], [0x0631, 0xfead, 2], [0x0632, 0xfeaf, 2], [0x0633, 0xfeb1, 4], [0x0634, 0xfeb5, 4],
  [0x0635, 0xfeb9, 4], [0x0636, 0xfebd, 4], [0x0637, 0xfec1, 4], [0x0638, 0xfec5, 4], [0x0639, 0xfec9, 4],
  [0x063a, 0xfecd, 4], [0x0641, 0xfed1, 4], [0x0642, 0xfed5, 4], [0x0643, 0xfed9, 4], [0x0644, 0xfedd, 4],
  [0x0645, 0xfee1, 4], [0x0646, 0xfee5, 4], [0x0647, 0xfee9, 4], [0x0648, 0xfeed, 2], [0x0649, 0xfeef, 2],
  [0x064a, 0xfef1, 4],
].forEach(([letter, first, count]) => (ARABIC_FORMS[letter!] = [first!, count as 1 | 2 | 4]));

const TATWEEL = 0x0640;
/** Lam followed by one of these alefs becomes one ligature (isolated form; +1 is the final form). */
const LAM_ALEF: Record<number, number> = { 0x0622: 0xfef5, 0x0623: 0xfef7, 0x0625: 0xfef9, 0x0627: 0xfefb };
/** Harakat and other marks are transparent: the letters on either side still join. */
const isTransparent = (cp: number) => (cp >= 0x064b && cp <= 0x065f) || cp === 0x0670;
const joinsToNext = (cp: number | undefined) => cp === TATWEEL || (cp !== undefined && ARABIC_FORMS[cp]?.[1] === 4);
const joinsToPrevious = (cp: number | undefined) => cp === TATWEEL || (cp !== undefined && (ARABIC_FORMS[cp]?.[1] ?? 1) >= 2);

/** Replaces basic Arabic letters by their contextual presentation forms (logical order in, logical order out). */
export function shapeArabic(text: string): string {
  const cps = Array.from(text, (c) => c.codePointAt(0)!);
  const neighbour = (i: number, step: 1 | -1) => {
    for (let j = i + step; j >= 0 && j < cps.length; j += step) if (!isTransparent(cps[j]!)) return cps[j];
    return undefined;
  };
  const out: number[] = [];
  for (let i = 0; i < cps.length; i++) {
    const cp = cps[i]!;
    const forms = ARABIC_FORMS[cp];
    if (!forms) {
      out.push(cp);
      continue;
    }
    const joinedBefore = joinsToNext(neighbour(i, -1)) && forms[1] >= 2;
    const next = neighbour(i, 1);
    if (cp === 0x0644 && next !== undefined && LAM_ALEF[next] !== undefined) {
      out.push(LAM_ALEF[next]! + (joinedBefore ? 1 : 0));
      // Skip the alef (and keep any marks between them after the ligature).
      const alefAt = cps.indexOf(next, i + 1);
      out.push(...cps.slice(i + 1, alefAt));
      i = alefAt;
      continue;
    }
    const joinedAfter = forms[1] === 4 && joinsToPrevious(next);
    const form = joinedBefore ? (joinedAfter ? 3 : 1) : joinedAfter ? 2 : 0;
    out.push(forms[0] + form);
  }
  return String.fromCodePoint(...out);
}
