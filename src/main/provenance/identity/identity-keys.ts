/**
 * The identity's private keys in the OS keychain, and nowhere else: service "Shotline",
 * one account per key, `identity:<identity id>:<role>-key`, the key as PKCS#8 PEM. The
 * identity id keeps two data directories (each with its own identity) from overwriting
 * each other's keys in the one keychain.
 *
 * Any failure of the keychain becomes an IdentityKeychainError: there is no fallback to
 * a file. Messages carry the keychain's reason, never a key.
 */
import type { KeyObject } from 'node:crypto';
import type { SecretStore } from '../../secrets/keychain';
import { IdentityError, IdentityKeychainError } from './errors';
import { parsePrivateKey, pkcs8Pem } from './private-keys';

export type KeyRole = 'leaf' | 'intermediate' | 'root';
export const KEY_ROLES: readonly KeyRole[] = ['leaf', 'intermediate', 'root'];

export type IdentityKeys = Partial<Record<KeyRole, KeyObject>>;

export interface KeychainAccess {
  secrets: SecretStore;
  signal?: AbortSignal;
  /** How long one keychain call may take (a locked keychain may wait for its password). */
  timeoutMs?: number;
}

export const DEFAULT_KEYCHAIN_TIMEOUT_MS = 60_000;

export function keyAccount(identityId: string, role: KeyRole): string {
  return `identity:${identityId}:${role}-key`;
}

function callSignal(access: KeychainAccess): AbortSignal {
  const timeout = AbortSignal.timeout(access.timeoutMs ?? DEFAULT_KEYCHAIN_TIMEOUT_MS);
  return access.signal ? AbortSignal.any([access.signal, timeout]) : timeout;
}

/** The keychain's reason, with anything PEM-shaped removed (it should never hold one, but this is the last door). */
function reasonOf(error: unknown): string {
  const reason = (error as { reason?: unknown })?.reason;
  const text = typeof reason === 'string' ? reason : error instanceof Error ? error.message : String(error);
  return text.replace(/-----BEGIN [\s\S]*?(-----END [A-Z0-9 ]+-----|$)/g, '[redacted]').split('\n')[0]!.slice(0, 200);
}

export async function readKeys(access: KeychainAccess, identityId: string, action: string): Promise<IdentityKeys> {
  let all: Map<string, string>;
  try {
    all = await access.secrets.readAll(callSignal(access));
  } catch (error) {
    if (access.signal?.aborted) throw error;
    throw new IdentityKeychainError(action, reasonOf(error));
  }
  const keys: IdentityKeys = {};
  for (const role of KEY_ROLES) {
    const stored = all.get(keyAccount(identityId, role));
    if (stored === undefined) continue;
    try {
      keys[role] = parsePrivateKey(stored, { what: `the ${role} key in the keychain` });
    } catch {
      throw new IdentityError(`the ${role} key stored in the keychain (account ${keyAccount(identityId, role)}) is not a readable private key`);
    }
  }
  return keys;
}

/** Writes every key given; on a failure removes what this call wrote, then throws. */
export async function writeKeys(access: KeychainAccess, identityId: string, keys: IdentityKeys, action: string): Promise<void> {
  const written: KeyRole[] = [];
  try {
    for (const role of KEY_ROLES) {
      const key = keys[role];
      if (!key) continue;
      await access.secrets.write(keyAccount(identityId, role), pkcs8Pem(key), callSignal(access));
      written.push(role);
    }
  } catch (error) {
    await removeKeys(access, identityId, written).catch(() => undefined);
    if (access.signal?.aborted) throw error;
    throw new IdentityKeychainError(action, reasonOf(error));
  }
}

export async function removeKeys(access: KeychainAccess, identityId: string, roles: readonly KeyRole[] = KEY_ROLES): Promise<void> {
  for (const role of roles) await access.secrets.remove(keyAccount(identityId, role), AbortSignal.timeout(access.timeoutMs ?? DEFAULT_KEYCHAIN_TIMEOUT_MS));
}
