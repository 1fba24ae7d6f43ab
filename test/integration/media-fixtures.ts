/** Small generated media for the media and animatic tests (real ffmpeg, a few KB each). */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runFfmpeg } from '../../src/main/media/ffmpeg';

export const bins = { ffmpeg: process.env.FFMPEG_PATH ?? '/usr/bin/ffmpeg', ffprobe: process.env.FFPROBE_PATH ?? '/usr/bin/ffprobe' };

/** A temp folder whose name has spaces, quotes and unicode, as users' folders do. */
export async function nastyTempDir(label: string): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), `shotline ${label} "q" 'a' ünï 🎬 `));
}

export async function removeDir(dir: string | undefined): Promise<void> {
  if (dir) await rm(dir, { recursive: true, force: true });
}

export async function makeClip(
  file: string,
  clip: { width: number; height: number; fps: number; seconds: number; audio: boolean; pattern?: 'testsrc' | 'testsrc2' },
): Promise<string> {
  const size = `${clip.width}x${clip.height}`;
  const video = `${clip.pattern ?? 'testsrc2'}=size=${size}:rate=${clip.fps}:duration=${clip.seconds}`;
  const audio = clip.audio ? ['-f', 'lavfi', '-i', `sine=frequency=330:sample_rate=44100:duration=${clip.seconds}`] : [];
  await runFfmpeg(bins.ffmpeg, [
    '-y',
    ...['-f', 'lavfi', '-i', video],
    ...audio,
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'],
    ...(clip.audio ? ['-c:a', 'aac'] : []),
    file,
  ]);
  return file;
}

export async function sha256File(file: string): Promise<string> {
  return createHash('sha256').update(await readFile(file)).digest('hex');
}
