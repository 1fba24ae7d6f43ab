import { useId, useState, type FormEvent } from 'react';
import { SHOT_KINDS, TRANSITION_TYPES } from '../../../../shared/domain';
import { Problems } from '../../components/Problems';
import { Dialog } from '../../components/Dialog';
import { useStudio } from '../../store/context';
import { formOf, nextShotId, problemsFor, shotFrom, withShot, type ShotForm } from './shot-edit';

/** Create or edit one shot inline; checked as `shotline check` checks, then saved to the storyboard file. */
export function ShotEditor({ shotId, onClose }: { shotId: string | null; onClose(): void }) {
  const document = useStudio((state) => state.document);
  const engines = useStudio((state) => state.engines);
  const saveStoryboard = useStudio((state) => state.saveStoryboard);
  const storyboard = document?.storyboard;
  const original = shotId === null ? undefined : storyboard?.shots.find((shot) => shot.id === shotId);
  const [form, setForm] = useState<ShotForm>(() => formOf(original, storyboard ? nextShotId(storyboard) : 's01'));
  const [problems, setProblems] = useState<string[]>([]);
  const [saving, setSaving] = useState(false);
  const idBase = useId();
  const id = (field: string) => `${idBase}-${field}`;
  if (!storyboard) return null;
  const set = <K extends keyof ShotForm>(field: K, value: ShotForm[K]) => setForm((current) => ({ ...current, [field]: value }));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const edited = withShot(storyboard, shotFrom(form, original), shotId);
    const local = problemsFor(edited, form.id.trim());
    if (local.length > 0) return setProblems(local);
    setSaving(true);
    const outcome = await saveStoryboard(edited);
    setSaving(false);
    if (outcome.ok) onClose();
    else setProblems(outcome.problems);
  };

  return (
    <Dialog title={shotId === null ? 'New shot' : `Edit shot ${shotId}`} onClose={onClose} wide>
      <form className="form editor" onSubmit={(event) => void submit(event)}>
        <label htmlFor={id('id')}>Shot id</label>
        <input id={id('id')} value={form.id} onChange={(event) => set('id', event.target.value)} readOnly={shotId !== null} />
        <label htmlFor={id('prompt')}>Prompt</label>
        <textarea id={id('prompt')} rows={4} value={form.prompt} onChange={(event) => set('prompt', event.target.value)} />
        <label htmlFor={id('kind')}>Kind</label>
        <select id={id('kind')} value={form.kind} onChange={(event) => set('kind', event.target.value)}>
          {SHOT_KINDS.map((kind) => (
            <option key={kind}>{kind}</option>
          ))}
        </select>
        <label htmlFor={id('duration')}>Duration (s)</label>
        <input id={id('duration')} inputMode="decimal" value={form.duration} onChange={(event) => set('duration', event.target.value)} />
        <label className="inline" htmlFor={id('audio')}>
          <input id={id('audio')} type="checkbox" checked={form.audio} onChange={(event) => set('audio', event.target.checked)} /> Sound
        </label>
        <fieldset>
          <legend>Characters</legend>
          {(storyboard.characters ?? []).length === 0 && <span className="muted small">The storyboard has no characters.</span>}
          {(storyboard.characters ?? []).map((character) => (
            <label key={character.id} className="inline">
              <input
                type="checkbox"
                checked={form.characters.includes(character.id)}
                onChange={(event) => set('characters', event.target.checked ? [...form.characters, character.id] : form.characters.filter((c) => c !== character.id))}
              />{' '}
              {character.id}
            </label>
          ))}
        </fieldset>
        <label htmlFor={id('reference')}>Reference image</label>
        <input id={id('reference')} value={form.reference} onChange={(event) => set('reference', event.target.value)} placeholder="refs/harbour.png (relative to the storyboard)" />
        <label htmlFor={id('transition')}>Transition</label>
        <select id={id('transition')} value={form.transition} onChange={(event) => set('transition', event.target.value)}>
          {TRANSITION_TYPES.map((type) => (
            <option key={type}>{type}</option>
          ))}
        </select>
        <label htmlFor={id('transitionDuration')}>Transition duration (s)</label>
        <input id={id('transitionDuration')} inputMode="decimal" value={form.transitionDuration} onChange={(event) => set('transitionDuration', event.target.value)} disabled={form.transition === 'cut'} />
        <label htmlFor={id('negative')}>Negative prompt</label>
        <input id={id('negative')} value={form.negative} onChange={(event) => set('negative', event.target.value)} />
        <label htmlFor={id('seed')}>Seed</label>
        <input id={id('seed')} inputMode="numeric" value={form.seed} onChange={(event) => set('seed', event.target.value)} />
        <label htmlFor={id('engine')}>Engine</label>
        <select id={id('engine')} value={form.engine} onChange={(event) => set('engine', event.target.value)}>
          <option value="auto">auto</option>
          {engines.map((row) => (
            <option key={row.spec.id} value={row.spec.id}>
              {row.spec.id}
            </option>
          ))}
        </select>
        <div className="actions">
          <button type="submit" disabled={saving}>
            Save shot
          </button>
        </div>
      </form>
      <Problems problems={problems} />
    </Dialog>
  );
}
