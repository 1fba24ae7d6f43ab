import { useEffect } from 'react';
import { Bar, BarChart, CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { CostSummary } from '../../../shared/api';
import { LoadStatus } from '../components/LoadStatus';
import { usd } from '../board/shot-status';
import { useStudio } from '../store/context';

const dollars = (micros: number) => Math.round(micros / 10_000) / 100;

/** Where the money went: by engine, episode, mode and day, what previewing saved, every fallback. */
export function CostDashboard() {
  const costs = useStudio((state) => state.costs);
  const costsLoad = useStudio((state) => state.costsLoad);
  const loadCosts = useStudio((state) => state.loadCosts);
  useEffect(() => {
    void loadCosts();
  }, [loadCosts]);

  return (
    <section aria-labelledby="costs-title" className="costs">
      <div className="panel-title">
        <h2 id="costs-title">Costs</h2>
        <button type="button" onClick={() => void loadCosts()}>
          Refresh
        </button>
      </div>
      <LoadStatus load={costsLoad} what="the costs" />
      {costs && <Dashboard costs={costs} />}
    </section>
  );
}

function Dashboard({ costs }: { costs: CostSummary }) {
  const byEngine = costs.byEngine.map((row) => ({ name: row.engineId, usd: dollars(row.spentMicros) }));
  const byEpisode = costs.byEpisode.map((row) => ({ name: row.title, usd: dollars(row.spentMicros) }));
  const byMode = costs.byMode.map((row) => ({ name: row.mode, usd: dollars(row.spentMicros) }));
  const byDay = costs.byDay.map((row) => ({ name: row.day, usd: dollars(row.spentMicros) }));
  return (
    <>
      <p>
        Total spent <strong>{usd(costs.totalMicros)}</strong> · Preview saved <strong>{usd(costs.previewSaving.savedMicros)}</strong> over {costs.previewSaving.episodes} episode(s)
      </p>
      <div className="charts">
        <Chart title="Spend by engine" rows={byEngine} />
        <Chart title="Spend by episode" rows={byEpisode} />
        <Chart title="Spend by mode" rows={byMode} />
        <Chart title="Spend over time" rows={byDay} line />
      </div>
      <table>
        <caption>Fallbacks</caption>
        <thead>
          <tr>
            <th scope="col">Episode</th>
            <th scope="col">Shot</th>
            <th scope="col">Engine</th>
            <th scope="col">Why</th>
            <th scope="col">Cost</th>
            <th scope="col">Went to</th>
          </tr>
        </thead>
        <tbody>
          {costs.fallbacks.length === 0 && (
            <tr>
              <td colSpan={6} className="muted">
                No fallbacks.
              </td>
            </tr>
          )}
          {costs.fallbacks.map((row) => (
            <tr key={`${row.episodeId}-${row.shotId}-${row.engineId}-${row.at}`}>
              <td>{row.title}</td>
              <td>{row.shotId}</td>
              <td>{row.engineId}</td>
              <td>{row.reason}</td>
              <td>{usd(row.costMicros)}</td>
              <td>{row.nextEngineId ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

/** One chart, with its figures as a list for screen readers (the SVG itself is one image). */
function Chart({ title, rows, line = false }: { title: string; rows: { name: string; usd: number }[]; line?: boolean }) {
  const summary = rows.length === 0 ? 'nothing spent yet' : rows.map((row) => `${row.name}: $${row.usd.toFixed(2)}`).join(', ');
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      {rows.length === 0 ? (
        <p className="muted">Nothing spent yet.</p>
      ) : (
        <div role="img" aria-label={`${title}: ${summary}`} className="chart-canvas">
          <ResponsiveContainer width="100%" height={180}>
            {line ? (
              <LineChart data={rows}>
                <CartesianGrid stroke="#2c3039" />
                <XAxis dataKey="name" stroke="#aab0bd" fontSize={11} />
                <YAxis stroke="#aab0bd" fontSize={11} unit="$" />
                <Tooltip />
                <Line type="monotone" dataKey="usd" stroke="#6ea8fe" isAnimationActive={false} />
              </LineChart>
            ) : (
              <BarChart data={rows}>
                <CartesianGrid stroke="#2c3039" />
                <XAxis dataKey="name" stroke="#aab0bd" fontSize={11} />
                <YAxis stroke="#aab0bd" fontSize={11} unit="$" />
                <Tooltip />
                <Bar dataKey="usd" fill="#6ea8fe" isAnimationActive={false} />
              </BarChart>
            )}
          </ResponsiveContainer>
        </div>
      )}
    </figure>
  );
}
