/** An EpisodeSummary for tests of the renderer's store and the IPC contract. */
import type { EpisodeSummary } from '../../src/shared/api';

export function episodeSummary(overrides: Partial<EpisodeSummary> = {}): EpisodeSummary {
  return {
    episodeId: 'ep-1',
    title: 'Pilot',
    storyboardPath: '/films/pilot.yaml',
    mode: 'final',
    status: 'completed',
    state: 'completed',
    outputPath: '/films/pilot.mp4',
    shots: 3,
    takes: 3,
    approved: 0,
    withoutTake: 0,
    staleSelections: 0,
    createdAt: 1_000,
    finishedAt: 2_000,
    spentMicros: 0,
    heldMicros: 0,
    previewSpentMicros: 0,
    finalSpentMicros: 0,
    qualityCheckMicros: 0,
    fullFinalMicros: null,
    savedMicros: null,
    ...overrides,
  };
}
