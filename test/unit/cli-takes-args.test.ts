/**
 * Parsing of the takes commands (episodes, shots, approve, unapprove, select,
 * regenerate, stitch --episode) and of `render --approved`: every refusal is a
 * UserError (exit 2) naming the flag or argument at fault.
 */
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/shared/errors';
import { parseCommand, USAGE } from '../../src/main/cli/args';
import { isMediaCommand } from '../../src/main/cli/media-commands';

function usageError(argv: string[]): string {
  try {
    parseCommand(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return (error as Error).message;
  }
  throw new Error(`expected ${argv.join(' ')} to be refused`);
}

describe('render --approved', () => {
  it('goes with --mode final, and is off unless given', () => {
    expect(parseCommand(['render', 'b.yaml', '--out', 'e.mp4', '--mode', 'final', '--approved'])).toMatchObject({ name: 'render', mode: 'final', approved: true });
    expect(parseCommand(['render', 'b.yaml', '--out', 'e.mp4'])).toMatchObject({ approved: false });
  });

  it('is refused without --mode final, even when the storyboard may say final', () => {
    const message = '--approved: goes with --mode final (it commits approved previews to final takes)';
    expect(usageError(['render', 'b.yaml', '--out', 'e.mp4', '--approved'])).toBe(message);
    expect(usageError(['render', 'b.yaml', '--out', 'e.mp4', '--approved', '--mode', 'preview'])).toBe(message);
  });

  it('is an option of render only', () => {
    expect(usageError(['resume', '--approved'])).toBe('--approved: not an option of "shotline resume"');
    expect(usageError(['regenerate', 'ep_1', 's01', '--approved'])).toBe('--approved: not an option of "shotline regenerate"');
  });
});

describe('episodes and shots', () => {
  it('episodes takes no argument', () => {
    expect(parseCommand(['episodes', '--json', '--data-dir', 'd'])).toEqual({ name: 'episodes', dataDir: 'd', ffmpeg: undefined, json: true });
    expect(usageError(['episodes', 'ep_1'])).toBe('episodes: unexpected argument "ep_1"');
  });

  it('shots needs one episode id', () => {
    expect(parseCommand(['shots', 'ep_1'])).toMatchObject({ name: 'shots', episodeId: 'ep_1', json: false });
    expect(usageError(['shots'])).toBe('shots: expected an episode id (`shotline episodes` lists them)');
    expect(usageError(['shots', 'ep_1', 's01'])).toBe('shots: unexpected argument "s01"');
  });
});

describe('approve and unapprove', () => {
  it.each(['approve', 'unapprove'] as const)('%s takes shot ids or --all', (name) => {
    expect(parseCommand([name, 'ep_1', 's01', 's02'])).toMatchObject({ name, episodeId: 'ep_1', shots: ['s01', 's02'] });
    expect(parseCommand([name, 'ep_1', '--all', '--json'])).toMatchObject({ name, episodeId: 'ep_1', shots: 'all', json: true });
    expect(usageError([name])).toBe(`${name}: expected an episode id (\`shotline episodes\` lists them)`);
    expect(usageError([name, 'ep_1'])).toBe(`${name} ep_1: expected at least one shot id, or --all`);
    expect(usageError([name, 'ep_1', 's01', '--all'])).toBe(`${name}: name shots or give --all, not both`);
  });

  it('--all belongs to approve and unapprove', () => {
    expect(usageError(['regenerate', 'ep_1', '--all'])).toBe('--all: not an option of "shotline regenerate"');
  });
});

describe('select', () => {
  it('takes an episode, a shot and a take number', () => {
    expect(parseCommand(['select', 'ep_1', 's02', '3'])).toMatchObject({ name: 'select', episodeId: 'ep_1', shotId: 's02', takeNo: 3 });
  });

  it.each(['0', '-1', '1.5', 'x', '2e0', '', '0x2', '99999999999999999999'])('refuses the take %j, naming it', (take) => {
    const argv = take.startsWith('-') ? ['select', 'ep_1', 's02', '--', take] : ['select', 'ep_1', 's02', take];
    expect(usageError(argv)).toBe(`select: the take must be a take number (1, 2, ...), got "${take}"`);
  });

  it('refuses a missing or extra argument', () => {
    expect(usageError(['select', 'ep_1', 's02'])).toBe('select: expected <episode-id> <shot-id> <take-number>, got 2 argument(s)');
    expect(usageError(['select', 'ep_1', 's02', '1', '2'])).toBe('select: expected <episode-id> <shot-id> <take-number>, got 4 argument(s)');
  });
});

describe('regenerate', () => {
  it('reads every flag', () => {
    expect(
      parseCommand(['regenerate', 'ep_1', 's02', '--engine', 'veo-3', '--prompt', 'Captain shouts', '--seed', '42', '--mode', 'final', '--budget', '5', '--concurrency', '2', '--allow-partial', '--json']),
    ).toEqual({
      name: 'regenerate',
      episodeId: 'ep_1',
      shotIds: ['s02'],
      engineId: 'veo-3',
      prompt: 'Captain shouts',
      seed: 42,
      mode: 'final',
      budget: 5,
      concurrency: 2,
      allowPartial: true,
      resubmitUnknown: false,
      sign: true,
      allowUnverified: false,
      dataDir: undefined,
      ffmpeg: undefined,
      json: true,
    });
    expect(parseCommand(['regenerate', 'ep_1', 's01', 's03'])).toMatchObject({ shotIds: ['s01', 's03'], engineId: undefined, seed: undefined, mode: undefined });
  });

  it('needs an episode and at least one shot', () => {
    expect(usageError(['regenerate'])).toBe('regenerate: expected an episode id (`shotline episodes` lists them)');
    expect(usageError(['regenerate', 'ep_1'])).toBe('regenerate ep_1: expected at least one shot id');
  });

  it.each([
    ['--seed=-1', '--seed: must be a whole number from 0 to 2147483647, got "-1"'],
    ['--seed=1.5', '--seed: must be a whole number from 0 to 2147483647, got "1.5"'],
    ['--seed=2147483648', '--seed: must be a whole number from 0 to 2147483647, got "2147483648"'],
    ['--seed=abc', '--seed: must be a whole number from 0 to 2147483647, got "abc"'],
    ['--seed=', '--seed: must be a whole number from 0 to 2147483647, got ""'],
    ['--mode=draft', '--mode: must be one of preview, final, got "draft"'],
    ['--budget=0', '--budget: must be more than 0 (got 0)'],
    ['--concurrency=0', '--concurrency: must be a whole number between 1 and 64, got "0"'],
    ['--strict', '--strict: not an option of "shotline regenerate"'],
    ['--out=x.mp4', '--out: not an option of "shotline regenerate"'],
  ])('%s is refused naming the flag', (flag, message) => {
    expect(usageError(['regenerate', 'ep_1', 's01', flag])).toBe(message);
  });

  it('a negative value after a space names the flag and how to give it, without the whole usage', () => {
    const message = usageError(['regenerate', 'ep_1', 's01', '--seed', '-1']);
    expect(message).toBe('--seed: got "-1", which reads as another flag; if it is the value, write --seed=-1');
    expect(usageError(['render', 'b.yaml', '-o', '-x'])).toBe('--out: got "-x", which reads as another flag; if it is the value, write --out=-x');
  });

  it('an unknown flag is refused', () => {
    expect(usageError(['regenerate', 'ep_1', 's01', '--bogus'])).toMatch(/^Unknown option '--bogus'/);
  });
});

describe('stitch --episode', () => {
  it('goes to the studio; stitch with clips stays a media command', () => {
    expect(isMediaCommand('stitch', ['a.mp4', 'b.mp4', '--out', 'e.mp4'])).toBe(true);
    expect(isMediaCommand('stitch', ['--episode', 'ep_1', '--out', 'e.mp4'])).toBe(false);
    expect(isMediaCommand('stitch', ['--out', 'e.mp4', '--episode=ep_1'])).toBe(false);
    // After `--` a clip may be called anything.
    expect(isMediaCommand('stitch', ['--out', 'e.mp4', '--', '--episode'])).toBe(true);
    expect(isMediaCommand('check', ['--episode', 'ep_1'])).toBe(true);
  });

  it('reads the episode, the output and its flags', () => {
    expect(parseCommand(['stitch', '--episode', 'ep_1', '--out', 'e.mp4', '--allow-partial', '--json'])).toEqual({
      name: 'stitch-episode',
      episodeId: 'ep_1',
      out: 'e.mp4',
      allowPartial: true,
      sign: true,
      allowUnverified: false,
      concurrency: undefined,
      dataDir: undefined,
      ffmpeg: undefined,
      json: true,
    });
  });

  it('refuses clips, a missing --out or an empty episode id', () => {
    expect(usageError(['stitch', '--episode', 'ep_1', 'a.mp4', '--out', 'e.mp4'])).toBe('stitch --episode: stitches the episode\'s selected takes and takes no clips (got "a.mp4")');
    expect(usageError(['stitch', '--episode', 'ep_1'])).toBe('--out: required (the episode file to write, e.g. --out episode.mp4)');
    expect(usageError(['stitch', '--episode=', '--out', 'e.mp4'])).toBe('--episode: expected an episode id (`shotline episodes` lists them)');
    expect(usageError(['stitch', '--episode', 'ep_1', '--out', 'e.mp4', '--seed', '1'])).toBe('--seed: not an option of "shotline stitch"');
  });

  it('--episode is an option of stitch only', () => {
    expect(usageError(['shots', 'ep_1', '--episode', 'ep_2'])).toBe('--episode: not an option of "shotline shots"');
  });
});

describe('USAGE', () => {
  it('documents the takes commands and their flags', () => {
    for (const text of ['shotline episodes', 'shotline shots <episode-id>', 'shotline approve <episode-id>', 'shotline unapprove', 'shotline select <episode-id> <shot-id> <take-number>', 'shotline regenerate <episode-id> <shot-id>...', 'shotline stitch --episode <episode-id> --out FILE', '[--approved]', '--engine ID', '--seed N', '--prompt TEXT', '--all']) {
      expect(USAGE).toContain(text);
    }
    for (const line of USAGE.split('\n')) expect(line.length).toBeLessThanOrEqual(110);
  });
});
