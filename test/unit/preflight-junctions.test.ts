/**
 * The junction rule is one function that the storyboard validator and the stitcher both
 * ask: a storyboard that validates must stitch, or every shot is paid for and then wasted.
 */
import { describe, expect, it } from 'vitest';
import { TRANSITION_TYPES, type TransitionType } from '../../src/shared/domain';
import { crowdedClips, junctionOverlap, junctionOverlaps } from '../../src/shared/junctions';
import { transitionOf, type Shot, type StoryboardInput } from '../../src/shared/storyboard';
import { validateStoryboard } from '../../src/shared/storyboard-issues';
import { stitchProblems, type TimelineClip as StitchClip } from '../../src/main/media/stitch/timeline';

const output = { width: 640, height: 360, fps: 24, loudness: -16 };

type ShotSketch = [id: string, duration: number, transition?: { type: TransitionType; duration: number }];

function board(...shots: ShotSketch[]): StoryboardInput {
  return {
    title: 'Junctions',
    shots: shots.map(([id, duration, transition]) => ({ id, kind: 'action', prompt: `shot ${id}`, duration, ...(transition ? { transition } : {}) })),
  };
}

function problemsOf(input: StoryboardInput): string[] {
  const result = validateStoryboard(input);
  return result.ok ? [] : result.problems;
}

/** The clips the stitcher would get for this storyboard, as the pipeline's stitch step builds them. */
function clipsOf(input: StoryboardInput): StitchClip[] {
  return input.shots.map((shot, i) => ({
    path: `/clips/${shot.id}.mp4`,
    durationSeconds: shot.duration,
    hasAudio: false,
    transitionToNext: i < input.shots.length - 1 ? transitionOf(shot as Shot) : { type: 'cut', duration: 0 },
  }));
}

function junctionProblemsOfStitch(input: StoryboardInput): string[] {
  return stitchProblems(clipsOf(input), output).filter((problem) => problem.includes('transitions take'));
}

describe('the junction rule', () => {
  it('counts no overlap for a cut, a zero-length transition, or nothing', () => {
    expect(junctionOverlap(undefined)).toBe(0);
    expect(junctionOverlap({ type: 'cut', duration: 1.5 })).toBe(0);
    expect(junctionOverlap({ type: 'fade', duration: 0 })).toBe(0);
    expect(junctionOverlap({ type: 'fade', duration: 0.75 })).toBe(0.75);
    expect(junctionOverlap({ type: 'fade', duration: Number.NaN })).toBe(0);
  });

  it('has one junction fewer than clips, and ignores the last clip\'s transition', () => {
    const clips = [
      { duration: 3, transitionToNext: { type: 'fade', duration: 0.5 } },
      { duration: 2, transitionToNext: { type: 'cut', duration: 1 } },
      { duration: 2, transitionToNext: { type: 'fade', duration: 5 } },
    ];
    expect(junctionOverlaps(clips)).toEqual([0.5, 0]);
    expect(crowdedClips(clips)).toEqual([]);
  });

  it('lets a clip be taken up entirely by its transitions, but not a hair more', () => {
    const exact = [{ duration: 2, transitionToNext: { type: 'fade', duration: 1 } }, { duration: 1.5, transitionToNext: { type: 'dissolve', duration: 0.5 } }, { duration: 2 }];
    expect(crowdedClips(exact)).toEqual([]);
    // Decimal seconds from YAML: 0.1 + 0.2 is not 0.3 in floating point.
    expect(crowdedClips([{ duration: 1, transitionToNext: { type: 'fade', duration: 0.1 } }, { duration: 0.3, transitionToNext: { type: 'fade', duration: 0.2 } }, { duration: 1 }])).toEqual([]);
    const over = [{ duration: 2, transitionToNext: { type: 'fade', duration: 1.5 } }, { duration: 2, transitionToNext: { type: 'fade', duration: 1.5 } }, { duration: 2 }];
    expect(crowdedClips(over)).toEqual([{ index: 1, duration: 2, incoming: 1.5, outgoing: 1.5, total: 3 }]);
  });

  it('leaves clips with a broken duration to the other checks', () => {
    expect(crowdedClips([{ duration: Number.NaN, transitionToNext: { type: 'fade', duration: 2 } }, { duration: 1 }])).toEqual([{ index: 1, duration: 1, incoming: 2, outgoing: 0, total: 2 }]);
  });
});

describe('the storyboard validator and the stitcher agree', () => {
  it('refuses a 2 s shot with a 1.5 s fade in and a 1.5 s fade out, naming the field, in both', () => {
    const input = board(['s01', 4, { type: 'fade', duration: 1.5 }], ['s02', 3], ['s03', 4, { type: 'fade', duration: 1.5 }], ['s04', 2, { type: 'fade', duration: 1.5 }], ['s05', 4]);
    expect(problemsOf(input)).toEqual(['shots[3].transition.duration: the fades into and out of shot "s04" take 3 s (1.5 s + 1.5 s) but the shot is only 2 s long']);
    expect(junctionProblemsOfStitch(input)).toEqual(['clip 4: transitions take 3 s but the clip is only 2 s long']);
  });

  it('names both kinds when the transitions differ', () => {
    const input = board(['a', 3, { type: 'dissolve', duration: 1 }], ['b', 1.5, { type: 'wipeleft', duration: 1 }], ['c', 3]);
    expect(problemsOf(input)).toEqual(['shots[1].transition.duration: the dissolve into shot "b" and the wipeleft out of it take 2 s (1 s + 1 s) but the shot is only 1.5 s long']);
  });

  it('points at the previous shot when only the transition into a shot is too long', () => {
    const input = board(['a', 4, { type: 'fade', duration: 2 }], ['b', 1.5]);
    expect(problemsOf(input)).toEqual(['shots[0].transition.duration: the fade into shot "b" takes 2 s but that shot is only 1.5 s long']);
    expect(junctionProblemsOfStitch(input)).toEqual(['clip 2: transitions take 2 s but the clip is only 1.5 s long']);
  });

  it('points at the shot itself when only its transition out is too long', () => {
    const input = board(['a', 1.5, { type: 'dissolve', duration: 2 }], ['b', 4]);
    expect(problemsOf(input)).toEqual(['shots[0].transition.duration: the dissolve out of shot "a" takes 2 s but the shot is only 1.5 s long']);
    expect(junctionProblemsOfStitch(input)).toEqual(['clip 1: transitions take 2 s but the clip is only 1.5 s long']);
  });

  it('reports the junction problem alongside unrelated schema problems', () => {
    const input = board(['a', 4, { type: 'fade', duration: 1.5 }], ['b', 2, { type: 'fade', duration: 1.5 }], ['c', 4]);
    (input.shots[2] as { kind: string }).kind = 'explosion';
    expect(problemsOf(input)).toEqual([
      'shots[1].transition.duration: the fades into and out of shot "b" take 3 s (1.5 s + 1.5 s) but the shot is only 2 s long',
      'shots[2].kind: must be one of establishing, dialogue, action, closeup, stylized, insert (got "explosion")',
    ]);
  });

  it('accept and refuse exactly the same storyboards (many random ones)', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    let refused = 0;
    for (let trial = 0; trial < 2000; trial++) {
      const count = 2 + Math.floor(random() * 5);
      const shots: ShotSketch[] = Array.from({ length: count }, (_, i) => {
        const duration = pick([1, 1.5, 2, 2.5, 3, 4]);
        const last = i === count - 1;
        const transition = last ? undefined : { type: pick(TRANSITION_TYPES), duration: pick([0, 0.5, 1, 1.5, 2]) };
        return [`s${i}`, duration, transition];
      });
      const input = board(...shots);
      const validatorSaysNo = problemsOf(input).length > 0;
      const stitcherSaysNo = junctionProblemsOfStitch(input).length > 0;
      expect(validatorSaysNo, JSON.stringify(shots)).toBe(stitcherSaysNo);
      if (validatorSaysNo) refused++;
    }
    // Both outcomes happen often enough for the comparison to mean something.
    expect(refused).toBeGreaterThan(200);
    expect(refused).toBeLessThan(1800);
  });
});
