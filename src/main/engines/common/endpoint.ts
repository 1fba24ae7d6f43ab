/**
 * Where an adapter sends its calls: the engine's own base URL when the user set one in
 * the registry (a proxy, a self-hosted box), else the provider's environment variable
 * (RUNWAYML_BASE_URL, ...: what the SDK itself would read, so headless use and the
 * emulators work with no registry edit), else the provider's public endpoint.
 */
import type { EngineSpec, ProviderId } from '../../../shared/domain';
import { EngineError } from '../../../shared/errors';

/** The environment variable each provider's base URL is read from, named as its SDK (or our docs) names it. */
export const BASE_URL_ENV: Readonly<Partial<Record<ProviderId, string>>> = {
  runway: 'RUNWAYML_BASE_URL',
  gemini: 'GOOGLE_GEMINI_BASE_URL',
  luma: 'LUMAAI_BASE_URL',
  openai: 'OPENAI_BASE_URL',
  kling: 'KLING_BASE_URL',
  comfyui: 'COMFYUI_URL',
};

export function baseUrlFor(spec: Pick<EngineSpec, 'id' | 'provider' | 'baseUrl'>, env: NodeJS.ProcessEnv, fallback: string): string {
  const variable = BASE_URL_ENV[spec.provider];
  const chosen = spec.baseUrl?.trim() || (variable ? env[variable]?.trim() : undefined) || fallback;
  let url: URL;
  try {
    url = new URL(chosen);
  } catch {
    throw new EngineError('invalid_request', `${spec.id}: base URL ${JSON.stringify(chosen)} is not a URL`, { jobMayExist: false });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new EngineError('invalid_request', `${spec.id}: base URL must be http or https, not ${url.protocol}`, { jobMayExist: false });
  }
  // Credentials in a URL would end up in logs and error messages.
  if (url.username || url.password) throw new EngineError('invalid_request', `${spec.id}: base URL must not carry a user name or password`, { jobMayExist: false });
  return chosen.replace(/\/+$/, '');
}
