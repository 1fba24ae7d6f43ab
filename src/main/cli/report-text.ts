/** Human summaries for the end of `render`/`resume` and for `costs` and `costs --held`. */
import type { AttemptGateView, CostSummary, HeldReservation } from '../../shared/api';
import { formatUsd } from '../../shared/money';
import { reasonLead } from '../media/encoders';
import type { StitchSummary } from '../media/stitch/index';
import type { RenderReport } from '../pipeline/render-report';

/** A report attempt as the text reads it: with the gate's verdict once the report carries it. */
type ReportAttempt = RenderReport['shots'][number]['attempts'][number] & { gate?: AttemptGateView | null };

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
    // This run's work: earlier runs' attempts stay in --json and in `shotline shots`.
    const ours = (shot.attempts as readonly ReportAttempt[]).filter((a) => a.thisRun);
    const attempts = ours.length > 1 ? `, ${ours.length} attempts` : '';
    const kept = ours.length === 0 && shot.status === 'accepted' ? ' (kept from an earlier run)' : '';
    if (shot.status === 'accepted') lines.push(`  ${shot.shotId}: ${shot.engineId}, ${formatUsd(shot.runCostMicros)}${attempts}${kept}`);
    else lines.push(`  ${shot.shotId}: FAILED: ${shorten(shot.failureReason ?? 'not made', 220)}`);
    for (const attempt of ours) if (attempt.gate) lines.push(...gateLines(attempt.engineId, attempt.gate));
  }
  const budget = report.totals.budgetMicros === null ? '' : ` of ${formatUsd(report.totals.budgetMicros)} budget`;
  const held = report.totals.heldMicros > 0 ? `, ${formatUsd(report.totals.heldMicros)} still held for jobs in flight (\`shotline costs --held\` says why)` : '';
  lines.push(`Episode spent ${formatUsd(report.totals.spentMicros)}${budget}${held}; ${report.totals.attempts} attempts in this run`);
  if (report.totals.overBudgetMicros > 0) lines.push(`Over budget by ${formatUsd(report.totals.overBudgetMicros, 6)}: a provider billed more than was held (below)`);
  if (report.moneyNotes.length > 0) lines.push('Money notes:', ...report.moneyNotes.map((note) => `  ${shorten(note, 300)}`));
  if (report.stitch) lines.push('Stitch:', ...stitchLines(report.stitch));
  lines.push(...credentialLines(report));
  const consistency = report.consistency;
  if (consistency && consistency.flags.length > 0) {
    lines.push('Consistency:', ...consistency.flags.map((flag) => `  ${flag.shotId}: ${shorten(flag.reason, 200)}; ${shorten(flag.suggestion, 200)}`));
  }
  if (consistency && consistency.skipped.length > 0) lines.push(...consistency.skipped.map((line) => `  (${shorten(line, 200)})`));
  if (report.status !== 'completed') lines.push('Re-run the same command (or `shotline resume`) to retry what failed.');
  return lines.join('\n');
}

/** The encoder, the scaling and the loudness pass of a stitch, each with its reason. */
export function stitchLines(summary: StitchSummary): string[] {
  // The reason lists every encoder that failed and why: --json and `shotline doctor` have that.
  const { lead, passedOver } = reasonLead(summary.encoderReason);
  const why = `${lead}${passedOver ? ' (`shotline doctor` says why the others were not used)' : ''}`;
  const lines = [summary.method === 'stream-copy' ? '  video: copied, not re-encoded (every clip already matched the output)' : `  video: ${why}; not copied because ${summary.notCopiedBecause}`];
  if (summary.scalingReason) lines.push(`  scaling: ${summary.scalingReason}`);
  if (summary.loudness) {
    const { target, measured, gainDb } = summary.loudness;
    lines.push(measured === null || gainDb === null ? `  loudness: the sound is silent; left as it is (target ${target} LUFS)` : `  loudness: ${measured.toFixed(1)} LUFS measured, ${gainDb >= 0 ? '+' : ''}${gainDb.toFixed(1)} dB to ${target} LUFS`);
  } else lines.push('  loudness: left as it is (loudness off)');
  return lines;
}

/**
 * The gate's verdict on one clip: a line with the decision and score, one line for each
 * check that failed or was skipped (what was measured, the limit, why), and the names of
 * those that passed. --json has every check whole.
 */
export function gateLines(engineId: string, gate: AttemptGateView): string[] {
  const failed = gate.checks.filter((check) => check.outcome === 'fail');
  const skipped = gate.checks.filter((check) => check.outcome === 'skipped').map((check) => check.name);
  const head = `    gate on ${engineId}: ${gate.decision.replaceAll('_', ' ')}, quality ${gate.qualityScore.toFixed(2)}`;
  // A clip that passed reads on one line; the JSON report has every measurement.
  if (failed.length === 0) return [`${head} (${gate.checks.length - skipped.length} checks passed${skipped.length ? `; not measured: ${skipped.join(', ')}` : ''})`];
  const lines = [head];
  for (const check of failed) {
    const measured = check.measured ? ` ${check.measured}` : '';
    const limit = check.limit ? ` (limit ${check.limit})` : '';
    const detail = check.detail ? `: ${check.detail}` : '';
    lines.push(`      FAIL ${check.name}${measured}${limit}${shorten(detail, 200)}`);
  }
  const passed = gate.checks.filter((check) => check.outcome === 'pass').map((check) => check.name);
  if (passed.length > 0) lines.push(`      passed: ${passed.join(', ')}${skipped.length ? `; not measured: ${skipped.join(', ')}` : ''}`);
  return lines;
}

/** A long history prints its recent fallbacks; the JSON has all. */
const MAX_FALLBACK_LINES = 30;

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
    const saving = episodeSavingLine(row);
    if (saving) lines.push(`    ${saving}`);
  }
  const s = summary.previewSaving;
  lines.push('', 'Preview-then-commit:');
  if (s.episodes === 0) lines.push('  no preview renders yet');
  else
    lines.push(
      `  ${s.episodes} preview render(s) cost ${formatUsd(s.previewSpentMicros)}; generating them in final mode would have cost about ${formatUsd(s.finalEstimateMicros)}: saved ${formatUsd(s.savedMicros)}`,
    );
  lines.push('', 'Fallbacks (newest first):');
  if (summary.fallbacks.length === 0) lines.push('  none: every shot was made by the first engine it tried');
  for (const row of summary.fallbacks.slice(0, MAX_FALLBACK_LINES)) {
    const next = row.nextEngineId ? ` -> ${row.nextEngineId}` : ' -> no other engine';
    const made = row.madeByEngineId ? `made by ${row.madeByEngineId}` : 'not made';
    lines.push(`  ${row.title}, shot ${row.shotId}: ${row.engineId}${next} (${made}); ${formatUsd(row.costMicros)} for the failed try`);
    lines.push(`    ${row.errorKind}: ${row.reason}`);
  }
  if (summary.fallbacks.length > MAX_FALLBACK_LINES) lines.push(`  ... and ${summary.fallbacks.length - MAX_FALLBACK_LINES} more (--json lists them all)`);
  return lines.join('\n');
}

/**
 * Under an episode that previewed: its spend by mode, what a final render of every shot
 * would have cost (final takes as billed, the rest at their final estimate) and the
 * difference. An episode rendered in final mode only has nothing to compare, and no line.
 */
function episodeSavingLine(row: CostSummary['byEpisode'][number]): string | null {
  const previewed = row.savedMicros !== null || row.previewSpentMicros > 0;
  if (!previewed) return null;
  const checks = row.qualityCheckMicros > 0 ? ` + ${formatUsd(row.qualityCheckMicros)} quality checks` : '';
  const spent = `preview ${formatUsd(row.previewSpentMicros)} + final ${formatUsd(row.finalSpentMicros)}${checks}`;
  if (row.fullFinalMicros === null || row.savedMicros === null) return `${spent}; all shots in final: no estimate for every shot, no saving computed`;
  const saved = row.savedMicros >= 0 ? `saved ${formatUsd(row.savedMicros)}` : `${formatUsd(-row.savedMicros)} more than a final render`;
  return `${spent}; all shots in final would have cost about ${formatUsd(row.fullFinalMicros)}: ${saved}`;
}

/** `costs --held`: every reservation still held, what it is for and when it ends. */
export function formatHeldReservations(held: HeldReservation[]): string {
  if (held.length === 0) return 'Nothing is held: every reservation has been settled or released.';
  const total = held.reduce((sum, row) => sum + row.heldMicros, 0);
  const lines = [`${formatUsd(total)} held in ${held.length} reservation${held.length === 1 ? '' : 's'}:`];
  const amountWidth = Math.max(...held.map((row) => formatUsd(row.heldMicros).length));
  const pad = ' '.repeat(amountWidth + 4);
  for (const row of held) {
    lines.push('');
    lines.push(`  ${formatUsd(row.heldMicros).padStart(amountWidth)}  ${row.title}, shot ${row.shotId} on ${row.engineId} (${row.status})`);
    lines.push(`${pad}episode ${row.episodeId}, attempt ${row.attemptId}`);
    const until = row.holdUntil === null ? 'held while the job is live' : `held until ${formatLocalTime(row.holdUntil)}, then released if nothing is heard of the job`;
    lines.push(`${pad}since ${formatLocalTime(row.since)}; ${until}`);
    lines.push(`${pad}why: ${row.reason}`);
  }
  return lines.join('\n');
}

/** Local wall-clock time to the minute: what a user compares with the clock on the wall. */
export function formatLocalTime(epochMs: number): string {
  const date = new Date(epochMs);
  if (Number.isNaN(date.getTime())) return 'an unknown time';
  const two = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())} ${two(date.getHours())}:${two(date.getMinutes())}`;
}

/** Long reasons (every engine's rejection) are cut for the terminal; --json has them whole. `more` ends a cut text. */
export function shorten(text: string, max: number, more = '… (--json or `shotline engines` for the rest)'): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}${more}`;
}

/** Whether the episode file and its takes carry content credentials, and why not. */
function credentialLines(report: RenderReport): string[] {
  const credentials = report.credentials;
  if (!credentials) return [];
  const unsigned = credentials.takes.filter((t) => t.state !== 'signed');
  const lines: string[] = [];
  if (credentials.export?.state === 'signed') lines.push(`Content credentials: the episode is signed, with ${credentials.takes.length - unsigned.length} signed take(s) as ingredients (\`shotline verify\` checks it)`);
  else if (credentials.export) lines.push(`Content credentials: the episode file is NOT signed (kept unsigned): ${shorten(credentials.export.reason ?? 'unknown', 400)}`);
  // One line per distinct reason: a missing identity would otherwise repeat for every take.
  const reasons = [...new Set(unsigned.map((t) => t.reason ?? t.state))];
  for (const reason of reasons) {
    const shots = unsigned.filter((t) => (t.reason ?? t.state) === reason).map((t) => t.shotId);
    const why = reason === credentials.export?.reason ? 'for the same reason' : shorten(reason, 300);
    lines.push(`  takes not signed (${shots.join(', ')}): ${why}`);
  }
  return lines;
}
