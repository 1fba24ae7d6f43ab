import { describe, expect, it } from 'vitest';
import { buildCardFilter, cardLayout, hms, KIND_COLOURS, wrapText } from '../../src/main/engines/animatic/card';

describe('wrapText', () => {
  it('wraps on spaces without exceeding the line width', () => {
    expect(wrapText('the quick brown fox jumps over the lazy dog', 10, 10)).toEqual(['the quick', 'brown fox', 'jumps over', 'the lazy', 'dog']);
  });

  it('breaks words longer than a line', () => {
    expect(wrapText('abcdefghijkl xy', 5, 10)).toEqual(['abcde', 'fghij', 'kl xy']);
  });

  it('counts an emoji, a flag or an accented letter as one character and never splits it', () => {
    const lines = wrapText('🎬🎬🎬🇫🇷👩‍👩‍👧e\u0301e\u0301', 3, 10);
    expect(lines).toEqual(['🎬🎬🎬', '🇫🇷👩‍👩‍👧e\u0301', 'e\u0301']);
  });

  it('keeps newlines and blank lines, drops control characters, turns tabs into spaces', () => {
    expect(wrapText('one\r\ntwo\n\nthree\tfour\u0007\u001b', 20, 10)).toEqual(['one', 'two', '', 'three four']);
  });

  it('ends the last allowed line with an ellipsis when the text is too long', () => {
    const lines = wrapText('x'.repeat(4000), 40, 3);
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe(`${'x'.repeat(39)}…`);
    expect(lines.every((line) => [...line].length <= 40)).toBe(true);
    expect(wrapText('a b c d', 1, 1)).toEqual(['…']);
  });

  it('measures wide characters by the width function it is given', () => {
    const wide = (g: string) => (/\p{Script=Han}/u.test(g) ? 2 : 1);
    expect(wrapText('你好世界你好 ab', 6, 10, wide)).toEqual(['你好世', '界你好', 'ab']);
    expect(wrapText('你'.repeat(40), 6, 2, wide)).toEqual(['你你你', '你你…']);
  });

  it('passes text with quotes, backslashes and expansions through unchanged', () => {
    const nasty = `"q" 'a' \\ : %{pts} %%`;
    expect(wrapText(nasty, 100, 5)).toEqual([nasty]);
  });
});

describe('cardLayout', () => {
  it('fits a readable amount of text on small and large frames', () => {
    for (const [w, h] of [[320, 180], [1280, 720], [720, 1280], [3840, 2160]] as const) {
      const layout = cardLayout(w, h);
      expect(layout.maxCharsPerLine).toBeGreaterThanOrEqual(20);
      expect(layout.maxLines).toBeGreaterThanOrEqual(3);
      expect(layout.bodyTop + layout.maxLines * (layout.bodySize + layout.lineSpacing)).toBeLessThan(h - layout.barHeight);
    }
  });
});

describe('buildCardFilter', () => {
  const dejavu = { fontfile: '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf' };
  const base = {
    width: 640,
    height: 360,
    fps: 24,
    durationSeconds: 5,
    kind: 'action' as const,
    audio: false,
    title: [{ textFile: '/work/cards/title.txt', font: dejavu, x: 21 }],
    body: [
      [{ textFile: '/work/cards/line1.txt', font: { font: 'Noto Sans CJK SC' }, x: 21 }],
      [],
      [{ textFile: '/work/cards/line3.txt', font: dejavu, x: 'right' as const }],
      [
        { textFile: '/work/cards/run-a.txt', font: dejavu, x: 21, textShaping: 0 as const },
        { textFile: '/work/cards/run-b.txt', font: dejavu, x: 90, textShaping: 0 as const },
      ],
    ],
    timecodeFont: dejavu,
  };

  it('reads user text only from files, with expansion off, one drawtext per run', () => {
    const graph = buildCardFilter(base);
    for (const name of ['title', 'line1', 'line3', 'run-a', 'run-b']) expect(graph.filterComplex).toContain(`textfile=/work/cards/${name}.txt:expansion=none`);
    expect(graph.filterComplex.match(/drawtext=/g)).toHaveLength(6);
    expect(graph.filterComplex).toContain(`color=color=${KIND_COLOURS.action}:size=640x360:rate=24:duration=5`);
    expect(graph.filterComplex).toContain('overlay=x=main_w*t/5-overlay_w');
    expect(graph).toMatchObject({ videoLabel: 'v', audioLabel: null });
    expect(graph.filterComplex).not.toContain('sine=');
  });

  it('places lines one under the other, right-aligns RTL lines and turns shaping off for display-order runs', () => {
    const graph = buildCardFilter(base);
    const layout = cardLayout(640, 360);
    const lineHeight = layout.bodySize + layout.lineSpacing;
    expect(graph.filterComplex).toContain(`line3.txt:expansion=none:fontcolor=white@0.9:fontsize=${layout.bodySize}:x=w-${layout.margin}-text_w:y=${layout.bodyTop + 2 * lineHeight}`);
    expect(graph.filterComplex).toContain('run-b.txt:expansion=none:text_shaping=0');
    expect(graph.filterComplex).not.toContain('line1.txt:expansion=none:text_shaping');
    // A face inside a font collection is named by its family, escaped like any value.
    expect(graph.filterComplex).toContain(String.raw`drawtext=font=Noto\\\ Sans\\\ CJK\\\ SC:textfile=/work/cards/line1.txt`);
  });

  it('adds a tone only when audio is requested, in the delivery sample format', () => {
    const graph = buildCardFilter({ ...base, audio: true });
    expect(graph.audioLabel).toBe('a');
    expect(graph.filterComplex).toContain('sine=frequency=440:sample_rate=48000:duration=5');
    expect(graph.filterComplex).toContain('aformat=sample_fmts=fltp:sample_rates=48000:channel_layouts=stereo[a]');
  });

  it('gives every kind its own background', () => {
    expect(new Set(Object.values(KIND_COLOURS)).size).toBe(Object.keys(KIND_COLOURS).length);
  });
});

describe('hms', () => {
  it('formats like drawtext %{pts:hms}', () => {
    expect(hms(5)).toBe('00:00:05.000');
    expect(hms(3723.25)).toBe('01:02:03.250');
  });
});
