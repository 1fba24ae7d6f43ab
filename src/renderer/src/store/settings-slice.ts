import type { StateCreator } from 'zustand/vanilla';
import type { EngineEdit, ProviderKeysView, StudioClient } from '../../../shared/api';
import { IDLE, LOADING, READY, failed, type LoadState } from './load-state';
import type { StudioState } from './index';

/** Provider keys and engine settings. Values of keys go to the studio and never come back. */
export interface SettingsSlice {
  providerKeys: ProviderKeysView | null;
  providerKeysLoad: LoadState;
  /** The last key action's problem (any provider); `keyErrors` says which provider it was about. */
  settingsError: string | null;
  /** Per provider: why its last save or removal failed. Cleared by its next success. */
  keyErrors: Record<string, string>;
  loadProviderKeys(): Promise<void>;
  /** Stores the key in the keychain; true when it was stored. */
  saveProviderKey(provider: string, values: Record<string, string>): Promise<boolean>;
  removeProviderKey(provider: string): Promise<void>;
  /** Sends the engine's changed settings, then reloads the engines; the studio's problem, or null when saved. */
  saveEngine(engineId: string, edit: EngineEdit): Promise<string | null>;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

export function createSettingsSlice(api: StudioClient): StateCreator<StudioState, [], [], SettingsSlice> {
  return (set, get) => {
    const keyAction = async (provider: string, action: () => Promise<ProviderKeysView>): Promise<boolean> => {
      try {
        const providerKeys = await action();
        const keyErrors = { ...get().keyErrors };
        delete keyErrors[provider];
        set({ providerKeys, settingsError: null, keyErrors });
        // Whether an engine has a key decides whether the router may use it.
        void get().loadEngines();
        return true;
      } catch (error) {
        const message = messageOf(error);
        set({ settingsError: message, keyErrors: { ...get().keyErrors, [provider]: message } });
        return false;
      }
    };
    return {
      providerKeys: null,
      providerKeysLoad: IDLE,
      settingsError: null,
      keyErrors: {},
      async loadProviderKeys() {
        if (!get().providerKeys) set({ providerKeysLoad: LOADING });
        try {
          set({ providerKeys: await api.listProviderKeys(), providerKeysLoad: READY });
        } catch (error) {
          set({ providerKeysLoad: failed(error) });
        }
      },
      saveProviderKey: (provider, values) => keyAction(provider, () => api.setProviderKey(provider, values)),
      async removeProviderKey(provider) {
        await keyAction(provider, () => api.deleteProviderKey(provider));
      },
      async saveEngine(engineId, edit) {
        try {
          await api.updateEngine(engineId, edit);
        } catch (error) {
          return messageOf(error);
        }
        await get().loadEngines();
        return null;
      },
    };
  };
}
