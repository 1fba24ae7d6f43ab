import { useStudio } from '../store/context';
import { BoardDialogs } from './BoardDialogs';
import { BoardHeader } from './BoardHeader';
import { EpisodeList } from './EpisodeList';
import { ShotList } from './ShotList';

/** The shot board: the episodes on the left, the open storyboard's shots on the right. */
export function BoardScreen() {
  const hasDocument = useStudio((state) => state.document !== null);
  return (
    <div className="board">
      <EpisodeList />
      <section className="board-main" aria-labelledby="board-title">
        {hasDocument ? (
          <>
            <BoardHeader />
            <ShotList />
          </>
        ) : (
          <div className="empty">
            <h2 id="board-title">No storyboard open</h2>
            <p className="muted">Open a storyboard file (YAML or JSON), or pick one from the list.</p>
          </div>
        )}
      </section>
      <BoardDialogs />
    </div>
  );
}
