import type { StateCreator } from 'zustand/vanilla';
import type { ProgressEvent } from '../../../shared/api';
import type { StudioState } from './index';

/** A long render emits thousands of events; the page keeps only the recent ones. */
export const PROGRESS_LIMIT = 200;

/** A received event with a sequence number, which lists use as a stable key. */
export interface ProgressEntry {
  seq: number;
  event: ProgressEvent;
}

/** Live progress pushed by the studio, newest first. */
export interface ProgressSlice {
  progress: ProgressEntry[];
  recordProgress(event: ProgressEvent): void;
  clearProgress(): void;
}

export function createProgressSlice(): StateCreator<StudioState, [], [], ProgressSlice> {
  let seq = 0;
  return (set, get) => ({
    progress: [],
    recordProgress(event) {
      seq += 1;
      set((state) => ({ progress: [{ seq, event }, ...state.progress].slice(0, PROGRESS_LIMIT) }));
      // An episode event means an episode's status changed: the list must show it.
      if (event.type === 'episode') void get().loadEpisodes();
    },
    clearProgress() {
      set({ progress: [] });
    },
  });
}
