import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/shared/errors';
import { LIMITS } from '../../src/shared/storyboard';
import { parseBudget, parseCommand, USAGE } from '../../src/main/cli/args';
import { EXIT_CODE_TABLE } from '../../src/main/cli/exit-codes';

function usageError(argv: string[]): string {
  try {
    parseCommand(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return (error as Error).message;
  }
  throw new Error(`expected ${argv.join(' ')} to be refused`);
}

describe('render flags', () => {
  it('passes --allow-partial and --resubmit-unknown through, off unless given', () => {
    expect(parseCommand(['render', 'board.yaml', '--out', 'ep.mp4'])).toMatchObject({ allowPartial: false, resubmitUnknown: false, strict: false, fresh: false });
    expect(parseCommand(['render', 'board.yaml', '--out', 'ep.mp4', '--allow-partial', '--resubmit-unknown'])).toMatchObject({
      name: 'render',
      storyboard: 'board.yaml',
      out: 'ep.mp4',
      allowPartial: true,
      resubmitUnknown: true,
    });
  });

  it('reads --budget as USD through the storyboard schema', () => {
    expect(parseCommand(['render', 'b.yaml', '--out', 'e.mp4', '--budget', '12.50'])).toMatchObject({ budget: 12.5 });
    expect(parseCommand(['render', 'b.yaml', '--out', 'e.mp4', `--budget=${LIMITS.maxBudgetUsd}`])).toMatchObject({ budget: LIMITS.maxBudgetUsd });
    expect(parseCommand(['render', 'b.yaml', '--out', 'e.mp4'])).toMatchObject({ budget: undefined });
  });
});

describe('resume flags', () => {
  it('takes --budget, --allow-partial and --resubmit-unknown, with or without an episode id', () => {
    expect(parseCommand(['resume', '--budget', '40', '--allow-partial', '--resubmit-unknown'])).toEqual({
      name: 'resume',
      episodeId: undefined,
      budget: 40,
      concurrency: undefined,
      strict: false,
      allowPartial: true,
      resubmitUnknown: true,
      sign: true,
      allowUnverified: false,
      dataDir: undefined,
      json: false,
    });
    expect(parseCommand(['resume', 'ep_1', '--concurrency', '2', '--strict', '--json', '--data-dir', 'd'])).toMatchObject({
      episodeId: 'ep_1',
      budget: undefined,
      concurrency: 2,
      strict: true,
      allowPartial: false,
      resubmitUnknown: false,
      dataDir: 'd',
      json: true,
    });
  });

  it('validates the resume budget like the render budget', () => {
    expect(usageError(['resume', '--budget', '1e308'])).toBe('--budget: must be at most 100000 USD (got 1e308)');
  });

  it('refuses flags that only render has', () => {
    expect(usageError(['resume', '--fresh'])).toBe('--fresh: not an option of "shotline resume"');
    expect(usageError(['resume', '--out', 'x.mp4'])).toBe('--out: not an option of "shotline resume"');
  });
});

describe('--budget', () => {
  it.each([
    ['1e308', '--budget: must be at most 100000 USD (got 1e308)'],
    ['1e400', '--budget: must be at most 100000 USD (got 1e400)'],
    ['100000.01', '--budget: must be at most 100000 USD (got 100000.01)'],
    ['0', '--budget: must be more than 0 (got 0)'],
    ['-5', '--budget: must be more than 0 (got -5)'],
    ['-1e400', '--budget: must be more than 0 (got -1e400)'],
    ['abc', '--budget: must be an amount in USD, e.g. 25 or 12.50 (got "abc")'],
    ['', '--budget: must be an amount in USD, e.g. 25 or 12.50 (got "")'],
    ['Infinity', '--budget: must be an amount in USD, e.g. 25 or 12.50 (got "Infinity")'],
    ['NaN', '--budget: must be an amount in USD, e.g. 25 or 12.50 (got "NaN")'],
    ['0x10', '--budget: must be an amount in USD, e.g. 25 or 12.50 (got "0x10")'],
    ['$25', '--budget: must be an amount in USD, e.g. 25 or 12.50 (got "$25")'],
  ])('refuses %j, naming the flag', (value, message) => {
    expect(usageError(['render', 'b.yaml', '--out', 'e.mp4', `--budget=${value}`])).toBe(message);
  });

  it('accepts plain decimals, with exponent or leading dot', () => {
    expect(parseBudget('25')).toBe(25);
    expect(parseBudget(' 0.5 ')).toBe(0.5);
    expect(parseBudget('.75')).toBe(0.75);
    expect(parseBudget('2.5e1')).toBe(25);
    expect(parseBudget('1e5')).toBe(100_000);
  });

  it('a value that looks like another flag is refused, not swallowed', () => {
    expect(usageError(['render', 'b.yaml', '--out', 'e.mp4', '--budget', '-5'])).toMatch(/--budget/);
  });
});

describe('costs --held', () => {
  it('is an option of costs only', () => {
    expect(parseCommand(['costs', '--held'])).toEqual({ name: 'costs', held: true, dataDir: undefined, json: false });
    expect(parseCommand(['costs', '--held', '--json'])).toMatchObject({ held: true, json: true });
    expect(parseCommand(['costs'])).toMatchObject({ held: false });
    expect(usageError(['render', 'b.yaml', '--out', 'e.mp4', '--held'])).toBe('--held: not an option of "shotline render"');
    expect(usageError(['costs', 'extra'])).toBe('costs: unexpected argument "extra"');
  });
});

describe('money flags elsewhere', () => {
  it('are refused on commands that spend nothing', () => {
    expect(usageError(['engines', '--allow-partial'])).toBe('--allow-partial: not an option of "shotline engines"');
    expect(usageError(['costs', '--resubmit-unknown'])).toBe('--resubmit-unknown: not an option of "shotline costs"');
    expect(usageError(['costs', '--budget', '5'])).toBe('--budget: not an option of "shotline costs"');
  });
});

describe('other values name their flag', () => {
  it.each([
    [['render', 'b.yaml', '--out', 'e.mp4', '--concurrency', '0'], '--concurrency: must be a whole number between 1 and 64, got "0"'],
    [['render', 'b.yaml', '--out', 'e.mp4', '--concurrency', '2.5'], '--concurrency: must be a whole number between 1 and 64, got "2.5"'],
    [['resume', '--concurrency', '65'], '--concurrency: must be a whole number between 1 and 64, got "65"'],
    [['render', 'b.yaml', '--out', 'e.mp4', '--mode', 'draft'], '--mode: must be one of preview, final, got "draft"'],
    [['render', 'b.yaml'], '--out: required (the episode file to write, e.g. --out episode.mp4)'],
  ])('%j', (argv, message) => {
    expect(usageError(argv)).toBe(message);
  });
});

describe('USAGE', () => {
  it('documents every new flag and every exit code', () => {
    for (const flag of ['--allow-partial', '--resubmit-unknown', '--held', '--budget USD']) expect(USAGE).toContain(flag);
    expect(USAGE).toMatch(/shotline resume \[episode-id\] \[--budget USD\]/);
    for (const { code, meaning } of EXIT_CODE_TABLE) expect(USAGE).toContain(`${String(code).padStart(3)}  ${meaning}`);
  });

  it('is what help prints', () => {
    expect(parseCommand([])).toEqual({ name: 'help' });
    expect(parseCommand(['render', '--help'])).toEqual({ name: 'help' });
  });
});
