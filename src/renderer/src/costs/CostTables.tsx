import type { ReactNode } from 'react';
import type { FallbackRecord, HeldReservation } from '../../../shared/api';
import { exactMoney, holdUntilText, money } from './cost-figures';

/** The frame both tables share: a caption, column headers (`money` ones right-aligned), the rows. */
function CostTable({ caption, columns, money: moneyColumns, children }: { caption: string; columns: readonly string[]; money: readonly string[]; children: ReactNode }) {
  return (
    <div className="cost-table-wrap">
      <table className="cost-table">
        <caption>{caption}</caption>
        <thead>
          <tr>
            {columns.map((column) => (
              <th key={column} scope="col" className={moneyColumns.includes(column) ? 'money' : undefined}>
                {column}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

/** Every time a shot left an engine for another, newest first: why, and what the failed try cost. */
export function FallbacksTable({ fallbacks }: { fallbacks: readonly FallbackRecord[] }) {
  return (
    <CostTable caption="Fallbacks" columns={['Episode', 'Shot', 'Engine', 'Reason', 'Cost', 'Next engine']} money={['Cost']}>
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
    </CostTable>
  );
}

/** Money reserved for attempts whose outcome is not known yet, and when each is let go. */
export function HeldTable({ held }: { held: readonly HeldReservation[] }) {
  if (held.length === 0) return null;
  return (
    <CostTable caption="Held reservations" columns={['Episode', 'Shot', 'Engine', 'State', 'Held', 'Released', 'Why']} money={['Held']}>
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
    </CostTable>
  );
}
