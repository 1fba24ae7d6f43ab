/**
 * What the pipeline knows about engines during one run: cooldowns (persisted, so other
 * runs and the router see them), provider accounts switched off for this run, and
 * observed health. Which failures count against an engine is the policy table's call.
 */
import type { EngineHealth, ProviderId } from '../../shared/domain';
import type { ErrorKind } from '../../shared/errors';
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

  disabledReason(engineId: string): string | undefined {
    return this.disabledProviders.get(this.providerOf(engineId));
  }

  /** Provider ids switched off, as the router's `disabledForRun` takes them. */
  disabledProviderIds(): Set<string> {
    return new Set(this.disabledProviders.keys());
  }

  recordSuccess(engineId: string, latencyMs: number): void {
    this.health.recordSuccess(engineId, latencyMs);
  }

  recordFailure(engineId: string, kind: ErrorKind): void {
    if (policyFor(kind).countsAgainstHealth) this.health.recordFailure(engineId, kind);
  }
}
