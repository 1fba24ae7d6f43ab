/**
 * The lumaai client for the key and endpoint in force at call time (keys may change
 * while the app runs), built once per pair.
 *
 * maxRetries is 0: Luma has no idempotency key, so a create the SDK re-sent after a
 * timeout or a 5xx could start a second paid generation; the pipeline's policy table
 * decides about retries instead. The SDK's own timeout is never shorter than the
 * boundary's, so the boundary's signal (passed on every call) is what ends a call; the
 * SDK's timeout does not cover a response body that stops mid-way, the signal does.
 */
import LumaAI from 'lumaai';
import type { EngineSpec } from '../../../shared/domain';
import { EngineError } from '../../../shared/errors';
import { CALL_TIMEOUTS_MS } from '../boundary';
import { baseUrlFor } from '../common/endpoint';
import type { AdapterDeps } from '../index';

export const LUMA_DEFAULT_BASE_URL = 'https://api.lumalabs.ai/dream-machine/v1';
export const LUMA_KEY_VARIABLE = 'LUMAAI_API_KEY';

const SDK_TIMEOUT_MS = Math.max(CALL_TIMEOUTS_MS.submit, CALL_TIMEOUTS_MS.poll, CALL_TIMEOUTS_MS.cancel, CALL_TIMEOUTS_MS.findJob);

/** The key in force now, if any. */
export function lumaApiKey(deps: Pick<AdapterDeps, 'credentials'>): string | undefined {
  return deps.credentials('luma')?.[LUMA_KEY_VARIABLE] || undefined;
}

export function lumaConnector(spec: EngineSpec, deps: Pick<AdapterDeps, 'credentials' | 'env'>): () => LumaAI {
  let cached: { apiKey: string; baseUrl: string; client: LumaAI } | undefined;
  return () => {
    const apiKey = lumaApiKey(deps);
    if (!apiKey) throw new EngineError('auth', `${spec.id}: no Luma API key (set ${LUMA_KEY_VARIABLE} or add it to the keychain)`, { jobMayExist: false });
    const baseUrl = baseUrlFor(spec, deps.env, LUMA_DEFAULT_BASE_URL);
    if (!cached || cached.apiKey !== apiKey || cached.baseUrl !== baseUrl) {
      cached = { apiKey, baseUrl, client: new LumaAI({ authToken: apiKey, baseURL: baseUrl, maxRetries: 0, timeout: SDK_TIMEOUT_MS }) };
    }
    return cached.client;
  };
}
