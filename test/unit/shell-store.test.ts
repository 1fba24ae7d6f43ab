import { episodeSummary } from '../support/episode-summary';
import { describe, expect, it } from 'vitest';
import type { EngineRow, ProgressEvent, StudioApi, StudioClient } from '../../src/shared/api';
import { connectProgress, createStudioStore } from '../../src/renderer/src/store';
import { PROGRESS_LIMIT } from '../../src/renderer/src/store/progress-slice';

type Episodes = Awaited<ReturnType<StudioApi['listEpisodes']>>;

/** A promise the test settles by hand, to order overlapping requests. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function fakeApi(overrides: Partial<StudioApi> = {}) {
  const listeners = new Set<(event: ProgressEvent) => void>();
  const unused = () => Promise.reject(new Error('not used by the store'));
  const api: StudioClient = {
    transport: 'browser',
    mediaUrl: (path) => `/media?path=${encodeURIComponent(path)}`,
    openStoryboard: unused,
    saveStoryboard: unused,
    listStoryboards: async () => [],
    verifyCredentials: unused,
    getAppInfo: unused,
    listProviderKeys: unused,
    setProviderKey: unused,
    deleteProviderKey: unused,
    updateEngine: unused,
    listEngines: async () => [],
    listEpisodes: async () => [],
    planEpisode: unused,
    startRender: unused,
    resumeRender: unused,
    cancelRender: unused,
    getEpisode: unused,
    costSummary: unused,
    heldReservations: unused,
    approveShots: unused,
    unapproveShots: unused,
    selectTake: unused,
    regenerateShots: unused,
    restitchEpisode: unused,
    onProgress(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    ...overrides,
  };
  return { api, listeners, emit: (event: ProgressEvent) => listeners.forEach((listener) => listener(event)) };
}

const engine = { spec: { id: 'animatic-local' }, keyConfigured: false, adapterAvailable: true } as unknown as EngineRow;
const episode = (status: Episodes[number]['status']): Episodes[number] => episodeSummary({ mode: 'preview', status });

describe('studio store', () => {
  it('loads the engine registry, moving from idle through loading to ready', async () => {
    const answer = deferred<EngineRow[]>();
    const store = createStudioStore(fakeApi({ listEngines: () => answer.promise }).api);
    expect(store.getState().enginesLoad).toEqual({ status: 'idle' });

    const loading = store.getState().loadEngines();
    expect(store.getState().enginesLoad).toEqual({ status: 'loading' });
    answer.resolve([engine]);
    await loading;
    expect(store.getState().engines).toEqual([engine]);
    expect(store.getState().enginesLoad).toEqual({ status: 'ready' });
  });

  it('records a failed load with the error message and keeps the previous list', async () => {
    let fail = false;
    const store = createStudioStore(
      fakeApi({
        listEpisodes: async () => {
          if (fail) throw new Error('database is locked');
          return [episode('running')];
        },
      }).api,
    );
    await store.getState().loadEpisodes();
    fail = true;
    await store.getState().loadEpisodes();
    expect(store.getState().episodesLoad).toEqual({ status: 'failed', error: 'database is locked' });
    expect(store.getState().episodes).toEqual([episode('running')]);
  });

  it('keeps the newest answer when reloads overlap', async () => {
    const answers = [deferred<Episodes>(), deferred<Episodes>()];
    let call = 0;
    const store = createStudioStore(fakeApi({ listEpisodes: () => answers[call++]!.promise }).api);

    const older = store.getState().loadEpisodes();
    const newer = store.getState().loadEpisodes();
    answers[1]!.resolve([episode('completed')]);
    await newer;
    answers[0]!.resolve([episode('running')]);
    await older;
    expect(store.getState().episodes).toEqual([episode('completed')]);
    expect(store.getState().episodesLoad).toEqual({ status: 'ready' });
  });

  it('records pushed progress newest first, with stable sequence numbers, up to the limit', () => {
    const studio = fakeApi();
    const store = createStudioStore(studio.api);
    connectProgress(store, studio.api);

    for (let i = 0; i < PROGRESS_LIMIT + 5; i++) studio.emit({ episodeId: 'ep-1', type: 'log', message: `line ${i}` });
    const { progress } = store.getState();
    expect(progress).toHaveLength(PROGRESS_LIMIT);
    expect(progress[0]).toEqual({ seq: PROGRESS_LIMIT + 5, event: { episodeId: 'ep-1', type: 'log', message: `line ${PROGRESS_LIMIT + 4}` } });
    expect(progress.at(-1)?.seq).toBe(6);

    store.getState().clearProgress();
    expect(store.getState().progress).toEqual([]);
  });

  it('reloads the episode list when an episode event arrives', async () => {
    let listed = 0;
    const studio = fakeApi({
      listEpisodes: async () => {
        listed += 1;
        return [episode('completed')];
      },
    });
    const store = createStudioStore(studio.api);
    connectProgress(store, studio.api);

    studio.emit({ episodeId: 'ep-1', shotId: 's01', type: 'shot', state: 'accepted' });
    expect(listed).toBe(0);
    studio.emit({ episodeId: 'ep-1', type: 'episode', state: 'done' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(listed).toBe(1);
    expect(store.getState().episodes).toEqual([episode('completed')]);
  });

  it('stops listening when disconnected', () => {
    const studio = fakeApi();
    const store = createStudioStore(studio.api);
    const disconnect = connectProgress(store, studio.api);
    disconnect();
    studio.emit({ episodeId: 'ep-1', type: 'log', message: 'late' });
    expect(store.getState().progress).toEqual([]);
    expect(studio.listeners.size).toBe(0);
  });
});
