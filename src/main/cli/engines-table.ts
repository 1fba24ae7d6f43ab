/**
 * `shotline engines`: the registry as an aligned terminal table (prices, status, what is
 * configured, observed health, and observed quality once the gate has judged some clips).
 * Pure formatting: rows come from the Studio API.
 */
import { SHOT_KINDS, type EngineSpec } from '../../shared/domain';
import type { EngineRow } from '../../shared/api';
import { MICROS_PER_USD } from '../../shared/money';
import { PROVIDER_ACCESS } from '../registry/providers';
import { formatClockTime, formatSeconds } from '../router/explain';

export interface EnginesTableOptions {
  color: boolean;
  /** Epoch ms, for deciding whether a cooldown is still running. */
  now?: number;
}

type Tint = 'bold' | 'dim' | 'red' | 'green' | 'yellow';
const ANSI: Record<Tint, string> = { bold: '\x1b[1m', dim: '\x1b[2m', red: '\x1b[31m', green: '\x1b[32m', yellow: '\x1b[33m' };
const RESET = '\x1b[0m';

interface Cell {
  text: string;
  tint?: Tint;
}

const HEADERS = ['ID', 'PROVIDER', 'STATUS', 'PRICE', 'DURATIONS', 'RESOLUTIONS', 'AUDIO', 'KEY', 'HEALTH'];
/** Shown only once some engine has gated clips: a fresh install's table stays as narrow as before. */
const OBSERVED_HEADER = 'OBSERVED QUALITY';

/** An observed mean this far under the registry's judgement is tinted: the engine is doing worse for this user than expected. */
const QUALITY_DROP_WARNING = 0.1;

export function formatEnginesTable(rows: readonly EngineRow[], opts: EnginesTableOptions): string {
  const now = opts.now ?? Date.now();
  const showObserved = rows.some((row) => observedLabel(row) !== '');
  const headers = showObserved ? [...HEADERS, OBSERVED_HEADER] : HEADERS;
  const body: Cell[][] = rows.map((row) => [
    { text: row.spec.id },
    { text: row.spec.provider },
    statusCell(row),
    { text: priceLabel(row.spec) },
    { text: durationsLabel(row.spec.durations) },
    { text: row.spec.resolutions.join(',') },
    { text: row.spec.audio },
    keyCell(row),
    healthCell(row, now),
    ...(showObserved ? [observedCell(row)] : []),
  ]);
  const table: Cell[][] = [headers.map((text) => ({ text, tint: 'bold' as const })), ...body];
  const widths = headers.map((_, col) => Math.max(...table.map((cells) => [...(cells[col]?.text ?? '')].length)));
  return table
    .map((cells) =>
      cells
        .map((cell, col) => {
          // Pad by visible length before tinting so escape codes never skew the columns.
          const padded = col === cells.length - 1 ? cell.text : cell.text.padEnd((widths[col] ?? 0) + (cell.text.length - [...cell.text].length));
          return opts.color && cell.tint ? `${ANSI[cell.tint]}${padded}${RESET}` : padded;
        })
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function statusCell({ spec, adapterAvailable }: EngineRow): Cell {
  const parts: string[] = [spec.status === 'active' || !spec.statusDate ? spec.status : `${spec.status} ${spec.statusDate}`];
  if (!spec.enabled) parts.push('off');
  if (!adapterAvailable) parts.push('no adapter');
  const tint: Tint = spec.status === 'retired' ? 'red' : spec.status === 'deprecated' ? 'yellow' : !spec.enabled || !adapterAvailable ? 'dim' : 'green';
  return { text: parts.join(', '), tint };
}

/** "$0.12/s", "$0.20–0.40/s", "free", "~$0.08/s est.", "$0.10/s (yours)" */
export function priceLabel(spec: Pick<EngineSpec, 'pricing' | 'priceSource'>): string {
  const rates = spec.pricing.map((row) => row.microsPerSecond);
  const low = Math.min(...rates);
  const high = Math.max(...rates);
  if (rates.length === 0 || high === 0) return 'free';
  const range = low === high ? `$${usd(low)}/s` : `$${usd(low)}–${usd(high)}/s`;
  if (spec.priceSource === 'user') return `${range} (yours)`;
  return spec.priceSource === 'estimate' ? `~${range} est.` : range;
}

function usd(micros: number): string {
  const dollars = micros / MICROS_PER_USD;
  // Whole cents read best; sub-cent prices keep the digits that matter.
  return Number.isInteger(micros / 10_000) ? dollars.toFixed(2) : String(Number(dollars.toFixed(4)));
}

function durationsLabel(durations: EngineSpec['durations']): string {
  return durations.kind === 'range' ? `${durations.min}–${durations.max} s` : `${durations.values.join(',')} s`;
}

function keyCell({ spec, keyConfigured }: EngineRow): Cell {
  const access = PROVIDER_ACCESS[spec.provider];
  if (access.credential === 'none') return { text: 'n.a.', tint: 'dim' };
  if (access.credential === 'baseUrl') return keyConfigured ? { text: 'url', tint: 'green' } : { text: 'no url', tint: 'yellow' };
  return keyConfigured ? { text: 'yes', tint: 'green' } : { text: 'no', tint: 'yellow' };
}

function healthCell({ health }: EngineRow, now: number): Cell {
  const parts: string[] = [];
  const jobs = health.successes + health.failures;
  if (jobs > 0) parts.push(`${Math.round((health.successes / jobs) * 100)}% of ${jobs}`);
  if (health.meanLatencyMs !== null) parts.push(`~${formatSeconds(health.meanLatencyMs)}`);
  const cooling = health.coolingUntil > now;
  if (cooling) parts.push(`cooling until ${formatClockTime(health.coolingUntil)}`);
  if (parts.length === 0) return { text: '-', tint: 'dim' };
  return { text: parts.join(', '), tint: cooling ? 'yellow' : undefined };
}

/**
 * Observed quality per shot kind with history, in the storyboard's kind order:
 * "dialogue 0.62 (n=5, prior 0.80), action 0.91 (n=2, prior 0.85)"; empty when none.
 */
export function observedLabel({ observedQuality }: Pick<EngineRow, 'observedQuality'>): string {
  if (!observedQuality) return '';
  return SHOT_KINDS.flatMap((kind) => {
    const entry = observedQuality[kind];
    return entry && entry.samples > 0 ? [`${kind} ${entry.mean.toFixed(2)} (n=${entry.samples}, prior ${entry.prior.toFixed(2)})`] : [];
  }).join(', ');
}

function observedCell(row: EngineRow): Cell {
  const text = observedLabel(row);
  if (text === '') return { text: '-', tint: 'dim' };
  const dropped = Object.values(row.observedQuality ?? {}).some((entry) => entry.samples > 0 && entry.prior - entry.mean >= QUALITY_DROP_WARNING);
  return { text, tint: dropped ? 'yellow' : undefined };
}
