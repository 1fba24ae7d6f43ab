import type { FallbackRecord, HeldReservation } from '../../../shared/api';
import { exactMoney, holdUntilText, money } from './cost-figures';

/** Every time a shot left an engine for another, newest first: why, and what the failed try cost. */
export function FallbacksTable({ fallbacks }: { fallbacks: readonly FallbackRecord[] }) {
  return (
    <div className="cost-table-wrap">
      <table className="cost-table">
        <caption>Fallbacks</caption>
        <thead>
          <tr>
            <th scope="col">Episode</th>
            <th scope="col">Shot</th>
            <th scope="col">Engine</th>
            <th scope="col">Reason</th>
            <th scope="col" className="money">
              Cost
            </th>
            <th scope="col">Next engine</th>
          </tr>
        </thead>
        <tbody>
          {fallbacks.length === 0 && (
            <tr>
              <td colSpan={6} className="cost-table-empty">
                No shot has had to leave an engine.
              </td>
            </tr>
          )}
          {fallbacks.map((row) => (
            <tr key={`${row.episodeId}-${row.shotId}-${row.engineId}-${row.at}`}>
              <td>{row.title}</td>
              <td>
                <code>{row.shotId}</code>
              </td>
              <td>
                <code>{row.engineId}</code>
              </td>
              <td className="cost-table-reason">
                <span className="cost-kind">{row.errorKind}</span> {row.reason}
              </td>
              <td className="money" title={exactMoney(row.costMicros)}>
                {money(row.costMicros)}
              </td>
              <td>{row.nextEngineId ? <code>{row.nextEngineId}</code> : <span className="cost-none">none tried</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Money reserved for attempts whose outcome is not known yet, and when each is let go. */
export function HeldTable({ held }: { held: readonly HeldReservation[] }) {
  if (held.length === 0) return null;
  return (
    <div className="cost-table-wrap">
      <table className="cost-table">
        <caption>Held reservations</caption>
        <thead>
          <tr>
            <th scope="col">Episode</th>
            <th scope="col">Shot</th>
            <th scope="col">Engine</th>
            <th scope="col">State</th>
            <th scope="col" className="money">
              Held
            </th>
            <th scope="col">Released</th>
            <th scope="col">Why</th>
          </tr>
        </thead>
        <tbody>
          {held.map((row) => (
            <tr key={row.attemptId}>
              <td>{row.title}</td>
              <td>
                <code>{row.shotId}</code>
              </td>
              <td>
                <code>{row.engineId}</code>
              </td>
              <td>{row.status}</td>
              <td className="money" title={exactMoney(row.heldMicros)}>
                {money(row.heldMicros)}
              </td>
              <td>{holdUntilText(row.holdUntil)}</td>
              <td className="cost-table-reason">{row.reason}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
