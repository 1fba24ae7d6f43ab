/**
 * Provider keys from both places a user can put them: the environment variables each
 * SDK reads (for headless use; they win when set, as with the SDKs themselves) and the
 * OS keychain (service "Shotline", one account per provider). The keychain is read once
 * when the studio opens and again after every change made through this class, because
 * engine calls need their key synchronously and a keychain round trip per call would
 * slow every poll. Values leave only through `credentials` (to the adapter that sends
 * them) and `secretValues` (to the scrubber); `list` says where a key is, never what.
 */
import type { EngineSpec, ProviderId } from '../../shared/domain';
import { UserError } from '../../shared/errors';
import { PROVIDER_ACCESS } from '../registry/providers';
import { KeychainUnavailableError, type SecretStore } from './keychain';
import { EnvironmentKeys, type KeySource, type ProviderCredentials } from './keys';

/** Providers that take an API key, and the credential names each keeps in its keychain entry. */
export const KEYCHAIN_FIELDS = {
  runway: ['RUNWAYML_API_SECRET'],
  gemini: ['GEMINI_API_KEY'],
  kling: ['KLING_ACCESS_KEY', 'KLING_SECRET_KEY'],
  luma: ['LUMAAI_API_KEY'],
  openai: ['OPENAI_API_KEY'],
} as const satisfies Partial<Record<ProviderId, readonly string[]>>;

export type KeyedProvider = keyof typeof KEYCHAIN_FIELDS;
export const KEYED_PROVIDERS = Object.keys(KEYCHAIN_FIELDS) as KeyedProvider[];

export function isKeyedProvider(value: string): value is KeyedProvider {
  return Object.hasOwn(KEYCHAIN_FIELDS, value);
}

export type KeyOrigin = 'environment' | 'keychain';

/** One row of `shotline keys list`: never a value. */
export interface KeyStatus {
  provider: KeyedProvider;
  /** Where the key in use comes from; null when there is none. */
  source: KeyOrigin | null;
  /** True when the keychain holds a key that an environment variable overrides. */
  shadowedKeychainKey: boolean;
  /** The variables that would supply it from the environment. */
  environmentVariables: readonly string[];
}

const MAX_SECRET_CHARS = 4096;

/** A keychain that asks a person to unlock it, or a D-Bus that never answers, must not hold a render up. */
const KEYCHAIN_READ_TIMEOUT_MS = 10_000;

export class ProviderKeys implements KeySource {
  private fromKeychain = new Map<KeyedProvider, ProviderCredentials>();
  private keychainProblem: string | undefined;
  private readonly environment: EnvironmentKeys;

  private constructor(
    private readonly store: SecretStore | null,
    env: NodeJS.ProcessEnv,
    private readonly readTimeoutMs: number,
  ) {
    this.environment = new EnvironmentKeys(env);
  }

  /** Reads the keychain once; an unreachable keychain leaves the environment, and says why in `keychainStatus`. */
  static async open(store: SecretStore | null, env: NodeJS.ProcessEnv = process.env, options: { readTimeoutMs?: number } = {}): Promise<ProviderKeys> {
    const keys = new ProviderKeys(store, env, options.readTimeoutMs ?? KEYCHAIN_READ_TIMEOUT_MS);
    await keys.reload();
    return keys;
  }

  async reload(): Promise<void> {
    if (!this.store) {
      this.keychainProblem = 'the keychain is turned off (SHOTLINE_NO_KEYCHAIN)';
      return;
    }
    try {
      const entries = await this.store.readAll(AbortSignal.timeout(this.readTimeoutMs));
      const found = new Map<KeyedProvider, ProviderCredentials>();
      for (const [account, stored] of entries) {
        if (!isKeyedProvider(account)) continue;
        const credentials = decodeKeychainEntry(account, stored);
        if (credentials) found.set(account, credentials);
      }
      this.fromKeychain = found;
      this.keychainProblem = undefined;
    } catch (error) {
      const timedOut = (error as Error)?.name === 'TimeoutError' || (error as Error)?.name === 'AbortError';
      if (!(error instanceof KeychainUnavailableError) && !timedOut) throw error;
      this.fromKeychain.clear();
      this.keychainProblem = (timedOut ? new KeychainUnavailableError('it did not answer in time (locked, or waiting for a password?)') : (error as Error)).message;
    }
  }

  /** Null when the keychain was read; else why not, with how to use environment variables instead. */
  get keychainStatus(): string | null {
    return this.keychainProblem ?? null;
  }

  hasKey(provider: ProviderId, engine?: Pick<EngineSpec, 'baseUrl'>): boolean {
    return this.environment.hasKey(provider, engine) || (isKeyedProvider(provider) && this.fromKeychain.has(provider));
  }

  credentials(provider: ProviderId): ProviderCredentials | undefined {
    return this.environment.credentials(provider) ?? (isKeyedProvider(provider) ? this.fromKeychain.get(provider) : undefined);
  }

  secretValues(): string[] {
    return [...this.environment.secretValues(), ...[...this.fromKeychain.values()].flatMap((credentials) => Object.values(credentials))];
  }

  list(): KeyStatus[] {
    return KEYED_PROVIDERS.map((provider) => {
      const inEnvironment = this.environment.hasKey(provider);
      const inKeychain = this.fromKeychain.has(provider);
      return {
        provider,
        source: inEnvironment ? 'environment' : inKeychain ? 'keychain' : null,
        shadowedKeychainKey: inEnvironment && inKeychain,
        environmentVariables: PROVIDER_ACCESS[provider].envVars,
      };
    });
  }

  /** Stores a provider's key in the keychain (every credential it needs, by name). */
  async set(provider: KeyedProvider, values: Record<string, string>): Promise<void> {
    if (!this.store) throw new KeychainUnavailableError('the keychain is turned off (SHOTLINE_NO_KEYCHAIN)');
    const fields = KEYCHAIN_FIELDS[provider];
    const problems = fields.flatMap((field) => secretProblems(field, values[field]));
    if (problems.length > 0) throw new UserError(`keys set ${provider}: the key was not stored`, problems);
    await this.store.write(provider, encodeKeychainEntry(provider, values));
    await this.reload();
  }

  /** True when the keychain had a key for the provider. */
  async delete(provider: KeyedProvider): Promise<boolean> {
    if (!this.store) throw new KeychainUnavailableError('the keychain is turned off (SHOTLINE_NO_KEYCHAIN)');
    const removed = await this.store.remove(provider);
    await this.reload();
    return removed;
  }
}

/** One credential: a single secret as it is; several as a JSON object by name (Kling's access and secret key). */
export function encodeKeychainEntry(provider: KeyedProvider, values: Record<string, string>): string {
  const fields = KEYCHAIN_FIELDS[provider];
  if (fields.length === 1) return values[fields[0]]!;
  return JSON.stringify(Object.fromEntries(fields.map((field) => [field, values[field]])));
}

/** An entry someone else wrote wrongly (by hand, an older build) counts as no key rather than a crash. */
export function decodeKeychainEntry(provider: KeyedProvider, stored: string): ProviderCredentials | null {
  const fields: readonly string[] = KEYCHAIN_FIELDS[provider];
  if (fields.length === 1) return stored.trim() ? { [fields[0]!]: stored } : null;
  try {
    const parsed = JSON.parse(stored) as Record<string, unknown>;
    const pairs = fields.map((field) => [field, parsed?.[field]] as const);
    return pairs.every(([, value]) => typeof value === 'string' && value.length > 0) ? Object.fromEntries(pairs as [string, string][]) : null;
  } catch {
    return null;
  }
}

/** What is wrong with a secret as typed, without ever quoting it. */
function secretProblems(field: string, value: string | undefined): string[] {
  if (value === undefined || value.length === 0) return [`${field}: empty`];
  if (value.length > MAX_SECRET_CHARS) return [`${field}: ${value.length} characters, at most ${MAX_SECRET_CHARS}`];
  // eslint-disable-next-line no-control-regex
  if (/[\s\u0000-\u001f\u007f]/.test(value)) return [`${field}: contains spaces or control characters (a pasted line break?)`];
  return [];
}
