import type { EngineRow } from '../../../shared/api';
import { formatUsd } from '../../../shared/money';
import { useStudio } from '../store/context';
import { LoadStatus } from './LoadStatus';

/** The cheapest listed rate, so engines compare at a glance; the router sees the full table. */
function priceLabel({ spec }: EngineRow): string {
  if (spec.priceSource === 'free') return 'free';
  const rates = spec.pricing.map((price) => price.microsPerSecond);
  if (rates.length === 0) return 'unknown';
  const label = `from ${formatUsd(Math.min(...rates), 3)}/s`;
  if (spec.priceSource === 'user') return `${label} (yours)`;
  return spec.priceSource === 'estimate' ? `${label} (estimate)` : label;
}

function statusLabel({ spec, adapterAvailable }: EngineRow): string {
  const status = spec.statusDate ? `${spec.status} (${spec.statusDate})` : spec.status;
  if (!spec.enabled) return `${status}, disabled`;
  return adapterAvailable ? status : `${status}, no adapter`;
}

export function EngineTable() {
  const engines = useStudio((state) => state.engines);
  const load = useStudio((state) => state.enginesLoad);

  return (
    <section className="panel" aria-labelledby="engines-heading">
      <h2 id="engines-heading">Engines</h2>
      <LoadStatus load={load} what="the engine registry" />
      {load.status === 'ready' && engines.length === 0 && <p className="muted">The registry is empty.</p>}
      {engines.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">Engine</th>
              <th scope="col">Provider</th>
              <th scope="col">Status</th>
              <th scope="col">Price</th>
              <th scope="col">API key</th>
            </tr>
          </thead>
          <tbody>
            {engines.map((row) => (
              <tr key={row.spec.id}>
                <td>
                  <span className="mono">{row.spec.id}</span>
                  <span className="muted"> {row.spec.displayName}</span>
                </td>
                <td>{row.spec.provider}</td>
                <td className={`status status-${row.spec.status}`}>{statusLabel(row)}</td>
                <td>{priceLabel(row)}</td>
                <td>{row.keyConfigured ? 'configured' : 'missing'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
