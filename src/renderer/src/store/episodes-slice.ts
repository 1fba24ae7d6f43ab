import type { StateCreator } from 'zustand/vanilla';
import type { StudioApi } from '../../../shared/api';
import { IDLE, LOADING, READY, failed, latestOnly, type LoadState } from './load-state';
import type { StudioState } from './index';

export type EpisodeSummary = Awaited<ReturnType<StudioApi['listEpisodes']>>[number];

/** The episodes in the data folder, newest state first as the studio lists them. */
export interface EpisodesSlice {
  episodes: EpisodeSummary[];
  episodesLoad: LoadState;
  loadEpisodes(): Promise<void>;
}

export function createEpisodesSlice(api: StudioApi): StateCreator<StudioState, [], [], EpisodesSlice> {
  const requests = latestOnly();
  return (set) => ({
    episodes: [],
    episodesLoad: IDLE,
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
  });
}
