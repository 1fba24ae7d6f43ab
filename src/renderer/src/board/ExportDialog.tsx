import { useId, useState, type FormEvent } from 'react';
import { Dialog } from '../components/Dialog';
import { useStudio } from '../store/context';
import { exportPathFor } from '../../../shared/export-path';

const LOUDNESS_CHOICES = [
  { value: '-16', label: '-16 LUFS (default)' },
  { value: '-23', label: '-23 LUFS (broadcast, EBU R128)' },
  { value: '-14', label: '-14 LUFS (streaming)' },
];

/** Stitch the episode from its selected takes (generating nothing), with progress and cancel. */
export function ExportDialog({ onClose }: { onClose(): void }) {
  const document = useStudio((state) => state.document)!;
  const episodeId = useStudio((state) => state.episode?.episodeId ?? null);
  const episodeStatus = useStudio((state) => state.episode?.status);
  const appInfo = useStudio((state) => state.appInfo);
  const stitch = useStudio((state) => state.stitch);
  const client = useStudio((state) => state.client);
  const cancelRender = useStudio((state) => state.cancelRender);
  const title = String(document.storyboard.title ?? 'episode');
  const [outputPath, setOutputPath] = useState(exportPathFor(appInfo?.exportsDir ?? '', title, 'export'));
  const storyboardLoudness = document.storyboard.output?.loudness;
  const hevc = document.storyboard.output?.codec === 'hevc';
  const [loudness, setLoudness] = useState(typeof storyboardLoudness === 'number' ? String(storyboardLoudness) : '-16');
  const [sign, setSign] = useState(true);
  const [started, setStarted] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const ids = { output: useId(), loudness: useId(), sign: useId() };
  const transitions = document.storyboard.shots.filter((shot) => shot.transition && shot.transition.type !== 'cut').length;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!episodeId) return;
    setError(null);
    try {
      await client.restitchEpisode(episodeId, { outputPath, loudness: Number(loudness), sign });
      setStarted(outputPath);
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    }
  };
  const stitching = started !== null && !(stitch?.done ?? false);
  const done = started !== null && stitch?.done && episodeStatus === 'completed';

  return (
    <Dialog title="Stitch and export" onClose={onClose}>
      <form className="form" onSubmit={(event) => void submit(event)}>
        <label htmlFor={ids.output}>Output file</label>
        <input id={ids.output} type="text" value={outputPath} onChange={(event) => setOutputPath(event.target.value)} />
        <label htmlFor={ids.loudness}>Loudness target</label>
        <select id={ids.loudness} value={loudness} onChange={(event) => setLoudness(event.target.value)}>
          {LOUDNESS_CHOICES.map((choice) => (
            <option key={choice.value} value={choice.value}>
              {choice.label}
            </option>
          ))}
        </select>
        <label className="inline" htmlFor={ids.sign}>
          <input id={ids.sign} type="checkbox" checked={sign} onChange={(event) => setSign(event.target.checked)} /> Sign the export
        </label>
        <p className="small">
          Transitions: {transitions} of {document.storyboard.shots.length} shots fade or wipe into the next (set per shot with Edit; the export takes them as the
          storyboard says now, without generating anything).
        </p>
        <p className="small">
          Encoder: {hevc ? 'HEVC, as the storyboard asks (the encoder that works best here is chosen when the export starts)' : appInfo?.media ? appInfo.media.encoderReason : 'not known yet'}
        </p>
        {appInfo?.media && <p className="small">Scaling: {appInfo.media.scalingReason}</p>}
        <div className="actions">
          <button type="submit" disabled={stitching || !episodeId}>
            Export
          </button>
          <button type="button" onClick={() => void cancelRender()} disabled={!stitching}>
            Cancel
          </button>
        </div>
      </form>
      {stitching && (
        <div>
          <progress aria-label="Stitch progress" max={1} value={stitch?.progress ?? 0} />
          <span className="small muted"> {Math.round((stitch?.progress ?? 0) * 100)}%{stitch?.etaSeconds !== undefined ? `, about ${Math.ceil(stitch.etaSeconds)} s left` : ''}</span>
        </div>
      )}
      {done && <p role="status">Exported to {started}</p>}
      {started && stitch?.done && episodeStatus !== 'completed' && episodeStatus !== 'running' && episodeStatus !== 'stitching' && (
        <p role="alert" className="error">
          The export did not finish ({episodeStatus}).
        </p>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </Dialog>
  );
}
