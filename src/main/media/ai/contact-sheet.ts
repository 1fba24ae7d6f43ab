/**
 * Keyframe sampling for the AI checks: one PNG "contact sheet" of N frames taken evenly
 * through a clip, each scaled to ~384 px tall, laid out in a grid. One image per clip
 * keeps a scoring call to a single inline part and a predictable token count.
 *
 * Sampling: frame i is the first frame at or after (i + 0.5) * duration / N, so the
 * sheet shows the middle of each quarter (for N = 4), never the first frame (often a
 * fade from black) nor the last. `select` does it with one expression: `selected_n`
 * counts the frames picked so far, so each pick moves the target to the next slot.
 *
 * Layout: a grid `columns` wide (default ceil(sqrt(N)): 2x2 for 4 frames) rather than a
 * strip (Nx1). Gemini bills an image by 258-token tiles whose side follows the image's
 * SHORT edge, so a 4x1 strip of 16:9 frames (2732x384) costs ~22 tiles while the same
 * frames as 2x2 (1366x768) cost ~6. Pass `columns: N` for a strip.
 */
import { mkdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { GraphJob, MediaOps, MediaProbe } from '../backend/types';
import { chain, filter } from '../filtergraph';

export interface ContactSheetLayout {
  /** Frames on the sheet; default 4. */
  frames?: number;
  /** Height of each frame on the sheet in pixels; default 384. */
  frameHeight?: number;
  /** Frames per row; default ceil(sqrt(frames)). */
  columns?: number;
}

export interface ContactSheetGeometry {
  frames: number;
  columns: number;
  rows: number;
  frameWidth: number;
  frameHeight: number;
  /** The whole sheet. */
  width: number;
  height: number;
}

export interface ContactSheet extends ContactSheetGeometry {
  path: string;
  bytes: number;
}

export const DEFAULT_SHEET_FRAMES = 4;
export const DEFAULT_FRAME_HEIGHT = 384;
const MAX_SHEET_FRAMES = 16;

/** Pure: the sheet's size for a clip of the given display size. */
export function contactSheetGeometry(clip: { width: number; height: number }, layout: ContactSheetLayout = {}): ContactSheetGeometry {
  const frames = layout.frames ?? DEFAULT_SHEET_FRAMES;
  if (!Number.isInteger(frames) || frames < 1 || frames > MAX_SHEET_FRAMES) throw new RangeError(`contact sheet frames must be 1..${MAX_SHEET_FRAMES}, got ${frames}`);
  const columns = layout.columns ?? Math.ceil(Math.sqrt(frames));
  if (!Number.isInteger(columns) || columns < 1 || columns > frames) throw new RangeError(`contact sheet columns must be 1..${frames}, got ${columns}`);
  if (!(clip.width > 0) || !(clip.height > 0)) throw new RangeError(`clip size must be positive, got ${clip.width}x${clip.height}`);
  const rows = Math.ceil(frames / columns);
  // Even sizes: some scalers and the yuv path insist; PNG does not care but it costs nothing.
  const frameHeight = even(Math.min(layout.frameHeight ?? DEFAULT_FRAME_HEIGHT, evenFloor(clip.height)));
  const frameWidth = even((clip.width * frameHeight) / clip.height);
  return { frames, columns, rows, frameWidth, frameHeight, width: frameWidth * columns, height: frameHeight * rows };
}

export interface ContactSheetJobInput {
  clipPath: string;
  /** Seconds the clip's video lasts (from a probe). */
  durationSeconds: number;
  geometry: ContactSheetGeometry;
  outputPath: string;
}

/** Pure: the GraphJob that writes the sheet (container 'png': the first frame the graph makes, which is the whole tile). */
export function contactSheetJob(input: ContactSheetJobInput): GraphJob {
  const { geometry } = input;
  if (!(input.durationSeconds > 0)) throw new RangeError(`clip duration must be positive, got ${input.durationSeconds}`);
  const step = input.durationSeconds / geometry.frames;
  const graph = chain(
    ['0:v'],
    [
      filter('select', { expr: `gte(t,(selected_n+0.5)*${formatNumber(step)})` }),
      filter('scale', { w: geometry.frameWidth, h: geometry.frameHeight, flags: 'bicubic' }),
      filter('setsar', { r: 1 }),
      filter('tile', { layout: `${geometry.columns}x${geometry.rows}`, nb_frames: geometry.frames, color: 'black' }),
      filter('format', { pix_fmts: 'rgb24' }),
    ],
    ['sheet'],
  );
  return {
    inputs: [{ path: input.clipPath }],
    graph,
    // The encoding is ignored for 'png' beyond the label; fps is informational.
    video: { label: 'sheet', encoding: { encoder: 'png', options: {}, pixelFormat: 'rgb24', fps: 1 } },
    output: { path: input.outputPath, container: 'png' },
    expectedSeconds: input.durationSeconds,
  };
}

/** Probes the clip, writes its contact sheet to `outputPath` through the media service, and describes it. */
export async function makeContactSheet(
  media: Pick<MediaOps, 'probe' | 'runGraph'>,
  clipPath: string,
  outputPath: string,
  options: ContactSheetLayout & { signal?: AbortSignal; probe?: MediaProbe } = {},
): Promise<ContactSheet> {
  const probe = options.probe ?? (await media.probe(clipPath, { signal: options.signal }));
  const geometry = contactSheetGeometry(probe, options);
  const durationSeconds = probe.videoDurationSeconds ?? probe.durationSeconds;
  await mkdir(path.dirname(outputPath), { recursive: true });
  await media.runGraph(contactSheetJob({ clipPath, durationSeconds, geometry, outputPath }), { signal: options.signal });
  const { size } = await stat(outputPath);
  return { ...geometry, path: outputPath, bytes: size };
}

/** Width and height from a PNG's IHDR chunk, or undefined when the bytes are not a PNG. */
export function pngSize(bytes: Uint8Array): { width: number; height: number } | undefined {
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length < 24 || signature.some((byte, i) => bytes[i] !== byte)) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

/** A PNG file as an inline image part's fields, with its size (for the cost estimate). */
export async function readPngImage(file: string): Promise<{ mimeType: 'image/png'; base64: string; width: number; height: number }> {
  const bytes = await readFile(file);
  const size = pngSize(bytes);
  if (!size) throw new Error(`${file} is not a PNG image`);
  return { mimeType: 'image/png', base64: bytes.toString('base64'), ...size };
}

function even(value: number): number {
  return Math.max(2, Math.round(value / 2) * 2);
}

function evenFloor(value: number): number {
  return Math.max(2, Math.floor(value / 2) * 2);
}

function formatNumber(value: number): string {
  return value.toFixed(6).replace(/0+$/, '').replace(/\.$/, '');
}
