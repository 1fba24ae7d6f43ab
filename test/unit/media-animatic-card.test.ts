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
  const base = {
    width: 640,
    height: 360,
    fps: 24,
    durationSeconds: 5,
    kind: 'action' as const,
    audio: false,
    fontFile: '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
    titleFile: '/work/cards/title.txt',
    promptFile: '/work/cards/prompt.txt',
  };

  it('reads user text only from files, with expansion off', () => {
    const graph = buildCardFilter(base);
    expect(graph.filterComplex).toContain('textfile=/work/cards/prompt.txt:expansion=none');
    expect(graph.filterComplex).toContain('textfile=/work/cards/title.txt:expansion=none');
    expect(graph.filterComplex).toContain(`color=color=${KIND_COLOURS.action}:size=640x360:rate=24:duration=5`);
    expect(graph.filterComplex).toContain('overlay=x=main_w*t/5-overlay_w');
    expect(graph).toMatchObject({ videoLabel: 'v', audioLabel: null });
    expect(graph.filterComplex).not.toContain('sine=');
  });

  it('adds a tone only when audio is requested', () => {
    const graph = buildCardFilter({ ...base, audio: true });
    expect(graph.audioLabel).toBe('a');
    expect(graph.filterComplex).toContain('sine=frequency=440:sample_rate=48000:duration=5');
  });

  it('falls back to fontconfig when no font file is known', () => {
    const graph = buildCardFilter({ ...base, fontFile: null });
    expect(graph.filterComplex).toContain('drawtext=font=Sans:');
    expect(graph.filterComplex).not.toContain('fontfile=');
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
