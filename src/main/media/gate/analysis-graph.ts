/**
 * The gate's one analysis pass over a clip: every frame decoded once (decode errors
 * counted), the video through blackdetect, freezedetect and signalstats, the audio
 * through silencedetect and astats; what they find is written to two text files with
 * metadata=print / ametadata=print and both outputs thrown away.
 */
import { chain, filter } from '../filtergraph';
import type { GraphJob } from '../backend/types';
import { DETECTION } from './thresholds';

/** signalstats runs on a frame at most this wide: the means hardly change, the cost drops with the area. */
export const COLOUR_ANALYSIS_WIDTH = 640;

export interface AnalysisFiles {
  video: string;
  /** Null when the clip has no audio stream. */
  audio: string | null;
}

export const VIDEO_SINK = 'gate_video';
export const AUDIO_SINK = 'gate_audio';

export function analysisJob(clip: string, files: AnalysisFiles, expectedSeconds: number): GraphJob {
  const video = chain(
    ['0:v'],
    [
      filter('blackdetect', { d: DETECTION.blackMinSeconds, pic_th: DETECTION.blackPicture, pix_th: DETECTION.blackPixel }),
      filter('freezedetect', { n: DETECTION.freezeNoise, d: DETECTION.freezeMinSeconds }),
      // Only shrinks (min(iw, 640)); -2 keeps the height even for 4:2:0.
      filter('scale', { w: `min(iw,${COLOUR_ANALYSIS_WIDTH})`, h: -2 }),
      filter('format', { pix_fmts: 'yuv420p' }),
      filter('signalstats'),
      filter('metadata', { mode: 'print', file: files.video }),
      filter('format', { pix_fmts: 'yuv420p' }),
    ],
    [VIDEO_SINK],
  );
  const graphs = [video];
  const discard = [VIDEO_SINK];
  if (files.audio !== null) {
    graphs.push(
      chain(
        ['0:a'],
        [
          filter('silencedetect', { n: `${DETECTION.silenceNoiseDb}dB`, d: DETECTION.silenceMinSeconds }),
          filter('astats', { metadata: 1, reset: 0, measure_perchannel: 'none', measure_overall: 'Peak_level' }),
          filter('ametadata', { mode: 'print', file: files.audio }),
          filter('aformat', { sample_fmts: 'fltp' }),
        ],
        [AUDIO_SINK],
      ),
    );
    discard.push(AUDIO_SINK);
  }
  return {
    inputs: [{ path: clip }],
    graph: graphs.join(';'),
    discard,
    output: { path: '', container: 'null' },
    expectedSeconds,
  };
}
