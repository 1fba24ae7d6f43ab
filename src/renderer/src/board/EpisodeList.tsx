import { useEffect } from 'react';
import { useStudio } from '../store/context';
import { usd } from './shot-status';

/** Storyboards opened before and the episodes made from them; one click opens one on the board. */
export function EpisodeList() {
  const storyboards = useStudio((state) => state.storyboards);
  const episodes = useStudio((state) => state.episodes);
  const loadStoryboards = useStudio((state) => state.loadStoryboards);
  const openStoryboard = useStudio((state) => state.openStoryboard);
  const openDialog = useStudio((state) => state.openDialog);
  const currentPath = useStudio((state) => state.document?.path ?? null);

  useEffect(() => {
    void loadStoryboards();
  }, [loadStoryboards]);

  const byPath = new Map(episodes.map((episode) => [episode.storyboardPath, episode]));
  const paths = [...new Set([...storyboards.map((s) => s.path), ...episodes.map((e) => e.storyboardPath)])];
  return (
    <section className="episodes panel" aria-labelledby="episodes-title">
      <div className="panel-title">
        <h2 id="episodes-title">Episodes</h2>
        <button type="button" onClick={() => openDialog({ kind: 'open' })}>
          Open storyboard…
        </button>
      </div>
      {paths.length === 0 ? (
        <p className="muted">Nothing yet.</p>
      ) : (
        <ul className="episode-list">
          {paths.map((path) => {
            const recent = storyboards.find((s) => s.path === path);
            const episode = byPath.get(path);
            const title = episode?.title ?? recent?.title ?? path;
            return (
              <li key={path}>
                <button type="button" className={path === currentPath ? 'episode current' : 'episode'} aria-current={path === currentPath ? 'true' : undefined} onClick={() => void openStoryboard({ path })} disabled={recent?.exists === false}>
                  <span className="episode-title">{title}</span>
                  <span className="muted small">
                    {episode ? `${episode.state.replace('_', ' ')} · ${episode.shots} shots · ${usd(episode.spentMicros)}` : `${recent?.shots ?? 0} shots · not rendered`}
                    {recent?.exists === false ? ' · file missing' : ''}
                  </span>
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
