import { useEffect } from 'react';
import { EngineTable } from './components/EngineTable';
import { EpisodeList } from './components/EpisodeList';
import { ProgressLog } from './components/ProgressLog';
import { useStudio } from './store/context';

/** Placeholder shot board: the registry, the episodes and live progress. */
export function App() {
  const loadEngines = useStudio((state) => state.loadEngines);
  const loadEpisodes = useStudio((state) => state.loadEpisodes);

  useEffect(() => {
    void loadEngines();
    void loadEpisodes();
  }, [loadEngines, loadEpisodes]);

  return (
    <main className="app">
      <header className="app-header">
        <h1>Shotline</h1>
        <p className="subtitle">Storyboard in, signed episode out.</p>
      </header>
      <EngineTable />
      <EpisodeList />
      <ProgressLog />
    </main>
  );
}
