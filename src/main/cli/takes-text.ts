/**
 * Human text for the takes workflow: `episodes`, `shots`, `approve`, `unapprove`,
 * `select`, `regenerate` and `stitch --episode`. Written for a 100-column terminal;
 * --json has every field. Each output ends with the command that comes next, when
 * there is one, ready to paste (paths quoted, the --data-dir the user gave kept).
 */
import type { ApproveResult, EpisodeSummary, EpisodeView, ShotView, TakeView } from '../../shared/api';
import { formatUsd } from '../../shared/money';
import { quoteShellArg } from '../media/quote';
import type { RenderReport } from '../pipeline/render-report';
import { shorten, stitchLines } from './report-text';

/** What the suggested next commands need to be pasted as they are. */
export interface HintContext {
  /** The --data-dir the user gave, carried into the suggested commands; absent when none was given. */
  dataDir?: string;
}

/** A new take a regenerate made, as its JSON and text report it. */
export interface NewTake {
  shotId: string;
  takeNo: number;
  attemptId: string;
  selected: boolean;
}

const WIDTH = 100;

/** `shotline ...` with each argument quoted for a POSIX shell, and the user's --data-dir. */
export function suggest(context: HintContext, ...args: string[]): string {
  const dataDir = context.dataDir === undefined ? [] : ['--data-dir', context.dataDir];
  return `\`shotline ${[...args, ...dataDir].map(quoteShellArg).join(' ')}\``;
}

const STATE_WORDS: Record<EpisodeSummary['state'], string> = {
  completed: 'completed',
  out_of_date: 'out of date',
  not_stitched: 'not stitched',
  running: 'running',
  stitching: 'stitching',
  interrupted: 'interrupted',
  failed: 'failed',
  cancelled: 'cancelled',
};

/** `episodes`: a short block per episode, newest first. */
export function formatEpisodes(summaries: EpisodeSummary[], context: HintContext): string {
  if (summaries.length === 0) return `No episodes in this data directory yet: ${suggest(context, 'render', '<storyboard>', '--out', '<file.mp4>')} makes one.`;
  const blocks = summaries.map((e) => {
    const state = STATE_WORDS[e.state];
    const head = `${e.episodeId}  ${state.padEnd(12)}  ${shorten(e.title, WIDTH - e.episodeId.length - 16, '…')}`;
    const counts = [`${e.shots} shot${plural(e.shots)}`, `${e.takes} take${plural(e.takes)}`, `${e.approved} approved`];
    if (e.withoutTake > 0) counts.push(`${e.withoutTake} without a current take`);
    if (e.staleSelections > 0) counts.push(`${e.staleSelections} stale selection${plural(e.staleSelections)}`);
    const lines = [head, `  ${counts.join(', ')}; last run ${e.mode}`, `  ${spendLine(e)}`, `  file ${e.outputPath}`];
    const next = nextStep(e, context);
    if (next) lines.push(`  next: ${next}`);
    return lines.join('\n');
  });
  return blocks.join('\n\n');
}

function spendLine(e: EpisodeSummary): string {
  const parts = [`spent ${formatUsd(e.previewSpentMicros)} preview + ${formatUsd(e.finalSpentMicros)} final`];
  if (e.qualityCheckMicros > 0) parts[0] += ` + ${formatUsd(e.qualityCheckMicros)} checks`;
  if (e.heldMicros > 0) parts.push(`${formatUsd(e.heldMicros)} held`);
  if (e.savedMicros !== null && e.fullFinalMicros !== null) parts.push(`all-final ~${formatUsd(e.fullFinalMicros)}, saved ~${formatUsd(e.savedMicros)}`);
  return parts.join('; ');
}

function nextStep(e: EpisodeSummary, context: HintContext): string | null {
  switch (e.state) {
    case 'out_of_date':
    case 'not_stitched':
      return `${suggest(context, 'stitch', '--episode', e.episodeId, '--out', e.outputPath)} puts the selected takes in the file`;
    case 'interrupted':
    case 'failed':
    case 'cancelled':
      return `${suggest(context, 'resume', e.episodeId)} continues it`;
    default:
      return null;
  }
}

/** `shots`: each shot with its approval and its takes; `*` marks the selected take. */
export function formatShots(view: EpisodeView): string {
  const lines = [`${view.title} (${view.episodeId}): ${view.status}, last run ${view.mode}, ${view.shots.length} shot${plural(view.shots.length)}`];
  const idWidth = Math.max(...view.shots.map((s) => s.shotId.length), 4);
  const engineWidth = Math.min(24, Math.max(...view.shots.flatMap((s) => s.takes.map((t) => t.engineId.length)), 6));
  for (const shot of view.shots) {
    lines.push(`${shot.shotId.padEnd(idWidth)}  v${shot.version}  ${shotState(shot)}`);
    if (shot.takes.length === 0) lines.push('    (no takes)');
    for (const take of shot.takes) lines.push(`  ${takeLine(take, engineWidth)}`);
  }
  lines.push('', '* the selected take: what a stitch uses');
  return lines.join('\n');
}

function shotState(shot: ShotView): string {
  const selected = shot.takes.find((t) => t.selected);
  const words = [shot.approved ? 'approved' : 'not approved'];
  if (selected && !selected.stale) words.push(`take ${selected.takeNo} selected${shot.selectedBy === 'user' ? ' by you' : ''}`);
  else if (selected) words.push(`its selected take ${selected.takeNo} is stale: regenerate it`);
  else if (shot.status === 'running' || shot.status === 'pending') words.push(shot.status);
  else words.push('no current take');
  if (shot.status === 'failed' && shot.failureReason) words.push(`last try failed: ${shorten(shot.failureReason, 120, '…')}`);
  return words.join('; ');
}

function takeLine(take: TakeView, engineWidth: number): string {
  const mark = take.selected ? '*' : ' ';
  const quality = take.gate ? `quality ${take.gate.qualityScore.toFixed(2)}` : 'not gated';
  const stale = take.stale ? `  stale (made from v${take.shotVersion})` : '';
  const engine = take.engineId.length > engineWidth ? shorten(take.engineId, engineWidth, '…') : take.engineId.padEnd(engineWidth);
  return `${mark} take ${String(take.takeNo).padEnd(3)} ${take.mode.padEnd(7)}  ${engine}  ${formatUsd(take.costMicros).padStart(8)}  ${quality}${stale}`;
}

/** `approve`: what changed, what already was, and (--all) what was skipped and why. */
export function formatApprove(result: ApproveResult, episode: { episodeId: string; storyboardPath: string; outputPath: string }, context: HintContext): string {
  const lines: string[] = [];
  if (result.approved.length > 0) lines.push(`Approved ${result.approved.join(', ')} in episode ${episode.episodeId}`);
  if (result.unchanged.length > 0) lines.push(`Already approved: ${result.unchanged.join(', ')}`);
  if (result.approved.length === 0 && result.unchanged.length === 0) lines.push('Nothing was approved.');
  if (result.skipped.length > 0) lines.push('Skipped (cannot be approved yet):', ...result.skipped.map((s) => `  ${s.shotId}: ${s.reason}`));
  if (result.approved.length > 0 || result.unchanged.length > 0) {
    lines.push(`Next: ${suggest(context, 'render', episode.storyboardPath, '--out', episode.outputPath, '--mode', 'final', '--approved')} makes the approved shots' final takes.`);
  }
  return lines.join('\n');
}

export function formatUnapprove(result: { unapproved: string[]; unchanged: string[] }, episodeId: string): string {
  const lines: string[] = [];
  if (result.unapproved.length > 0) lines.push(`Unapproved ${result.unapproved.join(', ')} in episode ${episodeId}`);
  if (result.unchanged.length > 0) lines.push(`Not approved already: ${result.unchanged.join(', ')}`);
  return lines.join('\n') || 'Nothing to unapprove.';
}

/** `select`: the take now circled, and how to get it into the episode file when it is not there yet. */
export function formatSelect(shotId: string, take: TakeView, episode: { episodeId: string; outputPath: string; inFile: boolean }, context: HintContext): string {
  const quality = take.gate ? `, quality ${take.gate.qualityScore.toFixed(2)}` : '';
  const lines = [`${shotId}: take ${take.takeNo} selected (${take.mode}, ${take.engineId}, ${formatUsd(take.costMicros)}${quality})`];
  if (!episode.inFile) lines.push(`The episode file does not show it yet: ${suggest(context, 'stitch', '--episode', episode.episodeId, '--out', episode.outputPath)}`);
  return lines.join('\n');
}

/** `regenerate`: each shot's new take (or why it has none); nothing is stitched yet. */
export function formatRegenerate(report: RenderReport, shotIds: string[], newTakes: NewTake[], view: EpisodeView, context: HintContext, promptEdited = false): string {
  const made = newTakes.length;
  const lines = [`Regenerate in ${report.mode} mode, episode ${report.episodeId}: ${made} of ${shotIds.length} shot${plural(shotIds.length)} got a new take`];
  for (const shotId of shotIds) {
    const take = newTakes.find((t) => t.shotId === shotId);
    const takeView = take && view.shots.find((s) => s.shotId === shotId)?.takes.find((t) => t.takeNo === take.takeNo);
    if (take && takeView) {
      const quality = takeView.gate ? `, quality ${takeView.gate.qualityScore.toFixed(2)}` : '';
      lines.push(`  ${shotId}: take ${take.takeNo} on ${takeView.engineId}, ${formatUsd(takeView.costMicros)}${quality}${take.selected ? ' (selected)' : ''}`);
    } else {
      const reason = report.shots.find((s) => s.shotId === shotId)?.failureReason ?? 'not made';
      lines.push(`  ${shotId}: FAILED: ${shorten(reason, 220)}`);
    }
  }
  const budget = report.totals.budgetMicros === null ? '' : ` of ${formatUsd(report.totals.budgetMicros)} budget`;
  const held = report.totals.heldMicros > 0 ? `, ${formatUsd(report.totals.heldMicros)} still held (\`shotline costs --held\` says why)` : '';
  lines.push(`Episode spent ${formatUsd(report.totals.spentMicros)}${budget}${held}`);
  if (report.moneyNotes.length > 0) lines.push('Money notes:', ...report.moneyNotes.map((note) => `  ${shorten(note, 300)}`));
  if (made > 0) {
    lines.push(`Not stitched yet: ${suggest(context, 'shots', report.episodeId)} compares the takes; ${suggest(context, 'stitch', '--episode', report.episodeId, '--out', view.outputPath)} puts the selected ones in the file.`);
  }
  if (made < shotIds.length) lines.push(`Run the same command again to retry what failed.`);
  // The episode keeps the edit across renders of an unchanged file; a later edit of that shot in the file replaces it.
  if (promptEdited) lines.push(`The new prompt of ${shotIds[0]} is in the episode (version ${view.shots.find((s) => s.shotId === shotIds[0])?.version}); the storyboard file was not changed.`);
  return lines.join('\n');
}

/** `stitch --episode`: the file, and which take of each shot is in it. */
export function formatRestitch(report: RenderReport, view: EpisodeView): string {
  const heading =
    report.status === 'failed'
      ? 'Failed: no episode was written'
      : `${report.status === 'partial' ? `Stitched without ${report.totals.failedShots} shot(s)` : 'Done'}: ${report.outputPath} (${report.durationSeconds?.toFixed(2)} s)`;
  const lines = [heading, `Episode ${report.episodeId}, from the selected takes:`];
  for (const shot of view.shots) {
    const take = shot.takes.find((t) => t.selected && !t.stale);
    if (take) lines.push(`  ${shot.shotId}: take ${take.takeNo} (${take.mode}, ${take.engineId})`);
    else lines.push(`  ${shot.shotId}: left out: ${shorten(report.shots.find((s) => s.shotId === shot.shotId)?.failureReason ?? 'no current take', 200)}`);
  }
  if (report.stitch) lines.push('Stitch:', ...stitchLines(report.stitch));
  const consistency = report.consistency;
  if (consistency && consistency.flags.length > 0) {
    lines.push('Consistency:', ...consistency.flags.map((flag) => `  ${flag.shotId}: ${shorten(flag.reason, 200)}; ${shorten(flag.suggestion, 200)}`));
  }
  return lines.join('\n');
}

function plural(n: number): string {
  return n === 1 ? '' : 's';
}
