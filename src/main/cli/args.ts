/** Command-line parsing: strict flags, clear errors naming the flag, no stack traces. */
import { parseArgs } from 'node:util';
import { UserError } from '../../shared/errors';
import { RENDER_MODES, type RenderMode } from '../../shared/domain';
import { budgetLimitSchema, LIMITS, shotSchema } from '../../shared/storyboard';
import { formatExitCodes } from './exit-codes';

const MAX_CONCURRENCY = 64;

export const USAGE = `Usage:
  shotline render <storyboard> --out <file.mp4> [--mode preview|final] [--approved] [--budget USD]
                  [--concurrency N] [--strict] [--allow-partial] [--resubmit-unknown]
                  [--fresh] [--data-dir DIR] [--json]
  shotline resume [episode-id] [--budget USD] [--concurrency N] [--strict]
                  [--allow-partial] [--resubmit-unknown] [--data-dir DIR] [--json]
  shotline episodes [--data-dir DIR] [--json]
  shotline shots <episode-id> [--data-dir DIR] [--json]
  shotline approve <episode-id> <shot-id>... | --all [--data-dir DIR] [--json]
  shotline unapprove <episode-id> <shot-id>... | --all [--data-dir DIR] [--json]
  shotline select <episode-id> <shot-id> <take-number> [--data-dir DIR] [--json]
  shotline regenerate <episode-id> <shot-id>... [--engine ID] [--prompt TEXT] [--seed N]
                  [--mode preview|final] [--budget USD] [--concurrency N] [--allow-partial]
                  [--resubmit-unknown] [--data-dir DIR] [--json]
  shotline stitch --episode <episode-id> --out FILE [--allow-partial] [--concurrency N]
                  [--data-dir DIR] [--json]
  shotline engines [--data-dir DIR] [--json]
  shotline engines set <engine-id> <field>=<value>... [--data-dir DIR]
  shotline engines add <engine-id> provider=<openai|comfyui> <field>=<value>... [--data-dir DIR]
  shotline keys list [--json]
  shotline keys set <provider>          (the key is read from a hidden prompt or standard input)
  shotline keys delete <provider>
  shotline costs [--held] [--data-dir DIR] [--json]
  shotline stitch <clip>... --out FILE [--transition TYPE:SECONDS] [--loudness LUFS|broadcast|streaming|off]
                  [--resolution 720p] [--aspect 16:9] [--fps N] [--codec h264|hevc] [--json]
  shotline check <clip> [--prompt TEXT] [--duration S] [--resolution 720p --aspect 16:9] [--audio]
                  [--strictness preview|final] [--json]
  shotline doctor [--json]
  shotline verify <file> [--trust-anchor root.pem]... [--data-dir DIR] [--json]
  shotline studio [--port N] [--data-dir DIR] [--no-open]   the shot board in your browser (127.0.0.1)

Options:
  --approved            with --mode final: make final takes of the approved shots only, and
                        stitch every shot from its selected take (preview-then-commit)
  --budget USD          the episode's spending limit, more than 0 and at most ${LIMITS.maxBudgetUsd};
                        on resume or regenerate it replaces the episode's budget (raise it to go on)
  --concurrency N       shots generated at once, 1 to ${MAX_CONCURRENCY}
  --strict              stop before stitching when a shot failed
  --allow-partial       start even when the estimate is over the budget or a shot has no
                        engine: shots that do not fit fail with the reason, the rest is stitched
  --resubmit-unknown    generate again the shots whose submit outcome is unknown (the
                        provider may already have made and billed a job that cannot be looked up)
  --fresh               start a new episode instead of continuing an earlier render of
                        this storyboard (its shots are generated, and paid for, again)
  --held                list the money still reserved for jobs, and why
  --all                 approve / unapprove: every shot (approve skips, and says why, shots
                        with no current take)
  --engine ID           regenerate on this engine (a registry id, see \`shotline engines\`)
  --prompt TEXT         regenerate one shot with an edited prompt: a new version of the shot
  --seed N              regenerate with this seed, a whole number from 0 to ${2 ** 31 - 1}
  --episode ID          stitch the episode again from its selected takes, generating nothing
  --no-sign             write no content credentials (C2PA) for this run's takes and episode
  --allow-unverified    sign the episode even when a take's own credentials do not validate
                        (the export records why); without it such an episode stays unsigned
  --json                print machine-readable JSON on stdout
  --ffmpeg WHICH        the FFmpeg for media work: auto (default: the bundled FFmpeg 8.1 when it
                        loads, else the system's), bundled, cli, or a path to an ffmpeg binary;
                        also SHOTLINE_FFMPEG (render, resume, stitch, check, doctor)

Engine fields (engines set / add): enabled=true|false, price=USD per second (yours, not an
estimate), base-url=URL, concurrency=N, model=NAME; \`field=\` with no value removes your setting.
engines add also takes like=<engine-id> (copy its limits), workflow=FILE (ComfyUI), name=TEXT.
Keys: runway, gemini, kling, luma, openai; environment variables win over the keychain.

Resume without an episode id continues the most recent interrupted, cancelled or failed render.
Takes: every accepted clip of a shot is kept as take 1, 2, ...; the selected take (* in
\`shotline shots\`) is what stitches use. \`shotline episodes\` lists the episode ids.
Data directory: --data-dir, else SHOTLINE_HOME, else the desktop app's folder.
Exit codes:
${formatExitCodes()}`;

export interface CommonFlags {
  dataDir?: string;
  /** Which FFmpeg: auto, bundled, cli, or a path to an ffmpeg binary. */
  ffmpeg?: string;
  json: boolean;
}

/** How this run treats money it cannot be sure of (src/shared/api.ts MoneyChoices). */
export interface MoneyFlags {
  allowPartial: boolean;
  resubmitUnknown: boolean;
}

/** Content credentials for a run (src/shared/api.ts SigningChoices): --no-sign, --allow-unverified. */
export interface SigningFlags {
  sign: boolean;
  allowUnverified: boolean;
}

export type Command =
  | ({ name: 'render'; storyboard: string; out: string; mode?: RenderMode; approved: boolean; budget?: number; concurrency?: number; strict: boolean; fresh: boolean } & MoneyFlags & SigningFlags & CommonFlags)
  | ({ name: 'resume'; episodeId?: string; budget?: number; concurrency?: number; strict: boolean } & MoneyFlags & SigningFlags & CommonFlags)
  | ({ name: 'engines'; action: 'list' } & CommonFlags)
  | ({ name: 'engines'; action: 'set' | 'add'; engineId: string; fields: Record<string, string> } & CommonFlags)
  | ({ name: 'keys'; action: 'list' } & CommonFlags)
  | ({ name: 'keys'; action: 'set' | 'delete'; provider: string } & CommonFlags)
  | ({ name: 'costs'; held: boolean } & CommonFlags)
  | TakesCommand
  | { name: 'help' };

/** The takes workflow: commands on one episode (its id as `shotline episodes` prints it). */
export type TakesCommand =
  | ({ name: 'episodes' } & CommonFlags)
  | ({ name: 'shots'; episodeId: string } & CommonFlags)
  | ({ name: 'approve' | 'unapprove'; episodeId: string; shots: string[] | 'all' } & CommonFlags)
  | ({ name: 'select'; episodeId: string; shotId: string; takeNo: number } & CommonFlags)
  | ({
      name: 'regenerate';
      episodeId: string;
      shotIds: string[];
      engineId?: string;
      prompt?: string;
      seed?: number;
      mode?: RenderMode;
      budget?: number;
      concurrency?: number;
    } & MoneyFlags &
      SigningFlags &
      CommonFlags)
  | ({ name: 'stitch-episode'; episodeId: string; out: string; allowPartial: boolean; concurrency?: number } & SigningFlags & CommonFlags);

const OPTIONS = {
  out: { type: 'string', short: 'o' },
  mode: { type: 'string' },
  budget: { type: 'string' },
  concurrency: { type: 'string' },
  strict: { type: 'boolean', default: false },
  fresh: { type: 'boolean', default: false },
  'allow-partial': { type: 'boolean', default: false },
  'resubmit-unknown': { type: 'boolean', default: false },
  'no-sign': { type: 'boolean', default: false },
  'allow-unverified': { type: 'boolean', default: false },
  held: { type: 'boolean', default: false },
  approved: { type: 'boolean', default: false },
  all: { type: 'boolean', default: false },
  engine: { type: 'string' },
  prompt: { type: 'string' },
  seed: { type: 'string' },
  episode: { type: 'string' },
  'data-dir': { type: 'string' },
  ffmpeg: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

type Flag = keyof typeof OPTIONS;

const ALLOWED: Record<string, Flag[]> = {
  render: ['out', 'mode', 'approved', 'budget', 'concurrency', 'strict', 'fresh', 'allow-partial', 'resubmit-unknown', 'no-sign', 'allow-unverified', 'data-dir', 'ffmpeg', 'json'],
  resume: ['budget', 'concurrency', 'strict', 'allow-partial', 'resubmit-unknown', 'no-sign', 'allow-unverified', 'data-dir', 'ffmpeg', 'json'],
  engines: ['data-dir', 'json'],
  keys: ['json'],
  costs: ['held', 'data-dir', 'json'],
  episodes: ['data-dir', 'json'],
  shots: ['data-dir', 'json'],
  approve: ['all', 'data-dir', 'json'],
  unapprove: ['all', 'data-dir', 'json'],
  select: ['data-dir', 'json'],
  regenerate: ['engine', 'prompt', 'seed', 'mode', 'budget', 'concurrency', 'allow-partial', 'resubmit-unknown', 'no-sign', 'allow-unverified', 'data-dir', 'ffmpeg', 'json'],
  // Only the --episode form reaches this parser; `stitch <clip>...` is a media command (media-commands.ts).
  stitch: ['episode', 'out', 'allow-partial', 'concurrency', 'no-sign', 'allow-unverified', 'data-dir', 'ffmpeg', 'json'],
};

export function parseCommand(argv: string[]): Command {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UserError(ambiguousValue(argv, error as Error) ?? `${(error as Error).message.replace(/\. To specify a positional.*$/s, '')}\n\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  const [name, ...rest] = positionals;
  if (!name || values.help || name === 'help') return { name: 'help' };
  const allowed = ALLOWED[name];
  if (!allowed) throw new UserError(`unknown command "${name}"\n\n${USAGE}`);
  for (const flag of Object.keys(values) as Flag[]) {
    const given = values[flag] !== undefined && values[flag] !== false;
    if (given && flag !== 'help' && !allowed.includes(flag)) throw new UserError(`--${flag}: not an option of "shotline ${name}"`);
  }
  const common: CommonFlags = { dataDir: values['data-dir'], ffmpeg: values.ffmpeg, json: values.json };
  const money: MoneyFlags & SigningFlags = {
    allowPartial: values['allow-partial'],
    resubmitUnknown: values['resubmit-unknown'],
    sign: !values['no-sign'],
    allowUnverified: values['allow-unverified'],
  };
  switch (name) {
    case 'render': {
      if (rest.length !== 1) throw new UserError(`render: expected one storyboard file, got ${rest.length}\n\n${USAGE}`);
      if (!values.out) throw new UserError('--out: required (the episode file to write, e.g. --out episode.mp4)');
      const mode = values.mode === undefined ? undefined : parseMode(values.mode);
      // The storyboard's own mode does not count: --approved must say what it commits to on the command line.
      if (values.approved && mode !== 'final') throw new UserError('--approved: goes with --mode final (it commits approved previews to final takes)');
      return {
        name,
        storyboard: rest[0]!,
        out: values.out,
        mode,
        approved: values.approved,
        budget: parseBudget(values.budget),
        concurrency: parseConcurrency(values.concurrency),
        strict: values.strict,
        fresh: values.fresh,
        ...money,
        ...common,
      };
    }
    case 'resume':
      if (rest.length > 1) throw new UserError(`resume: expected at most one episode id, got ${rest.length}`);
      return {
        name,
        episodeId: rest[0],
        budget: parseBudget(values.budget),
        concurrency: parseConcurrency(values.concurrency),
        strict: values.strict,
        ...money,
        ...common,
      };
    case 'costs':
      if (rest.length > 0) throw new UserError(`costs: unexpected argument "${rest[0]}"`);
      return { name, held: values.held, ...common };
    case 'engines':
      return parseEnginesCommand(rest, common);
    case 'keys':
      return parseKeysCommand(rest, common);
    default:
      return parseTakesCommand(name, rest, values, common, money);
  }
}

type ParsedValues = ReturnType<typeof parseArgs<{ args: string[]; options: typeof OPTIONS; allowPositionals: true; strict: true }>>['values'];

function parseTakesCommand(name: string, rest: string[], values: ParsedValues, common: CommonFlags, money: MoneyFlags & SigningFlags): TakesCommand {
  if (name === 'episodes') {
    if (rest.length > 0) throw new UserError(`episodes: unexpected argument "${rest[0]}"`);
    return { name, ...common };
  }
  if (name === 'stitch') {
    const episodeId = values.episode?.trim();
    if (!episodeId) throw new UserError('--episode: expected an episode id (`shotline episodes` lists them)');
    if (rest.length > 0) throw new UserError(`stitch --episode: stitches the episode's selected takes and takes no clips (got "${rest[0]}")`);
    if (!values.out) throw new UserError('--out: required (the episode file to write, e.g. --out episode.mp4)');
    return {
      name: 'stitch-episode',
      episodeId,
      out: values.out,
      allowPartial: money.allowPartial,
      sign: money.sign,
      allowUnverified: money.allowUnverified,
      concurrency: parseConcurrency(values.concurrency),
      ...common,
    };
  }
  const [episodeId, ...shots] = rest;
  if (!episodeId) throw new UserError(`${name}: expected an episode id (\`shotline episodes\` lists them)`);
  switch (name) {
    case 'shots':
      if (shots.length > 0) throw new UserError(`shots: unexpected argument "${shots[0]}"`);
      return { name, episodeId, ...common };
    case 'approve':
    case 'unapprove':
      if (values.all && shots.length > 0) throw new UserError(`${name}: name shots or give --all, not both`);
      if (!values.all && shots.length === 0) throw new UserError(`${name} ${episodeId}: expected at least one shot id, or --all`);
      return { name, episodeId, shots: values.all ? 'all' : shots, ...common };
    case 'select': {
      if (shots.length !== 2) throw new UserError(`select: expected <episode-id> <shot-id> <take-number>, got ${rest.length} argument(s)`);
      return { name, episodeId, shotId: shots[0]!, takeNo: parseTakeNo(shots[1]!), ...common };
    }
    default:
      if (shots.length === 0) throw new UserError(`regenerate ${episodeId}: expected at least one shot id`);
      return {
        name: 'regenerate',
        episodeId,
        shotIds: shots,
        engineId: values.engine,
        prompt: values.prompt,
        seed: parseSeed(values.seed),
        mode: values.mode === undefined ? undefined : parseMode(values.mode),
        budget: parseBudget(values.budget),
        concurrency: parseConcurrency(values.concurrency),
        ...money,
        ...common,
      };
  }
}

/** A take number as `shotline shots` prints it: 1, 2, 3... */
function parseTakeNo(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) throw new UserError(`select: the take must be a take number (1, 2, ...), got "${value}"`);
  return n;
}

/** Checked by the storyboard's own seed rule, so a seed accepted here is one a storyboard could hold. */
function parseSeed(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  const checked = shotSchema.shape.seed.safeParse(/^[+-]?\d+$/.test(text) ? Number(text) : Number.NaN);
  if (!checked.success || checked.data === undefined) throw new UserError(`--seed: must be a whole number from 0 to ${2 ** 31 - 1}, got "${value}"`);
  return checked.data;
}

function parseEnginesCommand([action, engineId, ...assignments]: string[], common: CommonFlags): Command {
  if (action === undefined) return { name: 'engines', action: 'list', ...common };
  if (action !== 'set' && action !== 'add') throw new UserError(`engines: unknown action "${action}" (expected set or add)\n\n${USAGE}`);
  if (!engineId) throw new UserError(`engines ${action}: expected an engine id`);
  if (assignments.length === 0) throw new UserError(`engines ${action} ${engineId}: expected at least one field=value`);
  const fields: Record<string, string> = {};
  for (const assignment of assignments) {
    const at = assignment.indexOf('=');
    if (at <= 0) throw new UserError(`engines ${action}: "${assignment}" is not field=value`);
    const field = assignment.slice(0, at).trim();
    if (Object.hasOwn(fields, field)) throw new UserError(`engines ${action}: ${field} is given twice`);
    fields[field] = assignment.slice(at + 1);
  }
  return { name: 'engines', action, engineId, fields, ...common };
}

function parseKeysCommand([action, provider, ...extra]: string[], common: CommonFlags): Command {
  if (action === 'list' || action === undefined) {
    if (provider !== undefined) throw new UserError(`keys list: unexpected argument "${provider}"`);
    return { name: 'keys', action: 'list', ...common };
  }
  if (action !== 'set' && action !== 'delete') throw new UserError(`keys: unknown action "${action}" (expected list, set or delete)`);
  if (!provider) throw new UserError(`keys ${action}: expected a provider (runway, gemini, kling, luma, openai)`);
  // A key given here would stay in the shell's history and show in \`ps\`: it is refused, not stored.
  if (extra.length > 0) throw new UserError(`keys ${action}: unexpected argument after the provider; a key is never taken from the command line (type it at the prompt or pipe it on standard input)`);
  return { name: 'keys', action, provider, ...common };
}

/**
 * `--seed -1`: parseArgs refuses a value that starts with a dash as "ambiguous" and
 * tells how to force it. Said here with the value, naming the flag, without the whole
 * usage: the user knows the command, only the value needs fixing.
 */
function ambiguousValue(argv: string[], error: Error): string | null {
  const flag = /^Option '(-{1,2}[\w-]+)' argument is ambiguous/.exec(error.message)?.[1];
  if (!flag) return null;
  const value = argv[argv.indexOf(flag) + 1] ?? '';
  const long = flag.startsWith('--') ? flag : `--${Object.entries(OPTIONS).find(([, o]) => 'short' in o && `-${o.short}` === flag)?.[0] ?? flag.slice(1)}`;
  return `${long}: got "${value}", which reads as another flag; if it is the value, write ${long}=${value}`;
}

function parseMode(value: string): RenderMode {
  if (!(RENDER_MODES as readonly string[]).includes(value)) throw new UserError(`--mode: must be one of ${RENDER_MODES.join(', ')}, got "${value}"`);
  return value as RenderMode;
}

/** A plain decimal amount: no hex, no "Infinity", no empty string (all of which Number() accepts). */
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i;

/** Checked by the storyboard's own budget schema, so the flag and `budget.limit` can never disagree. */
export function parseBudget(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (!DECIMAL.test(text)) throw new UserError(`--budget: must be an amount in USD, e.g. 25 or 12.50 (got ${JSON.stringify(value)})`);
  const amount = Number(text);
  // "1e400" is a well-formed number too large for a double: it is over the limit, not "not a number".
  const checked = budgetLimitSchema.safeParse(Number.isFinite(amount) ? amount : Math.sign(amount) * Number.MAX_VALUE);
  if (!checked.success) throw new UserError(`--budget: ${checked.error.issues[0]?.message ?? 'not a valid budget'} (got ${text})`);
  return checked.data;
}

function parseConcurrency(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < 1 || n > MAX_CONCURRENCY) {
    throw new UserError(`--concurrency: must be a whole number between 1 and ${MAX_CONCURRENCY}, got "${value}"`);
  }
  return n;
}
