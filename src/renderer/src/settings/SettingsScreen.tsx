import { useEffect, useId, useState, type FormEvent } from 'react';
import type { EngineRow, ProviderKeyView } from '../../../shared/api';
import { formatUsd } from '../../../shared/money';
import { useStudio } from '../store/context';

/** Provider keys (to the keychain, never shown back), engines, the data folder and the signing identity. */
export function SettingsScreen() {
  const loadProviderKeys = useStudio((state) => state.loadProviderKeys);
  useEffect(() => {
    void loadProviderKeys().catch(() => undefined);
  }, [loadProviderKeys]);
  return (
    <section aria-labelledby="settings-title" className="settings">
      <h2 id="settings-title">Settings</h2>
      <ApiKeys />
      <Engines />
      <DataAndIdentity />
    </section>
  );
}

export function keyStatusText(row: ProviderKeyView): string {
  if (row.source === 'environment') return `Set by environment variable ${row.environmentVariables.join(' or ')}${row.shadowedKeychainKey ? ' (over the keychain’s)' : ''}`;
  if (row.source === 'keychain') return 'Set in keychain';
  return 'Not set';
}

function ApiKeys() {
  const keys = useStudio((state) => state.providerKeys);
  const error = useStudio((state) => state.settingsError);
  return (
    <section aria-labelledby="keys-title" className="panel">
      <h3 id="keys-title">API keys</h3>
      {keys?.keychainProblem && <p className="muted">{keys.keychainProblem}</p>}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {keys?.keys.map((row) => <KeyRow key={row.provider} row={row} />)}
    </section>
  );
}

function KeyRow({ row }: { row: ProviderKeyView }) {
  const saveProviderKey = useStudio((state) => state.saveProviderKey);
  const removeProviderKey = useStudio((state) => state.removeProviderKey);
  const [values, setValues] = useState<Record<string, string>>({});
  const base = useId();
  const labelOf = (field: string) => (row.fields.length > 1 ? `${row.provider} ${field.toLowerCase().includes('secret') ? 'secret' : 'access'} key` : `${row.provider} API key`);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (await saveProviderKey(row.provider, values)) setValues({});
  };
  return (
    <form className="key-row" onSubmit={(event) => void submit(event)}>
      {row.fields.map((field) => (
        <span key={field} className="field">
          <label htmlFor={`${base}-${field}`}>{labelOf(field)}</label>
          <input id={`${base}-${field}`} type="password" autoComplete="off" value={values[field] ?? ''} onChange={(event) => setValues({ ...values, [field]: event.target.value })} />
        </span>
      ))}
      <button type="submit">Save {row.provider} key</button>
      <button type="button" onClick={() => void removeProviderKey(row.provider)} disabled={row.source !== 'keychain'}>
        Remove {row.provider} key
      </button>
      <span className="small muted">{keyStatusText(row)}</span>
    </form>
  );
}

function Engines() {
  const engines = useStudio((state) => state.engines);
  return (
    <section aria-labelledby="engines-title" className="panel">
      <h3 id="engines-title">Engines</h3>
      <table>
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
            <EngineSettings key={row.spec.id} row={row} />
          ))}
        </tbody>
      </table>
    </section>
  );
}

function EngineSettings({ row }: { row: EngineRow }) {
  const saveEngine = useStudio((state) => state.saveEngine);
  const id = row.spec.id;
  const shippedPrice = row.spec.pricing[0] ? formatUsd(row.spec.pricing[0].microsPerSecond, 4).replace('$', '') : '';
  const [enabled, setEnabled] = useState(row.spec.enabled);
  const [price, setPrice] = useState(shippedPrice);
  const [baseUrl, setBaseUrl] = useState(row.spec.baseUrl ?? '');
  const [concurrency, setConcurrency] = useState(String(row.spec.concurrency));
  const [workflow, setWorkflow] = useState(row.spec.workflow ?? '');
  const [problem, setProblem] = useState<string | null>(null);
  const save = async () => {
    const edit = {
      ...(enabled !== row.spec.enabled ? { enabled } : {}),
      ...(price !== shippedPrice ? { price } : {}),
      ...(baseUrl !== (row.spec.baseUrl ?? '') ? { baseUrl } : {}),
      ...(concurrency !== String(row.spec.concurrency) ? { concurrency } : {}),
      ...(workflow !== (row.spec.workflow ?? '') ? { workflow } : {}),
    };
    setProblem(await saveEngine(id, edit));
  };
  return (
    <tr>
      <th scope="row">
        {id}
        <span className="small muted"> {row.keyConfigured ? '' : '(no key)'}</span>
      </th>
      <td>
        <input type="checkbox" aria-label={`Enable ${id}`} checked={enabled} onChange={(event) => setEnabled(event.target.checked)} />
      </td>
      <td>
        <input aria-label={`Price of ${id} (USD per second)`} value={price} onChange={(event) => setPrice(event.target.value)} size={8} />
      </td>
      <td>
        <input aria-label={`Base URL of ${id}`} value={baseUrl} onChange={(event) => setBaseUrl(event.target.value)} placeholder="provider default" />
        {row.spec.provider === 'comfyui' && (
          <input aria-label={`ComfyUI workflow of ${id} (API-format JSON file)`} value={workflow} onChange={(event) => setWorkflow(event.target.value)} placeholder="shipped workflow" />
        )}
      </td>
      <td>
        <input aria-label={`Concurrency of ${id}`} value={concurrency} onChange={(event) => setConcurrency(event.target.value)} size={3} />
      </td>
      <td>
        <button type="button" onClick={() => void save()}>
          Save {id}
        </button>
        {problem && (
          <span role="alert" className="error small">
            {' '}
            {problem}
          </span>
        )}
      </td>
    </tr>
  );
}

function DataAndIdentity() {
  const appInfo = useStudio((state) => state.appInfo);
  return (
    <>
      <section aria-labelledby="data-title" className="panel">
        <h3 id="data-title">Data folder</h3>
        <p>
          <code>{appInfo?.dataDir ?? '…'}</code>
        </p>
        <p className="muted small">The ledger, every take and the exports live here. Start Shotline with --data-dir DIR (or SHOTLINE_HOME) to use another folder.</p>
      </section>
      <section aria-labelledby="identity-title" className="panel">
        <h3 id="identity-title">Signing identity</h3>
        {appInfo?.signing.subject && <p>Signs as {appInfo.signing.subject}</p>}
        {appInfo?.signing.expiresAt && <p className="small">Signatures made now validate until {appInfo.signing.expiresAt} (no timestamp authority set).</p>}
        {appInfo?.signing.reason && <p className="muted">{appInfo.signing.reason}</p>}
      </section>
    </>
  );
}
