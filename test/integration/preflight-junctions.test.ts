/**
 * The edge of the junction rule with real ffmpeg: storyboards whose transitions take a
 * shot's whole length validate, and then really stitch to the planned duration. The
 * validator must not accept what ffmpeg cannot do, or the refusal comes after payment.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { episodeDuration, transitionOf, type StoryboardInput } from '../../src/shared/storyboard';
import { validateStoryboard } from '../../src/shared/storyboard-issues';
import { testMedia } from '../support/test-media';
import { expectedEpisodeSeconds, stitchEpisode, type StitchClip } from '../../src/main/media/stitch/index';
import { bins, makeClip, nastyTempDir, removeDir } from './media-fixtures';

let dir: string;
const output = { width: 320, height: 180, fps: 24, loudness: -16 };

beforeAll(async () => {
  dir = await nastyTempDir('junctions');
});
afterAll(() => removeDir(dir));

const edgeCases: Record<string, StoryboardInput['shots']> = {
  'a middle shot that is all transition (0.5 s in, 0.5 s out of 1 s)': [
    { id: 'a', kind: 'action', prompt: 'a', duration: 2, transition: { type: 'fade', duration: 0.5 } },
    { id: 'b', kind: 'action', prompt: 'b', duration: 1, transition: { type: 'dissolve', duration: 0.5 } },
    { id: 'c', kind: 'action', prompt: 'c', duration: 2 },
  ],
  'a first shot that fades out over its whole length': [
    { id: 'a', kind: 'action', prompt: 'a', duration: 1, transition: { type: 'fade', duration: 1 } },
    { id: 'b', kind: 'action', prompt: 'b', duration: 2 },
  ],
  'a last shot that is all fade in': [
    { id: 'a', kind: 'action', prompt: 'a', duration: 2, transition: { type: 'wipeleft', duration: 1 } },
    { id: 'b', kind: 'action', prompt: 'b', duration: 1 },
  ],
};

describe('transitions that exactly fill a shot', () => {
  for (const [name, shots] of Object.entries(edgeCases)) {
    it(`validates and stitches ${name}`, async () => {
      const validation = validateStoryboard({ title: name, shots });
      if (!validation.ok) throw new Error(validation.problems.join('\n'));
      const board = validation.storyboard;

      const clips: StitchClip[] = await Promise.all(
        board.shots.map(async (shot, i) => ({
          path: await makeClip(path.join(dir, `${name.slice(0, 20)} ${shot.id}.mp4`), { width: 320, height: 180, fps: 24, seconds: shot.duration, audio: i % 2 === 0 }),
          durationSeconds: shot.duration,
          hasAudio: i % 2 === 0,
          transitionToNext: i < board.shots.length - 1 ? transitionOf(shot) : { type: 'cut', duration: 0 },
        })),
      );
      const planned = episodeDuration(board);
      expect(expectedEpisodeSeconds(clips)).toBeCloseTo(planned, 6);

      const out = path.join(dir, `${name.slice(0, 20)} episode.mp4`);
      const result = await stitchEpisode(testMedia(), { clips, output }, out);
      const probe = await testMedia().probe(out);
      expect(Math.abs(result.durationSeconds - planned)).toBeLessThanOrEqual(0.1);
      expect(Math.abs(probe.durationSeconds - planned)).toBeLessThanOrEqual(0.1);
    });
  }
});
