/**
 * What both backends add to a job's graph before encoding: AAC takes exactly 1024
 * samples per frame, and FFmpeg does not always re-chunk a complex graph's audio for
 * it (5.1 fails with "more samples than frame size" once a graph has two outputs).
 */
import type { GraphJob } from './types';

export const AAC_FRAME_SAMPLES = 1024;

export function encoderReadyGraph(job: GraphJob): { graph: string; videoLabel: string | undefined; audioLabel: string | undefined } {
  const audio = job.audio;
  if (!audio || audio.encoding.encoder !== 'aac') return { graph: job.graph, videoLabel: job.video?.label, audioLabel: audio?.label };
  const framed = `${audio.label}_aacframes`;
  return {
    graph: `${job.graph};[${audio.label}]asetnsamples=n=${AAC_FRAME_SAMPLES}:p=0[${framed}]`,
    videoLabel: job.video?.label,
    audioLabel: framed,
  };
}
