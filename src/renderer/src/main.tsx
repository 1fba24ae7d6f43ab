// Fast Refresh's setup as a module, not the inline script Vite would inject: the CSP
// allows no inline scripts, in development either. Empty in production builds.
import '@vitejs/plugin-react/preamble';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { MissingStudio } from './components/MissingStudio';
import { connectProgress, createStudioStore } from './store';
import { StudioStoreContext } from './store/context';
import './styles.css';

const container = document.getElementById('root');
if (!container) throw new Error('index.html has no #root element');
const root = createRoot(container);

const api = window.studio;
if (!api) {
  root.render(<MissingStudio />);
} else {
  const store = createStudioStore(api);
  connectProgress(store, api);
  root.render(
    <StrictMode>
      <StudioStoreContext.Provider value={store}>
        <App />
      </StudioStoreContext.Provider>
    </StrictMode>,
  );
}
