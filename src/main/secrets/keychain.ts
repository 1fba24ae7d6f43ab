/**
 * The OS keychain (macOS Keychain, Windows Credential Manager, the Secret Service on
 * Linux) through @napi-rs/keyring: service "Shotline", one account per provider. The
 * native module is loaded on first use, so a machine where it cannot load still runs on
 * environment variables; every failure becomes a KeychainUnavailableError that says how
 * to go on without a keychain. Secret values never appear in these errors.
 */
import { createRequire } from 'node:module';
import { UserError } from '../../shared/errors';

export const KEYCHAIN_SERVICE = 'Shotline';

/** Where secrets are kept: the OS keychain in the app and CLI, an in-memory map in some tests. */
export interface SecretStore {
  /** Every account of the service with its secret. */
  readAll(signal?: AbortSignal): Promise<Map<string, string>>;
  write(account: string, secret: string, signal?: AbortSignal): Promise<void>;
  /** True when there was something to delete. */
  remove(account: string, signal?: AbortSignal): Promise<boolean>;
}

/** A UserError: the fix is on the user's side (start a Secret Service, or use environment variables). */
export class KeychainUnavailableError extends UserError {
  override name = 'KeychainUnavailableError';
  constructor(readonly reason: string) {
    super(
      `the OS keychain cannot be reached (${reason}). Without one, give keys through environment variables ` +
        '(RUNWAYML_API_SECRET, GEMINI_API_KEY, LUMAAI_API_KEY, OPENAI_API_KEY, KLING_ACCESS_KEY and KLING_SECRET_KEY); ' +
        'on a headless Linux machine, a Secret Service such as gnome-keyring must run in a D-Bus session',
    );
  }
}

type KeyringModule = typeof import('@napi-rs/keyring');

let keyring: KeyringModule | undefined;

function loadKeyring(): KeyringModule {
  if (!keyring) {
    try {
      keyring = createRequire(import.meta.url)('@napi-rs/keyring') as KeyringModule;
    } catch (error) {
      throw new KeychainUnavailableError(`the keyring module did not load: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  return keyring;
}

/** The keyring's own words say what is wrong (no D-Bus session, access denied); they never carry the secret. */
function unavailable(error: unknown): KeychainUnavailableError {
  if (error instanceof KeychainUnavailableError) return error;
  if ((error as Error)?.name === 'TimeoutError' || (error as Error)?.name === 'AbortError') return new KeychainUnavailableError('it did not answer in time (locked, or waiting for a password?)');
  return new KeychainUnavailableError(((error as Error)?.message ?? String(error)).split('\n')[0]!.slice(0, 200));
}

export class OsKeychain implements SecretStore {
  constructor(private readonly service: string = KEYCHAIN_SERVICE) {}

  async readAll(signal?: AbortSignal): Promise<Map<string, string>> {
    try {
      const found = await loadKeyring().findCredentialsAsync(this.service, undefined, signal);
      return new Map(found.map((credential) => [credential.account, credential.password]));
    } catch (error) {
      throw unavailable(error);
    }
  }

  async write(account: string, secret: string, signal?: AbortSignal): Promise<void> {
    try {
      await new (loadKeyring().AsyncEntry)(this.service, account).setPassword(secret, signal);
    } catch (error) {
      throw unavailable(error);
    }
  }

  async remove(account: string, signal?: AbortSignal): Promise<boolean> {
    try {
      return await new (loadKeyring().AsyncEntry)(this.service, account).deletePassword(signal);
    } catch (error) {
      // Deleting what is not there is not a failure of the keychain.
      if (/no matching entry|not found/i.test((error as Error)?.message ?? '')) return false;
      throw unavailable(error);
    }
  }
}

/** A keychain in memory: for tests of what sits above the store, never for the keychain's own tests. */
export class MemorySecretStore implements SecretStore {
  readonly secrets = new Map<string, string>();

  async readAll(): Promise<Map<string, string>> {
    return new Map(this.secrets);
  }

  async write(account: string, secret: string): Promise<void> {
    this.secrets.set(account, secret);
  }

  async remove(account: string): Promise<boolean> {
    return this.secrets.delete(account);
  }
}
