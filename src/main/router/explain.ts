/**
 * The router's explanations: one line per candidate and per rejection, written for the
 * filmmaker reading a plan ("why did shot 7 go to Kling?").
 */
import type { Resolution, ShotKind } from '../../shared/domain';
import { formatUsd } from '../../shared/money';
import type { Selection } from './context';

export interface CandidateFacts {
  engineId: string;
  rank: number;
  score: number;
  selection: Selection;
  chainName?: string;
  quality: number;
  kind: ShotKind;
  micros: number;
  generatedSeconds: number;
  shotSeconds: number;
  resolution: Resolution;
  expectedLatencyMs: number;
  successes: number;
  failures: number;
}

export function candidateReason(f: CandidateFacts): string {
  return `${candidatePlace(f)}, score ${f.score.toFixed(2)}: ${candidateDetail(f)}`;
}

function candidatePlace(f: Pick<CandidateFacts, 'engineId' | 'rank' | 'selection' | 'chainName'>): string {
  const place = f.selection === 'pinned' ? '#1 (pinned)' : f.selection === 'chain' ? `#${f.rank} in chain "${f.chainName}"` : `#${f.rank}`;
  return `${f.engineId}: ${place}`;
}

function candidateDetail(f: CandidateFacts): string {
  const trimmed = f.generatedSeconds > f.shotSeconds + 1e-9 ? ` (trimmed to ${f.shotSeconds} s)` : '';
  const observed = f.successes + f.failures > 0 ? `, ${f.successes}/${f.successes + f.failures} ok` : '';
  return (
    `quality ${f.quality.toFixed(2)} for ${f.kind}, ` +
    `${formatUsd(f.micros)} for ${f.generatedSeconds} s${trimmed} at ${f.resolution}, ~${formatSeconds(f.expectedLatencyMs)}${observed}`
  );
}

export function rejectionLine(engineId: string, reason: string): string {
  return `${engineId}: rejected, ${reason}`;
}

export function formatSeconds(ms: number): string {
  const seconds = ms / 1000;
  if (seconds < 10) return `${Number(seconds.toFixed(1))} s`;
  if (seconds < 600) return `${Math.round(seconds)} s`;
  return `${Math.round(seconds / 60)} min`;
}

/** Local wall-clock time HH:MM:SS, for "cooling until" messages. */
export function formatClockTime(epochMs: number): string {
  const d = new Date(epochMs);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}
