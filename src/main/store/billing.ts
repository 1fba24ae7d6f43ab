/**
 * What engines have really been billing against their list price. A provider whose
 * bills run above our price table would otherwise overshoot every reservation made from
 * it; the ratio of billed to list price over recent jobs corrects later estimates.
 */
import type { Db } from './database';

/** Jobs that inform the ratio: recent ones only, prices change. */
export const BILLING_SAMPLE = 20;
/** Fewer billed jobs than this say too little to correct anything. */
export const BILLING_MIN_SAMPLES = 3;
/** A correction is capped: a wildly off figure is a price-table problem for a person to look at. */
export const MAX_BILLING_FACTOR = 4;

/**
 * Billed / list price over the latest provider-billed jobs of these engines, or null
 * with too few of them. Never below 1: billing under the list price leaves the
 * reservation as it is (holding a little too much is safe; too little is not).
 */
export function observedBillingFactor(db: Db, engineIds: readonly string[]): number | null {
  if (engineIds.length === 0) return null;
  const rows = db
    .prepare(
      `SELECT actual_micros AS billed, price_micros AS price FROM attempts
       WHERE billed_source = 'provider' AND price_micros > 0 AND actual_micros IS NOT NULL
         AND engine_id IN (${engineIds.map(() => '?').join(', ')})
       ORDER BY succeeded_at DESC, created_at DESC LIMIT ${BILLING_SAMPLE}`,
    )
    .all(...engineIds) as { billed: number; price: number }[];
  if (rows.length < BILLING_MIN_SAMPLES) return null;
  const billed = rows.reduce((sum, r) => sum + r.billed, 0);
  const price = rows.reduce((sum, r) => sum + r.price, 0);
  return Math.min(MAX_BILLING_FACTOR, Math.max(1, billed / price));
}
