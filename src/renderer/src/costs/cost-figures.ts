/**
 * The cost dashboard's figures from the studio's CostSummary: chart rows, the one-line
 * text alternative of each chart, and money as the dashboard writes it. Pure, so it is
 * tested in node. Money stays in integer micro-dollars until it is written.
 */
import type { CostSummary, HeldReservation } from '../../../shared/api';
import { formatUsd, MICROS_PER_USD } from '../../../shared/money';

/** One bar, slice or point of a chart. */
export interface ChartRow {
  /** Unique within the chart (an episode's title may repeat). */
  key: string;
  /** What the axis and the text alternative call it. */
  label: string;
  micros: number;
  /** Dollars as a plain number, for the chart's scale only; figures are written from `micros`. */
  usd: number;
}

/** To the cent: what the dashboard shows. */
export function money(micros: number): string {
  return formatUsd(micros);
}

/** To the micro-dollar: the ledger's own figure, for titles. */
export function exactMoney(micros: number): string {
  return formatUsd(micros, 6);
}

function row(key: string, label: string, micros: number): ChartRow {
  return { key, label, micros, usd: micros / MICROS_PER_USD };
}

/** Highest spend first, so the biggest bar is at the top. */
const bySpend = (a: ChartRow, b: ChartRow) => b.micros - a.micros || a.label.localeCompare(b.label);

export function engineRows(costs: CostSummary): ChartRow[] {
  return costs.byEngine.map((entry) => row(entry.engineId, entry.engineId, entry.spentMicros)).sort(bySpend);
}

/** Episodes by title; a title used by more than one episode gets the start of its id, so the bars can be told apart. */
export function episodeRows(costs: CostSummary): ChartRow[] {
  const uses = new Map<string, number>();
  for (const entry of costs.byEpisode) uses.set(entry.title, (uses.get(entry.title) ?? 0) + 1);
  return costs.byEpisode
    .map((entry) => row(entry.episodeId, (uses.get(entry.title) ?? 0) > 1 ? `${entry.title} (${entry.episodeId.slice(0, 8)})` : entry.title, entry.spentMicros))
    .sort(bySpend);
}

export function modeRows(costs: CostSummary): ChartRow[] {
  return costs.byMode.map((entry) => row(entry.mode, entry.mode, entry.spentMicros));
}

/** Oldest day first, as the studio sends them: a time axis reads left to right. */
export function dayRows(costs: CostSummary): ChartRow[] {
  return costs.byDay.map((entry) => row(entry.day, entry.day, entry.spentMicros));
}

/** A chart as one sentence, for its SVG's accessible name: "runway-gen4.5 $1.20, luma-ray2 $0.40". */
export function figuresText(rows: readonly ChartRow[]): string {
  if (rows.length === 0) return 'nothing spent yet';
  return rows.map((entry) => `${entry.label} ${money(entry.micros)}`).join(', ');
}

/** Money still reserved for attempts whose outcome is not known yet. */
export function heldTotalMicros(held: readonly HeldReservation[]): number {
  return held.reduce((sum, reservation) => sum + reservation.heldMicros, 0);
}

/** When a held reservation is let go: a date, or why it is not yet known. */
export function holdUntilText(holdUntil: number | null): string {
  return holdUntil === null ? 'while the job runs' : new Date(holdUntil).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
}

/** The preview-then-commit saving in words, beside its figure. */
export function previewSavingDetail(saving: CostSummary['previewSaving']): string {
  if (saving.episodes === 0) return 'No episode has been previewed before its final render yet.';
  const episodes = saving.episodes === 1 ? '1 episode' : `${saving.episodes} episodes`;
  return `Over ${episodes}: previews cost ${money(saving.previewSpentMicros)}; a final render of every shot would have cost ${money(saving.finalEstimateMicros)}.`;
}

/** A tick of a chart's money axis: "$2" for whole dollars, "$0.25" otherwise (never rounded to a wrong whole). */
export function axisMoney(usd: number): string {
  return Number.isInteger(usd) ? `$${usd}` : `$${usd.toFixed(2)}`;
}
