/**
 * Reference images are checked by what they are: adapters upload them to providers, so
 * a storyboard must not be able to send /etc/passwd, /proc/self/environ or a 2 GB file.
 * Every situation is made for real in a folder with spaces, quotes and unicode.
 */
import { execFile } from 'node:child_process';
import { chmod, mkdir, readFile, realpath, symlink, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/shared/errors';
import { runFfmpeg } from '../../src/main/media/ffmpeg';
import { loadStoryboard } from '../../src/main/storyboard/load';
import { imageFormatOf, inspectReference, MAX_REFERENCE_BYTES, resolveReferences, systemFolderOf } from '../../src/main/storyboard/references';
import { bins, nastyTempDir, removeDir } from './media-fixtures';

let dir: string;
const images: Record<'png' | 'jpeg' | 'webp' | 'gif', string> = { png: '', jpeg: '', webp: '', gif: '' };

beforeAll(async () => {
  dir = await nastyTempDir('references');
  await mkdir(path.join(dir, 'refs «stills»'));
  for (const [format, name] of [['png', 'red "still".png'], ['jpeg', "blue 'still'.jpg"], ['webp', 'grün.webp'], ['gif', 'loop.gif']] as const) {
    const file = path.join(dir, 'refs «stills»', name);
    await runFfmpeg(bins.ffmpeg, ['-y', '-f', 'lavfi', '-i', 'color=red:s=16x16', '-frames:v', '1', file]);
    images[format] = file;
  }
});
afterAll(() => removeDir(dir));

async function refusal(promise: Promise<unknown>): Promise<UserError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof UserError)) throw new Error(`expected a UserError, got ${String(error)}`);
  return error;
}

/** A storyboard file in `dir` whose shots reference `references`, in order. */
async function storyboardWith(name: string, references: string[], extra = ''): Promise<string> {
  const shots = references.map((reference, i) => `  - { id: s${i + 1}, kind: closeup, prompt: p, duration: 4, reference: ${JSON.stringify(reference)} }`);
  const file = path.join(dir, `${name}.yaml`);
  await writeFile(file, ['title: References', 'shots:', ...shots, extra, ''].join('\n'));
  return file;
}

describe('reference images that are refused', () => {
  it('reports every bad reference at once, by field and path, with the schema problems', async () => {
    const at = (name: string) => path.join(dir, name);
    await writeFile(at('notes "draft".png'), 'These are notes, not a picture.\n');
    await symlink('/etc/passwd', at('innocent link.png'));
    const sparse = at('huge ünï.png');
    await writeFile(sparse, await readFile(images.png));
    await truncate(sparse, 2 * 1024 ** 3);
    await writeFile(at('empty.png'), '');
    await mkdir(at('a folder.png'));
    await symlink(at('nowhere.png'), at('dangling.png'));
    await symlink(at('loop b.png'), at('loop a.png'));
    await symlink(at('loop a.png'), at('loop b.png'));
    const environ = await realpath('/proc/self/environ');

    const file = await storyboardWith(
      'bad refs',
      ['notes "draft".png', '/etc/passwd', '/proc/self/environ', '/dev/zero', 'innocent link.png', 'huge ünï.png', 'empty.png', 'a folder.png', 'dangling.png', 'loop a.png', images.gif],
      '  - { id: s99, kind: explosion, prompt: p, duration: 4 }',
    );
    const started = performance.now();
    const error = await refusal(loadStoryboard(file));
    const elapsed = performance.now() - started;
    expect(error.message.split('\n')[0]).toBe('bad refs.yaml: 12 problems in the storyboard');
    expect(error.problems).toEqual([
      'shots[11].kind: must be one of establishing, dialogue, action, closeup, stylized, insert (got "explosion")',
      `shots[0].reference: not an image (PNG, JPEG or WebP): ${at('notes "draft".png')}`,
      'shots[1].reference: a system file (under /etc), not an image: /etc/passwd',
      `shots[2].reference: a system file (under /proc), not an image: /proc/self/environ -> ${environ}`,
      'shots[3].reference: a system file (under /dev), not an image: /dev/zero',
      `shots[4].reference: a system file (under /etc), not an image: ${at('innocent link.png')} -> /etc/passwd`,
      `shots[5].reference: too large (2048.0 MiB; the limit is 20 MiB): ${sparse}`,
      `shots[6].reference: an empty file, not an image: ${at('empty.png')}`,
      `shots[7].reference: a folder, not an image: ${at('a folder.png')}`,
      `shots[8].reference: file not found: ${at('dangling.png')}`,
      `shots[9].reference: a symlink that leads in a loop: ${at('loop a.png')}`,
      `shots[10].reference: a GIF image; providers take PNG, JPEG or WebP (convert it): ${images.gif}`,
    ]);
    console.log(`judged 12 bad references (one a 2 GiB file, by its size alone) in ${elapsed.toFixed(0)} ms`);
  });

  it.runIf(process.getuid?.() !== 0)('refuses an image the user cannot read (not as root: root reads anyway)', async () => {
    const locked = path.join(dir, 'locked «still».png');
    await writeFile(locked, await readFile(images.png));
    await chmod(locked, 0o000);
    expect(await inspectReference(locked)).toEqual({ problem: `cannot be read (permission denied): ${locked}` });
  });

  it('refuses a named pipe without waiting for a writer', async () => {
    const fifo = path.join(dir, 'pipe ü.png');
    await promisify(execFile)('mkfifo', [fifo]);
    expect(await inspectReference(fifo)).toEqual({ problem: `not a regular file (a device, pipe or socket), not an image: ${fifo}` });
  });

  it('refuses a file one byte over the cap and takes one exactly at it', async () => {
    const png = await readFile(images.png);
    const atCap = path.join(dir, 'at cap.png');
    const overCap = path.join(dir, 'over cap.png');
    for (const [file, size] of [[atCap, MAX_REFERENCE_BYTES], [overCap, MAX_REFERENCE_BYTES + 1]] as const) {
      await writeFile(file, png);
      await truncate(file, size);
    }
    expect(await inspectReference(atCap)).toEqual({ realPath: atCap });
    expect(await inspectReference(overCap)).toEqual({ problem: `too large (20.0 MiB; the limit is 20 MiB): ${overCap}` });
  });
});

describe('reference images that are taken', () => {
  it('accepts PNG, JPEG and WebP by content, whatever their names, and indexes the real path', async () => {
    const misnamed = path.join(dir, 'photo without extension');
    await writeFile(misnamed, await readFile(images.jpeg));
    const link = path.join(dir, 'link to «still».png');
    await symlink(images.png, link);
    const file = await storyboardWith('good refs', [images.png, images.jpeg, images.webp, 'photo without extension', 'link to «still».png']);
    await writeFile(file, `${await readFile(file, 'utf8')}characters:\n  - { id: mara, description: Pilot, reference: ${JSON.stringify(images.webp)} }\n`);

    const loaded = await loadStoryboard(file);
    expect([...loaded.references.shots.entries()]).toEqual([
      ['s1', images.png],
      ['s2', images.jpeg],
      ['s3', images.webp],
      ['s4', misnamed],
      ['s5', images.png],
    ]);
    expect(loaded.references.characters.get('mara')).toBe(images.webp);
  });

  it('keeps up with a 500-shot storyboard of distinct stills, and looks at a shared still once', async () => {
    const many = path.join(dir, 'many stills');
    await mkdir(many);
    const png = await readFile(images.png);
    const files = await Promise.all(Array.from({ length: 500 }, async (_, i) => {
      const file = path.join(many, `still ${i} ü.png`);
      await writeFile(file, png);
      return file;
    }));
    const distinct = { shots: files.map((reference, i) => ({ id: `s${i}`, reference })) };
    let started = performance.now();
    const checked = await resolveReferences(distinct, dir);
    console.log(`checked 500 distinct references in ${(performance.now() - started).toFixed(1)} ms`);
    expect(checked.problems).toEqual([]);
    expect([...checked.index.shots.values()]).toEqual(files);

    const shared = { shots: files.map((_, i) => ({ id: `s${i}`, reference: images.jpeg })) };
    started = performance.now();
    const once = await resolveReferences(shared, dir);
    console.log(`checked 500 references to one still in ${(performance.now() - started).toFixed(1)} ms`);
    expect(once.index.shots.size).toBe(500);
  });
});

describe('the rules themselves', () => {
  it('knows the formats by their first bytes', () => {
    const bytes = (text: string) => Buffer.from(text, 'latin1');
    expect(imageFormatOf(bytes('\x89PNG\r\n\x1a\n\0\0\0\rIHDR'))).toBe('png');
    expect(imageFormatOf(bytes('\xff\xd8\xff\xe0\0\x10JFIF'))).toBe('jpeg');
    expect(imageFormatOf(bytes('RIFF\x24\0\0\0WEBPVP8 '))).toBe('webp');
    expect(imageFormatOf(bytes('RIFF\x24\0\0\0WAVEfmt '))).toBeUndefined();
    expect(imageFormatOf(bytes('\0\0\0\x1cftypheic'))).toBe('heic');
    expect(imageFormatOf(bytes('\0\0\0\x1cftypavif'))).toBe('avif');
    expect(imageFormatOf(bytes('\0\0\0\x1cftypisom'))).toBeUndefined();
    expect(imageFormatOf(bytes('\x89PN'))).toBeUndefined();
    expect(imageFormatOf(bytes(''))).toBeUndefined();
  });

  it('names system folders, but not users\' drives mounted under /run, nor look-alike names', () => {
    expect(systemFolderOf('/etc/ssh/ssh_host_ed25519_key', 'linux')).toBe('/etc');
    expect(systemFolderOf('/run/secrets/api_key', 'linux')).toBe('/run');
    expect(systemFolderOf('/private/etc/passwd', 'darwin')).toBe('/private/etc');
    expect(systemFolderOf('/sys/class/net/eth0/address', 'linux')).toBe('/sys');
    expect(systemFolderOf('/run/media/ana/USB STICK/still.png', 'linux')).toBeUndefined();
    expect(systemFolderOf('/run/user/1000/gvfs/smb-share:server=nas,share=film/still.png', 'linux')).toBeUndefined();
    expect(systemFolderOf('/etcetera/still.png', 'linux')).toBeUndefined();
    expect(systemFolderOf('/home/ana/dev/still.png', 'linux')).toBeUndefined();
    expect(systemFolderOf('C:\\WINDOWS\\System32\\config\\SAM', 'win32')).toBe(process.env.SystemRoot ?? 'C:\\Windows');
    expect(systemFolderOf('\\\\.\\PhysicalDrive0', 'win32')).toBe('\\\\.\\');
    expect(systemFolderOf('C:\\Users\\ana\\Pictures\\still.png', 'win32')).toBeUndefined();
  });
});
