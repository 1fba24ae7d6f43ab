import type { StateCreator } from 'zustand/vanilla';
import type { CostSummary, HeldReservation, StudioClient } from '../../../shared/api';
import { IDLE, LOADING, READY, failed, latestOnly, type LoadState } from './load-state';
import type { StudioState } from './index';

/** The cost dashboard's figures: the ledger's summary and the money still held for attempts in flight. */
export interface CostsSlice {
  costs: CostSummary | null;
  costsLoad: LoadState;
  /** Reservations not yet settled (`shotline costs --held`); empty until loaded. */
  heldReservations: HeldReservation[];
  /** Why the held money could not be read, when the summary could; null otherwise. */
  heldProblem: string | null;
  loadCosts(): Promise<void>;
}

export function createCostsSlice(api: StudioClient): StateCreator<StudioState, [], [], CostsSlice> {
  // The board reloads costs when an episode ends while the dashboard may be refreshing too: keep the newest answer.
  const requests = latestOnly();
  return (set, get) => ({
    costs: null,
    costsLoad: IDLE,
    heldReservations: [],
    heldProblem: null,
    async loadCosts() {
      const ticket = requests.begin();
      // Figures already shown stay while they refresh; only a first load says "loading".
      if (!get().costs) set({ costsLoad: LOADING });
      const [summary, held] = await Promise.allSettled([api.costSummary(), api.heldReservations()]);
      if (!requests.isLatest(ticket)) return;
      if (summary.status === 'rejected') return set({ costsLoad: failed(summary.reason) });
      set({
        costs: summary.value,
        costsLoad: READY,
        heldReservations: held.status === 'fulfilled' ? held.value : [],
        heldProblem: held.status === 'rejected' ? (held.reason instanceof Error ? held.reason.message : String(held.reason)) : null,
      });
    },
  });
}
