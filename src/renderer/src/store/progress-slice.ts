import type { StateCreator } from 'zustand/vanilla';
import type { ProgressEvent } from '../../../shared/api';
import type { StudioState } from './index';

/** A long render emits thousands of events; the page keeps only the recent ones. */
export const PROGRESS_LIMIT = 200;

/** The episode view is read again at most this often while events stream in. */
export const RELOAD_EVERY_MS = 500;

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
  let reloadTimer: ReturnType<typeof setTimeout> | undefined;
  return (set, get) => {
    /** Reads the episode again once events settle for a moment (and at most every RELOAD_EVERY_MS). */
    const reloadSoon = () => {
      if (reloadTimer !== undefined) return;
      reloadTimer = setTimeout(() => {
        reloadTimer = undefined;
        void get().reloadEpisode().catch(() => undefined);
      }, RELOAD_EVERY_MS);
    };
    return {
      progress: [],
      recordProgress(event) {
        seq += 1;
        set((state) => ({ progress: [{ seq, event }, ...state.progress].slice(0, PROGRESS_LIMIT) }));
        get().applyLive(event);
        if (event.type === 'shot' && (event.state === 'accepted' || event.state === 'failed')) reloadSoon();
        // An episode event means an episode's status changed: the lists must show it.
        if (event.type === 'episode') {
          void get().loadEpisodes();
          reloadSoon();
        }
      },
      clearProgress() {
        set({ progress: [] });
      },
    };
  };
}
