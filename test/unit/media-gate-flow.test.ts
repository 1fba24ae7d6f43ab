import { describe, expect, it } from 'vitest';
import { MediaJobError, NotPlayableError } from '../../src/main/media/backend/errors';
import type { GraphJob, MediaOps, MediaProbe } from '../../src/main/media/backend/types';
import { checkClip } from '../../src/main/media/gate/index';

const probe = { durationSeconds: 2, width: 320, height: 180, codedWidth: 320, codedHeight: 180, rotation: 0, fps: 24, baseFps: 24, variableFrameRate: false, sampleAspectRatio: '1:1', hasAudio: false, videoDurationSeconds: 2, audioDurationSeconds: null } as MediaProbe;
const shot = { durationSeconds: 2, width: 320, height: 180, audio: false };

/** MediaOps whose probe and runGraph answer as told; records the graphs it was given. */
function stub(answers: { probe?: () => Promise<MediaProbe>; runGraph: (job: GraphJob) => Promise<{ decodeErrors: number; firstDecodeError: string | null }> }) {
  const graphs: GraphJob[] = [];
  const media = {
    probe: answers.probe ?? (() => Promise.resolve(probe)),
    runGraph: (job: GraphJob) => {
      graphs.push(job);
      return answers.runGraph(job);
    },
  } as unknown as MediaOps;
  return { media, graphs };
}

const ffmpegFailure = () => new MediaJobError('the media job failed (ffmpeg exit code 1)', 'Input #0, mov\n[h264 @ 0x1] Invalid NAL unit size (1234 > 99).\nError while decoding stream #0:0: Invalid data found when processing input');

describe('checkClip flow', () => {
  it('turns a probe that finds no video into a failed decodes check without analysing', async () => {
    const { media, graphs } = stub({ probe: () => Promise.reject(new NotPlayableError('/c.mp4', 'it holds audio only, no video stream')), runGraph: () => Promise.reject(new Error('not called')) });
    const result = await checkClip(media, '/c.mp4', shot, { strictness: 'final' });
    expect(graphs).toHaveLength(0);
    expect(result.verdict).toMatchObject({ decision: 'retry_same_engine', problems: ['not a playable video: it holds audio only, no video stream'] });
  });

  it('blames the clip when a plain decode fails too, with the first FFmpeg error', async () => {
    const { media, graphs } = stub({ runGraph: () => Promise.reject(ffmpegFailure()) });
    const result = await checkClip(media, '/c.mp4', shot, { strictness: 'preview' });
    expect(graphs).toHaveLength(2);
    expect(graphs[1]!.graph).not.toContain('signalstats');
    expect(result.verdict.checks[0]).toMatchObject({ name: 'decodes', outcome: 'fail', detail: 'FFmpeg could not decode it: [h264 @ 0x1] Invalid NAL unit size (1234 > 99).' });
    expect(result.verdict.decision).toBe('retry_same_engine');
    expect(result.colour).toBeNull();
  });

  it('blames the analysis, not the clip, when a plain decode works', async () => {
    const { media } = stub({ runGraph: (job) => (job.graph.includes('signalstats') ? Promise.reject(ffmpegFailure()) : Promise.resolve({ decodeErrors: 0, firstDecodeError: null })) });
    await expect(checkClip(media, '/c.mp4', shot, { strictness: 'final' })).rejects.toBeInstanceOf(MediaJobError);
  });

  it('never blames the clip for a graph that could not be set up', async () => {
    const setup = new MediaJobError('the filter graph could not be configured', "Invalid argument\nMedia type mismatch between the 'Parsed_aformat_0' filter output pad 0 (audio) and the 'sink_1' filter input pad 0 (video)");
    const { media, graphs } = stub({ runGraph: () => Promise.reject(setup) });
    await expect(checkClip(media, '/c.mp4', shot, { strictness: 'final' })).rejects.toBe(setup);
    expect(graphs).toHaveLength(1);
  });

  it('passes other errors through (a dead worker is not a bad clip)', async () => {
    const { media } = stub({ runGraph: () => Promise.reject(new Error('media worker died')) });
    await expect(checkClip(media, '/c.mp4', shot, { strictness: 'final' })).rejects.toThrow('media worker died');
  });
});
