/**
 * What the pipeline knows about engines during one run: cooldowns (persisted, so other
 * runs and the router see them), engines disabled for this run, and observed health.
 */
import type { EngineHealth } from '../../shared/domain';
import type { ErrorKind } from '../../shared/errors';

/** The slice of the health repository the pipeline writes to. */
export interface HealthLog {
  getHealth(engineId: string): EngineHealth;
  recordSuccess(engineId: string, latencyMs: number): void;
  recordFailure(engineId: string, kind: ErrorKind): void;
  coolDown(engineId: string, untilEpochMs: number): void;
}

export class RunEngineState {
  private readonly disabled = new Map<string, string>();

  constructor(
    private readonly health: HealthLog,
    private readonly clock: () => number,
  ) {}

  coolingUntil(engineId: string): number {
    const until = this.health.getHealth(engineId).coolingUntil;
    return until > this.clock() ? until : 0;
  }

  coolDown(engineId: string, forMs: number): void {
    this.health.coolDown(engineId, this.clock() + Math.max(0, forMs));
  }

  disable(engineId: string, reason: string): void {
    if (!this.disabled.has(engineId)) this.disabled.set(engineId, reason);
  }

  disabledReason(engineId: string): string | undefined {
    return this.disabled.get(engineId);
  }

  disabledEngines(): Set<string> {
    return new Set(this.disabled.keys());
  }

  recordSuccess(engineId: string, latencyMs: number): void {
    this.health.recordSuccess(engineId, latencyMs);
  }

  recordFailure(engineId: string, kind: ErrorKind): void {
    this.health.recordFailure(engineId, kind);
  }
}
