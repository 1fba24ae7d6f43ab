/** Shown when the page runs without the preload, e.g. opened in a plain browser. */
export function MissingStudio() {
  return (
    <main className="app">
      <header className="app-header">
        <h1>Shotline</h1>
      </header>
      <section className="notice" role="alert">
        <h2>The studio is not connected</h2>
        <p>
          This page talks to Shotline through the desktop app, and no studio was found. Start it with{' '}
          <code>npm start</code> (or <code>npm run dev</code>) instead of opening the page directly.
        </p>
      </section>
    </main>
  );
}
