import { memo } from 'react';
import { useStudio } from '../store/context';
import { fallbackLines, shotStatus } from './shot-status';

/** One shot: what it asks for, where it was routed and why, its live state, its selected take, and what can be done with it. */
export const ShotCard = memo(function ShotCard({ shotId }: { shotId: string }) {
  const spec = useStudio((state) => state.document?.storyboard.shots.find((shot) => shot.id === shotId));
  const planned = useStudio((state) => state.plan?.shots.find((shot) => shot.shotId === shotId));
  const view = useStudio((state) => state.episode?.shots.find((shot) => shot.shotId === shotId));
  const live = useStudio((state) => state.live[shotId]);
  const running = useStudio((state) => state.episode?.status === 'running');
  const engines = useStudio((state) => state.engines);
  const busy = useStudio((state) => state.busy);
  const client = useStudio((state) => state.client);
  const setApproved = useStudio((state) => state.setApproved);
  const regenerate = useStudio((state) => state.regenerate);
  const pinEngine = useStudio((state) => state.pinEngine);
  const openDialog = useStudio((state) => state.openDialog);
  if (!spec) return null;

  const status = shotStatus(view, live, running);
  const selected = view?.takes.find((take) => take.selected);
  const engineId = selected?.engineId ?? live?.engineId ?? planned?.candidates[0]?.engineId ?? null;
  const fallbacks = view ? fallbackLines(view.attempts) : [];
  const pinned = spec.engine && spec.engine !== 'auto' ? spec.engine : 'auto';

  return (
    <article className="shot-card" aria-label={`Shot ${shotId}`} data-testid={`shot-${shotId}`} tabIndex={0}>
      <div className="shot-media">
        {selected?.clipPath ? (
          <video controls preload="metadata" aria-label={`Clip of ${shotId}`} src={`${client.mediaUrl(selected.clipPath)}#t=0.1`} />
        ) : (
          <div className="no-clip" aria-hidden="true">
            {spec.kind}
          </div>
        )}
      </div>
      <div className="shot-body">
        <div className="shot-heading">
          <strong>{shotId}</strong>
          <span className="muted small">
            {spec.kind} · {spec.duration} s{spec.audio ? ' · sound' : ''}
          </span>
          {view?.approved && <span className="badge good">Approved</span>}
          {selected && view && (
            <span className="badge">
              Take {selected.takeNo} of {view.takes.length}
            </span>
          )}
        </div>
        <p className="prompt">{spec.prompt}</p>
        <p className="small">Engine: {engineId ?? 'none'}</p>
        <p role="status" className={`status ${status.tone}`}>
          {status.text}
        </p>
        {fallbacks.map((line) => (
          <p key={line} className="fallback small">
            {line}
          </p>
        ))}
        {planned && (
          <details>
            <summary>Why this engine</summary>
            <ol className="small">
              {planned.candidates.map((candidate) => (
                <li key={candidate.engineId}>
                  {candidate.reason}
                </li>
              ))}
            </ol>
            {planned.rejections.length > 0 && (
              <ul className="small muted">
                {planned.rejections.map((rejection) => (
                  <li key={rejection.engineId}>{rejection.reason}</li>
                ))}
              </ul>
            )}
          </details>
        )}
        <div className="shot-actions">
          {view?.approved ? (
            <button type="button" onClick={() => void setApproved([shotId], false)} disabled={busy}>
              Unapprove {shotId}
            </button>
          ) : (
            <button type="button" onClick={() => void setApproved([shotId], true)} disabled={busy || !selected}>
              Approve {shotId}
            </button>
          )}
          <button type="button" onClick={() => void regenerate(shotId)} disabled={busy || running || !view}>
            Regenerate {shotId}
          </button>
          <button type="button" onClick={() => openDialog({ kind: 'takes', shotId })} disabled={!view || view.takes.length === 0}>
            Takes of {shotId}
          </button>
          <button type="button" onClick={() => openDialog({ kind: 'credentials', shotId })} disabled={!selected}>
            Credentials of {shotId}
          </button>
          <button type="button" onClick={() => openDialog({ kind: 'edit', shotId })} disabled={busy || running}>
            Edit {shotId}
          </button>
          <label className="small">
            Pin engine for {shotId}
            <select value={pinned} onChange={(event) => void pinEngine(shotId, event.target.value)} disabled={busy || running}>
              <option value="auto">Auto</option>
              {engines.map((row) => (
                <option key={row.spec.id} value={row.spec.id}>
                  {row.spec.id}
                </option>
              ))}
            </select>
          </label>
        </div>
      </div>
    </article>
  );
});
