/** Human summaries for the end of `render`/`resume` and for `costs`. */
import type { CostSummary } from '../../shared/api';
import { formatUsd } from '../../shared/money';
import type { RenderReport } from '../pipeline/render-report';

export function formatRenderReport(report: RenderReport): string {
  const lines: string[] = [];
  const heading =
    report.status === 'completed'
      ? `Done: ${report.outputPath} (${report.durationSeconds?.toFixed(2)} s)`
      : report.status === 'partial'
        ? `Stitched without ${report.totals.failedShots} failed shot(s): ${report.outputPath} (${report.durationSeconds?.toFixed(2)} s)`
        : `Failed: no episode was written`;
  lines.push(`${heading}${report.resumed ? ' [resumed]' : ''}`);
  lines.push(`Episode ${report.episodeId}, ${report.mode} mode`);
  for (const shot of report.shots) {
    const attempts = shot.attempts.length > 1 ? `, ${shot.attempts.length} attempts` : '';
    if (shot.status === 'accepted') lines.push(`  ${shot.shotId}: ${shot.engineId}, ${formatUsd(shot.costMicros)}${attempts}`);
    else lines.push(`  ${shot.shotId}: FAILED: ${shorten(shot.failureReason ?? 'not made', 220)}`);
  }
  const budget = report.totals.budgetMicros === null ? '' : ` of ${formatUsd(report.totals.budgetMicros)} budget`;
  const held = report.totals.heldMicros > 0 ? `, ${formatUsd(report.totals.heldMicros)} still held for jobs in flight` : '';
  lines.push(`Spent ${formatUsd(report.totals.spentMicros)}${budget}${held}; ${report.totals.attempts} attempts`);
  if (report.status !== 'completed') lines.push('Re-run the same command (or `shotline resume`) to retry what failed.');
  return lines.join('\n');
}

export function formatCosts(summary: CostSummary): string {
  const lines: string[] = [`Total spent: ${formatUsd(summary.totalMicros)}`, '', 'By engine:'];
  if (summary.byEngine.length === 0) lines.push('  (no attempts yet)');
  for (const row of summary.byEngine) lines.push(`  ${row.engineId.padEnd(34)} ${formatUsd(row.spentMicros).padStart(10)}  ${row.attempts} attempts`);
  lines.push('', 'By mode:');
  for (const row of summary.byMode) lines.push(`  ${row.mode.padEnd(34)} ${formatUsd(row.spentMicros).padStart(10)}`);
  lines.push('', 'By episode:');
  for (const row of summary.byEpisode) {
    const held = row.heldMicros > 0 ? `  (${formatUsd(row.heldMicros)} held)` : '';
    lines.push(`  ${`${row.title} [${row.mode}]`.padEnd(34).slice(0, 34)} ${formatUsd(row.spentMicros).padStart(10)}  ${row.episodeId}${held}`);
  }
  const s = summary.previewSaving;
  lines.push('', 'Preview-then-commit:');
  if (s.episodes === 0) lines.push('  no preview renders yet');
  else
    lines.push(
      `  ${s.episodes} preview render(s) cost ${formatUsd(s.previewSpentMicros)}; generating them in final mode would have cost about ${formatUsd(s.finalEstimateMicros)}: saved ${formatUsd(s.savedMicros)}`,
    );
  return lines.join('\n');
}

/** Long reasons (every engine's rejection) are cut for the terminal; --json has them whole. */
function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}… (--json or \`shotline engines\` for the rest)`;
}
