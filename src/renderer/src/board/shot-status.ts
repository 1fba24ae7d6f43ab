/**
 * What a shot card says, from the shot's record and the live events: pure, so the wording
 * is tested without a browser.
 */
import type { AttemptView, ShotView } from '../../../shared/api';
import { formatUsd } from '../../../shared/money';
import type { LiveShot } from '../store/live-slice';

export type StatusTone = 'idle' | 'working' | 'waiting' | 'good' | 'bad';

export interface ShotStatus {
  text: string;
  tone: StatusTone;
}

/** The live line while the episode runs; the record's state otherwise. */
export function shotStatus(shot: ShotView | undefined, live: LiveShot | undefined, episodeRunning: boolean): ShotStatus {
  if (live && (episodeRunning || !shot)) {
    const fromLive = liveStatus(live);
    if (fromLive) return fromLive;
  }
  if (!shot) return { text: 'Not made yet', tone: 'idle' };
  switch (shot.status) {
    case 'accepted':
      return { text: 'Accepted', tone: 'good' };
    case 'failed':
      return { text: `Failed: ${shot.failureReason ?? 'no engine could make it'}`, tone: 'bad' };
    case 'running':
      return { text: 'Generating', tone: 'working' };
    default:
      return shot.takes.length > 0 ? { text: 'Accepted', tone: 'good' } : { text: 'Queued', tone: 'idle' };
  }
}

function liveStatus(live: LiveShot): ShotStatus | null {
  switch (live.state) {
    case 'pending':
      return { text: 'Queued', tone: 'idle' };
    case 'running':
      return { text: 'Generating', tone: 'working' };
    case 'submitted':
      return { text: 'Submitted', tone: 'working' };
    case 'polling':
      return { text: live.progress !== undefined ? `Generating ${Math.round(live.progress * 100)}%` : 'Generating', tone: 'working' };
    case 'downloading':
      return { text: 'Downloading', tone: 'working' };
    case 'gating':
      return { text: 'In the quality gate', tone: 'working' };
    case 'retrying':
      return { text: 'Retrying', tone: 'working' };
    case 'waiting_network':
      return { text: 'Waiting for network', tone: 'waiting' };
    case 'accepted':
      return { text: 'Accepted', tone: 'good' };
    case 'failed':
      return { text: `Failed: ${live.message ?? 'no engine could make it'}`, tone: 'bad' };
    default:
      return null;
  }
}

/**
 * One line per time the shot left an engine for another: the last failure on that engine
 * before the switch, with its reason. A cancel is not a fallback.
 */
export function fallbackLines(attempts: readonly AttemptView[]): string[] {
  const ordered = [...attempts].sort((a, b) => a.attemptNo - b.attemptNo);
  const lines: string[] = [];
  ordered.forEach((attempt, index) => {
    const next = ordered[index + 1];
    if (!next || next.engineId === attempt.engineId) return;
    if (!attempt.errorKind || attempt.errorKind === 'cancelled') return;
    lines.push(`Failed over from ${attempt.engineId}: ${attempt.errorMessage ?? attempt.errorKind}`);
  });
  return lines;
}

/** Money as the board shows it: dollars and cents. */
export function usd(micros: number | null | undefined): string {
  return micros === null || micros === undefined ? '—' : formatUsd(micros);
}

export interface BudgetFigures {
  estimateMicros: number | null;
  reservedMicros: number;
  spentMicros: number;
  limitMicros: number | null;
  /** 0..1 of the limit spent or reserved; null without a limit. */
  used: number | null;
}

export function budgetFigures(plan: { estimatedMicros: number; budgetMicros: number | null } | null, episode: { spentMicros: number; heldMicros: number; budgetMicros: number | null } | null): BudgetFigures {
  const limitMicros = episode?.budgetMicros ?? plan?.budgetMicros ?? null;
  const spentMicros = episode?.spentMicros ?? 0;
  const reservedMicros = episode?.heldMicros ?? 0;
  return {
    estimateMicros: plan?.estimatedMicros ?? null,
    reservedMicros,
    spentMicros,
    limitMicros,
    used: limitMicros ? Math.min(1, (spentMicros + reservedMicros) / limitMicros) : null,
  };
}
