/**
 * The MP4s the emulated provider hands out: real clips, so that the quality gate (which
 * probes duration, frame size and audio) and the stitcher treat them like any engine's.
 * One ffmpeg run per shape, shared by every job of that shape: encoding a clip per job
 * would make the test measure ffmpeg instead of the pipeline.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface ClipShape {
  durationSeconds: number;
  width: number;
  height: number;
  fps: number;
  audio: boolean;
}

export class ClipCache {
  private readonly clips = new Map<string, Promise<string>>();

  constructor(
    private readonly directory: string,
    private readonly ffmpeg: string = process.env.FFMPEG_PATH ?? 'ffmpeg',
  ) {
    mkdirSync(directory, { recursive: true });
  }

  /** Resolves once no encode is running: a test may then delete the folder (an ffmpeg still writing there would race it). */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.clips.values()]);
  }

  /** The clip for a shape, made on first use; a failed encode is forgotten so the next request tries again. */
  clipFor(shape: ClipShape): Promise<string> {
    const name = shapeName(shape);
    let clip = this.clips.get(name);
    if (!clip) {
      clip = this.encode(shape, join(this.directory, `${name}.mp4`));
      this.clips.set(name, clip);
      clip.catch(() => this.clips.delete(name));
    }
    return clip;
  }

  private async encode(shape: ClipShape, target: string): Promise<string> {
    // Unique per encode: emulators sharing a clip folder (the fleet, consecutive tests) must not write one temp file.
    const temp = `${target}.${process.pid}-${randomBytes(4).toString('hex')}.partial.mp4`;
    const video = ['-f', 'lavfi', '-i', `testsrc2=size=${shape.width}x${shape.height}:rate=${shape.fps}`];
    // A tone rather than silence: a gate that checked for audible sound would still pass.
    const audio = shape.audio ? ['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000'] : [];
    const codecs = shape.audio ? ['-c:a', 'aac', '-b:a', '96k'] : ['-an'];
    try {
      await run(this.ffmpeg, [
        '-hide_banner',
        '-loglevel',
        'error',
        '-y',
        ...video,
        ...audio,
        '-t',
        String(shape.durationSeconds),
        '-c:v',
        'libx264',
        '-preset',
        'ultrafast',
        '-pix_fmt',
        'yuv420p',
        ...codecs,
        '-movflags',
        '+faststart',
        temp,
      ]);
      renameSync(temp, target);
      return target;
    } catch (error) {
      rmSync(temp, { force: true });
      throw error;
    }
  }
}

/** Validated numbers only reach here, so the name is safe as a file name. */
function shapeName(shape: ClipShape): string {
  return `${shape.durationSeconds}s-${shape.width}x${shape.height}-${shape.fps}fps-${shape.audio ? 'tone' : 'silent'}`;
}
