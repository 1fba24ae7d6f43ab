import { useEffect } from 'react';
import type { CostSummary, HeldReservation } from '../../../shared/api';
import { LoadStatus } from '../components/LoadStatus';
import { useStudio } from '../store/context';
import { dayRows, engineRows, episodeRows, exactMoney, heldTotalMicros, modeRows, money, previewSavingDetail } from './cost-figures';
import { FallbacksTable, HeldTable } from './CostTables';
import { SpendChart } from './SpendChart';
import './costs.css';

/** Where the money went: by engine, episode, mode and day, what previewing saved, every fallback, what is still held. */
export function CostDashboard() {
  const costs = useStudio((state) => state.costs);
  const costsLoad = useStudio((state) => state.costsLoad);
  const held = useStudio((state) => state.heldReservations);
  const heldProblem = useStudio((state) => state.heldProblem);
  const loadCosts = useStudio((state) => state.loadCosts);
  useEffect(() => {
    void loadCosts();
  }, [loadCosts]);

  return (
    <section aria-labelledby="costs-title" className="costs cost-dashboard">
      <div className="cost-header">
        <h2 id="costs-title">Costs</h2>
        <button type="button" onClick={() => void loadCosts()} disabled={costsLoad.status === 'loading'}>
          Refresh
        </button>
      </div>
      <LoadStatus load={costsLoad} what="the costs" />
      {costs && <Dashboard costs={costs} held={held} heldProblem={heldProblem} />}
    </section>
  );
}

function Dashboard({ costs, held, heldProblem }: { costs: CostSummary; held: HeldReservation[]; heldProblem: string | null }) {
  const heldMicros = heldTotalMicros(held);
  return (
    <>
      <div className="cost-totals">
        <p className="cost-stat">
          <Stat label="Total spent" micros={costs.totalMicros} />
        </p>
        <p className="cost-stat">
          <Stat label="Held" micros={heldMicros} />
          <span className="cost-stat-note">{held.length === 0 ? 'Nothing reserved for attempts in flight.' : `Reserved for ${held.length === 1 ? '1 attempt' : `${held.length} attempts`} whose outcome is not known yet.`}</span>
        </p>
        <p className="cost-stat cost-stat-saving">
          <Stat label="Preview saved" micros={costs.previewSaving.savedMicros} />
          <span className="cost-stat-note">{previewSavingDetail(costs.previewSaving)}</span>
        </p>
      </div>
      {heldProblem && (
        <p role="alert" className="cost-problem">
          Could not read the held money: {heldProblem}
        </p>
      )}
      <div className="cost-charts">
        <SpendChart title="Spend by engine" kind="bars" rows={engineRows(costs)} labelHeader="Engine" />
        <SpendChart title="Spend by episode" kind="bars" rows={episodeRows(costs)} labelHeader="Episode" />
        <SpendChart title="Spend by mode" kind="pie" rows={modeRows(costs)} labelHeader="Mode" />
        <SpendChart title="Spend over time" kind="area" rows={dayRows(costs)} labelHeader="Day (UTC)" />
      </div>
      <FallbacksTable fallbacks={costs.fallbacks} />
      <HeldTable held={held} />
    </>
  );
}

/** "Preview saved $1.23" as one piece of text (what people and tests read), the exact figure in its title. */
function Stat({ label, micros }: { label: string; micros: number }) {
  return (
    <span className="cost-stat-main">
      <span className="cost-stat-label">{label}</span>{' '}
      <span className="cost-stat-value" title={exactMoney(micros)}>
        {money(micros)}
      </span>
    </span>
  );
}
