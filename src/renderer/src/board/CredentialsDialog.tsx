import { useEffect, useState } from 'react';
import type { CredentialsView } from '../../../shared/api';
import { Dialog } from '../components/Dialog';
import { useStudio } from '../store/context';

const VALIDITY = { trusted: 'Trusted', valid: 'Valid', invalid: 'Invalid', none: 'No credentials' } as const;

/** The provenance panel: c2pa-rs's reading of a take or of the export, with every ingredient. */
export function CredentialsDialog({ shotId, takeNo, onClose }: { shotId: string | null; takeNo?: number; onClose(): void }) {
  const episodeId = useStudio((state) => state.episode?.episodeId ?? null);
  const client = useStudio((state) => state.client);
  const [view, setView] = useState<CredentialsView | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!episodeId) return;
    const target = { episodeId, ...(shotId ? { shotId } : {}), ...(takeNo !== undefined ? { takeNo } : {}) };
    client.verifyCredentials(target).then(setView, (failure: unknown) => setError(failure instanceof Error ? failure.message : String(failure)));
  }, [client, episodeId, shotId, takeNo]);

  const title = 'Content credentials';
  const subject = shotId ? `${shotId}${takeNo !== undefined ? `, take ${takeNo}` : ', selected take'}` : 'the exported episode';
  return (
    <Dialog title={title} onClose={onClose} wide>
      <p className="muted">Of {subject}, read back by c2pa-rs with this studio's root as trust anchor.</p>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {!view && !error && <p className="muted">Checking…</p>}
      {view && view.state !== 'signed' && <p className="validity none">{view.state === 'none' ? 'No credentials' : `Unsigned: ${view.reason ?? view.state}`}</p>}
      {view?.state === 'signed' && !view.report && <p className="validity none">Signed, but {view.reason}</p>}
      {view?.report && (
        <>
          <p className={`validity ${view.report.validity}`}>
            <strong>{VALIDITY[view.report.validity]}</strong>
            {view.report.signer && (
              <span className="small">
                {' '}
                · signed by {view.report.signer.subject} ({view.report.signer.signedAt ? `timestamped ${view.report.signer.signedAt}` : 'no trusted timestamp'})
              </span>
            )}
          </p>
          {view.reason && <p className="small">{view.reason}</p>}
          {view.report.failures.length > 0 && (
            <ul className="small">
              {view.report.failures.map((failure) => (
                <li key={failure.code}>
                  <code>{failure.code}</code> {failure.explanation}
                </li>
              ))}
            </ul>
          )}
          {view.report.take && (
            <p className="small">
              {view.report.take.shotId}, take {view.report.take.takeNo}: {view.report.take.engineId} ({view.report.take.model}), prompt SHA-256 {view.report.take.promptSha256.slice(0, 16)}…
              {view.report.take.gate ? `, gate ${view.report.take.gate.decision} ${view.report.take.gate.qualityScore.toFixed(2)}` : ''}
            </p>
          )}
          {view.report.ingredients.length > 0 && (
            <ul aria-label="Ingredients" className="ingredients">
              {view.report.ingredients.map((ingredient, index) => (
                <li key={`${ingredient.title}-${index}`}>
                  {ingredient.take?.shotId ?? ingredient.title} — {VALIDITY[ingredient.validity]}
                  {ingredient.take ? ` — ${ingredient.take.engineId} — ${ingredient.take.model}` : ''}
                  {ingredient.take?.gate ? ` — gate ${ingredient.take.gate.decision} ${ingredient.take.gate.qualityScore.toFixed(2)}` : ''}
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </Dialog>
  );
}
