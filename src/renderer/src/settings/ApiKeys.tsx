import { useId, useState, type FormEvent } from 'react';
import type { ProviderKeyView } from '../../../shared/api';
import { LoadStatus } from '../components/LoadStatus';
import { useStudio } from '../store/context';
import { canRemoveKey, errorLines, keyFieldLabel, keyStatusText, keyValuesComplete, keyValuesToSend, shadowNote } from './key-status';

/** Provider keys: typed into password fields, stored in the OS keychain, never shown back. */
export function ApiKeys() {
  const keys = useStudio((state) => state.providerKeys);
  const load = useStudio((state) => state.providerKeysLoad);
  return (
    <section aria-labelledby="settings-keys-title" className="settings-panel">
      <h3 id="settings-keys-title">API keys</h3>
      <p className="settings-note">
        Keys are stored in the operating system&apos;s keychain and used only to call their provider. A key set by an environment variable wins over the keychain&apos;s
        while it is set.
      </p>
      {keys?.keychainProblem && (
        <p className="settings-warning">
          <strong>The keychain cannot be used here:</strong> {keys.keychainProblem}
        </p>
      )}
      <LoadStatus load={load} what="the provider keys" />
      <div className="provider-keys">
        {keys?.keys.map((row) => (
          <KeyRow key={row.provider} row={row} />
        ))}
      </div>
    </section>
  );
}

function KeyRow({ row }: { row: ProviderKeyView }) {
  const saveProviderKey = useStudio((state) => state.saveProviderKey);
  const removeProviderKey = useStudio((state) => state.removeProviderKey);
  const problem = useStudio((state) => state.keyErrors[row.provider] ?? null);
  const [values, setValues] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const base = useId();
  const complete = keyValuesComplete(row.fields, values);
  const note = shadowNote(row);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!complete) return;
    setBusy(true);
    await saveProviderKey(row.provider, keyValuesToSend(row.fields, values));
    setBusy(false);
    // The value goes once; the field is emptied whether or not it was stored, so it never lingers on screen.
    setValues({});
  };
  const remove = async () => {
    setBusy(true);
    await removeProviderKey(row.provider);
    setBusy(false);
  };

  return (
    <form className="provider-key" aria-labelledby={`${base}-name`} onSubmit={(event) => void submit(event)}>
      <div className="provider-key-head">
        <span id={`${base}-name`} className="provider-key-name">
          {row.provider}
        </span>
        <span className={`provider-key-status provider-key-status-${row.source ?? 'none'}`}>{keyStatusText(row)}</span>
      </div>
      <div className="provider-key-body">
        {note && <p className="settings-note">{note}</p>}
        <div className="provider-key-fields">
          {row.fields.map((field) => (
            <span key={field} className="provider-key-field">
              <label htmlFor={`${base}-${field}`}>{keyFieldLabel(row.provider, field, row.fields.length)}</label>
              <input
                id={`${base}-${field}`}
                type="password"
                autoComplete="new-password"
                spellCheck={false}
                value={values[field] ?? ''}
                onChange={(event) => setValues((current) => ({ ...current, [field]: event.target.value }))}
              />
            </span>
          ))}
          <button type="submit" disabled={busy || !complete}>
            Save {row.provider} key
          </button>
          <button type="button" className="danger" disabled={busy || !canRemoveKey(row)} onClick={() => void remove()}>
            Remove {row.provider} key
          </button>
        </div>
        {problem && (
          <div role="alert" className="settings-error">
            {errorLines(problem).map((line) => (
              <p key={line}>{line}</p>
            ))}
          </div>
        )}
      </div>
    </form>
  );
}
