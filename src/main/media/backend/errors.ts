/**
 * Errors both media backends raise, so callers never need to know which FFmpeg ran.
 * They cross the worker's IPC channel as plain data and are rebuilt on the other side.
 */
import { ShotlineError } from '../../../shared/errors';

/** The file is missing, empty, or holds no playable video stream. */
export class NotPlayableError extends ShotlineError {
  override name = 'NotPlayableError';
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file} is not a playable video: ${reason}`);
  }
}

/** A media job failed; `detail` is FFmpeg's own account, `command` a copy-pasteable command where there is one. */
export class MediaJobError extends ShotlineError {
  override name = 'MediaJobError';
  constructor(
    message: string,
    readonly detail: string,
    readonly command: string | null = null,
  ) {
    super(detail ? `${message}\n  ffmpeg said:\n${detail.split('\n').map((line) => `    ${line}`).join('\n')}` : message);
  }
}
