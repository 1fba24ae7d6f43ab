/** Clips built to pass or to fail each check of the quality gate (real ffmpeg, small and short). */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runFfmpeg } from '../../src/main/media/ffmpeg';
import { bins } from './media-fixtures';

const H264 = ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'];
const SIZE = '320x180';

async function ffmpeg(args: string[]): Promise<void> {
  await runFfmpeg(bins.ffmpeg, ['-y', ...args]);
}

const picture = (seconds: number, size = SIZE, rate = 24) => ['-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=${rate}:duration=${seconds}`];
const tone = (seconds: number) => ['-f', 'lavfi', '-i', `sine=frequency=330:sample_rate=44100:duration=${seconds}`];

export interface GateClips {
  clean: string;
  noAudio: string;
  damaged: string;
  empty: string;
  audioOnly: string;
  garbage: string;
  missing: string;
  portrait: string;
  vfr: string;
  large: string;
  black: string;
  frozen: string;
  silentAudio: string;
  partBlack: string;
}

export async function makeGateClips(dir: string): Promise<GateClips> {
  const at = (name: string) => path.join(dir, name);
  const clips: GateClips = {
    clean: at("clean 'clip' ü.mp4"),
    noAudio: at('no-audio.mp4'),
    damaged: at('damaged.mp4'),
    empty: at('empty.mp4'),
    audioOnly: at('tone.m4a'),
    garbage: at('garbage.mp4'),
    missing: at('missing.mp4'),
    portrait: at('portrait.mp4'),
    vfr: at('vfr.mp4'),
    large: at('large.mp4'),
    black: at('black.mp4'),
    frozen: at('frozen.mp4'),
    silentAudio: at('silent-audio.mp4'),
    partBlack: at('part-black.mp4'),
  };
  const landscape = at('landscape.mp4');
  await Promise.all([
    ffmpeg([...picture(2), ...tone(2), ...H264, '-c:a', 'aac', clips.clean]),
    ffmpeg([...picture(2), ...H264, clips.noAudio]).then(() => damage(clips.noAudio, clips.damaged)),
    writeFile(clips.empty, Buffer.alloc(0)),
    ffmpeg([...tone(1), '-c:a', 'aac', clips.audioOnly]),
    writeFile(clips.garbage, pseudoRandomBytes(4096, 7)),
    // Coded landscape, turned by the container's display matrix (stream copy keeps the tag as a rotation).
    ffmpeg([...picture(2), ...H264, landscape]).then(() => ffmpeg(['-i', landscape, '-c', 'copy', '-metadata:s:v:0', 'rotate=90', clips.portrait])),
    // 30 fps for the first second, then every other frame: 20 fps on average over a 30 fps base.
    ffmpeg([...picture(3, SIZE, 30), '-vf', String.raw`select='lt(n\,30)+not(mod(n\,2))'`, '-fps_mode', 'vfr', ...H264, clips.vfr]),
    ffmpeg([...picture(2, '640x360'), ...H264, clips.large]),
    ffmpeg(['-f', 'lavfi', '-i', `color=c=black:size=${SIZE}:rate=24:duration=2`, ...H264, clips.black]),
    // One picture held for two seconds.
    ffmpeg(['-f', 'lavfi', '-i', `testsrc2=size=${SIZE}:rate=24:duration=0.04,tpad=stop_mode=clone:stop_duration=2`, ...H264, clips.frozen]),
    ffmpeg([...picture(2), '-f', 'lavfi', '-i', 'anullsrc=channel_layout=stereo:sample_rate=44100', '-t', '2', ...H264, '-c:a', 'aac', clips.silentAudio]),
    // 0.6 s of black, then 1.4 s of picture: 30 % black.
    ffmpeg([
      ...['-f', 'lavfi', '-i', `color=c=black:size=${SIZE}:rate=24:duration=0.6`],
      ...picture(1.4),
      ...['-filter_complex', '[0:v][1:v]concat=n=2:v=1:a=0[v]', '-map', '[v]'],
      ...H264,
      clips.partBlack,
    ]),
  ]);
  return clips;
}

/** Overwrites stretches of the media data (not the headers) with noise, as a broken download would. */
async function damage(source: string, target: string): Promise<void> {
  const bytes = await readFile(source);
  const mdat = bytes.indexOf('mdat');
  if (mdat < 0) throw new Error(`no mdat box in ${source}`);
  const noise = pseudoRandomBytes(1500, 11);
  const body = bytes.length - mdat;
  for (const at of [0.2, 0.45, 0.7]) noise.copy(bytes, mdat + Math.floor(body * at), 0, Math.min(noise.length, bytes.length - (mdat + Math.floor(body * at))));
  await writeFile(target, bytes);
}

/** Deterministic noise (a linear congruential generator), so a failure reproduces. */
function pseudoRandomBytes(length: number, seed: number): Buffer {
  const out = Buffer.alloc(length);
  let state = seed >>> 0;
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = state >>> 24;
  }
  return out;
}
