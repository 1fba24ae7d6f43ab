/**
 * Animatic cards in every script, through the media service (CLI backend). Each check
 * compares the text area of a card with the same card drawn the way it was before fonts
 * were chosen per line (DejaVu Sans only, right-to-left text drawn as typed): if the
 * fallback or the bidi handling went away, the two would be the same picture.
 */
import { suiteMediaSettings } from '../support/test-media';
import { spawnSync } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardLayout } from '../../src/main/engines/animatic/card';
import { renderCard, type RenderCardOptions } from '../../src/main/engines/animatic/render';
import type { GenerationRequest } from '../../src/main/engines/engine';
import { chain, filter } from '../../src/main/media/filtergraph';
import { installedFonts, type FontFace } from '../../src/main/media/fonts';
import { MediaPool } from '../../src/main/media/worker/pool';
import { bins, removeDir } from './media-fixtures';

const WIDTH = 640;
const HEIGHT = 360;
const layout = cardLayout(WIDTH, HEIGHT);
/** The first two prompt lines, full width. */
const REGION = { x: 0, y: layout.bodyTop, w: WIDTH, h: 2 * (layout.bodySize + layout.lineSpacing) };

let pool: MediaPool;
let dir: string;
let faces: FontFace[];
let dejavuOnly: FontFace[];
let count = 0;

beforeAll(async () => {
  pool = new MediaPool({ settings: suiteMediaSettings(), size: 2 });
  dir = await mkdtemp(path.join(os.tmpdir(), 'shotline scripts 🎬 '));
  faces = (await installedFonts()).faces;
  dejavuOnly = faces.filter((face) => face.family === 'DejaVu Sans' && face.weight === 80 && face.slant === 0 && face.width === 100);
  expect(dejavuOnly.length).toBeGreaterThan(0);
});

afterAll(async () => {
  pool?.close();
  await removeDir(dir);
});

const request = (prompt: string, overrides: Partial<GenerationRequest> = {}): GenerationRequest => ({
  shotId: 's01',
  kind: 'dialogue',
  prompt,
  durationSeconds: 1,
  resolution: '480p',
  aspect: '16:9',
  width: WIDTH,
  height: HEIGHT,
  fps: 2,
  audio: false,
  characters: [],
  ...overrides,
});

/** Renders a card and returns its report and the text area's gray pixels. */
async function card(prompt: string, options: Partial<RenderCardOptions> = {}) {
  const n = ++count;
  const clip = path.join(dir, `card-${n}.mp4`);
  const report = await renderCard(request(prompt), clip, { media: pool, textDir: path.join(dir, 'text'), ...options });
  const png = path.join(dir, `region-${n}.png`);
  const graph = chain(['0:v'], [filter('crop', REGION), filter('format', { pix_fmts: 'yuv420p' })], ['v']);
  await pool.runGraph({
    inputs: [{ path: clip }],
    graph,
    video: { label: 'v', encoding: { encoder: 'png', options: {}, pixelFormat: 'rgb24', fps: 1 } },
    output: { path: png, container: 'png' },
    expectedSeconds: 0.5,
  });
  const raw = spawnSync(bins.ffmpeg, ['-v', 'error', '-i', png, '-f', 'rawvideo', '-pix_fmt', 'gray', '-'], { maxBuffer: 16 * 1024 * 1024 });
  expect(raw.status).toBe(0);
  return { report, gray: raw.stdout as Buffer, clip };
}

/** Pixels clearly brighter than the background: the text's ink. */
const ink = (gray: Buffer) => gray.filter((v) => v > 128).length;
/** Share of pixels that differ by more than a quarter of the range. */
const difference = (a: Buffer, b: Buffer) => a.filter((v, i) => Math.abs(v - b[i]!) > 64).length / a.length;
/** Mean x of the ink, 0 (left) .. 1 (right). */
function inkCentre(gray: Buffer): number {
  let sum = 0;
  let n = 0;
  gray.forEach((v, i) => {
    if (v > 128) {
      sum += i % REGION.w;
      n++;
    }
  });
  return sum / n / REGION.w;
}

describe('animatic cards draw every script', () => {
  it.each([
    ['Japanese', '東京の夜、雨が降っている。カメラはゆっくりと近づく。', 'Noto Sans CJK JP'],
    ['Chinese', '夜晚的城市，雨中的街道，镜头缓缓推进。', 'Noto Sans CJK SC'],
    ['Korean', '비 오는 밤의 도시, 카메라가 천천히 다가간다.', 'Noto Sans CJK KR'],
    ['emoji', '🎬🚀🍿🎉🦄🌧️', 'Symbola'],
  ])('%s: a font that has the glyphs, not boxes', async (_name, prompt, family) => {
    const chosen = await card(prompt);
    expect(chosen.report.lines[1]).toEqual([family]);
    const boxes = await card(prompt, { faces: dejavuOnly });
    expect(ink(chosen.gray)).toBeGreaterThan(150);
    // Glyphs and DejaVu's boxes share the ink's place but not its shapes.
    expect(difference(chosen.gray, boxes.gray)).toBeGreaterThan(0.01);
  });

  it.each([
    ['Arabic', 'مرحبا بالعالم، الكاميرا تقترب ببطء 123'],
    ['Hebrew', 'שלום עולם, המצלמה מתקרבת לאט 123'],
  ])('%s: right-aligned, in reading order and shaped', async (_name, prompt) => {
    const auto = await card(prompt);
    const builtin = await card(prompt, { shaping: 'builtin' });
    const asTyped = await card(prompt, { shaping: 'off' });
    expect(auto.report.lines[1]).toHaveLength(1);
    expect(inkCentre(auto.gray)).toBeGreaterThan(0.5);
    // FFmpeg's shaping (FriBidi) and bidi.ts give the same picture; drawing as typed does not.
    expect(difference(auto.gray, builtin.gray)).toBeLessThan(0.004);
    expect(difference(auto.gray, asTyped.gray)).toBeGreaterThan(0.01);
  });

  it('cuts a line that no single font covers into runs, each drawn', async () => {
    const mixed = await card('東京 🎬🚀 雨');
    expect(mixed.report.lines[1]!.length).toBeGreaterThan(1);
    expect(mixed.report.lines[1]).toEqual(expect.arrayContaining(['Noto Sans CJK SC', 'Symbola']));
    const cjkOnly = await card('東京 雨');
    expect(ink(mixed.gray)).toBeGreaterThan(ink(cjkOnly.gray) + 100);
  });

  it('wraps a 600-character prompt of mixed scripts on a small card', async () => {
    const prompt = Array.from({ length: 30 }, (_, i) => ['雨の夜', 'rainy night', 'ночь', '🎬', 'ليلة', 'לילה'][i % 6]).join(' ').padEnd(600, ' 東京');
    expect(prompt.length).toBeGreaterThanOrEqual(600);
    const small = cardLayout(320, 180);
    const clip = path.join(dir, 'long.mp4');
    const report = await renderCard(request(prompt, { width: 320, height: 180 }), clip, { media: pool, textDir: path.join(dir, 'text') });
    expect(report.lines.length).toBe(1 + small.maxLines);
    expect(report.lines.flat()).not.toContain('fontconfig default');
    const probe = await pool.probe(clip);
    expect(probe).toMatchObject({ width: 320, height: 180, videoCodec: 'h264' });
  });
});
