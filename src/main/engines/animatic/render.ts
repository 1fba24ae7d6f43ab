/**
 * Renders one animatic card through the media service: wraps the prompt, picks for each
 * line a font that has all its characters (fonts.ts), writes every run of text to a
 * hash-named file (user text never enters the graph), builds the card graph and encodes
 * H.264 (+ AAC when audio was asked for).
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { isAbortError } from '../../../shared/errors';
import { writeFileAtomic } from '../../media/atomic-file';
import type { GraphJob, MediaOps } from '../../media/backend/types';
import { graphemesOf, hasRtl, isRtlLine, shapeArabic, visualOrder } from '../../media/bidi';
import { chain, filter } from '../../media/filtergraph';
import { chooseFont, installedFonts, scriptOf, splitRuns, type FontFace, type FontRun } from '../../media/fonts';
import type { GenerationRequest } from '../engine';
import { buildCardFilter, cardLayout, wrapText, type CardFont, type CardTextRun } from './card';

export interface RenderCardOptions {
  media: MediaOps;
  /** Folder for the text files the card reads. */
  textDir: string;
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
  log?: (line: string) => void;
  /** Tests: draw with these faces instead of the installed ones. */
  faces?: readonly FontFace[];
  /** Tests: 'builtin' shapes and orders RTL text here even when FFmpeg could; 'off' draws it as typed (what a card looked like before). */
  shaping?: 'auto' | 'builtin' | 'off';
}

export interface CardRenderReport {
  /** Who shaped and ordered right-to-left text: FFmpeg's drawtext (FriBidi/HarfBuzz) or bidi.ts. */
  shaping: 'ffmpeg' | 'builtin';
  /** The families drawing each line (title first), in display order. */
  lines: string[][];
}

export async function renderCard(request: GenerationRequest, outputPath: string, options: RenderCardOptions): Promise<CardRenderReport> {
  const { media, signal } = options;
  const layout = cardLayout(request.width, request.height);
  const faces = options.faces ?? (await installedFonts()).faces;
  const timecodeFont = fontSpec(chooseFont(faces, '0123456789:/.'));
  const shapingOption = await drawtextShaping(media, timecodeFont, signal);
  const ffmpegShapes = (options.shaping ?? 'auto') === 'auto' && shapingOption;

  const title = `${request.shotId} · ${request.kind}`;
  const measure = (g: string) => advanceEm(g) / 0.6;
  const wrapped = wrapText(request.prompt, layout.maxCharsPerLine, layout.maxLines, measure);
  const prompt = wrapped.some((line) => line.trim()) ? wrapped : ['(no prompt)'];
  await mkdir(options.textDir, { recursive: true });

  const report: CardRenderReport = { shaping: ffmpegShapes ? 'ffmpeg' : 'builtin', lines: [] };
  const place = async (line: string, fontsize: number): Promise<CardTextRun[]> => {
    const plan = options.shaping === 'off' ? { runs: splitRuns(faces, line), rtl: false, visual: true } : planLine(faces, line, ffmpegShapes);
    report.lines.push(plan.runs.map((run) => run.face?.family ?? 'fontconfig default'));
    const xs = placeRuns(plan.runs, plan.rtl, fontsize, request.width, layout.margin);
    return Promise.all(
      plan.runs
        .filter((run) => run.text.trim())
        .map(async (run) => ({
          textFile: await writeTextFile(options.textDir, run.text),
          font: fontSpec(run.face),
          x: xs.get(run)!,
          // Already in display order and shaped here: FFmpeg must not reorder it again.
          textShaping: plan.visual && shapingOption ? (0 as const) : undefined,
        })),
    );
  };
  const titleRuns = await place(title, layout.titleSize);
  const body: CardTextRun[][] = [];
  for (const line of prompt) body.push(await place(line, layout.bodySize));

  const graph = buildCardFilter({
    width: request.width,
    height: request.height,
    fps: request.fps,
    durationSeconds: request.durationSeconds,
    kind: request.kind,
    audio: request.audio,
    title: titleRuns,
    body,
    timecodeFont,
  });
  const job: GraphJob = {
    inputs: [],
    graph: graph.filterComplex,
    video: {
      label: graph.videoLabel,
      encoding: { encoder: 'libx264', options: { preset: 'ultrafast', tune: 'stillimage' }, pixelFormat: 'yuv420p', fps: request.fps },
    },
    audio: graph.audioLabel ? { label: graph.audioLabel, encoding: { encoder: 'aac', sampleRate: 48_000, channels: 2, bitrate: 128_000 } } : undefined,
    output: { path: path.resolve(outputPath), container: 'mp4', faststart: true },
    expectedSeconds: request.durationSeconds,
  };
  await media.runGraph(job, { signal, log: options.log, onProgress: (p) => options.onProgress?.(p.fraction) });
  return report;
}

interface LinePlan {
  runs: FontRun[];
  rtl: boolean;
  /** True when the runs hold display-order, presentation-form text made by bidi.ts. */
  visual: boolean;
}

/**
 * A line FFmpeg can shape in one font goes to it as typed. Otherwise (no text_shaping, or
 * the line needs several fonts and so several drawtexts, which FFmpeg would order and
 * shape each alone) the line is shaped and put in display order here, then cut into runs.
 */
export function planLine(faces: readonly FontFace[], line: string, ffmpegShapes: boolean): LinePlan {
  const rtl = isRtlLine(line);
  if (!hasRtl(line)) return { runs: splitRuns(faces, line), rtl, visual: false };
  const shaped = shapeArabic(line);
  // FFmpeg draws its presentation forms from the same face: it must have them too.
  const face = ffmpegShapes ? chooseFont(faces, line + shaped) : null;
  if (face) return { runs: [{ text: line, face }], rtl, visual: false };
  return { runs: splitRuns(faces, visualOrder(shaped)), rtl, visual: true };
}

/** Approximate advance of a grapheme in em, erring wide so that runs never overlap. */
export function advanceEm(grapheme: string): number {
  if (grapheme === ' ') return 0.32;
  const script = scriptOf(grapheme);
  if (script === 'Emoji') return 1.25;
  if (script === 'Han' || script === 'Hangul' || script === 'Kana' || /[\u3000-\u303f\uff00-\uffef]/.test(grapheme)) return 1;
  return 0.6;
}

/** x of each run: one run sits on the margin (the right one for RTL); several follow each other by estimated width. */
function placeRuns(runs: readonly FontRun[], rtl: boolean, fontsize: number, width: number, margin: number): Map<FontRun, number | 'right'> {
  const xs = new Map<FontRun, number | 'right'>();
  if (runs.length === 1) return xs.set(runs[0]!, rtl ? 'right' : margin);
  const widths = runs.map((run) => Math.ceil(graphemesOf(run.text).reduce((sum, g) => sum + advanceEm(g), 0) * fontsize));
  const total = widths.reduce((a, b) => a + b, 0);
  let x = rtl ? Math.max(margin, width - margin - total) : margin;
  runs.forEach((run, i) => {
    xs.set(run, x);
    x += widths[i]!;
  });
  return xs;
}

/**
 * Face 0 of a file by path; another face of a collection (.ttc) by its family, which
 * drawtext hands to fontconfig as a plain family name (not a pattern).
 */
function fontSpec(face: FontFace | null): CardFont {
  if (!face) return { font: 'Sans' };
  return face.index === 0 ? { fontfile: face.file } : { font: face.family };
}

const shapingByBackend = new Map<string, Promise<boolean>>();

/**
 * Whether this FFmpeg's drawtext shapes and orders text itself (`text_shaping`, built with
 * FriBidi): asked once per backend and version by drawing one letter with the option set.
 */
export async function drawtextShaping(media: MediaOps, font: CardFont, signal?: AbortSignal): Promise<boolean> {
  const info = await media.info({ signal });
  if (!info.filters.includes('drawtext')) throw new Error(`this FFmpeg (${info.name} ${info.version}) has no drawtext filter (built without libfreetype): animatic cards cannot be drawn`);
  const key = `${info.name} ${info.version} ${info.origin}`;
  let known = shapingByBackend.get(key);
  if (!known) {
    const graph = chain([], [filter('color', { size: '16x16', rate: 1, duration: 1 }), filter('drawtext', { ...font, text: 'a', text_shaping: 1 })], ['probe']);
    known = media
      .runGraph({ inputs: [], graph, discard: ['probe'], output: { path: '-', container: 'null' }, expectedSeconds: 1 }, { signal })
      .then(() => true)
      .catch((error: unknown) => {
        if (isAbortError(error) || signal?.aborted) throw error;
        return false;
      });
    shapingByBackend.set(key, known);
    known.catch(() => shapingByBackend.delete(key));
  }
  return known;
}

/** Content-addressed, so the file name is plain hex and equal texts share one file. */
async function writeTextFile(dir: string, text: string): Promise<string> {
  const file = path.join(dir, `${createHash('sha256').update(text).digest('hex').slice(0, 24)}.txt`);
  if (!existsSync(file)) await writeFileAtomic(file, text);
  return path.resolve(file);
}
