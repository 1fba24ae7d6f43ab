import type { LoadState } from '../store';

/** One line saying a list is loading or failed; nothing once it is ready. */
export function LoadStatus({ load, what }: { load: LoadState; what: string }) {
  if (load.status === 'loading') return <p className="muted">Loading {what}…</p>;
  if (load.status === 'failed') {
    return (
      <p className="error" role="alert">
        Could not load {what}: {load.error}
      </p>
    );
  }
  return null;
}
