/**
 * The shot editor's form to the storyboard and back, and its checks: the storyboard's own
 * schema (src/shared), so the editor shows the lines `shotline check` prints.
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

export function formOf(shot: ShotInput | undefined, nextId: string): ShotForm {
  return {
    id: shot?.id ?? nextId,
    prompt: shot?.prompt ?? '',
    kind: shot?.kind ?? 'establishing',
    duration: String(shot?.duration ?? 4),
    characters: [...(shot?.characters ?? [])],
    reference: shot?.reference ?? '',
    transition: shot?.transition?.type ?? 'cut',
    transitionDuration: String(shot?.transition?.duration ?? 0.5),
    negative: shot?.negative ?? '',
    seed: shot?.seed === undefined ? '' : String(shot.seed),
    engine: shot?.engine ?? 'auto',
    audio: shot?.audio ?? false,
  };
}

/** A number as typed; text that is not one stays text, so the schema names the field. */
function numberOrText(text: string): number | string {
  const trimmed = text.trim();
  return trimmed !== '' && Number.isFinite(Number(trimmed)) ? Number(trimmed) : trimmed;
}

/** The shot the form describes; fields the form does not show (chain, ...) are kept from the original. */
export function shotFrom(form: ShotForm, original: ShotInput | undefined): ShotInput {
  const shot: Record<string, unknown> = { ...(original ?? {}) };
  shot.id = form.id.trim();
  shot.kind = form.kind;
  shot.prompt = form.prompt;
  shot.duration = numberOrText(form.duration);
  shot.audio = form.audio;
  const optional: [string, unknown][] = [
    ['characters', form.characters.length ? form.characters : undefined],
    ['reference', form.reference.trim() || undefined],
    ['negative', form.negative.trim() ? form.negative : undefined],
    ['seed', form.seed.trim() ? numberOrText(form.seed) : undefined],
    ['engine', form.engine && form.engine !== 'auto' ? form.engine : undefined],
    ['transition', form.transition && form.transition !== 'cut' ? { type: form.transition, duration: numberOrText(form.transitionDuration) } : undefined],
  ];
  for (const [key, value] of optional) {
    if (value === undefined) delete shot[key];
    else shot[key] = value;
  }
  return shot as ShotInput;
}

/** The storyboard with the shot replaced (same id as `editingId`) or appended. */
export function withShot(storyboard: StoryboardInput, shot: ShotInput, editingId: string | null): StoryboardInput {
  const shots = storyboard.shots ?? [];
  const index = editingId === null ? -1 : shots.findIndex((candidate) => candidate.id === editingId);
  const next = index >= 0 ? shots.map((candidate, i) => (i === index ? shot : candidate)) : [...shots, shot];
  return { ...storyboard, shots: next };
}

/** The CLI's problems for the edited storyboard, those about this shot first (by its position). */
export function problemsFor(storyboard: StoryboardInput, shotId: string): string[] {
  const result = validateStoryboard(storyboard);
  if (result.ok) return [];
  const index = storyboard.shots.findIndex((shot) => shot.id === shotId);
  const mine = result.problems.filter((problem) => problem.startsWith(`shots[${index}]`));
  return mine.length > 0 ? [...mine, ...result.problems.filter((problem) => !mine.includes(problem))] : result.problems;
}

/** s01, s02, ...: the first free id after the highest one the storyboard uses. */
export function nextShotId(storyboard: StoryboardInput): string {
  const ids = new Set((storyboard.shots ?? []).map((shot) => shot.id));
  const numbers = [...ids].map((id) => /^s(\d+)$/.exec(id)?.[1]).filter((n): n is string => n !== undefined);
  const width = Math.max(2, ...numbers.map((n) => n.length));
  let next = Math.max(0, ...numbers.map(Number)) + 1;
  while (ids.has(`s${String(next).padStart(width, '0')}`)) next += 1;
  return `s${String(next).padStart(width, '0')}`;
}

/** A new storyboard with one shot to edit: YAML whose title is a JSON string (valid YAML, any characters). */
export function starterStoryboard(title: string): string {
  return `title: ${JSON.stringify(title)}\nmode: preview\noutput: { resolution: 720p, aspect: "16:9", fps: 24 }\nshots:\n  - { id: s01, kind: establishing, prompt: "Describe the first shot", duration: 4 }\n`;
}
