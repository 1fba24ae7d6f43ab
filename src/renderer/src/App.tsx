import { lazy, Suspense, useEffect } from 'react';
import { BoardScreen } from './board/BoardScreen';
import { SettingsScreen } from './settings/SettingsScreen';
import { useStudio } from './store/context';
import type { Screen } from './store/app-slice';

// The charts library is most of the page's code: it loads when the Costs screen is first opened.
const CostDashboard = lazy(() => import('./costs/CostDashboard').then((module) => ({ default: module.CostDashboard })));

const SCREENS: { id: Screen; label: string }[] = [
  { id: 'board', label: 'Shot board' },
  { id: 'costs', label: 'Costs' },
  { id: 'settings', label: 'Settings' },
];

/** The studio: a header with the screens and the network state, and the screen in view. */
export function App() {
  const screen = useStudio((state) => state.screen);
  const showScreen = useStudio((state) => state.showScreen);
  const online = useStudio((state) => state.online);
  const loadAppInfo = useStudio((state) => state.loadAppInfo);
  const loadEngines = useStudio((state) => state.loadEngines);
  const loadEpisodes = useStudio((state) => state.loadEpisodes);

  useEffect(() => {
    void loadAppInfo();
    void loadEngines();
    void loadEpisodes();
  }, [loadAppInfo, loadEngines, loadEpisodes]);

  return (
    <div className="app">
      <header className="app-header">
        <h1>Shotline</h1>
        <nav aria-label="Screens">
          {SCREENS.map((item) => (
            <button key={item.id} type="button" aria-current={screen === item.id ? 'page' : undefined} onClick={() => showScreen(item.id)}>
              {item.label}
            </button>
          ))}
        </nav>
        <p className={online ? 'network online' : 'network offline'} role="status">
          {online ? 'Providers reachable' : 'Offline: generation waits until the providers can be reached'}
        </p>
      </header>
      <main className="app-main">
        {screen === 'board' && <BoardScreen />}
        {screen === 'costs' && (
          <Suspense fallback={<p className="muted">Loading the cost dashboard…</p>}>
            <CostDashboard />
          </Suspense>
        )}
        {screen === 'settings' && <SettingsScreen />}
      </main>
    </div>
  );
}
