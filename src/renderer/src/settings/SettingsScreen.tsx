import { useEffect } from 'react';
import { useStudio } from '../store/context';
import { ApiKeys } from './ApiKeys';
import { EngineSettings } from './EngineSettings';
import { StudioFacts } from './StudioFacts';
import './settings.css';

/** Provider keys (to the keychain, never shown back), engines, the data folder and the signing identity. */
export function SettingsScreen() {
  const loadProviderKeys = useStudio((state) => state.loadProviderKeys);
  const loadEngines = useStudio((state) => state.loadEngines);
  const loadAppInfo = useStudio((state) => state.loadAppInfo);
  useEffect(() => {
    void loadProviderKeys();
    // Key status and engine settings may have changed from the CLI since the app loaded them.
    void loadEngines();
    loadAppInfo().catch(() => undefined);
  }, [loadProviderKeys, loadEngines, loadAppInfo]);
  return (
    <section aria-labelledby="settings-title" className="settings settings-screen">
      <h2 id="settings-title">Settings</h2>
      <ApiKeys />
      <EngineSettings />
      <StudioFacts />
    </section>
  );
}
