/** A StudioApi that records every call and lets the test push progress events: for the transports' tests (IPC, bridge). */
import type { ProgressEvent, StudioApi } from '../../src/shared/api';
import { episodeSummary } from './episode-summary';

/** A StudioApi that records every call and lets the test push progress events. */
export function fakeStudio() {
  const calls: { method: string; args: unknown[] }[] = [];
  const listeners = new Set<(event: ProgressEvent) => void>();
  const record =
    <T>(method: string, result: T) =>
    async (...args: unknown[]) => {
      calls.push({ method, args });
      return result;
    };
  const api: StudioApi = {
    listEngines: record('listEngines', []),
    planEpisode: record('planEpisode', { title: 't', mode: 'final', shots: [], estimatedMicros: 0, budgetMicros: null }),
    startRender: record('startRender', { episodeId: 'ep-1' }),
    resumeRender: record('resumeRender', { episodeId: 'ep-1' }),
    cancelRender: record('cancelRender', undefined),
    getEpisode: async (episodeId) => {
      calls.push({ method: 'getEpisode', args: [episodeId] });
      throw new Error(`no episode ${episodeId}`);
    },
    heldReservations: record('heldReservations', []),
    listEpisodes: record('listEpisodes', [episodeSummary()]),
    approveShots: record('approveShots', { approved: ['s01'], unchanged: [], skipped: [] }),
    unapproveShots: record('unapproveShots', { unapproved: ['s01'], unchanged: [] }),
    selectTake: record('selectTake', undefined as never),
    regenerateShots: record('regenerateShots', { episodeId: 'ep-1' }),
    restitchEpisode: record('restitchEpisode', { episodeId: 'ep-1' }),
    costSummary: record('costSummary', {
      byEngine: [],
      byEpisode: [],
      byMode: [],
      byDay: [],
      totalMicros: 0,
      previewSaving: { previewSpentMicros: 0, finalEstimateMicros: 0, savedMicros: 0, episodes: 0 },
      fallbacks: [],
    }),
    openStoryboard: record('openStoryboard', { path: '/b.yaml', storyboard: { title: 't', shots: [] }, problems: [], episodeId: null, modifiedAt: 0 }),
    saveStoryboard: record('saveStoryboard', { path: '/b.yaml', storyboard: { title: 't', shots: [] }, problems: [], episodeId: null, modifiedAt: 0 }),
    listStoryboards: record('listStoryboards', []),
    verifyCredentials: record('verifyCredentials', { state: 'none', reason: null, report: null }),
    getAppInfo: record('getAppInfo', { version: '0', dataDir: '/d', storyboardsDir: '/d/storyboards', exportsDir: '/d/exports', online: true, media: null, signing: { available: false, subject: null, expiresAt: null, reason: 'test' } }),
    listProviderKeys: record('listProviderKeys', { keys: [], keychainProblem: null }),
    setProviderKey: record('setProviderKey', { keys: [], keychainProblem: null }),
    deleteProviderKey: record('deleteProviderKey', { keys: [], keychainProblem: null }),
    updateEngine: record('updateEngine', undefined as never),
    onProgress(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  const emit = (event: ProgressEvent) => listeners.forEach((listener) => listener(event));
  return { api, calls, listeners, emit };
}

