/**
 * Pure layout of the animatic's title card: word wrapping and the ffmpeg filter graph.
 * User text never enters the graph: it is read from files (`textfile=`, no expansion),
 * and the file paths themselves are escaped by the filtergraph builder.
 */
import type { ShotKind } from '../../../shared/domain';
import { chain, filter } from '../../media/filtergraph';

/** A calm, distinct background per shot kind, so a scrub through the animatic reads at a glance. */
export const KIND_COLOURS: Record<ShotKind, string> = {
  establishing: '0x1f3b4d',
  dialogue: '0x3d2b4f',
  action: '0x5a1e1e',
  closeup: '0x2e4a2e',
  stylized: '0x4a3a10',
  insert: '0x333333',
};
const FALLBACK_COLOUR = '0x2a2a2a';
const BAR_COLOUR = '0xf2c14e';
const TONE_HZ = 440;
const TONE_VOLUME = 0.1;

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const splitGraphemes = (text: string) => Array.from(graphemes.segment(text), (s) => s.segment);

/**
 * Greedy word wrap by width units: each grapheme (an emoji or accented letter is one)
 * counts `measure(grapheme)` units, 1 unless told (a CJK character is about two Latin
 * ones wide). Words longer than a line are broken; blank lines are kept; control
 * characters are dropped; past `maxLines` the last line ends in an ellipsis.
 */
export function wrapText(text: string, maxCharsPerLine: number, maxLines: number, measure: (grapheme: string) => number = () => 1): string[] {
  const width = Math.max(1, Math.floor(maxCharsPerLine));
  const height = Math.max(1, Math.floor(maxLines));
  const clean = text
    .replace(/\r\n?/g, '\n')
    .replace(/\t/g, ' ')
    .replace(/[\u0000-\u0009\u000b-\u001f\u007f]/g, '');
  const widthOf = (graphemes: readonly string[]) => graphemes.reduce((sum, g) => sum + measure(g), 0);

  const lines: string[] = [];
  for (const paragraph of clean.split('\n')) {
    let line: string[] = [];
    let used = 0;
    const flush = () => {
      lines.push(line.join(''));
      line = [];
      used = 0;
    };
    for (const word of paragraph.split(/ +/).filter(Boolean)) {
      const chars = splitGraphemes(word);
      const space = measure(' ');
      if (line.length && used + space + widthOf(chars) > width) flush();
      if (line.length) {
        line.push(' ');
        used += space;
      }
      for (const char of chars) {
        // A word longer than a line is broken wherever the line is full.
        if (line.length && used + measure(char) > width) flush();
        line.push(char);
        used += measure(char);
      }
    }
    flush();
    if (lines.length > height) break;
  }
  if (lines.length <= height) return lines;
  const kept = lines.slice(0, height);
  const last = splitGraphemes(kept[height - 1] ?? '');
  while (last.length && widthOf(last) + 1 > width) last.pop();
  kept[height - 1] = `${last.join('').trimEnd()}…`;
  return kept;
}

export interface CardLayout {
  margin: number;
  titleSize: number;
  bodySize: number;
  lineSpacing: number;
  bodyTop: number;
  timecodeSize: number;
  barHeight: number;
  maxCharsPerLine: number;
  maxLines: number;
}

/** Sizes in proportion to the frame, so a 320x180 preview and a 4K card look alike. */
export function cardLayout(width: number, height: number): CardLayout {
  const short = Math.min(width, height);
  const margin = Math.max(4, Math.round(short * 0.06));
  const titleSize = Math.max(8, Math.round(short / 14));
  const bodySize = Math.max(6, Math.round(short / 24));
  const lineSpacing = Math.round(bodySize * 0.35);
  const timecodeSize = Math.max(6, Math.round(short / 22));
  const barHeight = Math.max(2, Math.round(short / 60));
  const bodyTop = margin + Math.round(titleSize * 1.6);
  const bodyBottom = height - barHeight - margin - timecodeSize - Math.round(margin / 2);
  // DejaVu Sans averages about 0.55 em per Latin character; 0.6 leaves some slack.
  const maxCharsPerLine = Math.max(1, Math.floor((width - 2 * margin) / (bodySize * 0.6)));
  const maxLines = Math.max(1, Math.floor((bodyBottom - bodyTop) / (bodySize + lineSpacing)));
  return { margin, titleSize, bodySize, lineSpacing, bodyTop, timecodeSize, barHeight, maxCharsPerLine, maxLines };
}

/** How drawtext finds a face: a file (face 0 of it) or a fontconfig pattern (a face inside a .ttc). */
export type CardFont = { fontfile: string } | { font: string };

/** One stretch of a line drawn by one drawtext: its text is read from `textFile`. */
export interface CardTextRun {
  textFile: string;
  font: CardFont;
  /** Pixels from the left edge; 'right' puts the run's right edge on the right margin (RTL lines). */
  x: number | 'right';
  /** 0 when the text is already in display order and shaped (set only if this FFmpeg has the option). */
  textShaping?: 0;
}

export interface CardInput {
  width: number;
  height: number;
  fps: number;
  durationSeconds: number;
  kind: ShotKind;
  audio: boolean;
  /** The title line, then the prompt's lines: each line one or more runs. */
  title: CardTextRun[];
  body: CardTextRun[][];
  /** Font of the timecode (digits only). */
  timecodeFont: CardFont;
}

export interface CardGraph {
  filterComplex: string;
  videoLabel: string;
  audioLabel: string | null;
}

/**
 * Background of the kind's colour; title, prompt (one drawtext per run, so each line has
 * the font that covers it) and a running timecode; a progress bar sliding in from the
 * left (an overlay whose x follows t, since drawbox cannot move).
 */
export function buildCardFilter(input: CardInput): CardGraph {
  const { width, height, fps, durationSeconds: duration } = input;
  const layout = cardLayout(width, height);
  const run = (r: CardTextRun, fontsize: number, y: number, fontcolor: string) =>
    filter('drawtext', {
      ...r.font,
      textfile: r.textFile,
      expansion: 'none',
      text_shaping: r.textShaping,
      fontcolor,
      fontsize,
      x: r.x === 'right' ? `w-${layout.margin}-text_w` : r.x,
      y,
    });
  const lineHeight = layout.bodySize + layout.lineSpacing;

  const card = chain(
    [],
    [
      filter('color', { color: KIND_COLOURS[input.kind] ?? FALLBACK_COLOUR, size: `${width}x${height}`, rate: fps, duration }),
      filter('drawbox', { x: 0, y: height - layout.barHeight, w: width, h: layout.barHeight, color: 'black@0.35', t: 'fill' }),
      ...input.title.map((r) => run(r, layout.titleSize, layout.margin, 'white')),
      ...input.body.flatMap((line, i) => line.map((r) => run(r, layout.bodySize, layout.bodyTop + i * lineHeight, 'white@0.9'))),
      filter('drawtext', {
        ...input.timecodeFont,
        text: `%{pts:hms} / ${hms(duration)}`,
        expansion: 'normal',
        fontsize: layout.timecodeSize,
        x: layout.margin,
        y: height - layout.barHeight - layout.margin / 2 - layout.timecodeSize,
        fontcolor: 'white@0.8',
      }),
    ],
    ['card'],
  );
  const bar = chain([], [filter('color', { color: BAR_COLOUR, size: `${width}x${layout.barHeight}`, rate: fps, duration })], ['bar']);
  const video = chain(
    ['card', 'bar'],
    [
      filter('overlay', { x: `main_w*t/${duration}-overlay_w`, y: 'main_h-overlay_h', eof_action: 'pass' }),
      filter('format', { pix_fmts: 'yuv420p' }),
    ],
    ['v'],
  );
  const parts = [card, bar, video];
  if (input.audio) {
    const fade = Math.min(0.05, duration / 4);
    parts.push(
      chain(
        [],
        [
          filter('sine', { frequency: TONE_HZ, sample_rate: 48_000, duration }),
          filter('volume', { volume: TONE_VOLUME }),
          filter('afade', { type: 'in', duration: fade }),
          filter('afade', { type: 'out', start_time: duration - fade, duration: fade }),
          filter('aformat', { sample_fmts: 'fltp', sample_rates: 48_000, channel_layouts: 'stereo' }),
        ],
        ['a'],
      ),
    );
  }
  return { filterComplex: parts.join(';'), videoLabel: 'v', audioLabel: input.audio ? 'a' : null };
}

/** 5 -> "00:00:05.000", the same shape as drawtext's %{pts:hms}. */
export function hms(seconds: number): string {
  const ms = Math.round(seconds * 1000);
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return `${pad(Math.floor(ms / 3_600_000))}:${pad(Math.floor(ms / 60_000) % 60)}:${pad(Math.floor(ms / 1000) % 60)}.${pad(ms % 1000, 3)}`;
}
