/**
 * Where provider credentials come from. The OS keychain arrives with its own issue;
 * until then (and always, as the CLI's fallback) keys come from the environment
 * variables each provider's SDK reads. Key values never leave this module except to
 * the adapter that sends them.
 */
import type { ProviderId } from '../../shared/domain';
import { PROVIDER_ACCESS } from '../registry/providers';

export interface KeySource {
  /** True when every credential the provider needs is present. */
  hasKey(provider: ProviderId): boolean;
}

export class EnvironmentKeys implements KeySource {
  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  hasKey(provider: ProviderId): boolean {
    const access = PROVIDER_ACCESS[provider];
    if (access.credential !== 'key') return true;
    // Gemini takes either variable; Kling needs both of its pair.
    return provider === 'gemini' ? access.envVars.some((name) => !!this.env[name]) : access.envVars.every((name) => !!this.env[name]);
  }
}
