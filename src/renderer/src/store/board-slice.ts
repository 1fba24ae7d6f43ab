import type { StateCreator } from 'zustand/vanilla';
import type { EpisodePlanView, EpisodeView, StoryboardDocument, StudioClient } from '../../../shared/api';
import type { StoryboardInput } from '../../../shared/storyboard';
import type { StudioState } from './index';

/** The outcome of saving the storyboard: the problems are the CLI's own lines. */
export type SaveOutcome = { ok: true; document: StoryboardDocument } | { ok: false; problems: string[] };

/**
 * The open storyboard, its routing plan and its episode. (The board's author fills this
 * in; the inline shot editor relies only on `document` and `saveStoryboard`.)
 */
export interface BoardSlice {
  document: StoryboardDocument | null;
  plan: EpisodePlanView | null;
  episode: EpisodeView | null;
  /** Writes the edited storyboard; on success the document, plan and episode are reloaded. */
  saveStoryboard(storyboard: StoryboardInput): Promise<SaveOutcome>;
}

export function createBoardSlice(api: StudioClient): StateCreator<StudioState, [], [], BoardSlice> {
  return (set, get) => ({
    document: null,
    plan: null,
    episode: null,
    async saveStoryboard(storyboard) {
      const current = get().document;
      if (!current) return { ok: false, problems: ['no storyboard is open'] };
      try {
        const document = await api.saveStoryboard(current.path, storyboard);
        set({ document });
        return { ok: true, document };
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        return { ok: false, problems: message.split('\n').map((line) => line.replace(/^\s*- /, '')).filter(Boolean) };
      }
    },
  });
}
