import { useStudio } from '../store/context';
import { LoadStatus } from './LoadStatus';

export function EpisodeList() {
  const episodes = useStudio((state) => state.episodes);
  const load = useStudio((state) => state.episodesLoad);

  return (
    <section className="panel" aria-labelledby="episodes-heading">
      <h2 id="episodes-heading">Episodes</h2>
      <LoadStatus load={load} what="episodes" />
      {load.status === 'ready' && episodes.length === 0 && (
        <p className="muted">
          No episodes yet. Render one with <code>shotline render &lt;storyboard&gt; --out episode.mp4</code>.
        </p>
      )}
      {episodes.length > 0 && (
        <ul className="episodes">
          {episodes.map((episode) => (
            <li key={episode.episodeId}>
              <strong>{episode.title}</strong>
              <span className={`badge badge-${episode.status}`}>{episode.status}</span>
              <span className="muted">{episode.mode}</span>
              <span className="mono muted path">{episode.outputPath}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
