/**
 * Where keys come from, above the store: environment variables win, keychain entries are
 * decoded per provider, bad entries count as no key, a keychain that hangs or fails
 * leaves the environment, and values never appear in what is listed or refused. (The
 * keychain itself is tested against a real Secret Service in keychain.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/shared/errors';
import { MemorySecretStore, type SecretStore } from '../../src/main/secrets/keychain';
import { ProviderKeys } from '../../src/main/secrets/provider-keys';

const noEnv = {};

describe('provider keys', () => {
  it('reads each provider from the keychain, Kling as its two named keys; the environment wins', async () => {
    const store = new MemorySecretStore();
    store.secrets.set('runway', 'rw-from-keychain');
    store.secrets.set('kling', JSON.stringify({ KLING_ACCESS_KEY: 'ak', KLING_SECRET_KEY: 'sk' }));
    store.secrets.set('someone-else', 'ignored');
    const keys = await ProviderKeys.open(store, { RUNWAYML_API_SECRET: 'rw-from-env' });
    expect(keys.credentials('runway')).toEqual({ RUNWAYML_API_SECRET: 'rw-from-env' });
    expect(keys.credentials('kling')).toEqual({ KLING_ACCESS_KEY: 'ak', KLING_SECRET_KEY: 'sk' });
    expect(keys.hasKey('luma')).toBe(false);
    expect(keys.list().find((row) => row.provider === 'runway')).toMatchObject({ source: 'environment', shadowedKeychainKey: true });
    expect(keys.secretValues()).toEqual(expect.arrayContaining(['rw-from-env', 'rw-from-keychain', 'ak', 'sk']));
    expect(JSON.stringify(keys.list())).not.toMatch(/rw-from|"ak"|"sk"/);
  });

  it('an entry written wrongly (half a Kling pair, not JSON, blank) counts as no key', async () => {
    const store = new MemorySecretStore();
    store.secrets.set('kling', JSON.stringify({ KLING_ACCESS_KEY: 'ak' }));
    store.secrets.set('luma', '   ');
    store.secrets.set('gemini', '{not json');
    const keys = await ProviderKeys.open(store, noEnv);
    expect(keys.hasKey('kling')).toBe(false);
    expect(keys.hasKey('luma')).toBe(false);
    // A Gemini key is one opaque string: whatever is stored is the key.
    expect(keys.credentials('gemini')).toEqual({ GEMINI_API_KEY: '{not json' });
  });

  it('a keychain that does not answer in time leaves the environment and says why', async () => {
    const hanging: SecretStore = {
      // Like a keychain waiting for a password prompt nobody answers: only the signal ends it.
      readAll: (signal) => new Promise((_resolve, reject) => signal?.addEventListener('abort', () => reject(signal.reason))),
      write: async () => undefined,
      remove: async () => false,
    };
    const started = Date.now();
    const keys = await ProviderKeys.open(hanging, { LUMAAI_API_KEY: 'env-luma' }, { readTimeoutMs: 100 });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(keys.keychainStatus).toMatch(/did not answer in time.*environment variables/);
    expect(keys.credentials('luma')).toEqual({ LUMAAI_API_KEY: 'env-luma' });
  });

  it('refuses a blank key, one with spaces, or a half Kling pair, without quoting it; stores nothing', async () => {
    const store = new MemorySecretStore();
    const keys = await ProviderKeys.open(store, noEnv);
    const refusal = async (work: () => Promise<void>) => {
      try {
        await work();
      } catch (error) {
        expect(error).toBeInstanceOf(UserError);
        return (error as Error).message;
      }
      throw new Error('expected a refusal');
    };
    expect(await refusal(() => keys.set('runway', { RUNWAYML_API_SECRET: '' }))).toMatch(/RUNWAYML_API_SECRET: empty/);
    const spaced = await refusal(() => keys.set('luma', { LUMAAI_API_KEY: 'abc def' }));
    expect(spaced).toMatch(/contains spaces/);
    expect(spaced).not.toContain('abc def');
    expect(await refusal(() => keys.set('kling', { KLING_ACCESS_KEY: 'ak' }))).toMatch(/KLING_SECRET_KEY: empty/);
    expect(store.secrets.size).toBe(0);
    await keys.set('kling', { KLING_ACCESS_KEY: 'ak', KLING_SECRET_KEY: 'sk' });
    expect(keys.list().find((row) => row.provider === 'kling')?.source).toBe('keychain');
  });
});
