import { Area, AreaChart, Bar, BarChart, CartesianGrid, Cell, Legend, Pie, PieChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { axisMoney, exactMoney, figuresText, money, type ChartRow } from './cost-figures';

export type ChartKind = 'bars' | 'pie' | 'area';

/** Colours that keep 3:1 against the panel (non-text contrast) and stay apart for colour-blind readers. */
const SERIES = ['#8ab8ff', '#8fe8b5', '#f2cc60', '#d7a6ff', '#ff9b94', '#7fdbe6'];
const AXIS = '#a3a9b7';
const GRID = '#2c3039';
const TOOLTIP_STYLE = { background: '#242832', border: '1px solid #353a45', borderRadius: 4, color: '#e6e8ee' };

/**
 * One chart in a <figure>: the SVG is an image named by its figures (recharts'
 * accessibility layer keeps arrow-key tooltips), and a table of the same figures sits
 * under it for anyone who would rather read them, to the cent with the exact
 * micro-dollar figure in each title.
 */
export function SpendChart({ title, kind, rows, labelHeader }: { title: string; kind: ChartKind; rows: ChartRow[]; labelHeader: string }) {
  const description = `${title}: ${figuresText(rows)}`;
  return (
    <figure className="spend-chart">
      <figcaption>{title}</figcaption>
      {rows.length === 0 ? (
        <p className="spend-chart-empty">Nothing spent yet.</p>
      ) : (
        <>
          <div className="spend-chart-canvas">
            <ResponsiveContainer width="100%" height={kind === 'bars' ? Math.max(160, rows.length * 34 + 40) : 220}>
              {chartOf(kind, rows, description)}
            </ResponsiveContainer>
          </div>
          <details className="spend-chart-figures">
            <summary>Figures</summary>
            <table>
              <thead>
                <tr>
                  <th scope="col">{labelHeader}</th>
                  <th scope="col" className="money">
                    Spent
                  </th>
                </tr>
              </thead>
              <tbody>
                {rows.map((row) => (
                  <tr key={row.key}>
                    <th scope="row">{row.label}</th>
                    <td className="money" title={exactMoney(row.micros)}>
                      {money(row.micros)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
        </>
      )}
    </figure>
  );
}

/** The tooltip writes the ledger's figure, not the float the scale was drawn from. */
function tooltipMoney(_value: unknown, _name: unknown, item: { payload?: ChartRow }): [string, string] {
  return [item.payload ? money(item.payload.micros) : '', 'Spent'];
}

function chartOf(kind: ChartKind, rows: ChartRow[], description: string) {
  const named = { role: 'img', 'aria-label': description } as const;
  if (kind === 'pie') {
    return (
      <PieChart {...named} accessibilityLayer>
        <Pie data={rows} dataKey="usd" nameKey="label" innerRadius="45%" outerRadius="80%" stroke="#1d2027" isAnimationActive={false}>
          {rows.map((row, index) => (
            <Cell key={row.key} fill={SERIES[index % SERIES.length]} />
          ))}
        </Pie>
        <Legend wrapperStyle={{ color: AXIS, fontSize: 12 }} />
        <Tooltip contentStyle={TOOLTIP_STYLE} itemStyle={{ color: '#e6e8ee' }} formatter={tooltipMoney} />
      </PieChart>
    );
  }
  if (kind === 'area') {
    return (
      <AreaChart {...named} data={rows} accessibilityLayer margin={{ top: 8, right: 12, bottom: 4, left: 0 }}>
        <CartesianGrid stroke={GRID} vertical={false} />
        <XAxis dataKey="label" stroke={AXIS} fontSize={11} tickMargin={6} />
        <YAxis stroke={AXIS} fontSize={11} tickFormatter={axisMoney} width={56} />
        <Tooltip contentStyle={TOOLTIP_STYLE} labelStyle={{ color: AXIS }} itemStyle={{ color: '#e6e8ee' }} formatter={tooltipMoney} />
        <Area type="linear" dataKey="usd" stroke={SERIES[0]} fill={SERIES[0]} fillOpacity={0.18} strokeWidth={2} dot={rows.length < 40} isAnimationActive={false} />
      </AreaChart>
    );
  }
  // Horizontal bars: engine ids and episode titles read along the axis instead of being cut short under it.
  return (
    <BarChart {...named} data={rows} layout="vertical" accessibilityLayer margin={{ top: 4, right: 16, bottom: 4, left: 4 }}>
      <CartesianGrid stroke={GRID} horizontal={false} />
      <XAxis type="number" stroke={AXIS} fontSize={11} tickFormatter={axisMoney} />
      <YAxis type="category" dataKey="label" stroke={AXIS} fontSize={11} width={150} tickFormatter={(label: string) => (label.length > 22 ? `${label.slice(0, 21)}…` : label)} />
      <Tooltip contentStyle={TOOLTIP_STYLE} labelStyle={{ color: AXIS }} itemStyle={{ color: '#e6e8ee' }} cursor={{ fill: 'rgb(138 184 255 / 8%)' }} formatter={tooltipMoney} />
      <Bar dataKey="usd" fill={SERIES[0]} radius={[0, 3, 3, 0]} maxBarSize={22} isAnimationActive={false} />
    </BarChart>
  );
}
