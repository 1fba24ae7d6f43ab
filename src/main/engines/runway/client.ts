/**
 * The @runwayml/sdk client for the key and endpoint in force at call time: keys can be
 * changed while the app runs, so nothing is read at construction. One client is kept
 * (for the latest key and base URL) and rebuilt when either changes.
 *
 * `maxRetries: 0`: Runway takes no idempotency key, so the SDK re-sending a create after
 * a timeout or a 5xx can start a second paid task; the pipeline's policy table retries.
 */
import RunwayML from '@runwayml/sdk';
import type { EngineSpec } from '../../../shared/domain';
import { EngineError } from '../../../shared/errors';
import { CALL_TIMEOUTS_MS } from '../boundary';
import { baseUrlFor } from '../common/endpoint';
import type { EngineOperation } from '../errors';
import type { AdapterDeps } from '../index';

/** The SDK's own default endpoint (no /v1: the SDK's paths carry it). */
export const RUNWAY_DEFAULT_BASE_URL = 'https://api.dev.runwayml.com';

export const RUNWAY_KEY_VARIABLE = 'RUNWAYML_API_SECRET';

/**
 * The SDK's per-request timeout: a little beyond the boundary's, so that the boundary's
 * signal decides (and classifies) every timeout, and the SDK's 60 s default never cuts
 * a long create short.
 */
export function sdkTimeoutMs(operation: EngineOperation): number {
  return CALL_TIMEOUTS_MS[operation] + 5_000;
}

export interface RunwayConnection {
  client: RunwayML;
  /** For scrubbing from messages; never logged. */
  apiKey: string;
}

export class RunwayClients {
  private cached: { apiKey: string; baseUrl: string; client: RunwayML } | undefined;

  constructor(
    private readonly spec: EngineSpec,
    private readonly deps: Pick<AdapterDeps, 'credentials' | 'env'>,
  ) {}

  /** The key as configured now; throws `auth` (nothing sent, no job) when there is none. */
  apiKey(): string {
    const apiKey = this.deps.credentials('runway')?.[RUNWAY_KEY_VARIABLE]?.trim();
    if (!apiKey) {
      throw new EngineError('auth', `${this.spec.id}: no Runway API key (set ${RUNWAY_KEY_VARIABLE} or add it to the keychain)`, { jobMayExist: false });
    }
    return apiKey;
  }

  connection(): RunwayConnection {
    const apiKey = this.apiKey();
    const baseUrl = baseUrlFor(this.spec, this.deps.env, RUNWAY_DEFAULT_BASE_URL);
    if (this.cached?.apiKey !== apiKey || this.cached.baseUrl !== baseUrl) {
      this.cached = { apiKey, baseUrl, client: new RunwayML({ apiKey, baseURL: baseUrl, maxRetries: 0, timeout: sdkTimeoutMs('submit') }) };
    }
    return { client: this.cached.client, apiKey };
  }
}
