import type { StateCreator } from 'zustand/vanilla';
import type { CostSummary, StudioClient } from '../../../shared/api';
import { IDLE, LOADING, READY, failed, type LoadState } from './load-state';
import type { StudioState } from './index';

/** The cost dashboard's figures. (Owned by the dashboard's author.) */
export interface CostsSlice {
  costs: CostSummary | null;
  costsLoad: LoadState;
  loadCosts(): Promise<void>;
}

export function createCostsSlice(api: StudioClient): StateCreator<StudioState, [], [], CostsSlice> {
  return (set) => ({
    costs: null,
    costsLoad: IDLE,
    async loadCosts() {
      set({ costsLoad: LOADING });
      try {
        set({ costs: await api.costSummary(), costsLoad: READY });
      } catch (error) {
        set({ costsLoad: failed(error) });
      }
    },
  });
}
