import { useEffect, useState } from 'react';
import type { EngineRow } from '../../../shared/api';
import { LoadStatus } from '../components/LoadStatus';
import { useStudio } from '../store/context';
import { engineEdit, engineFormOf, fieldsNamed, isEmptyEdit, priceRange, settingsFingerprint, usdPerSecond, type EngineForm } from './engine-edit';
import { errorLines } from './key-status';

/** The registry's engines: on or off, price, base URL, concurrency; the same settings as `shotline engines set`. */
export function EngineSettings() {
  const engines = useStudio((state) => state.engines);
  const load = useStudio((state) => state.enginesLoad);
  return (
    <section aria-labelledby="settings-engines-title" className="settings-panel">
      <h3 id="settings-engines-title">Engines</h3>
      <p className="settings-note">
        A price replaces the engine&apos;s prices at every resolution (empty restores the shipped ones). An empty base URL or concurrency goes back to the default.
      </p>
      {engines.length === 0 && <LoadStatus load={load} what="the engines" />}
      <div className="engine-table-wrap">
        <table className="engine-table">
          <caption className="visually-hidden">Engine settings</caption>
          <thead>
            <tr>
              <th scope="col">Engine</th>
              <th scope="col">On</th>
              <th scope="col">Price (USD/s)</th>
              <th scope="col">Base URL</th>
              <th scope="col">Concurrency</th>
              <th scope="col">
                <span className="visually-hidden">Save</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {engines.map((row) => (
              <EngineSettingsRow key={row.spec.id} row={row} />
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

type Outcome = { kind: 'saved' } | { kind: 'unchanged' } | { kind: 'failed'; lines: string[] } | null;

function EngineSettingsRow({ row }: { row: EngineRow }) {
  const saveEngine = useStudio((state) => state.saveEngine);
  const { spec } = row;
  const id = spec.id;
  const fingerprint = settingsFingerprint(spec);
  const [form, setForm] = useState<EngineForm>(() => engineFormOf(spec));
  const [outcome, setOutcome] = useState<Outcome>(null);
  const [saving, setSaving] = useState(false);
  // When the studio's values change (this save, or another window's), the row starts from them again.
  useEffect(() => setForm(JSON.parse(fingerprint) as EngineForm), [fingerprint]);

  const set = <K extends keyof EngineForm>(field: K, value: EngineForm[K]) => {
    setForm((current) => ({ ...current, [field]: value }));
    setOutcome(null);
  };
  const save = async () => {
    const edit = engineEdit(spec, form);
    if (isEmptyEdit(edit)) return setOutcome({ kind: 'unchanged' });
    setSaving(true);
    const problem = await saveEngine(id, edit);
    setSaving(false);
    setOutcome(problem === null ? { kind: 'saved' } : { kind: 'failed', lines: errorLines(problem) });
  };
  const invalid = outcome?.kind === 'failed' ? fieldsNamed(outcome.lines) : new Set<keyof EngineForm>();
  const problemId = `engine-problem-${id}`;
  const describedBy = (field: keyof EngineForm) => (invalid.has(field) ? problemId : undefined);
  const range = priceRange(spec);

  return (
    <tr className={spec.enabled ? undefined : 'engine-off'}>
      <th scope="row">
        <code>{id}</code>
        <span className="engine-meta">
          {spec.provider}
          {spec.status !== 'active' ? ` · ${spec.status}` : ''}
          {row.keyConfigured || spec.provider === 'animatic' || spec.provider === 'comfyui' || spec.provider === 'scripted' ? '' : ' · no key'}
        </span>
      </th>
      <td>
        <input type="checkbox" aria-label={`Enable ${id}`} checked={form.enabled} onChange={(event) => set('enabled', event.target.checked)} />
      </td>
      <td>
        <input
          className="engine-price"
          inputMode="decimal"
          aria-label={`Price of ${id} (USD per second)`}
          aria-invalid={invalid.has('price') || undefined}
          aria-describedby={describedBy('price')}
          value={form.price}
          onChange={(event) => set('price', event.target.value)}
          placeholder={spec.priceSource === 'free' ? 'free' : 'shipped'}
        />
        {range && range.low !== range.high && (
          <span className="engine-meta">
            {usdPerSecond(range.low)} to {usdPerSecond(range.high)} by resolution
          </span>
        )}
        {spec.priceSource === 'estimate' && <span className="engine-meta">estimate</span>}
      </td>
      <td>
        <input
          className="engine-url"
          aria-label={`Base URL of ${id}`}
          aria-invalid={invalid.has('baseUrl') || undefined}
          aria-describedby={describedBy('baseUrl')}
          value={form.baseUrl}
          onChange={(event) => set('baseUrl', event.target.value)}
          placeholder="provider default"
          spellCheck={false}
        />
        {spec.provider === 'comfyui' && (
          <input
            className="engine-url"
            aria-label={`ComfyUI workflow of ${id} (API-format JSON file)`}
            aria-invalid={invalid.has('workflow') || undefined}
            aria-describedby={describedBy('workflow')}
            value={form.workflow}
            onChange={(event) => set('workflow', event.target.value)}
            placeholder="shipped workflow"
            spellCheck={false}
          />
        )}
      </td>
      <td>
        <input
          className="engine-concurrency"
          inputMode="numeric"
          aria-label={`Concurrency of ${id}`}
          aria-invalid={invalid.has('concurrency') || undefined}
          aria-describedby={describedBy('concurrency')}
          value={form.concurrency}
          onChange={(event) => set('concurrency', event.target.value)}
        />
      </td>
      <td className="engine-save">
        <button type="button" onClick={() => void save()} disabled={saving}>
          Save {id}
        </button>
        {outcome?.kind === 'saved' && (
          <span role="status" className="engine-saved">
            Saved
          </span>
        )}
        {outcome?.kind === 'unchanged' && (
          <span role="status" className="engine-meta">
            Nothing changed
          </span>
        )}
        {outcome?.kind === 'failed' && (
          <div role="alert" id={problemId} className="settings-error">
            {outcome.lines.map((line) => (
              <p key={line}>{line}</p>
            ))}
          </div>
        )}
      </td>
    </tr>
  );
}
