/**
 * Provider credentials from the environment variables each provider's SDK reads (the
 * headless way; provider-keys.ts lays the OS keychain under them). Key values leave this module only to the adapter
 * that sends them (through AdapterDeps.credentials) and to the boundary that scrubs them
 * from messages; never to the registry, the database, logs or reports.
 */
import type { EngineSpec, ProviderId } from '../../shared/domain';
import { PROVIDER_ACCESS } from '../registry/providers';

/** A provider's credentials by the names its SDK uses (e.g. RUNWAYML_API_SECRET, or KLING_ACCESS_KEY and KLING_SECRET_KEY). */
export type ProviderCredentials = Readonly<Record<string, string>>;

export interface KeySource {
  /**
   * True when every credential the provider needs is present. For a self-hosted provider
   * (ComfyUI) the "credential" is where its server is: the engine's own base URL, when
   * `engine` is given, or the provider's environment variable.
   */
  hasKey(provider: ProviderId, engine?: Pick<EngineSpec, 'baseUrl'>): boolean;
  /** The provider's credentials, or undefined when it has none configured. */
  credentials(provider: ProviderId): ProviderCredentials | undefined;
  /** Every secret value this source knows: scrubbed from any message that leaves an engine call. */
  secretValues(): string[];
  /** Why the OS keychain could not be read (null or absent when it was, or when this source has none). */
  readonly keychainStatus?: string | null;
}

export class EnvironmentKeys implements KeySource {
  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  hasKey(provider: ProviderId, engine?: Pick<EngineSpec, 'baseUrl'>): boolean {
    const access = PROVIDER_ACCESS[provider];
    if (access.credential === 'none') return true;
    if (access.credential === 'baseUrl') return !!engine?.baseUrl?.trim() || access.envVars.some((name) => !!this.env[name]?.trim());
    // Gemini takes either variable; Kling needs both of its pair.
    return provider === 'gemini' ? access.envVars.some((name) => !!this.env[name]) : access.envVars.every((name) => !!this.env[name]);
  }

  credentials(provider: ProviderId): ProviderCredentials | undefined {
    if (!this.hasKey(provider) || PROVIDER_ACCESS[provider].credential !== 'key') return undefined;
    const found = PROVIDER_ACCESS[provider].envVars.flatMap((name) => (this.env[name] ? [[name, this.env[name]!] as const] : []));
    return Object.fromEntries(found);
  }

  secretValues(): string[] {
    return Object.values(PROVIDER_ACCESS)
      .filter((access) => access.credential === 'key')
      .flatMap((access) => access.envVars)
      .flatMap((name) => (this.env[name] ? [this.env[name]!] : []));
  }
}
