/**
 * Backend B: FFmpeg 8.1 in-process through node-av. The same jobs as the CLI backend,
 * run through libavformat/libavcodec/libavfilter directly: no child processes, no
 * command lines (MediaJobError.command is always null here).
 */
import { isAbortError } from '../../../../shared/errors';
import { MediaJobError, NotPlayableError } from '../errors';
import type { BackendInfo, MediaBackend, RunContext } from '../types';
import { concatCopyJob, muxJob } from './copy';
import { backendInfo, tryEncoderJob } from './encoders';
import { runGraphJob } from './graph-run';
import { loadNodeAv, type NodeAv } from './load';
import { probeFile } from './probe';

export async function loadNodeAvBackend(): Promise<{ backend: MediaBackend } | { error: string }> {
  const loaded = await loadNodeAv();
  if ('error' in loaded) return loaded;
  return { backend: createNodeAvBackend(loaded.av) };
}

export function createNodeAvBackend(av: NodeAv): MediaBackend {
  let info: BackendInfo | undefined;
  return {
    info: async () => (info ??= backendInfo(av)),
    probe: (file, context) => guard(`probing ${file}`, context, () => probeFile(av, file, context)),
    runGraph: (job, context) => guard(`the media job writing ${job.output.path}`, context, () => runGraphJob(av, job, context)),
    concatCopy: (job, context) => guard(`joining ${job.parts.length} pieces into ${job.output.path}`, context, () => concatCopyJob(av, job, context)),
    mux: (job, context) => guard(`muxing ${job.output.path}`, context, () => muxJob(av, job, context)),
    tryEncoder: (trial, context) => guard(`trying ${trial.encoder}`, context, () => tryEncoderJob(av, trial, context)),
  };
}

/** Every failure leaves as one of the contract's errors, whatever node-av threw. */
async function guard<T>(what: string, context: RunContext, job: () => Promise<T>): Promise<T> {
  try {
    return await job();
  } catch (error) {
    if (error instanceof MediaJobError || error instanceof NotPlayableError || isAbortError(error) || context.signal.aborted) throw error;
    throw new MediaJobError(`${what} failed`, error instanceof Error ? error.message : String(error), null);
  }
}
