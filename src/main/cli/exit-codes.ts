/**
 * The CLI's exit codes: one table, quoted by USAGE and the README, so that scripts
 * and CI can tell "retry later" from "fix your input" from "file a bug".
 */

export const EXIT = {
  ok: 0,
  shotsFailed: 1,
  usage: 2,
  busy: 3,
  internal: 70,
  cancelled: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** In the order a reader looks them up. 70 is sysexits' EX_SOFTWARE; 130 is 128 + SIGINT. */
export const EXIT_CODE_TABLE: readonly { code: ExitCode; meaning: string }[] = [
  { code: EXIT.ok, meaning: 'done: every shot was made and the episode written' },
  { code: EXIT.shotsFailed, meaning: 'some shots failed: the rest was stitched, or --strict stopped before stitching' },
  { code: EXIT.usage, meaning: 'usage or validation error (flag, storyboard, output path, budget); nothing was spent by this run' },
  { code: EXIT.busy, meaning: 'busy: another Shotline process is rendering this episode' },
  { code: EXIT.internal, meaning: 'internal error: a bug or an unexpected failure (SHOTLINE_DEBUG=1 shows the stack trace)' },
  { code: EXIT.cancelled, meaning: 'cancelled (Ctrl-C or SIGTERM); `shotline resume` continues the render' },
];

/** The table as text, for USAGE and the README. */
export function formatExitCodes(indent = '  '): string {
  return EXIT_CODE_TABLE.map(({ code, meaning }) => `${indent}${String(code).padStart(3)}  ${meaning}`).join('\n');
}
