/**
 * Renders one animatic card with ffmpeg: writes the title and prompt to hash-named text
 * files, builds the card graph and encodes H.264 (+ AAC when audio was asked for).
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../../media/atomic-file';
import { runFfmpeg } from '../../media/ffmpeg';
import type { GenerationRequest } from '../engine';
import { buildCardFilter, cardLayout, wrapText } from './card';

/** Where Debian, Fedora, Arch, macOS and Windows keep a plain sans font. */
const FONT_CANDIDATES = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf',
  '/usr/share/fonts/TTF/DejaVuSans.ttf',
  '/System/Library/Fonts/Supplemental/Arial.ttf',
  '/Library/Fonts/Arial.ttf',
  'C:\\Windows\\Fonts\\arial.ttf',
];

let font: string | null | undefined;

/** The first font file that exists, or null to let fontconfig choose. */
export function findCardFont(): string | null {
  font ??= FONT_CANDIDATES.find((candidate) => existsSync(candidate)) ?? null;
  return font;
}

export interface RenderCardOptions {
  ffmpeg: string;
  /** Folder for the text files the card reads. */
  textDir: string;
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
  log?: (line: string) => void;
}

export async function renderCard(request: GenerationRequest, outputPath: string, options: RenderCardOptions): Promise<void> {
  const layout = cardLayout(request.width, request.height);
  const title = `${request.shotId} · ${request.kind}`;
  const prompt = wrapText(request.prompt, layout.maxCharsPerLine, layout.maxLines).join('\n').trim() || '(no prompt)';
  await mkdir(options.textDir, { recursive: true });
  const [titleFile, promptFile] = await Promise.all([writeTextFile(options.textDir, title), writeTextFile(options.textDir, prompt)]);

  const graph = buildCardFilter({
    width: request.width,
    height: request.height,
    fps: request.fps,
    durationSeconds: request.durationSeconds,
    kind: request.kind,
    audio: request.audio,
    fontFile: findCardFont(),
    titleFile,
    promptFile,
  });
  const audioArgs = graph.audioLabel ? ['-map', `[${graph.audioLabel}]`, '-c:a', 'aac', '-b:a', '128k', '-ar', '48000'] : [];
  const args = [
    '-y',
    '-filter_complex',
    graph.filterComplex,
    '-map',
    `[${graph.videoLabel}]`,
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'stillimage', '-pix_fmt', 'yuv420p', '-r', String(request.fps)],
    ...audioArgs,
    ...['-t', String(request.durationSeconds), '-movflags', '+faststart', '-f', 'mp4', path.resolve(outputPath)],
  ];
  await runFfmpeg(options.ffmpeg, args, {
    signal: options.signal,
    log: options.log,
    expectedDurationSeconds: request.durationSeconds,
    onProgress: (p) => options.onProgress?.(p.fraction ?? 0),
  });
}

/** Content-addressed, so the file name is plain hex and equal texts share one file. */
async function writeTextFile(dir: string, text: string): Promise<string> {
  const file = path.join(dir, `${createHash('sha256').update(text).digest('hex').slice(0, 24)}.txt`);
  if (!existsSync(file)) await writeFileAtomic(file, text);
  return path.resolve(file);
}
