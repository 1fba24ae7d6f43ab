/**
 * Money spent checking clips: the AI score is a paid call of its own (Gemini, by
 * tokens). It is booked in the same ledger as generation, under purpose
 * 'quality_check' and against the attempt whose clip it judged, so it counts toward
 * the episode's budget and appears in its spend, while the attempt's own settlement
 * (reservation against the provider's bill) reads only its generation rows.
 * Each call: reserve its most possible cost within the budget, then release it and
 * charge what the response's token counts say.
 */
import { microsLeft, type Micros } from '../../shared/money';
import type { AttemptStore } from './attempts';
import { inTransaction, type Db } from './database';
import { Ledger } from './ledger';

export class QualitySpend {
  private readonly ledger: Ledger;

  constructor(
    private readonly db: Db,
    private readonly attempts: AttemptStore,
    clock: () => number = Date.now,
  ) {
    this.ledger = new Ledger(db, clock);
  }

  /** Sets aside `maxMicros` for one scoring call of `attemptId`'s clip; false when the budget cannot take it. */
  reserve(attemptId: string, model: string, maxMicros: Micros, budgetMicros: Micros | null): boolean {
    return inTransaction(this.db, () => {
      const attempt = this.attempts.get(attemptId);
      if (budgetMicros !== null) {
        const left = microsLeft(budgetMicros, this.ledger.episodeMoney(attempt.episodeId).committedMicros);
        if (maxMicros > left) return false;
      }
      this.ledger.append('reserve', { ...this.entry(attemptId, model), micros: maxMicros, note: 'AI quality score: most it can cost' });
      return true;
    });
  }

  /** Releases the reservation and charges what the call cost (0 for an error answer Google does not bill). */
  settle(attemptId: string, model: string, reservedMicros: Micros, costMicros: Micros, note: string): void {
    inTransaction(this.db, () => {
      const entry = this.entry(attemptId, model);
      if (reservedMicros > 0) this.ledger.append('release', { ...entry, micros: reservedMicros });
      if (costMicros > 0) this.ledger.append('charge', { ...entry, micros: costMicros, note });
    });
  }

  private entry(attemptId: string, model: string) {
    const attempt = this.attempts.get(attemptId);
    return { purpose: 'quality_check' as const, episodeId: attempt.episodeId, attemptId, engineId: `gemini-vision:${model}`, mode: attempt.mode };
  }
}
