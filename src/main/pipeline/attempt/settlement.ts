/**
 * What an attempt is charged: what the provider says it billed when it says so (checked
 * at the boundary), else the list price of the seconds asked for, which is how every
 * provider here bills a finished job. A job that failed without a figure costs nothing.
 */
import { formatUsd, toMicros } from '../../../shared/money';
import type { CheckedAmount } from '../../engines/boundary';
import type { ErrorKind } from '../../../shared/errors';
import type { AttemptRecord, Settlement } from '../../store/attempts';
import { policyFor } from '../policy';

/**
 * `held` is what the ledger really reserved for the attempt: our estimate, plus a
 * top-up to the provider's own estimate only where the budget allowed it (or the job
 * could not be stopped). A provider estimate that was refused was never held.
 */
export function settleFinishedJob(attempt: AttemptRecord, billed: CheckedAmount, held: number): Settlement {
  if (billed.micros !== undefined) {
    const note = billed.micros > held ? `billed ${formatUsd(billed.micros, 6)}, above the ${formatUsd(held, 6)} held` : undefined;
    return { chargedMicros: billed.micros, source: 'provider', ...(note ? { note } : {}) };
  }
  const note = billed.problem ? `the provider reported an unusable amount (${billed.problem}); charged the list price` : undefined;
  return { chargedMicros: attempt.priceMicros, source: 'price', ...(note ? { note } : {}) };
}

/** A failed job costs what the provider says, else nothing, unless the way it failed means it ran to the end (the policy table knows which). */
export function settleFailedJob(attempt: AttemptRecord, billed: CheckedAmount, kind: ErrorKind): Settlement | undefined {
  if (billed.micros !== undefined) return { chargedMicros: billed.micros, source: 'provider' };
  if (policyFor(kind).jobWasBilled) {
    return { chargedMicros: attempt.priceMicros, source: 'price', note: `the job completed before its ${kind.replace('_', ' ')}: charged the list price` };
  }
  if (billed.problem) return { chargedMicros: toMicros(0), source: 'provider', note: `the provider reported an unusable amount for a failed job (${billed.problem}); charged nothing` };
  return undefined;
}
