/**
 * The run's circuit breaker: an engine that fails as unavailable several times in a row,
 * across shots, is switched off for the rest of the run, so the remaining shots route
 * around it at once instead of each paying its own retries and backoff against a dead
 * engine. Any success closes the count again. Which failures trip it is the policy
 * table's call (`tripsCircuitBreaker`).
 */

/** Consecutive tripping failures that open the breaker: one shot's own retries (1 + 2) are enough to prove the engine down. */
export const BREAKER_THRESHOLD = 3;

export class CircuitBreaker {
  private readonly consecutive = new Map<string, number>();
  private readonly open = new Map<string, string>();

  constructor(private readonly threshold: number = BREAKER_THRESHOLD) {}

  /** Returns the reason when this failure opened the breaker (only the first time). */
  recordFailure(engineId: string, trips: boolean, detail: string): string | undefined {
    if (!trips) return undefined;
    const count = (this.consecutive.get(engineId) ?? 0) + 1;
    this.consecutive.set(engineId, count);
    if (count < this.threshold || this.open.has(engineId)) return undefined;
    const reason = `circuit open after ${count} failures in a row (last: ${detail})`;
    this.open.set(engineId, reason);
    return reason;
  }

  recordSuccess(engineId: string): void {
    this.consecutive.delete(engineId);
  }

  openReason(engineId: string): string | undefined {
    return this.open.get(engineId);
  }
}
