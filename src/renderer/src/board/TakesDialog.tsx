import { Dialog } from '../components/Dialog';
import { useStudio } from '../store/context';
import { usd } from './shot-status';

/** Every take of a shot side by side: engine, model, cost, gate score; select one for the episode. */
export function TakesDialog({ shotId, onClose }: { shotId: string; onClose(): void }) {
  const view = useStudio((state) => state.episode?.shots.find((shot) => shot.shotId === shotId));
  const client = useStudio((state) => state.client);
  const selectTake = useStudio((state) => state.selectTake);
  const openDialog = useStudio((state) => state.openDialog);
  const busy = useStudio((state) => state.busy);
  const takes = view?.takes ?? [];
  return (
    <Dialog title={`Takes of ${shotId}`} onClose={onClose} wide>
      {takes.length === 0 ? (
        <p className="muted">No takes yet.</p>
      ) : (
        <div className="takes">
          {takes.map((take) => (
            <figure key={take.takeNo} className={take.selected ? 'take selected' : 'take'}>
              {take.clipPath ? <video controls preload="metadata" aria-label={`Take ${take.takeNo} of ${shotId}`} src={`${client.mediaUrl(take.clipPath)}#t=0.1`} /> : <div className="no-clip">no clip</div>}
              <figcaption>
                <strong>Take {take.takeNo}</strong> · {take.mode}
                <br />
                {take.engineId}
                {take.model ? ` (${take.model})` : ''}
                <br />
                Cost {usd(take.costMicros)} · Gate {take.gate ? take.gate.qualityScore.toFixed(2) : 'n/a'}
                {take.gate && take.gate.problems.length > 0 && <span className="muted"> · {take.gate.problems.join('; ')}</span>}
                <br />
                {take.stale && <span className="badge bad">Stale</span>}
                {take.selected ? (
                  <span className="badge good">Selected</span>
                ) : (
                  !take.stale && (
                    <button type="button" onClick={() => void selectTake(shotId, take.takeNo)} disabled={busy}>
                      Select take {take.takeNo}
                    </button>
                  )
                )}{' '}
                <button type="button" className="quiet" onClick={() => openDialog({ kind: 'credentials', shotId, takeNo: take.takeNo })}>
                  Credentials of take {take.takeNo}
                </button>
              </figcaption>
            </figure>
          ))}
        </div>
      )}
    </Dialog>
  );
}
