/**
 * The browser transport (`shotline studio`): the Studio API over the loopback bridge
 * (src/main/bridge/server.ts). Calls are POST /api/<method> with the session token in a
 * header; events arrive on one WebSocket, opened with the first listener and reconnected
 * while anyone listens. The token comes from the address `shotline studio` printed and is
 * then kept in this tab's sessionStorage and taken out of the address bar.
 */
import { STUDIO_CHANNELS, type ProgressEvent, type StudioApi, type StudioClient, type StudioMethod } from '../../../shared/api';
import { browserMediaUrl } from '../../../shared/media-url';

const TOKEN_KEY = 'shotline.session-token';

export function httpClientFromLocation(location: Location): StudioClient | null {
  const url = new URL(location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    sessionStorage.setItem(TOKEN_KEY, fromUrl);
    url.searchParams.delete('token');
    history.replaceState(null, '', url.pathname + url.search + url.hash);
  }
  const token = fromUrl ?? sessionStorage.getItem(TOKEN_KEY);
  return token ? httpClient(token, `${url.protocol}//${url.host}`) : null;
}

export function httpClient(token: string, origin: string): StudioClient {
  const call = async (method: StudioMethod, args: unknown[]): Promise<unknown> => {
    const response = await fetch(`${origin}/api/${method}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Shotline-Token': token },
      body: JSON.stringify({ args }),
    });
    const body = (await response.json().catch(() => null)) as { result?: unknown; error?: { message?: string; problems?: string[] } } | null;
    if (!response.ok) throw new Error(errorMessage(body?.error, response.status));
    return body?.result ?? undefined;
  };
  const methods = Object.fromEntries((Object.keys(STUDIO_CHANNELS) as StudioMethod[]).map((method) => [method, (...args: unknown[]) => call(method, args)])) as unknown as Omit<StudioApi, 'onProgress'>;
  const events = progressSocket(`${origin.replace(/^http/, 'ws')}/ws?token=${encodeURIComponent(token)}`);
  return { ...methods, onProgress: events.subscribe, mediaUrl: (path) => browserMediaUrl(path, token), transport: 'browser' };
}

/** The server's message with its problem lines, as UserError and the CLI print them. */
function errorMessage(error: { message?: string; problems?: string[] } | undefined, status: number): string {
  const message = error?.message ?? `the studio answered ${status}`;
  const problems = (error?.problems ?? []).filter((problem) => !message.includes(problem));
  return problems.length ? `${message}\n${problems.map((problem) => `  - ${problem}`).join('\n')}` : message;
}

/** One WebSocket shared by every listener; reconnects with capped backoff while there are listeners. */
function progressSocket(address: string): { subscribe(listener: (event: ProgressEvent) => void): () => void } {
  const listeners = new Set<(event: ProgressEvent) => void>();
  let socket: WebSocket | null = null;
  let retryMs = 500;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;

  const open = () => {
    retryTimer = undefined;
    const current = new WebSocket(address);
    socket = current;
    current.onopen = () => {
      retryMs = 500;
    };
    current.onmessage = (message) => {
      let data: { type?: string; event?: ProgressEvent };
      try {
        data = JSON.parse(String(message.data)) as typeof data;
      } catch {
        return;
      }
      if (data.type === 'progress' && data.event) for (const listener of listeners) listener(data.event);
    };
    current.onclose = () => {
      // A socket closed by the last unsubscribe may report after a new one was opened: it must not replace it.
      if (socket !== current) return;
      socket = null;
      if (listeners.size === 0) return;
      retryTimer = setTimeout(open, retryMs);
      retryMs = Math.min(retryMs * 2, 10_000);
    };
  };

  return {
    subscribe(listener) {
      listeners.add(listener);
      if (!socket && retryTimer === undefined) open();
      return () => {
        listeners.delete(listener);
        if (listeners.size > 0) return;
        clearTimeout(retryTimer);
        retryTimer = undefined;
        const closing = socket;
        socket = null;
        closing?.close();
      };
    },
  };
}
