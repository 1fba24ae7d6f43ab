import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { SHOT_KINDS, TRANSITION_TYPES } from '../../../../shared/domain';
import { LIMITS } from '../../../../shared/storyboard';
import { Dialog } from '../../components/Dialog';
import { useStudio } from '../../store/context';
import { editedShotIndex, formOf, nextShotId, shotFrom, shotProblems, storyboardFolder, withShot, type ShotForm, type ShotProblems } from './shot-edit';
import './editor.css';

const NO_PROBLEMS: ShotProblems = { mine: [], others: [] };

/**
 * Create or edit one shot inline. Checked first as `shotline check` checks (the same
 * lines), then saved to the storyboard file, where the studio checks again (reference
 * files included) and answers with the same kind of lines.
 */
export function ShotEditor({ shotId, onClose }: { shotId: string | null; onClose(): void }) {
  const document = useStudio((state) => state.document);
  const engines = useStudio((state) => state.engines);
  const saveStoryboard = useStudio((state) => state.saveStoryboard);
  const storyboard = document?.storyboard;
  const original = shotId === null ? undefined : storyboard?.shots.find((shot) => shot.id === shotId);
  const [form, setForm] = useState<ShotForm>(() => formOf(original, storyboard ? nextShotId(storyboard) : 's01'));
  const [problems, setProblems] = useState<ShotProblems>(NO_PROBLEMS);
  const [saving, setSaving] = useState(false);
  const firstField = useRef<HTMLInputElement & HTMLTextAreaElement>(null);
  const idBase = useId();
  const id = (field: string) => `${idBase}-${field}`;

  // After the dialog has opened (and noted what to give focus back to), start where the user types.
  useEffect(() => {
    const frame = requestAnimationFrame(() => firstField.current?.focus());
    return () => cancelAnimationFrame(frame);
  }, []);

  const title = shotId === null ? 'New shot' : `Edit shot ${shotId}`;
  if (!document || !storyboard) {
    return (
      <Dialog title={title} onClose={onClose}>
        <p className="muted">Open a storyboard first.</p>
      </Dialog>
    );
  }
  const set = <K extends keyof ShotForm>(field: K, value: ShotForm[K]) => setForm((current) => ({ ...current, [field]: value }));
  const characters = storyboard.characters ?? [];
  const pinnedElsewhere = form.engine !== 'auto' && !engines.some((row) => row.spec.id === form.engine);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const edited = withShot(storyboard, shotFrom(form, original), shotId);
    const local = shotProblems(edited, form.id.trim(), editedShotIndex(edited, shotId));
    setProblems(local);
    if (local.mine.length + local.others.length > 0) return;
    setSaving(true);
    const outcome = await saveStoryboard(edited);
    setSaving(false);
    if (outcome.ok) return onClose();
    // The studio's lines (a missing reference file, say) are sorted the same way.
    const index = editedShotIndex(edited, shotId);
    // The studio's heading ("pilot.yaml: 1 problem in the storyboard") says what the alert's own intro says.
    const lines = outcome.problems.filter((line) => !/: \d+ problems? in the storyboard$/.test(line));
    const mine = lines.filter((line) => mentionsShot(line, form.id.trim(), index));
    setProblems({ mine, others: lines.filter((line) => !mine.includes(line)) });
  };

  return (
    <Dialog title={title} onClose={onClose} wide>
      <form className="shot-editor" onSubmit={(event) => void submit(event)} noValidate>
        <div className="shot-editor-grid">
          <label htmlFor={id('id')}>Shot id</label>
          {shotId === null ? (
            <input id={id('id')} ref={firstField} value={form.id} onChange={(event) => set('id', event.target.value)} autoComplete="off" spellCheck={false} aria-describedby={id('id-hint')} />
          ) : (
            <input id={id('id')} value={form.id} readOnly aria-describedby={id('id-hint')} />
          )}
          <p id={id('id-hint')} className="shot-editor-hint">
            {shotId === null ? 'Letters, digits, "_" or "-"; the next free id is suggested.' : 'The id stays: takes and approvals are kept under it.'}
          </p>

          <label htmlFor={id('prompt')}>Prompt</label>
          <textarea
            id={id('prompt')}
            ref={shotId === null ? undefined : firstField}
            rows={5}
            value={form.prompt}
            onChange={(event) => set('prompt', event.target.value)}
            aria-describedby={id('prompt-count')}
          />
          <p id={id('prompt-count')} className={form.prompt.trim().length > LIMITS.promptChars ? 'shot-editor-hint over' : 'shot-editor-hint'}>
            {form.prompt.trim().length} of {LIMITS.promptChars} characters
          </p>

          <label htmlFor={id('kind')}>Kind</label>
          <select id={id('kind')} value={form.kind} onChange={(event) => set('kind', event.target.value)}>
            {SHOT_KINDS.map((kind) => (
              <option key={kind} value={kind}>
                {kind}
              </option>
            ))}
          </select>

          <label htmlFor={id('duration')}>Duration (s)</label>
          <div className="shot-editor-pair">
            <input id={id('duration')} inputMode="decimal" value={form.duration} onChange={(event) => set('duration', event.target.value)} aria-describedby={id('duration-hint')} />
            <span id={id('duration-hint')} className="shot-editor-hint">
              {LIMITS.minDuration} to {LIMITS.maxDuration} seconds
            </span>
            <label className="shot-editor-check">
              <input type="checkbox" checked={form.audio} onChange={(event) => set('audio', event.target.checked)} /> Sound
            </label>
          </div>

          <span id={id('characters')} className="shot-editor-label">
            Characters
          </span>
          <fieldset className="shot-editor-characters" aria-labelledby={id('characters')}>
            {characters.length === 0 && <span className="shot-editor-hint">The storyboard has no characters.</span>}
            {characters.map((character) => (
              <label key={character.id} className="shot-editor-check" title={character.description}>
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
          <input id={id('reference')} value={form.reference} onChange={(event) => set('reference', event.target.value)} spellCheck={false} aria-describedby={id('reference-hint')} />
          <p id={id('reference-hint')} className="shot-editor-hint">
            A path relative to <code>{storyboardFolder(document.path)}</code>, or absolute. Leave empty for text only.
          </p>

          <label htmlFor={id('transition')}>Transition</label>
          <div className="shot-editor-pair">
            <select id={id('transition')} value={form.transition} onChange={(event) => set('transition', event.target.value)} aria-describedby={id('transition-hint')}>
              {TRANSITION_TYPES.map((type) => (
                <option key={type} value={type}>
                  {type}
                </option>
              ))}
            </select>
            <label htmlFor={id('transitionDuration')}>Transition duration (s)</label>
            <input
              id={id('transitionDuration')}
              className="shot-editor-short"
              inputMode="decimal"
              value={form.transition === 'cut' ? '' : form.transitionDuration}
              onChange={(event) => set('transitionDuration', event.target.value)}
              disabled={form.transition === 'cut'}
            />
          </div>
          <p id={id('transition-hint')} className="shot-editor-hint">
            Into the next shot; 0 to {LIMITS.maxTransition} seconds. A cut has no length.
          </p>

          <label htmlFor={id('negative')}>Negative prompt</label>
          <input id={id('negative')} value={form.negative} onChange={(event) => set('negative', event.target.value)} aria-describedby={id('negative-hint')} />
          <p id={id('negative-hint')} className="shot-editor-hint">
            What the shot must not show; sent only to engines that take one.
          </p>

          <label htmlFor={id('seed')}>Seed</label>
          <input id={id('seed')} className="shot-editor-short" inputMode="numeric" value={form.seed} onChange={(event) => set('seed', event.target.value)} />

          <label htmlFor={id('engine')}>Engine</label>
          <select id={id('engine')} value={form.engine} onChange={(event) => set('engine', event.target.value)}>
            <option value="auto">auto (the router chooses)</option>
            {pinnedElsewhere && <option value={form.engine}>{form.engine} (not in the registry)</option>}
            {engines.map((row) => (
              <option key={row.spec.id} value={row.spec.id}>
                {row.spec.id}
                {row.spec.enabled ? '' : ' (off)'}
              </option>
            ))}
          </select>
        </div>

        <ProblemLines problems={problems} />

        <div className="shot-editor-actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={saving} aria-busy={saving}>
            {saving ? 'Saving…' : 'Save shot'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/** Whether a line from the studio is about the edited shot (by its place or by its id). */
function mentionsShot(line: string, shotId: string, index: number): boolean {
  return (index >= 0 && new RegExp(`^shots\\[${index}\\][.:\\[]`).test(line)) || (shotId !== '' && line.includes(JSON.stringify(shotId)));
}

/** The checks' lines, this shot's first; one alert so a screen reader hears them once. */
function ProblemLines({ problems }: { problems: ShotProblems }) {
  if (problems.mine.length + problems.others.length === 0) return null;
  return (
    <div role="alert" className="shot-editor-problems">
      <p>The shot was not saved. Fix these first:</p>
      {problems.mine.length > 0 && (
        <ul>
          {problems.mine.map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ul>
      )}
      {problems.others.length > 0 && (
        <>
          {problems.mine.length > 0 && <p>Elsewhere in the storyboard:</p>}
          <ul>
            {problems.others.map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
