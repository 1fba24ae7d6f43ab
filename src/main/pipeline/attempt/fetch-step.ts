/**
 * Bringing a finished (and already charged) job's clip home. A clip already on disk is
 * reused; an expired download link is renewed from the same job; only when the provider
 * says the output is gone does the shot need a new generation. A download that keeps
 * failing for other reasons leaves the paid job where it is for `resume`, never
 * generating it again.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { EngineError } from '../../../shared/errors';
import type { AttemptRecord } from '../../store/attempts';
import { sleep } from '../abortable';
import { backoffDelayMs } from '../backoff';
import { policyFor } from '../policy';
import { emitShot, engineFailure, isOutcome, type AttemptContext, type StepResult } from './context';

const DOWNLOAD_TRIES = 3;
const LINK_RENEWALS = 2;

export async function fetchStep(context: AttemptContext, attempt: AttemptRecord): Promise<StepResult> {
  const { deps, engine, signal } = context;
  const destination = clipPathFor(deps.mediaDir, attempt);
  // Written through a temp file and a rename: a file at this path is a complete download
  // of this attempt's job, left by a process that died before recording it.
  if (existsSync(destination)) {
    const downloaded = deps.attempts.markDownloaded(attempt.id, { path: destination, sha256: await sha256Of(destination, signal), stat: await clipStat(destination) });
    await context.step('downloaded', attempt.id);
    return downloaded;
  }
  emitShot(context, attempt, 'downloading');
  let current = attempt;
  let renewals = 0;
  let failures = 0;
  for (;;) {
    try {
      const clip = await engine.download(current.providerJobId!, current.output!, destination, signal);
      await context.step('downloaded-file', attempt.id);
      const downloaded = deps.attempts.markDownloaded(attempt.id, { path: clip.path, sha256: clip.sha256, stat: await clipStat(clip.path) });
      await context.step('downloaded', attempt.id);
      return downloaded;
    } catch (thrown) {
      const error = engineFailure(thrown, signal);
      if (policyFor(error.kind).onDownload === 'renew_output') {
        if (renewals++ >= LINK_RENEWALS) return gone(context, current, error.message);
        const renewed = await renewOutput(context, current);
        if (isOutcome(renewed)) return renewed;
        current = renewed;
        continue;
      }
      if (++failures >= DOWNLOAD_TRIES) {
        return {
          status: 'deferred',
          attempt: current,
          message: `the clip of paid job ${current.providerJobId} could not be downloaded (${error.message}); \`shotline resume\` fetches it, nothing is generated again`,
        };
      }
      await sleep(Math.max(error.details.retryAfterMs ?? 0, backoffDelayMs(failures, { baseMs: 1_000, capMs: 15_000 }, deps.random)), signal);
    }
  }
}

/** Asks the same job again for a fresh output location (Runway's documented fix for expired links). */
async function renewOutput(context: AttemptContext, attempt: AttemptRecord): Promise<StepResult> {
  const { deps, engine, signal } = context;
  let result;
  try {
    result = await engine.poll(attempt.providerJobId!, signal);
  } catch (thrown) {
    const error = engineFailure(thrown, signal);
    if (error.kind === 'expired_output') return gone(context, attempt, error.message);
    return { status: 'deferred', attempt, message: `the download link of paid job ${attempt.providerJobId} expired and could not be renewed now (${error.message}); \`shotline resume\` tries again` };
  }
  if (result.state === 'succeeded') {
    deps.emit({ episodeId: attempt.episodeId, shotId: attempt.shotId, type: 'log', message: `renewed the expired download link of ${engine.spec.id} job ${attempt.providerJobId}` });
    return deps.attempts.refreshOutput(attempt.id, result.output);
  }
  const why = result.state === 'failed' ? result.error.message : `the job reads ${result.state} again`;
  return gone(context, attempt, why);
}

/** The provider no longer has the output: the job stays paid, the shot needs a new one. */
function gone(context: AttemptContext, attempt: AttemptRecord, why: string): StepResult {
  const error = new EngineError('expired_output', `the output of paid job ${attempt.providerJobId} is gone at ${context.engine.spec.id} (${why})`);
  return { status: 'failed', attempt: context.deps.attempts.markFailed(attempt.id, { kind: error.kind, message: error.message }), error };
}

/** Where an attempt's clip lives: media/<episode>/<shot>/a<n>-<engine>.mp4 (folder created). */
export function clipPathFor(mediaDir: string, attempt: Pick<AttemptRecord, 'episodeId' | 'shotId' | 'attemptNo' | 'engineId'>): string {
  const folder = join(mediaDir, attempt.episodeId, attempt.shotId);
  mkdirSync(folder, { recursive: true });
  return join(folder, `a${attempt.attemptNo}-${attempt.engineId.replace(/[^A-Za-z0-9._-]/g, '_')}.mp4`);
}

/** Size and modification time: what changes when a file is replaced or edited. */
export async function clipStat(path: string): Promise<string> {
  const info = await stat(path);
  return `${info.size}:${Math.round(info.mtimeMs)}`;
}

export async function sha256Of(path: string, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { signal })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
