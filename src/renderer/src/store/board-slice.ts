import type { StateCreator } from 'zustand/vanilla';
import type { EpisodePlanView, EpisodeView, StoryboardDocument, StoryboardSource, StudioClient } from '../../../shared/api';
import type { RenderMode } from '../../../shared/domain';
import type { StoryboardInput } from '../../../shared/storyboard';
import { exportPathFor } from '../../../shared/export-path';
import type { StudioState } from './index';

/** The outcome of saving the storyboard: the problems are the CLI's own lines. */
export type SaveOutcome = { ok: true; document: StoryboardDocument } | { ok: false; problems: string[] };

/** The dialog open over the board, if any. */
export type BoardDialog =
  | { kind: 'open' }
  | { kind: 'takes'; shotId: string }
  | { kind: 'export' }
  | { kind: 'credentials'; shotId: string | null; takeNo?: number }
  | { kind: 'edit'; shotId: string | null };

/** The open storyboard, its routing plan, its episode, and what the user is doing with them. */
export interface BoardSlice {
  document: StoryboardDocument | null;
  plan: EpisodePlanView | null;
  episode: EpisodeView | null;
  /** The last action's error, shown once near the board's actions. */
  boardError: string | null;
  busy: boolean;
  dialog: BoardDialog | null;
  openDialog(dialog: BoardDialog | null): void;
  openStoryboard(source: StoryboardSource): Promise<SaveOutcome>;
  /** Writes the edited storyboard; on success the document and plan are reloaded. */
  saveStoryboard(storyboard: StoryboardInput): Promise<SaveOutcome>;
  reloadPlan(mode?: RenderMode): Promise<void>;
  reloadEpisode(): Promise<void>;
  render(mode: RenderMode, approvedOnly: boolean): Promise<void>;
  cancelRender(): Promise<void>;
  setApproved(shotIds: string[] | 'all', approved: boolean): Promise<void>;
  selectTake(shotId: string, takeNo: number): Promise<void>;
  regenerate(shotId: string): Promise<void>;
  pinEngine(shotId: string, engineId: string): Promise<void>;
}

const problemsOf = (error: unknown): string[] => (error instanceof Error ? error.message : String(error)).split('\n').map((line) => line.replace(/^\s*- /, '').trim()).filter(Boolean);

export function createBoardSlice(api: StudioClient): StateCreator<StudioState, [], [], BoardSlice> {
  return (set, get) => {
    /** Runs an action; its error is shown on the board rather than thrown at a click handler. */
    const act = async (work: () => Promise<void>): Promise<void> => {
      set({ busy: true, boardError: null });
      try {
        await work();
      } catch (error) {
        set({ boardError: error instanceof Error ? error.message : String(error) });
      } finally {
        set({ busy: false });
      }
    };
    const episodeId = () => get().episode?.episodeId ?? get().document?.episodeId ?? null;

    return {
      document: null,
      plan: null,
      episode: null,
      boardError: null,
      busy: false,
      dialog: null,
      openDialog: (dialog) => set({ dialog }),

      async openStoryboard(source) {
        try {
          const document = await api.openStoryboard(source);
          // The same file again (from the list) keeps what live events said about its shots.
          if (get().document?.path !== document.path) get().resetLive();
          set({ document, plan: null, episode: null, boardError: null, dialog: null });
          void get().reloadPlan();
          if (document.episodeId) void get().reloadEpisode();
          void get().loadStoryboards();
          return { ok: true, document };
        } catch (error) {
          return { ok: false, problems: problemsOf(error) };
        }
      },

      async saveStoryboard(storyboard) {
        const current = get().document;
        if (!current) return { ok: false, problems: ['no storyboard is open'] };
        try {
          const document = await api.saveStoryboard(current.path, storyboard);
          set({ document });
          void get().reloadPlan();
          return { ok: true, document };
        } catch (error) {
          return { ok: false, problems: problemsOf(error) };
        }
      },

      async reloadPlan(mode) {
        const document = get().document;
        if (!document || document.problems.length > 0) return set({ plan: null });
        try {
          const plan = await api.planEpisode(document.path, { mode: mode ?? get().episode?.mode ?? document.storyboard.mode ?? 'preview' });
          if (get().document?.path === document.path) set({ plan });
        } catch (error) {
          set({ plan: null, boardError: `routing: ${error instanceof Error ? error.message : String(error)}` });
        }
      },

      async reloadEpisode() {
        const id = episodeId();
        if (!id) return;
        const episode = await api.getEpisode(id);
        if (episodeId() === id) set({ episode });
      },

      render: (mode, approvedOnly) =>
        act(async () => {
          const document = get().document;
          if (!document) return;
          const exportsDir = get().appInfo?.exportsDir ?? '';
          const outputPath = exportPathFor(exportsDir, String(document.storyboard.title ?? 'episode'), mode);
          const { episodeId: id } = await api.startRender(document.path, { outputPath, mode, ...(approvedOnly ? { approved: true } : {}) });
          set({ document: { ...document, episodeId: id } });
          await get().reloadEpisode();
          void get().reloadPlan(mode);
        }),

      cancelRender: () =>
        act(async () => {
          const id = episodeId();
          if (id) await api.cancelRender(id);
        }),

      setApproved: (shotIds, approved) =>
        act(async () => {
          const id = episodeId();
          if (!id) return;
          if (approved) await api.approveShots(id, shotIds);
          else await api.unapproveShots(id, shotIds);
          await get().reloadEpisode();
        }),

      selectTake: (shotId, takeNo) =>
        act(async () => {
          const id = episodeId();
          if (!id) return;
          await api.selectTake(id, shotId, takeNo);
          await get().reloadEpisode();
        }),

      regenerate: (shotId) =>
        act(async () => {
          const id = episodeId();
          if (!id) return;
          const pinned = get().document?.storyboard.shots.find((shot) => shot.id === shotId)?.engine;
          await api.regenerateShots(id, { shotIds: [shotId], ...(pinned && pinned !== 'auto' ? { engineId: pinned } : {}) });
          await get().reloadEpisode();
        }),

      pinEngine: (shotId, engineId) =>
        act(async () => {
          const document = get().document;
          if (!document) return;
          const shots = document.storyboard.shots.map((shot) => (shot.id === shotId ? { ...shot, engine: engineId } : shot));
          const outcome = await get().saveStoryboard({ ...document.storyboard, shots });
          if (!outcome.ok) throw new Error(outcome.problems.join('\n'));
        }),
    };
  };
}
