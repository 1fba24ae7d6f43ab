/**
 * Media worker pools for tests, on the backend the suite runs with (SHOTLINE_FFMPEG: auto
 * by default) or, for the parity subset, a named one. Idle workers do not keep the test
 * process alive, and every worker is killed when it exits.
 */
import { MediaPool } from '../../src/main/media/worker/pool';
import { mediaWorkerSettings } from '../../src/main/media/worker/settings';

let shared: MediaPool | undefined;

/** One pool per test file, on the suite's backend. */
export function testMedia(): MediaPool {
  return (shared ??= parityPool(undefined));
}

/** The worker settings of the backend this suite runs on (SHOTLINE_FFMPEG; auto by default). */
export function suiteMediaSettings() {
  return mediaWorkerSettings(undefined, undefined, process.env);
}

/**
 * The backends the parity subset runs on: the suite's own and the FFmpeg CLI (backend A),
 * so both pass the same media tests while the rest of the suite runs once.
 */
export const PARITY_BACKENDS: string[] = [...new Set([process.env.SHOTLINE_FFMPEG?.trim() || 'auto', 'cli'])];

/** A pool of its own on `backend` (the suite's when undefined). */
export function parityPool(backend: string | undefined, size?: number): MediaPool {
  const pool = new MediaPool({ settings: mediaWorkerSettings(backend, undefined, process.env), size });
  process.once('exit', () => pool.close());
  return pool;
}
