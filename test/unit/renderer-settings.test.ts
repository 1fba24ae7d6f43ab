/**
 * The settings screen's pure logic: key status words (never a value), field labels from
 * the UI contract, which keys can be removed, the engine edit diff, the studio's errors
 * as lines naming their field; and the slice: a key save reports per provider.
 */
import { describe, expect, it, vi } from 'vitest';
import type { ProviderKeysView, ProviderKeyView, StudioClient } from '../../src/shared/api';
import type { EngineSpec } from '../../src/shared/domain';
import { usdToMicros } from '../../src/shared/money';
import { createStudioStore } from '../../src/renderer/src/store';
import { engineEdit, engineFormOf, fieldsNamed, isEmptyEdit, priceRange, usdPerSecond } from '../../src/renderer/src/settings/engine-edit';
import { canRemoveKey, errorLines, keyFieldLabel, keyStatusText, keyValuesComplete, keyValuesToSend, shadowNote } from '../../src/renderer/src/settings/key-status';

const key = (over: Partial<ProviderKeyView>): ProviderKeyView => ({
  provider: 'luma',
  fields: ['LUMAAI_API_KEY'],
  source: null,
  shadowedKeychainKey: false,
  environmentVariables: ['LUMAAI_API_KEY'],
  ...over,
});

describe('provider keys', () => {
  it('says where the key in use comes from, in the words the contract names', () => {
    expect(keyStatusText(key({ source: 'keychain' }))).toBe('Set in keychain');
    expect(keyStatusText(key({ source: 'environment' }))).toBe('Set by environment variable LUMAAI_API_KEY');
    expect(keyStatusText(key({ provider: 'gemini', source: 'environment', environmentVariables: ['GEMINI_API_KEY', 'GOOGLE_API_KEY'] }))).toBe(
      'Set by environment variable GEMINI_API_KEY or GOOGLE_API_KEY',
    );
    expect(keyStatusText(key({}))).toBe('Not set');
  });

  it('notes a keychain key an environment variable hides, and only such keys (or the keychain’s own) can be removed', () => {
    const shadowed = key({ source: 'environment', shadowedKeychainKey: true });
    expect(shadowNote(shadowed)).toMatch(/keychain also holds a key/);
    expect(shadowNote(key({ source: 'keychain' }))).toBeNull();
    expect(canRemoveKey(shadowed)).toBe(true);
    expect(canRemoveKey(key({ source: 'keychain' }))).toBe(true);
    expect(canRemoveKey(key({ source: 'environment' }))).toBe(false);
    expect(canRemoveKey(key({}))).toBe(false);
  });

  it('labels each field as the UI contract does (Kling takes two)', () => {
    expect(keyFieldLabel('runway', 'RUNWAYML_API_SECRET', 1)).toBe('runway API key');
    expect(keyFieldLabel('kling', 'KLING_ACCESS_KEY', 2)).toBe('kling access key');
    expect(keyFieldLabel('kling', 'KLING_SECRET_KEY', 2)).toBe('kling secret key');
  });

  it('sends a key only when every field is typed, trimmed and limited to the provider’s fields', () => {
    const fields = ['KLING_ACCESS_KEY', 'KLING_SECRET_KEY'];
    expect(keyValuesComplete(fields, { KLING_ACCESS_KEY: 'ak' })).toBe(false);
    expect(keyValuesComplete(fields, { KLING_ACCESS_KEY: 'ak', KLING_SECRET_KEY: '  ' })).toBe(false);
    expect(keyValuesComplete(fields, { KLING_ACCESS_KEY: 'ak', KLING_SECRET_KEY: 'sk' })).toBe(true);
    expect(keyValuesToSend(fields, { KLING_ACCESS_KEY: ' ak\n', KLING_SECRET_KEY: 'sk', OTHER: 'x' })).toEqual({ KLING_ACCESS_KEY: 'ak', KLING_SECRET_KEY: 'sk' });
  });

  it('turns a studio error into lines, without the IPC wrapper', () => {
    expect(errorLines(`Error invoking remote method 'studio:update-engine': UserError: invalid settings for engine "luma-ray2"\n  - price: must be USD per second of video, e.g. 0.12, got "abc"`)).toEqual([
      'invalid settings for engine "luma-ray2"',
      'price: must be USD per second of video, e.g. 0.12, got "abc"',
    ]);
    expect(errorLines('the keychain is locked')).toEqual(['the keychain is locked']);
  });
});

const spec = (over: Partial<EngineSpec> = {}): EngineSpec =>
  ({
    id: 'luma-ray2',
    provider: 'luma',
    enabled: true,
    concurrency: 2,
    pricing: [
      { resolution: '720p', audio: false, microsPerSecond: usdToMicros(0.12) },
      { resolution: '1080p', audio: false, microsPerSecond: usdToMicros(0.32) },
    ],
    ...over,
  }) as EngineSpec;

describe('engine settings', () => {
  it('starts from the registry: the lowest price when it varies by resolution, written exactly', () => {
    expect(engineFormOf(spec())).toEqual({ enabled: true, price: '0.12', baseUrl: '', concurrency: '2', workflow: '' });
    expect(priceRange(spec())).toEqual({ low: 120_000, high: 320_000 });
    expect(priceRange(spec({ pricing: [] }))).toBeNull();
    expect(usdPerSecond(1_500)).toBe('0.0015');
  });

  it('sends only what changed; an untouched row is no edit', () => {
    expect(isEmptyEdit(engineEdit(spec(), engineFormOf(spec())))).toBe(true);
    expect(engineEdit(spec(), { ...engineFormOf(spec()), enabled: false, concurrency: ' 4 ' })).toEqual({ enabled: false, concurrency: '4' });
    expect(engineEdit(spec({ baseUrl: 'http://127.0.0.1:8188' }), { ...engineFormOf(spec()), price: '0.2' })).toEqual({ price: '0.2', baseUrl: '' });
  });

  it('an emptied field is sent empty, which clears the user’s value', () => {
    const mine = spec({ concurrency: 6, workflow: '/home/ana/flow.json' });
    expect(engineEdit(mine, { ...engineFormOf(mine), concurrency: '', workflow: '' })).toEqual({ concurrency: '', workflow: '' });
  });

  it('finds the inputs a problem names', () => {
    expect([...fieldsNamed(['invalid settings for engine "x"', 'price: must be USD per second', 'concurrency: must be a whole number', 'base-url: bad'])]).toEqual(['price', 'concurrency', 'baseUrl']);
  });
});

describe('the settings slice', () => {
  const view = (keys: ProviderKeyView[]): ProviderKeysView => ({ keys, keychainProblem: null });

  it('a failed save is that provider’s problem; the next success clears it and reloads the engines', async () => {
    const setProviderKey = vi.fn().mockRejectedValueOnce(new Error('the keychain is locked')).mockResolvedValueOnce(view([key({ source: 'keychain' })]));
    const listEngines = vi.fn().mockResolvedValue([]);
    const store = createStudioStore({ setProviderKey, listEngines, onProgress: () => () => undefined } as unknown as StudioClient);
    expect(await store.getState().saveProviderKey('luma', { LUMAAI_API_KEY: 'k' })).toBe(false);
    expect(store.getState().keyErrors).toEqual({ luma: 'the keychain is locked' });
    expect(await store.getState().saveProviderKey('luma', { LUMAAI_API_KEY: 'k' })).toBe(true);
    expect(store.getState().keyErrors).toEqual({});
    expect(store.getState().providerKeys?.keys[0]?.source).toBe('keychain');
    expect(listEngines).toHaveBeenCalledTimes(1);
  });

  it('an engine save answers with the studio’s problem, or null and fresh engines', async () => {
    const updateEngine = vi.fn().mockRejectedValueOnce(new Error('invalid settings for engine "x"\n  - price: must be USD')).mockResolvedValueOnce({});
    const listEngines = vi.fn().mockResolvedValue([]);
    const store = createStudioStore({ updateEngine, listEngines, onProgress: () => () => undefined } as unknown as StudioClient);
    expect(await store.getState().saveEngine('x', { price: 'abc' })).toMatch(/price: must be USD/);
    expect(listEngines).not.toHaveBeenCalled();
    expect(await store.getState().saveEngine('x', { price: '0.2' })).toBeNull();
    expect(listEngines).toHaveBeenCalledTimes(1);
  });

  it('a key list that cannot be read is a load failure, not an unhandled rejection', async () => {
    const store = createStudioStore({ listProviderKeys: () => Promise.reject(new Error('bridge down')), onProgress: () => () => undefined } as unknown as StudioClient);
    await store.getState().loadProviderKeys();
    expect(store.getState().providerKeysLoad).toEqual({ status: 'failed', error: 'bridge down' });
  });
});
