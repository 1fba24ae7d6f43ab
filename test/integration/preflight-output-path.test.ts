/**
 * The output path is checked before any money moves: every way the final write could
 * fail or destroy an input is made for real here, in a folder with spaces, quotes and
 * unicode. Tests may run as root, where chmod does not stop writes: the read-only case
 * is asserted only for other users, and unwritable places are also made without chmod
 * (a path through a file, /proc).
 */
import { execFile } from 'node:child_process';
import { chmod, link, mkdir, readdir, readFile, rename, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/shared/errors';
import { NAME_MAX_BYTES, tempPathBeside, truncateUtf8, utf8Bytes } from '../../src/main/media/atomic-file';
import { checkOutputPath } from '../../src/main/preflight/output-path';
import { nastyTempDir, removeDir } from './media-fixtures';

const isRoot = process.getuid?.() === 0;
let dir: string;
let storyboard: string;
let still: string;

beforeAll(async () => {
  dir = await nastyTempDir('output path');
  storyboard = path.join(dir, 'pilot «v2» "final".yaml');
  await writeFile(storyboard, 'title: Pilot\nshots: []\n');
  still = path.join(dir, "mara's still.png");
  await writeFile(still, 'png bytes');
});
afterAll(async () => {
  await chmod(path.join(dir, 'locked'), 0o755).catch(() => undefined);
  await removeDir(dir);
});

async function refusal(requested: string, options: { inputs?: string[]; cwd?: string } = {}): Promise<UserError> {
  const error = await checkOutputPath(requested, { inputs: options.inputs ?? [storyboard, still], ...(options.cwd ? { cwd: options.cwd } : {}) }).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof UserError)) throw new Error(`expected a UserError, got ${String(error)}`);
  return error;
}

async function leftovers(folder: string): Promise<string[]> {
  return (await readdir(folder)).filter((name) => name.includes('.partial'));
}

describe('outputs that are accepted', () => {
  it('returns the absolute path and leaves no probe behind', async () => {
    const out = path.join(dir, `episode «pilot» 'one' "x" 🎬.mp4`);
    expect(await checkOutputPath(out, { inputs: [storyboard, still] })).toBe(out);
    expect(await leftovers(dir)).toEqual([]);
  });

  it('resolves a relative path against the given folder, and takes an existing episode to replace', async () => {
    const out = path.join(dir, 'old episode.MP4');
    await writeFile(out, 'last week');
    expect(await checkOutputPath('./sub/../old episode.MP4', { inputs: [storyboard], cwd: dir })).toBe(out);
  });

  it('creates the missing folders the user asked to write into', async () => {
    const out = path.join(dir, 'new folder ü', "season 'one'", 'ep 1.mp4');
    expect(await checkOutputPath(out, { inputs: [storyboard] })).toBe(out);
    expect((await stat(path.dirname(out))).isDirectory()).toBe(true);
    expect(await leftovers(path.dirname(out))).toEqual([]);
  });

  it('takes a 250-byte unicode name, and its temp file really is written and renamed', async () => {
    for (const base of ['é'.repeat(123), '🎬'.repeat(61) + 'ab', 'a'.repeat(246)]) {
      const name = `${base}.mp4`;
      expect(utf8Bytes(name)).toBeGreaterThanOrEqual(248);
      expect(utf8Bytes(name)).toBeLessThanOrEqual(250);
      const out = path.join(dir, 'long names', name);
      expect(await checkOutputPath(out, { inputs: [storyboard] })).toBe(out);

      const temp = tempPathBeside(out);
      const tempName = path.basename(temp);
      expect(utf8Bytes(tempName)).toBeLessThanOrEqual(NAME_MAX_BYTES);
      expect(Buffer.from(tempName, 'utf8').toString('utf8')).toBe(tempName);
      expect(tempName).not.toContain('\uFFFD');
      const [, kept] = /^\.(.*)\.\d+-[0-9a-f]{8}\.partial\.mp4$/su.exec(tempName) ?? [];
      expect(kept && base.startsWith(kept)).toBe(true);
      await writeFile(temp, 'episode');
      await rename(temp, out);
      expect(await readFile(out, 'utf8')).toBe('episode');
    }
  });
});

describe('outputs that are refused, naming the path', () => {
  it('refuses a name that is not .mp4, or names a folder', async () => {
    const mov = path.join(dir, 'episode.mov');
    expect((await refusal(mov)).problems).toEqual([`--out: must name an .mp4 file: ${mov}`]);
    const bare = path.join(dir, 'episode');
    expect((await refusal(bare)).problems).toEqual([`--out: must name an .mp4 file (e.g. ${bare}.mp4): ${bare}`]);
    expect((await refusal(`${dir}/renders/`)).problems).toEqual([`--out: ends with "/", so it names a folder, not a file: ${path.join(dir, 'renders')}`]);
  });

  it('refuses an existing folder, even one named like an episode', async () => {
    const folder = path.join(dir, 'finished.mp4');
    await mkdir(folder);
    const error = await refusal(folder);
    expect(error.message.split('\n')[0]).toBe(`cannot write the episode to ${folder}`);
    expect(error.problems).toEqual([`--out: is an existing folder, not a file: ${folder} (name a file inside it, e.g. ${path.join(folder, 'episode.mp4')})`]);
    expect((await refusal(dir)).problems).toEqual([`--out: is an existing folder, not a file: ${dir} (name a file inside it, e.g. ${path.join(dir, 'episode.mp4')})`]);
  });

  it('refuses a device or a named pipe', async () => {
    const problems = (await refusal('/dev/null')).problems;
    expect(problems.slice(0, 2)).toEqual(['--out: must name an .mp4 file (e.g. /dev/null.mp4): /dev/null', '--out: exists and is not a regular file (a device, pipe or socket): /dev/null']);
    const pipe = path.join(dir, 'pipe ü.mp4');
    await promisify(execFile)('mkfifo', [pipe]);
    expect((await refusal(pipe)).problems).toEqual([`--out: exists and is not a regular file (a device, pipe or socket): ${pipe}`]);
  });

  it('never overwrites the storyboard: directly, spelt with ./ and .., through a symlink or a hard link', async () => {
    const clash = (shown: string) => `--out: is an input of this render${shown}; writing the episode there would destroy it`;
    expect((await refusal(storyboard)).problems).toEqual([`--out: must name an .mp4 file: ${storyboard}`, `${clash('')}: ${storyboard}`]);
    expect((await refusal(`./sub/.././${path.basename(storyboard)}`, { cwd: dir })).problems).toEqual([`--out: must name an .mp4 file: ${storyboard}`, `${clash('')}: ${storyboard}`]);

    const viaSymlink = path.join(dir, 'looks like an episode.mp4');
    await symlink(storyboard, viaSymlink);
    expect((await refusal(viaSymlink)).problems).toEqual([`${clash(` (${storyboard})`)}: ${viaSymlink}`]);

    const viaHardLink = path.join(dir, 'hard linked.mp4');
    await link(storyboard, viaHardLink);
    expect((await refusal(viaHardLink)).problems).toEqual([`${clash(` (${storyboard})`)}: ${viaHardLink}`]);

    // The storyboard named through a symlinked folder, the output through the real one.
    const alias = path.join(dir, 'alias folder');
    await symlink(dir, alias);
    const aliased = path.join(alias, path.basename(storyboard));
    expect((await refusal(storyboard, { inputs: [aliased] })).problems).toEqual([`--out: must name an .mp4 file: ${storyboard}`, `${clash(` (${aliased} -> ${storyboard})`)}: ${storyboard}`]);
    expect(await readFile(storyboard, 'utf8')).toBe('title: Pilot\nshots: []\n');
  });

  it('names what the clashing input is when told, and a reference image too', async () => {
    const stillAsMp4 = path.join(dir, 'still.mp4');
    await writeFile(stillAsMp4, 'png bytes');
    const error = await checkOutputPath(stillAsMp4, { inputs: [{ path: storyboard, what: 'the storyboard' }, { path: stillAsMp4, what: 'the reference image of shot "s01"' }] }).catch((e: unknown) => e);
    expect((error as UserError).problems).toEqual([`--out: is the reference image of shot "s01"; writing the episode there would destroy it: ${stillAsMp4}`]);
  });

  it('refuses a 300-byte name before creating anything, and a folder name over the limit', async () => {
    const name = `${'ü'.repeat(148)}.mp4`;
    const out = path.join(dir, 'never made', name);
    expect((await refusal(out)).problems).toEqual([`--out: the file name is 300 bytes long; file systems allow at most 255 bytes per name: ${out}`]);
    await expect(stat(path.join(dir, 'never made'))).rejects.toThrow(/ENOENT/);

    const folderName = 'f'.repeat(256);
    const deep = path.join(dir, folderName, 'ep.mp4');
    expect((await refusal(deep)).problems).toEqual([`--out: the folder name "${'f'.repeat(24)}…" is 256 bytes long; file systems allow at most 255 bytes per name: ${deep}`]);
  });

  it('refuses a path through a file (ENOTDIR), at any depth', async () => {
    const file = path.join(dir, 'notes.txt');
    await writeFile(file, 'not a folder');
    for (const out of [path.join(file, 'ep.mp4'), path.join(file, 'sub', 'deeper', 'ep.mp4')]) {
      expect((await refusal(out)).problems).toEqual([`--out: ${file} is a file, not a folder: ${out}`]);
    }
  });

  it('refuses folders the system will not write into, without hanging on /proc', async () => {
    const inProc = '/proc/ep.mp4';
    expect((await refusal(inProc)).problems).toEqual([expect.stringMatching(/^--out: the folder \/proc does not take new files \((the file system refuses new entries there|permission denied)\): \/proc\/ep\.mp4$/)]);
    // Node's recursive mkdir never returns here; the check must.
    const underProc = '/proc/shotline-renders/ep.mp4';
    expect((await refusal(underProc)).problems).toEqual([expect.stringMatching(/^--out: cannot create the folder \/proc\/shotline-renders \((the file system refuses new entries there|permission denied)\): /)]);
  });

  it('reports every problem at once and creates nothing while any is pending', async () => {
    const out = path.join(dir, 'pending', 'deeper', `${'x'.repeat(40)}.webm`);
    const error = await refusal(out, { inputs: [storyboard] });
    expect(error.problems).toEqual([`--out: must name an .mp4 file: ${out}`]);
    await expect(stat(path.join(dir, 'pending'))).rejects.toThrow(/ENOENT/);
  });

  it.runIf(!isRoot)('refuses a read-only folder (not as root: root writes anyway)', async () => {
    const locked = path.join(dir, 'locked');
    await mkdir(locked);
    await chmod(locked, 0o555);
    const out = path.join(locked, 'ep.mp4');
    expect((await refusal(out)).problems).toEqual([`--out: the folder ${locked} does not take new files (permission denied): ${out}`]);
    const below = path.join(locked, 'new', 'ep.mp4');
    expect((await refusal(below)).problems).toEqual([`--out: cannot create the folder ${path.join(locked, 'new')} (permission denied): ${below}`]);
  });

  it('refuses an empty path', async () => {
    await expect(checkOutputPath('  ', { inputs: [] })).rejects.toThrow('--out: empty; name the episode file to write, e.g. --out episode.mp4');
  });
});

describe('temp names beside an output', () => {
  it('keep the format other code parses: .<base>.<pid>-<hex>.partial<ext>', () => {
    expect(path.basename(tempPathBeside('/renders/abc123.mp4'))).toMatch(new RegExp(`^\\.abc123\\.${process.pid}-[0-9a-f]{8}\\.partial\\.mp4$`));
    expect(path.dirname(tempPathBeside('/renders/abc123.mp4'))).toBe('/renders');
  });

  it('shorten only the base, never inside a character', () => {
    expect(truncateUtf8('aé🎬b', 1)).toBe('a');
    expect(truncateUtf8('aé🎬b', 2)).toBe('a');
    expect(truncateUtf8('aé🎬b', 3)).toBe('aé');
    expect(truncateUtf8('aé🎬b', 6)).toBe('aé');
    expect(truncateUtf8('aé🎬b', 7)).toBe('aé🎬');
    expect(truncateUtf8('aé🎬b', 99)).toBe('aé🎬b');
    const alphabet = ['a', 'é', '€', '🎬'];
    for (let length = 0; length < 200; length++) {
      const base = Array.from({ length }, (_, i) => alphabet[i % alphabet.length]).join('');
      const tempName = path.basename(tempPathBeside(`/r/${base}.mp4`));
      expect(utf8Bytes(tempName)).toBeLessThanOrEqual(NAME_MAX_BYTES);
      const kept = /^\.(.*)\.\d+-[0-9a-f]{8}\.partial\.mp4$/su.exec(tempName)?.[1] ?? '';
      expect(base.startsWith(kept)).toBe(true);
      // Shortened only when it had to be, and then by less than one character too many.
      if (kept !== base) expect(utf8Bytes(tempName)).toBeGreaterThan(NAME_MAX_BYTES - 4);
    }
  });
});
