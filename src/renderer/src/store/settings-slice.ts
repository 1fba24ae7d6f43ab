import type { StateCreator } from 'zustand/vanilla';
import type { ProviderKeysView, StudioClient } from '../../../shared/api';
import type { StudioState } from './index';

/** Provider keys and engine settings. (Owned by the settings screen's author.) */
export interface SettingsSlice {
  providerKeys: ProviderKeysView | null;
  loadProviderKeys(): Promise<void>;
}

export function createSettingsSlice(api: StudioClient): StateCreator<StudioState, [], [], SettingsSlice> {
  return (set) => ({
    providerKeys: null,
    async loadProviderKeys() {
      set({ providerKeys: await api.listProviderKeys() });
    },
  });
}
