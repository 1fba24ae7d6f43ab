import type { StateCreator } from 'zustand/vanilla';
import type { EngineEdit, ProviderKeysView, StudioClient } from '../../../shared/api';
import type { StudioState } from './index';

/** Provider keys and engine settings. Values of keys go to the studio and never come back. */
export interface SettingsSlice {
  providerKeys: ProviderKeysView | null;
  settingsError: string | null;
  loadProviderKeys(): Promise<void>;
  saveProviderKey(provider: string, values: Record<string, string>): Promise<boolean>;
  removeProviderKey(provider: string): Promise<void>;
  saveEngine(engineId: string, edit: EngineEdit): Promise<string | null>;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

export function createSettingsSlice(api: StudioClient): StateCreator<StudioState, [], [], SettingsSlice> {
  return (set, get) => ({
    providerKeys: null,
    settingsError: null,
    async loadProviderKeys() {
      set({ providerKeys: await api.listProviderKeys() });
    },
    async saveProviderKey(provider, values) {
      try {
        set({ providerKeys: await api.setProviderKey(provider, values), settingsError: null });
        void get().loadEngines();
        return true;
      } catch (error) {
        set({ settingsError: messageOf(error) });
        return false;
      }
    },
    async removeProviderKey(provider) {
      try {
        set({ providerKeys: await api.deleteProviderKey(provider), settingsError: null });
        void get().loadEngines();
      } catch (error) {
        set({ settingsError: messageOf(error) });
      }
    },
    async saveEngine(engineId, edit) {
      try {
        await api.updateEngine(engineId, edit);
        await get().loadEngines();
        return null;
      } catch (error) {
        return messageOf(error);
      }
    },
  });
}
