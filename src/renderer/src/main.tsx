// Fast Refresh's setup as a module, not the inline script Vite would inject: the CSP
// allows no inline scripts, in development either. Empty in production builds.
import '@vitejs/plugin-react/preamble';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { MissingStudio } from './components/MissingStudio';
import { connectProgress, createStudioStore } from './store';
import { StudioStoreContext } from './store/context';
import { electronClient } from './transport/electron-client';
import { httpClientFromLocation } from './transport/http-client';
import './styles.css';

const container = document.getElementById('root');
if (!container) throw new Error('index.html has no #root element');
const root = createRoot(container);

// In the app the preload put the API on window; in a browser the bridge's URL carries a session token.
const client = window.studio ? electronClient(window.studio) : httpClientFromLocation(window.location);
if (!client) {
  root.render(<MissingStudio />);
} else {
  const store = createStudioStore(client);
  connectProgress(store, client);
  root.render(
    <StrictMode>
      <StudioStoreContext.Provider value={store}>
        <App />
      </StudioStoreContext.Provider>
    </StrictMode>,
  );
}
