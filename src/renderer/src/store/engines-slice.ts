import type { StateCreator } from 'zustand/vanilla';
import type { EngineRow, StudioClient } from '../../../shared/api';
import { IDLE, LOADING, READY, failed, latestOnly, type LoadState } from './load-state';
import type { StudioState } from './index';

/** The engine registry as the studio reports it: specs, health and key status. */
export interface EnginesSlice {
  engines: EngineRow[];
  enginesLoad: LoadState;
  loadEngines(): Promise<void>;
}

export function createEnginesSlice(api: StudioClient): StateCreator<StudioState, [], [], EnginesSlice> {
  const requests = latestOnly();
  return (set) => ({
    engines: [],
    enginesLoad: IDLE,
    async loadEngines() {
      const ticket = requests.begin();
      set({ enginesLoad: LOADING });
      try {
        const engines = await api.listEngines();
        if (requests.isLatest(ticket)) set({ engines, enginesLoad: READY });
      } catch (error) {
        if (requests.isLatest(ticket)) set({ enginesLoad: failed(error) });
      }
    },
  });
}
