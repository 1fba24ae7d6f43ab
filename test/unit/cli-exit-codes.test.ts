import { describe, expect, it } from 'vitest';
import { CancelledError, EngineError, UserError } from '../../src/shared/errors';
import { exitCodeForError, noteLostOutput, reportError } from '../../src/main/cli/error-report';
import { EXIT, EXIT_CODE_TABLE, formatExitCodes } from '../../src/main/cli/exit-codes';
import type { SafeOutput } from '../../src/main/cli/output';
import { EpisodeBusyError } from '../../src/main/store/episodes';

function memoryOutput(failure?: unknown): SafeOutput & { text: string } {
  return {
    text: '',
    write(text: string) {
      this.text += text;
    },
    isTTY: false,
    columns: undefined,
    gone: failure !== undefined,
    failure,
    settle: () => Promise.resolve(),
  };
}

const STACK_LINE = /\n\s+at /;

describe('the exit code table', () => {
  it('has one distinct code per outcome, in the documented values', () => {
    expect(EXIT).toEqual({ ok: 0, shotsFailed: 1, usage: 2, busy: 3, internal: 70, cancelled: 130 });
    expect(EXIT_CODE_TABLE.map((row) => row.code)).toEqual([0, 1, 2, 3, 70, 130]);
    expect(formatExitCodes().split('\n')).toHaveLength(6);
    expect(formatExitCodes()).toMatch(/^ {4}3 {2}busy: another Shotline process is rendering this episode$/m);
  });
});

describe('exitCodeForError', () => {
  it('maps each kind of failure to its own code', () => {
    expect(exitCodeForError(new UserError('bad flag'), false)).toBe(EXIT.usage);
    expect(exitCodeForError(new EpisodeBusyError('ep_1', 4242), false)).toBe(EXIT.busy);
    expect(exitCodeForError(new CancelledError(), false)).toBe(EXIT.cancelled);
    expect(exitCodeForError(Object.assign(new Error('The operation was aborted'), { name: 'AbortError' }), false)).toBe(EXIT.cancelled);
    expect(exitCodeForError(new Error('anything at all'), true)).toBe(EXIT.cancelled);
    expect(exitCodeForError(new TypeError("Cannot read properties of undefined (reading 'x')"), false)).toBe(EXIT.internal);
    expect(exitCodeForError(new EngineError('unavailable', 'provider down'), false)).toBe(EXIT.internal);
    expect(exitCodeForError('a string was thrown', false)).toBe(EXIT.internal);
  });

  it('a busy episode is not "some shots failed"', () => {
    expect(exitCodeForError(new EpisodeBusyError('ep_1', 1), false)).not.toBe(EXIT.shotsFailed);
  });
});

describe('reportError', () => {
  it('usage errors: the message, no stack', () => {
    const stderr = memoryOutput();
    expect(reportError(new UserError('--budget: must be at most 100000 USD (got 1e308)'), stderr, { cancelled: false, debug: false })).toBe(2);
    expect(stderr.text).toBe('shotline: --budget: must be at most 100000 USD (got 1e308)\n');
  });

  it('busy: says who holds it and how to continue', () => {
    const stderr = memoryOutput();
    expect(reportError(new EpisodeBusyError('ep_7', 4242), stderr, { cancelled: false, debug: false })).toBe(3);
    expect(stderr.text).toContain('episode ep_7 is being rendered by another Shotline process (pid 4242)');
    expect(stderr.text).toContain('`shotline resume ep_7`');
  });

  it('internal errors: message without a stack trace, and a pointer to SHOTLINE_DEBUG', () => {
    const stderr = memoryOutput();
    expect(reportError(new TypeError('boom'), stderr, { cancelled: false, debug: false })).toBe(70);
    expect(stderr.text).toMatch(/^shotline: boom\n/);
    expect(stderr.text).toContain('SHOTLINE_DEBUG=1');
    expect(stderr.text).not.toMatch(STACK_LINE);
  });

  it('internal errors with SHOTLINE_DEBUG: the stack', () => {
    const stderr = memoryOutput();
    reportError(new TypeError('boom'), stderr, { cancelled: false, debug: true });
    expect(stderr.text).toMatch(STACK_LINE);
  });

  it('our own cancel: silent (the Ctrl-C notice said it); another cancel: its message', () => {
    const ours = memoryOutput();
    expect(reportError(new CancelledError('cancelled by the user'), ours, { cancelled: true, debug: false })).toBe(130);
    expect(ours.text).toBe('');
    const theirs = memoryOutput();
    expect(reportError(new CancelledError('ffmpeg stopped: the application is exiting'), theirs, { cancelled: false, debug: false })).toBe(130);
    expect(theirs.text).toBe('shotline: ffmpeg stopped: the application is exiting\n');
  });

  it('a thrown non-Error and an empty message still say something', () => {
    const stderr = memoryOutput();
    reportError(42, stderr, { cancelled: false, debug: false });
    reportError(new RangeError(''), stderr, { cancelled: false, debug: false });
    expect(stderr.text).toMatch(/^shotline: 42\n/);
    expect(stderr.text).toContain('shotline: RangeError\n');
  });
});

describe('noteLostOutput', () => {
  it('one line on stderr when stdout failed, none otherwise', () => {
    const stderr = memoryOutput();
    noteLostOutput(memoryOutput(), stderr, false);
    expect(stderr.text).toBe('');
    noteLostOutput(memoryOutput(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' })), stderr, false);
    expect(stderr.text).toBe('shotline: could not write to stdout (ENOSPC: no space left on device, write); output was lost, the exit code still tells the outcome\n');
  });
});
