/**
 * What the pipeline knows about engines during one run: cooldowns (persisted, so other
 * runs and the router see them), provider accounts switched off for this run, and
 * observed health. Which failures count against an engine is the policy table's call.
 */
import type { EngineHealth, ProviderId } from '../../shared/domain';
import type { ErrorKind } from '../../shared/errors';
import { CircuitBreaker } from './circuit-breaker';
import { policyFor } from './policy';

/** The slice of the health repository the pipeline writes to. */
export interface HealthLog {
  getHealth(engineId: string): EngineHealth;
  recordSuccess(engineId: string, latencyMs: number): void;
  recordFailure(engineId: string, kind: ErrorKind): void;
  coolDown(engineId: string, untilEpochMs: number, kind?: ErrorKind): void;
}

export class RunEngineState {
  /** Provider id -> why its account is off for this run (auth or quota failures). */
  private readonly disabledProviders = new Map<ProviderId, string>();
  private readonly breaker = new CircuitBreaker();

  constructor(
    private readonly health: HealthLog,
    private readonly providerOf: (engineId: string) => ProviderId,
    private readonly clock: () => number,
  ) {}

  coolingUntil(engineId: string): number {
    const until = this.health.getHealth(engineId).coolingUntil;
    return until > this.clock() ? until : 0;
  }

  coolDown(engineId: string, forMs: number, kind: ErrorKind): void {
    this.health.coolDown(engineId, this.clock() + Math.max(0, forMs), kind);
  }

  /** Every model of the provider is off: the key or the account's billing applies to all of them. */
  disableProvider(engineId: string, reason: string): void {
    const provider = this.providerOf(engineId);
    if (!this.disabledProviders.has(provider)) this.disabledProviders.set(provider, `${provider} account: ${reason}`);
  }

  /** Why the engine is off for this run: its provider account failed, or its circuit breaker opened. */
  disabledReason(engineId: string): string | undefined {
    return this.disabledProviders.get(this.providerOf(engineId)) ?? this.breaker.openReason(engineId);
  }

  /** Provider ids switched off, as the router's `disabledForRun` takes them. */
  disabledProviderIds(): Set<string> {
    return new Set(this.disabledProviders.keys());
  }

  recordSuccess(engineId: string, latencyMs: number): void {
    this.breaker.recordSuccess(engineId);
    this.health.recordSuccess(engineId, latencyMs);
  }

  /** Returns the reason when this failure switched the engine off for the run. */
  recordFailure(engineId: string, kind: ErrorKind, message: string = kind): string | undefined {
    const policy = policyFor(kind);
    if (policy.countsAgainstHealth) this.health.recordFailure(engineId, kind);
    return this.breaker.recordFailure(engineId, policy.tripsCircuitBreaker, `${kind}: ${message}`);
  }
}
