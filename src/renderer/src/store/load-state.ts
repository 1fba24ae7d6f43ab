/** How far a list has got in loading from the studio; one shape for every slice. */
export type LoadState =
  | { status: 'idle' }
  | { status: 'loading' }
  | { status: 'ready' }
  | { status: 'failed'; error: string };

export const IDLE: LoadState = { status: 'idle' };
export const LOADING: LoadState = { status: 'loading' };
export const READY: LoadState = { status: 'ready' };

export function failed(error: unknown): LoadState {
  return { status: 'failed', error: error instanceof Error ? error.message : String(error) };
}

/**
 * Numbers requests so that only the newest one's answer is kept: progress events can
 * trigger reloads that overlap, and a slow older answer must not overwrite a newer one.
 */
export function latestOnly(): { begin(): number; isLatest(ticket: number): boolean } {
  let latest = 0;
  return {
    begin: () => ++latest,
    isLatest: (ticket) => ticket === latest,
  };
}
