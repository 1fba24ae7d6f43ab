import { useId, useState, type FormEvent } from 'react';
import { Problems } from '../components/Problems';
import { Dialog } from '../components/Dialog';
import { useStudio } from '../store/context';
import { starterStoryboard } from './editor/shot-edit';

/** Open a storyboard file where it is (its references stay next to it), or upload one into the data folder. */
export function OpenStoryboardDialog({ onClose }: { onClose(): void }) {
  const openStoryboard = useStudio((state) => state.openStoryboard);
  const [path, setPath] = useState('');
  const [problems, setProblems] = useState<string[]>([]);
  const [working, setWorking] = useState(false);
  const pathId = useId();
  const uploadId = useId();
  const titleId = useId();
  const [title, setTitle] = useState('');

  const open = async (source: Parameters<typeof openStoryboard>[0]) => {
    setWorking(true);
    const outcome = await openStoryboard(source);
    setWorking(false);
    if (!outcome.ok) setProblems(outcome.problems);
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (path.trim()) void open({ path: path.trim() });
    else setProblems(['Storyboard file path: give the path of a .yaml or .json storyboard']);
  };

  return (
    <Dialog title="Open a storyboard" onClose={onClose}>
      <form onSubmit={submit} className="form">
        <label htmlFor={pathId}>Storyboard file path</label>
        <input id={pathId} type="text" value={path} onChange={(event) => setPath(event.target.value)} placeholder="/home/me/episodes/pilot.yaml" autoFocus />
        <button type="submit" disabled={working}>
          Open
        </button>
        <label htmlFor={uploadId}>Upload a storyboard file</label>
        <input
          id={uploadId}
          type="file"
          accept=".yaml,.yml,.json"
          onChange={(event) => {
            const file = event.target.files?.[0];
            if (file) void file.text().then((text) => open({ fileName: file.name, text }));
          }}
        />
        <p className="muted small">An uploaded storyboard is kept in the data folder; its reference images must then be absolute paths.</p>
      </form>
      <form
        className="form"
        onSubmit={(event) => {
          event.preventDefault();
          if (!title.trim()) return setProblems(['Title of a new storyboard: must not be empty']);
          void open({ fileName: `${title.trim()}.yaml`, text: starterStoryboard(title.trim()) });
        }}
      >
        <label htmlFor={titleId}>Title of a new storyboard</label>
        <input id={titleId} type="text" value={title} onChange={(event) => setTitle(event.target.value)} />
        <button type="submit" disabled={working}>
          Create
        </button>
      </form>
      <Problems problems={problems} />
    </Dialog>
  );
}

