/**
 * Offline-first generation: whether the providers can be reached, and waiting until they
 * can. When a submit finds its provider's host unreachable (no route, no DNS, refused),
 * the shot runner asks here before spending a fallback: if another engine of the shot
 * can be reached it moves on as usual; if none can, the machine is offline (or every
 * provider is down) and the shot waits, holding no money, until a probe gets through.
 * Probes are plain TCP connects to each engine's endpoint: they cost nothing and send no
 * request a provider could bill.
 */
import { connect } from 'node:net';
import type { EngineSpec } from '../../shared/domain';
import { CancelledError } from '../../shared/errors';
import { BASE_URL_ENV } from '../engines/common/endpoint';
import { sleep } from './abortable';

/** Each provider's public endpoint, where neither the registry nor the environment names another. */
const PUBLIC_ENDPOINTS: Readonly<Partial<Record<EngineSpec['provider'], string>>> = {
  runway: 'https://api.dev.runwayml.com',
  gemini: 'https://generativelanguage.googleapis.com',
  kling: 'https://api-singapore.klingai.com',
  luma: 'https://api.lumalabs.ai',
  openai: 'https://api.openai.com',
  comfyui: 'http://127.0.0.1:8188',
};

/** Where an engine's calls go, or null for an engine that needs no network (the animatic). */
export function engineEndpoint(spec: Pick<EngineSpec, 'provider' | 'baseUrl'>, env: NodeJS.ProcessEnv): URL | null {
  const variable = BASE_URL_ENV[spec.provider];
  const chosen = spec.baseUrl?.trim() || (variable ? env[variable]?.trim() : undefined) || PUBLIC_ENDPOINTS[spec.provider];
  if (!chosen) return null;
  try {
    return new URL(chosen);
  } catch {
    return null;
  }
}

/** True when a TCP connection to the endpoint opens within the time limit. */
export type Probe = (endpoint: URL, signal: AbortSignal) => Promise<boolean>;

export const tcpProbe: Probe = (endpoint, signal) =>
  new Promise((resolve) => {
    const port = Number(endpoint.port) || (endpoint.protocol === 'https:' ? 443 : 80);
    const socket = connect({ host: endpoint.hostname.replace(/^\[|\]$/g, ''), port, timeout: PROBE_TIMEOUT_MS });
    const finish = (reachable: boolean) => {
      socket.destroy();
      signal.removeEventListener('abort', onAbort);
      resolve(reachable);
    };
    const onAbort = () => finish(false);
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => finish(true));
    socket.once('timeout', () => finish(false));
    socket.once('error', () => finish(false));
  });

const PROBE_TIMEOUT_MS = 3_000;

export interface ConnectivityOptions {
  probe?: Probe;
  /** Told when the answer to "can the providers be reached?" changes. */
  onChange: (online: boolean) => void;
  /** First wait between probes while offline, doubling to `maxRetryMs`. */
  firstRetryMs?: number;
  maxRetryMs?: number;
}

export class Connectivity {
  private reachable = true;
  private readonly probe: Probe;

  constructor(private readonly options: ConnectivityOptions) {
    this.probe = options.probe ?? tcpProbe;
  }

  /** False from the moment no provider a waiting shot could use answers, until one does. */
  get online(): boolean {
    return this.reachable;
  }

  /** True when at least one of the endpoints answers now; an empty list (local engines only) counts as reachable. */
  async anyReachable(endpoints: readonly URL[], signal: AbortSignal): Promise<boolean> {
    if (endpoints.length === 0) return true;
    const answers = await Promise.all(unique(endpoints).map((endpoint) => this.probe(endpoint, signal)));
    const reachable = answers.some(Boolean);
    this.set(reachable);
    return reachable;
  }

  /** Waits, probing with backoff, until one of the endpoints answers; throws CancelledError on the signal. */
  async waitUntilReachable(endpoints: readonly URL[], signal: AbortSignal): Promise<void> {
    let delay = this.options.firstRetryMs ?? 2_000;
    const max = this.options.maxRetryMs ?? 30_000;
    for (;;) {
      if (signal.aborted) throw new CancelledError();
      if (await this.anyReachable(endpoints, signal)) return;
      await sleep(delay, signal);
      delay = Math.min(max, delay * 2);
    }
  }

  private set(reachable: boolean): void {
    if (reachable === this.reachable) return;
    this.reachable = reachable;
    this.options.onChange(reachable);
  }
}

function unique(endpoints: readonly URL[]): URL[] {
  const seen = new Map<string, URL>();
  for (const endpoint of endpoints) seen.set(`${endpoint.hostname}:${endpoint.port || endpoint.protocol}`, endpoint);
  return [...seen.values()];
}
