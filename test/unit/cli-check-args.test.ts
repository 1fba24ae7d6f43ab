import { describe, expect, it } from 'vitest';
import { CheckUsageError, expectationFor, parseCheckArgs, type CheckRequest } from '../../src/main/cli/check-command';
import type { MediaProbe } from '../../src/main/media/backend/types';

const probe = { durationSeconds: 4.96, width: 1920, height: 1080, rotation: 0, sampleAspectRatio: '1:1' } as MediaProbe;

function request(args: string[]): CheckRequest {
  const parsed = parseCheckArgs(args);
  if (parsed === 'help') throw new Error('unexpected help');
  return parsed;
}

describe('parseCheckArgs', () => {
  it('reads every flag', () => {
    expect(request(['clip.mp4', '--prompt', 'a fox', '--duration', '5', '--audio', '--strictness', 'preview', '--json', '--resolution', '1080p', '--aspect', '9:16'])).toEqual({
      clip: 'clip.mp4',
      prompt: 'a fox',
      durationSeconds: 5,
      audio: true,
      strictness: 'preview',
      json: true,
      resolution: 1080,
      aspect: { width: 9, height: 16 },
    });
    expect(request(['c.mp4', '--resolution', '4k']).resolution).toBe(2160);
    expect(request(['c.mp4', '--resolution', '1440p']).resolution).toBe(1440);
    expect(request(['c.mp4'])).toMatchObject({ strictness: 'final', audio: false, json: false });
    expect(parseCheckArgs(['-h'])).toBe('help');
  });

  it('names the flag in every usage error', () => {
    expect(() => parseCheckArgs(['c.mp4', '--duration', 'abc'])).toThrow(CheckUsageError);
    expect(() => parseCheckArgs(['c.mp4', '--duration', 'Infinity'])).toThrow(/^--duration:/);
    expect(() => parseCheckArgs(['c.mp4', '--aspect', '0:9'])).toThrow(/^--aspect:/);
    expect(() => parseCheckArgs(['c.mp4', '--height', '1', '--width', '320'])).toThrow(/^--height: must be a whole number/);
    expect(() => parseCheckArgs(['c.mp4', '--aspect', '16:9', '--height', '180'])).toThrow(/^--height: cannot be combined with --aspect/);
  });
});

describe('expectationFor', () => {
  it('takes what the flags leave out from the clip', () => {
    expect(expectationFor(request(['c.mp4']), probe)).toEqual({ durationSeconds: 4.96, width: 1920, height: 1080, audio: false });
    expect(expectationFor(request(['c.mp4', '--resolution', '720p']), probe)).toMatchObject({ width: 1280, height: 720 });
    expect(expectationFor(request(['c.mp4', '--aspect', '9:16']), probe)).toMatchObject({ width: 1080, height: 1920 });
    expect(expectationFor(request(['c.mp4', '--resolution', '480p', '--aspect', '16:9']), probe)).toMatchObject({ width: 854, height: 480 });
    expect(expectationFor(request(['c.mp4', '--width', '640', '--height', '360', '--duration', '3', '--audio']), probe)).toEqual({ durationSeconds: 3, width: 640, height: 360, audio: true });
  });

  it('still builds an expectation for a file that is not a video', () => {
    expect(expectationFor(request(['c.mp4', '--resolution', '720p']), null)).toMatchObject({ width: 1280, height: 720, durationSeconds: 0 });
  });
});
