/**
 * The renderer's one store, built from slices (the zustand slices pattern). It talks to
 * the studio only through the StudioClient it is given, so tests and benchmarks can hand
 * it a fake.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { StudioClient } from '../../../shared/api';
import { createAppSlice, type AppSlice } from './app-slice';
import { createBoardSlice, type BoardSlice } from './board-slice';
import { createCostsSlice, type CostsSlice } from './costs-slice';
import { createEnginesSlice, type EnginesSlice } from './engines-slice';
import { createEpisodesSlice, type EpisodesSlice } from './episodes-slice';
import { createLiveSlice, type LiveSlice } from './live-slice';
import { createProgressSlice, type ProgressSlice } from './progress-slice';
import { createSettingsSlice, type SettingsSlice } from './settings-slice';

export type StudioState = AppSlice & BoardSlice & CostsSlice & EnginesSlice & EpisodesSlice & LiveSlice & ProgressSlice & SettingsSlice;
export type StudioStore = StoreApi<StudioState>;

export function createStudioStore(api: StudioClient): StudioStore {
  return createStore<StudioState>()((...a) => ({
    ...createAppSlice(api)(...a),
    ...createBoardSlice(api)(...a),
    ...createCostsSlice(api)(...a),
    ...createEnginesSlice(api)(...a),
    ...createEpisodesSlice(api)(...a),
    ...createLiveSlice()(...a),
    ...createProgressSlice()(...a),
    ...createSettingsSlice(api)(...a),
  }));
}

/** Feeds the studio's progress events into the store; returns the unsubscribe. */
export function connectProgress(store: StudioStore, api: StudioClient): () => void {
  return api.onProgress((event) => store.getState().recordProgress(event));
}

export type { LoadState } from './load-state';
export type { EpisodeSummary } from './episodes-slice';
export type { ProgressEntry } from './progress-slice';
