import { useEffect } from 'react';
import { Problems } from '../components/Problems';
import { useStudio } from '../store/context';
import { budgetFigures, usd } from './shot-status';

/** The open storyboard: title, the run actions, the budget meter and what previewing saved. */
export function BoardHeader() {
  const document = useStudio((state) => state.document)!;
  const episode = useStudio((state) => state.episode);
  const busy = useStudio((state) => state.busy);
  const boardError = useStudio((state) => state.boardError);
  const render = useStudio((state) => state.render);
  const cancelRender = useStudio((state) => state.cancelRender);
  const setApproved = useStudio((state) => state.setApproved);
  const openDialog = useStudio((state) => state.openDialog);
  const running = episode?.status === 'running' || episode?.status === 'stitching';
  const approvedCount = episode?.shots.filter((shot) => shot.approved).length ?? 0;
  const title = String(document.storyboard.title ?? 'Untitled');

  return (
    <header className="board-header panel">
      <div className="panel-title">
        <h2 id="board-title">{title}</h2>
        <span className="muted small" title={document.path}>
          {episode ? `${episode.mode} · ${episode.status}` : 'not rendered yet'}
        </span>
      </div>
      <Problems problems={document.problems} intro="This storyboard cannot render until these are fixed:" />
      <div className="actions" role="group" aria-label="Episode actions">
        <button type="button" onClick={() => void render('preview', false)} disabled={busy || running || document.problems.length > 0}>
          Run preview
        </button>
        <button type="button" onClick={() => void setApproved('all', true)} disabled={busy || running || !episode}>
          Approve all
        </button>
        <button type="button" onClick={() => void render('final', true)} disabled={busy || running || approvedCount === 0}>
          Render final for approved shots
        </button>
        <button type="button" onClick={() => void render('final', false)} disabled={busy || running || document.problems.length > 0}>
          Render final (all shots)
        </button>
        <button type="button" onClick={() => openDialog({ kind: 'export' })} disabled={busy || running || !episode}>
          Stitch and export…
        </button>
        <button type="button" onClick={() => openDialog({ kind: 'credentials', shotId: null })} disabled={!episode}>
          Credentials of the export
        </button>
        <button type="button" onClick={() => openDialog({ kind: 'edit', shotId: null })} disabled={busy || running}>
          Add shot
        </button>
        <button type="button" className="danger" onClick={() => void cancelRender()} disabled={!running}>
          Cancel render
        </button>
      </div>
      {boardError && (
        <p role="alert" className="error">
          {boardError}
        </p>
      )}
      <BudgetMeter />
      <PreviewThenCommit />
    </header>
  );
}

function BudgetMeter() {
  const plan = useStudio((state) => state.plan);
  const episode = useStudio((state) => state.episode);
  const figures = budgetFigures(plan, episode);
  return (
    <div role="group" aria-label="Budget" className="budget">
      <span>Estimate {usd(figures.estimateMicros)}</span>
      <span>Reserved {usd(figures.reservedMicros)}</span>
      <span>Spent {usd(figures.spentMicros)}</span>
      {figures.limitMicros !== null && <span>Limit {usd(figures.limitMicros)}</span>}
      {figures.used !== null && <meter aria-label="Budget used" min={0} max={1} value={figures.used} low={0.7} high={0.9} optimum={0.2} />}
    </div>
  );
}

function PreviewThenCommit() {
  const episodeId = useStudio((state) => state.episode?.episodeId ?? null);
  const episodeStatus = useStudio((state) => state.episode?.status);
  const costs = useStudio((state) => state.costs);
  const loadCosts = useStudio((state) => state.loadCosts);
  useEffect(() => {
    if (episodeId && episodeStatus !== 'running') void loadCosts();
  }, [episodeId, episodeStatus, loadCosts]);
  const mine = costs?.byEpisode.find((entry) => entry.episodeId === episodeId);
  if (!mine) return null;
  return (
    <section aria-label="Preview then commit" className="preview-commit">
      <span>
        Preview {usd(mine.previewSpentMicros)} + final {usd(mine.finalSpentMicros)}
      </span>
      {mine.fullFinalMicros !== null && <span className="muted">A final render of every shot: about {usd(mine.fullFinalMicros)}</span>}
      {mine.savedMicros !== null && mine.finalSpentMicros > 0 && <strong>Saved {usd(mine.savedMicros)} against a final render of every shot</strong>}
    </section>
  );
}
