/**
 * How the CLI ends on a failure: one line (or a few) on stderr and the exit code that
 * says what kind of failure it was. Stack traces only with SHOTLINE_DEBUG: the user
 * needs the message; a bug report needs the stack.
 */
import { isAbortError, UserError } from '../../shared/errors';
import { EpisodeBusyError } from '../store/episodes';
import { EXIT, type ExitCode } from './exit-codes';
import type { SafeOutput } from './output';

export interface FailureContext {
  /** Whether this run's own Ctrl-C/SIGTERM fired (its notice already said so). */
  cancelled: boolean;
  debug: boolean;
}

/** Picks the exit code for an error: usage 2, busy 3, cancelled 130, anything else 70. */
export function exitCodeForError(error: unknown, cancelled: boolean): ExitCode {
  if (error instanceof UserError) return EXIT.usage;
  if (error instanceof EpisodeBusyError) return EXIT.busy;
  if (cancelled || isAbortError(error)) return EXIT.cancelled;
  return EXIT.internal;
}

/** Prints what went wrong and returns the exit code; never throws. */
export function reportError(error: unknown, stderr: SafeOutput, context: FailureContext): ExitCode {
  const code = exitCodeForError(error, context.cancelled);
  switch (code) {
    case EXIT.usage:
      stderr.write(`shotline: ${describeError(error, false)}\n`);
      break;
    case EXIT.busy:
      stderr.write(`shotline: ${describeError(error, false)}\n`);
      stderr.write(`Wait for it to finish, or stop it; \`shotline resume ${(error as EpisodeBusyError).episodeId}\` then continues the render.\n`);
      break;
    case EXIT.cancelled:
      // Our own Ctrl-C notice already said what happened; any other cancel deserves its message.
      if (!context.cancelled) stderr.write(`shotline: ${describeError(error, context.debug)}\n`);
      break;
    default:
      stderr.write(`shotline: ${describeError(error, context.debug)}\n`);
      if (!context.debug) stderr.write('shotline: this was not expected (a bug or a broken environment); SHOTLINE_DEBUG=1 shows where it happened\n');
  }
  return code;
}

export function describeError(error: unknown, withStack: boolean): string {
  if (!(error instanceof Error)) return String(error);
  if (withStack && error.stack) return error.stack;
  return error.message || error.name;
}

/**
 * A lost report (stdout closed or full) is worth one line on stderr while that still
 * works: the exit code tells the outcome but not that the --json output never arrived.
 */
export function noteLostOutput(stdout: SafeOutput, stderr: SafeOutput, debug: boolean): void {
  if (!stdout.gone || stdout.failure === undefined) return;
  stderr.write(`shotline: could not write to stdout (${describeError(stdout.failure, false)}); output was lost, the exit code still tells the outcome\n`);
  if (debug) stderr.write(`${describeError(stdout.failure, true)}\n`);
}
