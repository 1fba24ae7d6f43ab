/** Command-line parsing: strict flags, clear errors naming the flag, no stack traces. */
import { parseArgs } from 'node:util';
import { UserError } from '../../shared/errors';
import { RENDER_MODES, type RenderMode } from '../../shared/domain';

export const USAGE = `Usage:
  shotline render <storyboard> --out <file.mp4> [--mode preview|final] [--budget USD]
                  [--concurrency N] [--strict] [--fresh] [--data-dir DIR] [--json]
  shotline resume [episode-id] [--concurrency N] [--strict] [--data-dir DIR] [--json]
  shotline engines [--data-dir DIR] [--json]
  shotline costs [--data-dir DIR] [--json]

Data directory: --data-dir, else SHOTLINE_HOME, else the desktop app's folder.
Exit codes: 0 done, 1 some shots failed, 2 usage or validation error.`;

export interface CommonFlags {
  dataDir?: string;
  json: boolean;
}

export type Command =
  | ({ name: 'render'; storyboard: string; out: string; mode?: RenderMode; budget?: number; concurrency?: number; strict: boolean; fresh: boolean } & CommonFlags)
  | ({ name: 'resume'; episodeId?: string; concurrency?: number; strict: boolean } & CommonFlags)
  | ({ name: 'engines' } & CommonFlags)
  | ({ name: 'costs' } & CommonFlags)
  | { name: 'help' };

const OPTIONS = {
  out: { type: 'string', short: 'o' },
  mode: { type: 'string' },
  budget: { type: 'string' },
  concurrency: { type: 'string' },
  strict: { type: 'boolean', default: false },
  fresh: { type: 'boolean', default: false },
  'data-dir': { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

const ALLOWED: Record<string, (keyof typeof OPTIONS)[]> = {
  render: ['out', 'mode', 'budget', 'concurrency', 'strict', 'fresh', 'data-dir', 'json'],
  resume: ['concurrency', 'strict', 'data-dir', 'json'],
  engines: ['data-dir', 'json'],
  costs: ['data-dir', 'json'],
};

export function parseCommand(argv: string[]): Command {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UserError(`${(error as Error).message.replace(/\. To specify a positional.*$/s, '')}\n\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  const [name, ...rest] = positionals;
  if (!name || values.help || name === 'help') return { name: 'help' };
  const allowed = ALLOWED[name];
  if (!allowed) throw new UserError(`unknown command "${name}"\n\n${USAGE}`);
  for (const flag of Object.keys(values) as (keyof typeof OPTIONS)[]) {
    const given = values[flag] !== undefined && values[flag] !== false;
    if (given && flag !== 'help' && !allowed.includes(flag)) throw new UserError(`--${flag}: not an option of "shotline ${name}"`);
  }
  const common: CommonFlags = { dataDir: values['data-dir'], json: values.json };
  switch (name) {
    case 'render': {
      if (rest.length !== 1) throw new UserError(`render: expected one storyboard file, got ${rest.length}\n\n${USAGE}`);
      if (!values.out) throw new UserError('--out: required (the episode file to write, e.g. --out episode.mp4)');
      return {
        name,
        storyboard: rest[0]!,
        out: values.out,
        mode: values.mode === undefined ? undefined : parseMode(values.mode),
        budget: values.budget === undefined ? undefined : parseNumber('--budget', values.budget, (n) => n > 0, 'a positive amount in USD'),
        concurrency: parseConcurrency(values.concurrency),
        strict: values.strict,
        fresh: values.fresh,
        ...common,
      };
    }
    case 'resume':
      if (rest.length > 1) throw new UserError(`resume: expected at most one episode id, got ${rest.length}`);
      return { name, episodeId: rest[0], concurrency: parseConcurrency(values.concurrency), strict: values.strict, ...common };
    default:
      if (rest.length > 0) throw new UserError(`${name}: unexpected argument "${rest[0]}"`);
      return { name: name as 'engines' | 'costs', ...common };
  }
}

function parseMode(value: string): RenderMode {
  if (!(RENDER_MODES as readonly string[]).includes(value)) throw new UserError(`--mode: must be one of ${RENDER_MODES.join(', ')}, got "${value}"`);
  return value as RenderMode;
}

function parseConcurrency(value: string | undefined): number | undefined {
  return value === undefined ? undefined : parseNumber('--concurrency', value, (n) => Number.isInteger(n) && n >= 1 && n <= 64, 'a whole number between 1 and 64');
}

function parseNumber(flag: string, value: string, ok: (n: number) => boolean, what: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || !ok(n)) throw new UserError(`${flag}: must be ${what}, got "${value}"`);
  return n;
}
