/**
 * Which FFmpeg the worker drives. auto: the bundled FFmpeg 8.1 of node-av when it loads
 * (it is an optional dependency and may be missing, or built for another platform),
 * else the FFmpeg CLI the locate chain finds. Asking for one explicitly never falls back.
 */
import { UserError } from '../../../shared/errors';
import { createCliBackend } from '../backend/cli/index';
import type { BackendName, MediaBackend } from '../backend/types';
import { locateFfmpeg } from '../locate';
import type { WorkerSettings } from './protocol';

export async function chooseBackend(settings: WorkerSettings): Promise<{ backend: MediaBackend; name: BackendName; fallbackReason: string | null }> {
  if (settings.backend !== 'cli') {
    const loaded = await loadBundled();
    if ('backend' in loaded) return { backend: loaded.backend, name: 'node-av', fallbackReason: null };
    if (settings.backend === 'node-av') throw new UserError(`the bundled FFmpeg (node-av) cannot be used: ${loaded.error}`);
    const cli = await createCli(settings, loaded.error);
    return { backend: cli, name: 'cli', fallbackReason: `the bundled FFmpeg (node-av) cannot be used: ${loaded.error}` };
  }
  return { backend: await createCli(settings), name: 'cli', fallbackReason: null };
}

async function createCli(settings: WorkerSettings, bundledProblem?: string): Promise<MediaBackend> {
  try {
    return createCliBackend(await locateFfmpeg({ userPath: settings.ffmpegPath }));
  } catch (error) {
    if (error instanceof UserError && bundledProblem) {
      throw new UserError(`No FFmpeg can be used. The bundled one (node-av) did not load: ${bundledProblem}. ${error.message}`, error.problems);
    }
    throw error;
  }
}

async function loadBundled(): Promise<{ backend: MediaBackend } | { error: string }> {
  try {
    const { loadNodeAvBackend } = await import('../backend/nodeav/index');
    return await loadNodeAvBackend();
  } catch (error) {
    return { error: error instanceof Error ? error.message.split('\n')[0]! : String(error) };
  }
}
