/**
 * What a run must generate, from its request and the takes the episode already has.
 * Pure: the episode runner asks before it starts (and a shot asks again before each
 * new try), so a resumed run never makes a take it already has.
 *
 *   render preview            a shot with no current take
 *   render final              a shot with no current final take
 *   render final --approved   the same, for approved shots only
 *   regenerate                the shots asked for, until this run has made a take of each
 *   stitch                    nothing
 */
import type { RunRecord } from '../store/runs';
import { selectedTake, type ShotTakes, type TakeRecord } from '../store/takes';

/** The take that already answers the run for this shot, if there is one. */
export function takeMeetingRun(run: RunRecord, shot: ShotTakes): TakeRecord | undefined {
  const current = shot.takes.filter((t) => !t.stale);
  const preferSelected = (takes: TakeRecord[]) => takes.find((t) => t.attempt.id === shot.selectedTakeId) ?? takes.at(-1);
  switch (run.kind) {
    case 'render':
      return preferSelected(run.mode === 'final' ? current.filter((t) => t.mode === 'final') : current);
    case 'regenerate':
      return preferSelected(shot.takes.filter((t) => t.attempt.runId === run.id));
    case 'stitch':
      return selectedTake(shot);
  }
}

/** Whether the run is about this shot at all (before asking whether it already has its take). */
export function runCovers(run: RunRecord, shot: ShotTakes): boolean {
  if (shot.removed) return false;
  switch (run.kind) {
    case 'render':
      return !run.approvedOnly || shot.approved;
    case 'regenerate':
      return run.shotIds?.includes(shot.shotId) ?? false;
    case 'stitch':
      return false;
  }
}

export function shotsToGenerate(run: RunRecord, shots: ShotTakes[]): ShotTakes[] {
  return shots.filter((shot) => runCovers(run, shot) && !takeMeetingRun(run, shot));
}

/**
 * Shots a stitch after this run would have to leave out, and why: no current take
 * selected, and the run will not make one. Before any money moves, --approved and
 * `stitch --episode` refuse on these (exit 2) unless the user allows a partial episode.
 */
export function shotsLeftOut(run: RunRecord, shots: ShotTakes[]): { shotId: string; reason: string }[] {
  const generating = new Set(shotsToGenerate(run, shots).map((s) => s.shotId));
  return shots
    .filter((shot) => !shot.removed && !generating.has(shot.shotId) && !selectedTake(shot))
    .map((shot) => ({ shotId: shot.shotId, reason: leftOutReason(run, shot) }));
}

function leftOutReason(run: RunRecord, shot: ShotTakes): string {
  const selected = shot.takes.find((t) => t.attempt.id === shot.selectedTakeId);
  const unapproved = run.kind === 'render' && run.approvedOnly && !shot.approved ? ', and it is not approved' : '';
  if (selected?.stale) return `its selected take ${selected.takeNo} is stale (made from version ${selected.shotVersion}; the shot is at version ${shot.version})${unapproved}`;
  return `it has no take yet${unapproved}`;
}
