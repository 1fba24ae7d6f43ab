/**
 * POSIX sh quoting, so every ffmpeg command in the logs can be pasted into a terminal
 * and run as is. Only for logging: processes are always spawned without a shell.
 */

const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;
/** The command word is stricter: an unquoted `a=b` there would be a variable assignment. */
const SAFE_COMMAND = /^[A-Za-z0-9_./-]+$/;

// Inside single quotes nothing is special except the quote itself, which is closed,
// escaped and reopened. Unicode and newlines pass through untouched.
const singleQuote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

export function quoteShellArg(arg: string): string {
  return SAFE_WORD.test(arg) ? arg : singleQuote(arg);
}

export function quoteCommand(binary: string, args: readonly string[]): string {
  const command = SAFE_COMMAND.test(binary) ? binary : singleQuote(binary);
  return [command, ...args.map(quoteShellArg)].join(' ');
}
