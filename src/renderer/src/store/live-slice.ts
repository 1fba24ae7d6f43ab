import type { StateCreator } from 'zustand/vanilla';
import type { ProgressEvent } from '../../../shared/api';
import type { StudioState } from './index';

/** What the studio last said about a shot while it is being made: the card's live line. */
export interface LiveShot {
  state: NonNullable<ProgressEvent['state']>;
  engineId?: string;
  /** 0..1 while generating. */
  progress?: number;
  message?: string;
  /** How many events this shot has had: lets a card's selector notice a change cheaply. */
  seq: number;
}

/** The stitch in progress (the export dialog's bar). */
export interface LiveStitch {
  progress: number;
  etaSeconds?: number;
  done: boolean;
  message?: string;
}

/**
 * Live status from progress events, keyed by shot: an event replaces one entry of a
 * record, so only that shot's card (which selects `live[shotId]`) renders again, however
 * many shots the board has.
 */
export interface LiveSlice {
  live: Record<string, LiveShot>;
  stitch: LiveStitch | null;
  /** Episode the live states belong to. */
  liveEpisodeId: string | null;
  applyLive(event: ProgressEvent): void;
  resetLive(): void;
}

export function createLiveSlice(): StateCreator<StudioState, [], [], LiveSlice> {
  return (set, get) => ({
    live: {},
    stitch: null,
    liveEpisodeId: null,
    applyLive(event) {
      if (event.type === 'network') {
        set({ online: event.online ?? true });
        return;
      }
      const episodeId = get().episode?.episodeId ?? get().document?.episodeId ?? null;
      if (episodeId !== null && event.episodeId !== episodeId) return;
      if (event.type === 'shot' && event.shotId && event.state) {
        const previous = get().live[event.shotId];
        const next: LiveShot = {
          state: event.state,
          seq: (previous?.seq ?? 0) + 1,
          ...(event.engineId ?? previous?.engineId ? { engineId: event.engineId ?? previous?.engineId } : {}),
          ...(event.progress !== undefined ? { progress: event.progress } : {}),
          ...(event.message ? { message: event.message } : {}),
        };
        set((state) => ({ live: { ...state.live, [event.shotId!]: next }, liveEpisodeId: event.episodeId }));
      } else if (event.type === 'stitch') {
        set({ stitch: { progress: event.progress ?? 0, ...(event.etaSeconds !== undefined ? { etaSeconds: event.etaSeconds } : {}), done: false } });
      } else if (event.type === 'episode') {
        set((state) => ({ stitch: state.stitch ? { ...state.stitch, progress: 1, done: true, ...(event.message ? { message: event.message } : {}) } : null }));
      }
    },
    resetLive: () => set({ live: {}, stitch: null, liveEpisodeId: null }),
  });
}
