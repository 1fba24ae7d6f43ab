/**
 * The board's pure logic: what a card says, fallbacks read from attempts, the budget
 * figures, the inline editor's storyboard edits with the CLI's messages, and that a
 * progress event touches only its own shot's entry.
 */
import { describe, expect, it } from 'vitest';
import type { AttemptView, ShotView, StudioClient } from '../../src/shared/api';
import { budgetFigures, fallbackLines, shotStatus } from '../../src/renderer/src/board/shot-status';
import { formOf, nextShotId, problemsFor, shotFrom, starterStoryboard, withShot } from '../../src/renderer/src/board/editor/shot-edit';
import { parse } from 'yaml';
import { validateStoryboard } from '../../src/shared/storyboard-issues';
import { createStudioStore } from '../../src/renderer/src/store';
import { exportPathFor } from '../../src/shared/export-path';
import type { StoryboardInput } from '../../src/shared/storyboard';

const attempt = (attemptNo: number, engineId: string, errorKind: AttemptView['errorKind'], errorMessage: string | null = null): AttemptView => ({
  attemptId: `a${attemptNo}`,
  attemptNo,
  runId: 'r1',
  mode: 'final',
  engineId,
  status: errorKind ? 'failed' : 'accepted',
  providerJobId: null,
  errorKind,
  errorMessage,
  estimatedMicros: 0,
  actualMicros: null,
  clipPath: null,
  clipSha256: null,
  gate: null,
});

const shot = (overrides: Partial<ShotView> = {}): ShotView => ({
  shotId: 's01',
  status: 'pending',
  engineId: null,
  failureReason: null,
  attempts: [],
  version: 1,
  approved: false,
  selectedTakeId: null,
  selectedBy: null,
  takes: [],
  ...overrides,
});

describe('shot status', () => {
  it('says what the live events say while the episode runs, and what the record says after', () => {
    expect(shotStatus(undefined, undefined, false)).toEqual({ text: 'Not made yet', tone: 'idle' });
    expect(shotStatus(shot(), { state: 'polling', progress: 0.4, seq: 1 }, true).text).toBe('Generating 40%');
    expect(shotStatus(shot(), { state: 'gating', seq: 2 }, true).text).toBe('In the quality gate');
    expect(shotStatus(shot(), { state: 'waiting_network', seq: 3 }, true)).toEqual({ text: 'Waiting for network', tone: 'waiting' });
    expect(shotStatus(shot({ status: 'failed', failureReason: 'no engine left' }), { state: 'polling', seq: 4 }, false)).toEqual({ text: 'Failed: no engine left', tone: 'bad' });
    expect(shotStatus(shot({ status: 'accepted' }), undefined, false).text).toBe('Accepted');
  });

  it('reads a fallback from a failure followed by another engine, not from same-engine retries or a cancel', () => {
    expect(
      fallbackLines([
        attempt(1, 'runway-gen4.5', 'unavailable', 'HTTP 503'),
        attempt(2, 'runway-gen4.5', 'unavailable', 'HTTP 503 again'),
        attempt(3, 'luma-ray-2', 'cancelled'),
        attempt(4, 'animatic', null),
      ]),
    ).toEqual(['Failed over from runway-gen4.5: HTTP 503 again']);
  });

  it('budget: estimate, reserved, spent and the share of the limit used', () => {
    expect(budgetFigures({ estimatedMicros: 8_000_000, budgetMicros: 25_000_000 }, { spentMicros: 5_000_000, heldMicros: 5_000_000, budgetMicros: 20_000_000 })).toEqual({
      estimateMicros: 8_000_000,
      reservedMicros: 5_000_000,
      spentMicros: 5_000_000,
      limitMicros: 20_000_000,
      used: 0.5,
    });
    expect(budgetFigures(null, null).used).toBeNull();
  });

  it('export paths are named after the title, safely', () => {
    expect(exportPathFor('/data/exports', 'Tide: "Pilot" 1/2', 'export')).toBe('/data/exports/Tide_ _Pilot_ 1_2 (export).mp4');
  });
});

describe('the inline shot editor', () => {
  const board: StoryboardInput = {
    title: 'T',
    characters: [{ id: 'mara', description: 'a pilot' }],
    shots: [
      { id: 's01', kind: 'establishing', prompt: 'harbour', duration: 4, chain: 'cheap' },
      { id: 's02', kind: 'insert', prompt: 'gauge', duration: 3 },
    ],
  };

  it('edits a shot in place keeping the fields the form does not show, and appends a new one with the next id', () => {
    const form = { ...formOf(board.shots[0], 'x'), prompt: 'harbour at dusk', transition: 'fade', transitionDuration: '0.5', seed: '42', characters: ['mara'] };
    const edited = withShot(board, shotFrom(form, board.shots[0]), 's01');
    expect(edited.shots[0]).toEqual({ id: 's01', kind: 'establishing', prompt: 'harbour at dusk', duration: 4, chain: 'cheap', audio: false, characters: ['mara'], seed: 42, transition: { type: 'fade', duration: 0.5 } });
    expect(nextShotId(board)).toBe('s03');
    const added = withShot(board, shotFrom(formOf(undefined, nextShotId(board)), undefined), null);
    expect(added.shots.map((s) => s.id)).toEqual(['s01', 's02', 's03']);
  });

  it('a new storyboard is valid YAML whatever its title holds', () => {
    const title = 'Nuit: "la mer" # 2 \\ ☂';
    const data = parse(starterStoryboard(title)) as { title: string };
    expect(data.title).toBe(title);
    expect(validateStoryboard(data).ok).toBe(true);
  });

  it("shows the CLI's own lines for this shot first", () => {
    const bad = withShot(board, shotFrom({ ...formOf(board.shots[1], 'x'), prompt: '', duration: 'long', seed: '-1' }, board.shots[1]), 's02');
    const problems = problemsFor(bad, 's02');
    expect(problems[0]).toMatch(/^shots\[1\]\./);
    expect(problems.join('\n')).toMatch(/shots\[1\]\.prompt: must not be empty/);
    expect(problems.join('\n')).toMatch(/shots\[1\]\.duration/);
    expect(problemsFor(board, 's01')).toEqual([]);
  });
});

describe('live status in the store', () => {
  it('an event replaces only its own shot\'s entry: other cards keep the very same object', () => {
    const store = createStudioStore({ onProgress: () => () => undefined } as unknown as StudioClient);
    store.setState({ episode: { episodeId: 'ep', shots: [] } as never });
    store.getState().applyLive({ episodeId: 'ep', shotId: 's01', type: 'shot', state: 'running' });
    store.getState().applyLive({ episodeId: 'ep', shotId: 's02', type: 'shot', state: 'running' });
    const s02Before = store.getState().live.s02;
    store.getState().applyLive({ episodeId: 'ep', shotId: 's01', type: 'shot', state: 'polling', progress: 0.5 });
    expect(store.getState().live.s01).toMatchObject({ state: 'polling', progress: 0.5, seq: 2 });
    expect(store.getState().live.s02).toBe(s02Before);
    // Another episode's events are not this board's.
    store.getState().applyLive({ episodeId: 'other', shotId: 's02', type: 'shot', state: 'failed' });
    expect(store.getState().live.s02).toBe(s02Before);
    store.getState().applyLive({ episodeId: '', type: 'network', online: false });
    expect(store.getState().online).toBe(false);
  });
});
