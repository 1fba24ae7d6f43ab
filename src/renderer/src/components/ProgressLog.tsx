import type { ProgressEvent } from '../../../shared/api';
import { useStudio } from '../store/context';

function describe(event: ProgressEvent): string {
  const parts = [event.shotId ?? event.type, event.state, event.engineId];
  if (event.progress !== undefined) parts.push(`${Math.round(event.progress * 100)}%`);
  if (event.message) parts.push(event.message);
  return parts.filter(Boolean).join(' · ');
}

export function ProgressLog() {
  const progress = useStudio((state) => state.progress);
  const clearProgress = useStudio((state) => state.clearProgress);

  return (
    <section className="panel" aria-labelledby="progress-heading">
      <div className="panel-title">
        <h2 id="progress-heading">Live progress</h2>
        {progress.length > 0 && (
          <button type="button" onClick={clearProgress}>
            Clear
          </button>
        )}
      </div>
      {progress.length === 0 ? (
        <p className="muted">Nothing is rendering.</p>
      ) : (
        <ol className="progress" aria-live="polite">
          {progress.map(({ seq, event }) => (
            <li key={seq}>
              <span className="mono muted">{event.episodeId.slice(0, 8)}</span> {describe(event)}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
