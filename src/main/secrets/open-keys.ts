/**
 * The keys a process uses: environment variables and the OS keychain, unless
 * SHOTLINE_NO_KEYCHAIN is set (CI and containers without a Secret Service, where even
 * asking the keychain costs a D-Bus round trip per process).
 */
import { OsKeychain } from './keychain';
import { ProviderKeys } from './provider-keys';

export function openProviderKeys(env: NodeJS.ProcessEnv): Promise<ProviderKeys> {
  const keychainOff = Boolean(env.SHOTLINE_NO_KEYCHAIN);
  return ProviderKeys.open(keychainOff ? null : new OsKeychain(), env);
}
