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
  /** The quality ranked with: observed when `qualitySamples` > 0, else the registry's. */
  quality: number;
  /** Gated clips behind an observed quality; 0 or absent: the registry's quality alone. */
  qualitySamples?: number;
  /** The registry's quality for the kind, said beside an observed one. */
  qualityPrior?: number;
  kind: ShotKind;
  micros: number;
  generatedSeconds: number;
  shotSeconds: number;
  resolution: Resolution;
  expectedLatencyMs: number;
  successes: number;
  failures: number;
  /** Epoch ms the engine cools down until (0: not cooling); shots wait for it or go elsewhere meanwhile. */
  coolingUntil: number;
  /** Reservations are the list price times this (>1 once the engine has billed above its list price). */
  billingFactor: number;
  /** Parts of the shot this model cannot take and will not be sent. */
  ignored: string[];
}

/*
 * Lines are assembled with join(''), which yields one flat string. A template literal
 * of a dozen pieces yields a tree of fragments instead, and a 1,000-shot plan holds
 * ~17,000 lines: as trees they are megabytes the garbage collector keeps copying.
 */

export function candidateReason(f: CandidateFacts): string {
  const place = f.selection === 'pinned' ? '#1 (pinned)' : f.selection === 'chain' ? `#${f.rank} in chain "${f.chainName}"` : `#${f.rank}`;
  const parts = [f.engineId, ': ', place, ', score ', f.score.toFixed(2), ': quality ', f.quality.toFixed(2)];
  if (f.qualitySamples !== undefined && f.qualitySamples > 0) {
    parts.push(' observed (n=', String(f.qualitySamples));
    if (f.qualityPrior !== undefined) parts.push(', prior ', f.qualityPrior.toFixed(2));
    parts.push(')');
  }
  parts.push(' for ', f.kind, ', ');
  parts.push(formatUsd(f.micros), ' for ', String(f.generatedSeconds), ' s');
  if (f.generatedSeconds > f.shotSeconds + 1e-9) parts.push(' (trimmed to ', String(f.shotSeconds), ' s)');
  parts.push(' at ', f.resolution, ', ~', formatSeconds(f.expectedLatencyMs));
  if (f.billingFactor > 1) parts.push(' (reserving x', f.billingFactor.toFixed(2), ': it has billed above list price)');
  if (f.successes + f.failures > 0) parts.push(', ', String(f.successes), '/', String(f.successes + f.failures), ' ok recently');
  if (f.coolingUntil > 0) parts.push(', cooling down until ', formatClockTime(f.coolingUntil));
  if (f.ignored.length > 0) parts.push(', takes no ', f.ignored.join(' or '));
  return parts.join('');
}

export function rejectionLine(engineId: string, reason: string): string {
  return [engineId, ': rejected, ', reason].join('');
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
