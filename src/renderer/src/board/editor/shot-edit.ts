/**
 * The shot editor's form to the storyboard and back, and its checks: the storyboard's own
 * schema (src/shared), so the editor shows the very lines `shotline check` prints. Pure:
 * no React, no DOM, so it is tested in node.
 */
import type { StoryboardInput } from '../../../../shared/storyboard';
import { validateStoryboard } from '../../../../shared/storyboard-issues';

type ShotInput = StoryboardInput['shots'][number];

/** The form's fields, as text where the user types. */
export interface ShotForm {
  id: string;
  prompt: string;
  kind: string;
  duration: string;
  characters: string[];
  reference: string;
  transition: string;
  transitionDuration: string;
  negative: string;
  seed: string;
  engine: string;
  audio: boolean;
}

/** The transition length the schema assumes when a storyboard names a type without one. */
const DEFAULT_TRANSITION_SECONDS = 0.5;

export function formOf(shot: ShotInput | undefined, nextId: string): ShotForm {
  return {
    id: shot?.id ?? nextId,
    prompt: shot?.prompt ?? '',
    kind: shot?.kind ?? 'establishing',
    duration: String(shot?.duration ?? 4),
    characters: [...(shot?.characters ?? [])],
    reference: shot?.reference ?? '',
    transition: shot?.transition?.type ?? 'cut',
    transitionDuration: String(shot?.transition?.duration ?? DEFAULT_TRANSITION_SECONDS),
    negative: shot?.negative ?? '',
    seed: shot?.seed === undefined ? '' : String(shot.seed),
    engine: shot?.engine ?? 'auto',
    audio: shot?.audio ?? false,
  };
}

/**
 * A number as typed. Text that is not a number stays text so the schema reports it on
 * its field ("expected a number, got string"); an empty field is left out, so a required
 * field reads "required" and an optional one takes its default.
 */
function numberOrText(text: string): number | string | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  return Number.isFinite(Number(trimmed)) ? Number(trimmed) : trimmed;
}

/**
 * The shot the form describes. Starts from the original shot so fields the form does not
 * show (chain, and keys this version does not know) are kept as the file had them.
 */
export function shotFrom(form: ShotForm, original: ShotInput | undefined): ShotInput {
  const shot: Record<string, unknown> = { ...(original ?? {}) };
  const originalTransition = original?.transition;
  // A file that spells out `transition: { type: cut }` keeps it; otherwise a cut is no transition at all.
  const keepCut = form.transition === 'cut' && originalTransition?.type === 'cut';
  const transitionSeconds = numberOrText(form.transitionDuration);
  const fields: [string, unknown][] = [
    ['id', form.id.trim()],
    ['kind', form.kind],
    ['prompt', form.prompt],
    ['duration', numberOrText(form.duration)],
    ['audio', form.audio],
    ['characters', form.characters.length > 0 ? [...form.characters] : undefined],
    ['reference', form.reference.trim() || undefined],
    ['negative', form.negative.trim() ? form.negative : undefined],
    ['seed', numberOrText(form.seed)],
    // `engine: auto` written out by the user stays; the form's own "auto" adds nothing.
    ['engine', form.engine && (form.engine !== 'auto' || original?.engine === 'auto') ? form.engine : undefined],
    [
      'transition',
      keepCut
        ? originalTransition
        : form.transition && form.transition !== 'cut'
          ? { type: form.transition, ...(transitionSeconds === undefined ? {} : { duration: transitionSeconds }) }
          : undefined,
    ],
  ];
  for (const [key, value] of fields) {
    if (value === undefined) delete shot[key];
    else shot[key] = value;
  }
  return shot as ShotInput;
}

/** The storyboard with the shot replaced (the one with id `editingId`) or appended; every other field is kept as it was. */
export function withShot(storyboard: StoryboardInput, shot: ShotInput, editingId: string | null): StoryboardInput {
  const shots = storyboard.shots ?? [];
  const index = editingId === null ? -1 : shots.findIndex((candidate) => candidate.id === editingId);
  const next = index >= 0 ? shots.map((candidate, i) => (i === index ? shot : candidate)) : [...shots, shot];
  return { ...storyboard, shots: next };
}

/** Where the edited shot sits in the edited storyboard: a new shot is the last one (its id may repeat an earlier one's). */
export function editedShotIndex(storyboard: StoryboardInput, editingId: string | null): number {
  const shots = storyboard.shots ?? [];
  return editingId === null ? shots.length - 1 : shots.findIndex((shot) => shot.id === editingId);
}

export interface ShotProblems {
  /** Lines about the edited shot: its own fields, and cross-shot checks that name it. */
  mine: string[];
  /** Lines about the rest of the storyboard, which block the save just the same. */
  others: string[];
}

/** The CLI's lines for the edited storyboard, split into those about this shot and the rest. */
export function shotProblems(storyboard: StoryboardInput, shotId: string, index = editedShotIndex(storyboard, shotId)): ShotProblems {
  const result = validateStoryboard(storyboard);
  if (result.ok) return { mine: [], others: [] };
  const prefix = `shots[${index}]`;
  // `shots[1]` must not claim `shots[10]`'s lines: the prefix is followed by a field or the end.
  const aboutThisShot = (line: string) =>
    (index >= 0 && (line.startsWith(`${prefix}.`) || line.startsWith(`${prefix}:`) || line.startsWith(`${prefix}[`))) ||
    (shotId !== '' && line.includes(`shot ${JSON.stringify(shotId)}`));
  return {
    mine: result.problems.filter(aboutThisShot),
    others: result.problems.filter((line) => !aboutThisShot(line)),
  };
}

/** The CLI's problems for the edited storyboard, those about this shot first. */
export function problemsFor(storyboard: StoryboardInput, shotId: string, index?: number): string[] {
  const { mine, others } = shotProblems(storyboard, shotId, index);
  return [...mine, ...others];
}

/** s01, s02, ...: the first free id after the highest one the storyboard uses, as wide as its widest. */
export function nextShotId(storyboard: StoryboardInput): string {
  const ids = new Set((storyboard.shots ?? []).map((shot) => shot.id));
  const numbers = [...ids].map((id) => /^s(\d+)$/.exec(id)?.[1]).filter((n): n is string => n !== undefined);
  const width = Math.max(2, ...numbers.map((n) => n.length));
  let next = Math.max(0, ...numbers.map(Number)) + 1;
  while (ids.has(`s${String(next).padStart(width, '0')}`)) next += 1;
  return `s${String(next).padStart(width, '0')}`;
}

/** The folder a storyboard's relative references resolve against, for the reference field's hint. */
export function storyboardFolder(storyboardPath: string): string {
  const cut = Math.max(storyboardPath.lastIndexOf('/'), storyboardPath.lastIndexOf('\\'));
  return cut > 0 ? storyboardPath.slice(0, cut) : storyboardPath;
}

/** A new storyboard with one shot to edit: YAML whose title is a JSON string (valid YAML, any characters). */
export function starterStoryboard(title: string): string {
  return `title: ${JSON.stringify(title)}\nmode: preview\noutput: { resolution: 720p, aspect: "16:9", fps: 24 }\nshots:\n  - { id: s01, kind: establishing, prompt: "Describe the first shot", duration: 4 }\n`;
}
