/**
 * What each provider needs before any of its engines can run: an API key (named by the
 * environment variables its SDK reads), a base URL (self-hosted), or nothing (offline).
 * The router words its "not configured" rejections from this table, and the engines
 * table shows "n.a." for providers that need no key.
 */
import type { ProviderId } from '../../shared/domain';

export interface ProviderAccess {
  credential: 'key' | 'baseUrl' | 'none';
  /** Environment variables that supply the key (or, for a self-hosted provider, its URL). */
  envVars: readonly string[];
  /** How to fix a missing credential, in words for a rejection reason. */
  hint: string;
}

export const PROVIDER_ACCESS: Readonly<Record<ProviderId, ProviderAccess>> = {
  animatic: { credential: 'none', envVars: [], hint: '' },
  scripted: { credential: 'none', envVars: [], hint: '' },
  comfyui: { credential: 'baseUrl', envVars: ['COMFYUI_URL'], hint: 'set COMFYUI_URL, or the engine\'s base URL with `shotline engines set <id> base-url=http://host:8188`' },
  runway: { credential: 'key', envVars: ['RUNWAYML_API_SECRET'], hint: 'set RUNWAYML_API_SECRET or add it to the keychain' },
  gemini: {
    credential: 'key',
    envVars: ['GEMINI_API_KEY', 'GOOGLE_API_KEY'],
    hint: 'set GEMINI_API_KEY (or GOOGLE_API_KEY) or add it to the keychain',
  },
  kling: {
    credential: 'key',
    envVars: ['KLING_ACCESS_KEY', 'KLING_SECRET_KEY'],
    hint: 'set KLING_ACCESS_KEY and KLING_SECRET_KEY or add them to the keychain',
  },
  luma: { credential: 'key', envVars: ['LUMAAI_API_KEY'], hint: 'set LUMAAI_API_KEY or add it to the keychain' },
  openai: { credential: 'key', envVars: ['OPENAI_API_KEY'], hint: 'set OPENAI_API_KEY or add it to the keychain' },
};

export const PROVIDER_IDS = Object.keys(PROVIDER_ACCESS) as ProviderId[];
