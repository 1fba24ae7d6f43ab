/**
 * Before a test removes a studio's data folder: renders it started and did not wait for
 * are cancelled (with `cancel`) and given time to stop, so no engine is still writing a
 * clip into the folder while it is removed.
 */
import type { StudioApi } from '../../src/shared/api';

const busy = (state: string) => state === 'running' || state === 'stitching';

export async function stopRenders(api: Pick<StudioApi, 'listEpisodes' | 'cancelRender'>, options: { cancel: boolean; timeoutMs?: number }): Promise<void> {
  if (options.cancel) for (const episode of await api.listEpisodes()) if (busy(episode.state)) await api.cancelRender(episode.episodeId);
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  while (Date.now() < deadline && (await api.listEpisodes()).some((episode) => busy(episode.state))) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
