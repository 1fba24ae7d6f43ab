/**
 * The renderer's one store, built from slices (the zustand slices pattern). It talks to
 * the studio only through the StudioApi it is given, so tests can hand it a fake.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { StudioApi } from '../../../shared/api';
import { createEnginesSlice, type EnginesSlice } from './engines-slice';
import { createEpisodesSlice, type EpisodesSlice } from './episodes-slice';
import { createProgressSlice, type ProgressSlice } from './progress-slice';

export type StudioState = EnginesSlice & EpisodesSlice & ProgressSlice;
export type StudioStore = StoreApi<StudioState>;

export function createStudioStore(api: StudioApi): StudioStore {
  return createStore<StudioState>()((...a) => ({
    ...createEnginesSlice(api)(...a),
    ...createEpisodesSlice(api)(...a),
    ...createProgressSlice()(...a),
  }));
}

/** Feeds the studio's progress events into the store; returns the unsubscribe. */
export function connectProgress(store: StudioStore, api: StudioApi): () => void {
  return api.onProgress((event) => store.getState().recordProgress(event));
}

export type { LoadState } from './load-state';
export type { EpisodeSummary } from './episodes-slice';
export type { ProgressEntry } from './progress-slice';
