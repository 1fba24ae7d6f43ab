import type { StateCreator } from 'zustand/vanilla';
import type { AppInfo, StudioClient } from '../../../shared/api';
import type { StudioState } from './index';

/** Which screen the board shows. */
export type Screen = 'board' | 'costs' | 'settings';

/** Facts about the studio outside any episode, and the screen in view. (Owned by the board's author.) */
export interface AppSlice {
  client: StudioClient;
  appInfo: AppInfo | null;
  /** Whether the providers can be reached; generation waits while false. */
  online: boolean;
  screen: Screen;
  showScreen(screen: Screen): void;
  loadAppInfo(): Promise<void>;
}

export function createAppSlice(api: StudioClient): StateCreator<StudioState, [], [], AppSlice> {
  return (set) => ({
    client: api,
    appInfo: null,
    online: true,
    screen: 'board',
    showScreen: (screen) => set({ screen }),
    async loadAppInfo() {
      const appInfo = await api.getAppInfo();
      set({ appInfo, online: appInfo.online });
    },
  });
}
