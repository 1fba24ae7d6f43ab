import type { StateCreator } from 'zustand/vanilla';
import type { RecentStoryboard, StudioClient } from '../../../shared/api';
import { IDLE, LOADING, READY, failed, latestOnly, type LoadState } from './load-state';
import type { StudioState } from './index';

export type EpisodeSummary = Awaited<ReturnType<StudioClient['listEpisodes']>>[number];

/** The episodes in the data folder and the storyboards opened before. */
export interface EpisodesSlice {
  episodes: EpisodeSummary[];
  episodesLoad: LoadState;
  storyboards: RecentStoryboard[];
  loadEpisodes(): Promise<void>;
  loadStoryboards(): Promise<void>;
}

export function createEpisodesSlice(api: StudioClient): StateCreator<StudioState, [], [], EpisodesSlice> {
  const requests = latestOnly();
  return (set) => ({
    episodes: [],
    episodesLoad: IDLE,
    storyboards: [],
    async loadEpisodes() {
      const ticket = requests.begin();
      set({ episodesLoad: LOADING });
      try {
        const episodes = await api.listEpisodes();
        if (requests.isLatest(ticket)) set({ episodes, episodesLoad: READY });
      } catch (error) {
        if (requests.isLatest(ticket)) set({ episodesLoad: failed(error) });
      }
    },
    async loadStoryboards() {
      set({ storyboards: await api.listStoryboards() });
    },
  });
}
