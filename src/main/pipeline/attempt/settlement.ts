/**
 * What an attempt is charged: what the provider says it billed when it says so (checked
 * at the boundary), else the list price of the seconds asked for, which is how every
 * provider here bills a finished job. A job that failed without a figure costs nothing.
 */
import { formatUsd, toMicros } from '../../../shared/money';
import type { CheckedAmount } from '../../engines/boundary';
import type { AttemptRecord, Settlement } from '../../store/attempts';

export function settleFinishedJob(attempt: AttemptRecord, billed: CheckedAmount): Settlement {
  if (billed.micros !== undefined) {
    // What was held: our estimate, topped up to the provider's own when that was higher.
    const held = Math.max(attempt.estimatedMicros, attempt.providerEstimateMicros ?? 0);
    const note = billed.micros > held ? `billed ${formatUsd(billed.micros, 6)}, above the ${formatUsd(held, 6)} held` : undefined;
    return { chargedMicros: billed.micros, source: 'provider', ...(note ? { note } : {}) };
  }
  const note = billed.problem ? `the provider reported an unusable amount (${billed.problem}); charged the list price` : undefined;
  return { chargedMicros: attempt.priceMicros, source: 'price', ...(note ? { note } : {}) };
}

export function settleFailedJob(billed: CheckedAmount): Settlement | undefined {
  if (billed.micros !== undefined) return { chargedMicros: billed.micros, source: 'provider' };
  if (billed.problem) return { chargedMicros: toMicros(0), source: 'provider', note: `the provider reported an unusable amount for a failed job (${billed.problem}); charged nothing` };
  return undefined;
}
