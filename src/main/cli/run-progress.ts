/**
 * What every command that runs an episode shares (render, resume, regenerate, stitch
 * --episode): live progress on stderr, Ctrl-C that cancels the run once (its notice
 * names the `resume` that continues it), and the exit code the report's status means.
 */
import { CancelledError } from '../../shared/errors';
import type { ProgressEvent } from '../../shared/api';
import { quoteShellArg } from '../media/quote';
import type { RenderReport } from '../pipeline/render-report';
import { describeError } from './error-report';
import { EXIT, type ExitCode } from './exit-codes';
import type { SafeOutput } from './output';
import { createProgressView, type ProgressView } from './progress';

export interface ProgressRun {
  onProgress(listener: (event: ProgressEvent) => void): () => void;
  stderr: SafeOutput;
  cancel: AbortController;
  /** What the cancel notice calls the run: render, regenerate, stitch. */
  what: string;
  /** Known up front for resume, regenerate and stitch; a render learns it from its first event. */
  episodeId?: string;
  dataDir?: string;
}

/** Runs `work` with progress and Ctrl-C handling; both are gone again when it settles. */
export async function withProgress(run: ProgressRun, work: (signal: AbortSignal) => Promise<RenderReport>): Promise<RenderReport> {
  const view = createProgressView(run.stderr);
  let episodeId = run.episodeId;
  const unsubscribe = run.onProgress((event) => {
    episodeId ??= event.episodeId;
    // The view only displays; a fault in it must not reach the pipeline that emitted the event.
    try {
      view.update(event);
    } catch (error) {
      if (process.env.SHOTLINE_DEBUG) run.stderr.write(`progress display failed: ${describeError(error, true)}\n`);
    }
  });
  const stopListening = cancelOnSignals(run.cancel, () => view.notice(cancelNotice(run.what, episodeId, run.dataDir)));
  try {
    return await work(run.cancel.signal);
  } finally {
    stopListening();
    unsubscribe();
    finishQuietly(view);
  }
}

/** completed: 0; anything short of it: 1 (some shots failed), or 130 when this run's Ctrl-C stopped it. */
export function exitCodeForReport(report: RenderReport, cancel: AbortController): ExitCode {
  // An episode left unsigned because a take's own credentials do not validate is a failure the user must see
  // (the file is kept); one left unsigned for want of a keychain is said in the report and is not.
  const refusedToSign = report.credentials?.export?.state === 'unsigned' && report.credentials.export.unverified.length > 0;
  if (report.status === 'completed' && !refusedToSign) return EXIT.ok;
  return cancel.signal.aborted ? EXIT.cancelled : EXIT.shotsFailed;
}

/**
 * Ctrl-C or SIGTERM aborts the run once; the handlers are then removed, so a second
 * Ctrl-C gets Node's default and quits at once (every state is safe to resume from).
 */
function cancelOnSignals(cancel: AbortController, announce: () => void): () => void {
  const stop = () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  const onSignal = () => {
    stop();
    try {
      announce();
    } finally {
      cancel.abort(new CancelledError('cancelled by the user'));
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return stop;
}

/** A cancelled regenerate or stitch is the episode's current run: `resume` carries it on like a render. */
function cancelNotice(what: string, episodeId: string | undefined, dataDir: string | undefined): string {
  const resume = ['shotline resume', episodeId, dataDir === undefined ? undefined : `--data-dir ${quoteShellArg(dataDir)}`].filter(Boolean).join(' ');
  return `\nCancelling: stopping the jobs in flight (Ctrl-C again quits at once).\nThe ${what} can be resumed with \`${resume}\`.\n`;
}

function finishQuietly(view: ProgressView): void {
  try {
    view.finish();
  } catch {
    // Only the last progress frame is lost; the report still follows.
  }
}
