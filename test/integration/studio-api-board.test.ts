/**
 * The Studio API methods the shot board uses beyond rendering, on a real studio (SQLite,
 * media worker, c2pa-rs in its worker): storyboard documents (open, upload, save with
 * the CLI's messages), recent storyboards, app info, provider keys (values never come
 * back), engine edits, spend by day, the export's loudness, and the provenance panel's
 * credentials of a take and of the export, read back as Trusted with the studio's root.
 */
import { X509Certificate } from 'node:crypto';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStudio, type Studio } from '../../src/main/studio';
import type { ProgressEvent, StudioApi } from '../../src/shared/api';
import { MemorySecretStore } from '../../src/main/secrets/keychain';
import { ProviderKeys } from '../../src/main/secrets/provider-keys';
import { makeTestIdentity, type TestIdentity } from '../support/c2pa-test-identity';
import { projectRoot } from '../support/cli-process';
import { execFileSync } from 'node:child_process';
import { bins } from './media-fixtures';

let dir: string;
let identity: TestIdentity;
let studio: Studio;
let api: StudioApi;
let board: string;
const KEY_VALUE = 'rw-board-secret-value-9f8e7d6c5b4a';

const BOARD_TEXT = [
  '# A comment the board keeps when it saves.',
  'title: "Board «api»"',
  'mode: preview',
  'output: { resolution: 480p }',
  'shots:',
  '  - { id: s1, kind: establishing, prompt: "Harbour at dawn, \\"quoted\\" 100%", duration: 1, reference: "harbour ref.png", transition: { type: fade, duration: 0.25 } }',
  '  - { id: s2, kind: insert, prompt: "A compass needle", duration: 1 }',
  '',
].join('\n');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shotline board «api» '));
  identity = await makeTestIdentity({ label: 'board' });
  copyFileSync(join(projectRoot, 'resources/examples/refs/harbour.png'), join(dir, 'harbour ref.png'));
  board = join(dir, 'board ☂.yaml');
  writeFileSync(board, BOARD_TEXT);
  const fingerprint = new X509Certificate(identity.leafPem).fingerprint256;
  studio = await createStudio({
    dataDir: join(dir, 'data'),
    env: { PATH: process.env.PATH, RUNWAYML_API_SECRET: KEY_VALUE },
    keys: await ProviderKeys.open(new MemorySecretStore(), { RUNWAYML_API_SECRET: KEY_VALUE }),
    identity: async () => ({ signer: { certificateChain: identity.chainPem, privateKey: identity.leafKeyPem }, rootPem: identity.rootPem, fingerprint, operator: 'Test Operator' }),
  });
  api = studio.api;
}, 60_000);
afterAll(async () => {
  studio?.close();
  if (identity) await rm(identity.dir, { recursive: true, force: true });
  await rm(dir, { recursive: true, force: true });
});

describe('storyboard documents', () => {
  it('opens a file in place and reports its problems instead of throwing', async () => {
    const document = await api.openStoryboard({ path: board });
    expect(document).toMatchObject({ path: board, problems: [], episodeId: null });
    expect(document.storyboard.shots.map((shot) => shot.id)).toEqual(['s1', 's2']);

    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, 'title: Broken\nshots:\n  - { id: s1, kind: closeup, prompt: "", duration: 99, reference: "missing.png" }\n');
    const opened = await api.openStoryboard({ path: broken });
    expect(opened.problems.join('\n')).toMatch(/shots\[0\]\.prompt/);
    expect(opened.problems.join('\n')).toMatch(/shots\[0\]\.duration/);
    expect(opened.problems.join('\n')).toMatch(/missing\.png/);
    await expect(api.openStoryboard({ path: join(dir, 'nowhere.yaml') })).rejects.toThrow(/nowhere\.yaml: cannot open the storyboard \(no such file\)/);
  });

  it('keeps uploads in the data folder under their own name, never over another file', async () => {
    const first = await api.openStoryboard({ fileName: '../../évasion.yaml', text: 'title: First\nshots:\n  - { id: a1, kind: insert, prompt: "one", duration: 1 }\n' });
    const second = await api.openStoryboard({ fileName: 'évasion.yaml', text: 'title: Second\nshots:\n  - { id: b1, kind: insert, prompt: "two", duration: 1 }\n' });
    expect(basename(first.path)).toBe('évasion.yaml');
    expect(basename(second.path)).toBe('évasion (2).yaml');
    expect(first.path.startsWith(join(dir, 'data', 'storyboards'))).toBe(true);
    expect(readFileSync(first.path, 'utf8')).toContain('title: First');
    await expect(api.openStoryboard({ fileName: 'bad.yaml', text: 'title: [unclosed' })).rejects.toThrow(/bad\.yaml/);
    expect(await readdir(join(dir, 'data', 'storyboards'))).not.toContain('bad.yaml');
  });

  it('saves an edit in place (keeping the leading comment) and refuses an invalid one with the CLI lines, the file untouched', async () => {
    const document = await api.openStoryboard({ path: board });
    const edited = { ...document.storyboard, shots: [...document.storyboard.shots, { id: 's3', kind: 'closeup' as const, prompt: 'A gull, «close»', duration: 1 }] };
    const saved = await api.saveStoryboard(board, edited);
    expect(saved.storyboard.shots.map((shot) => shot.id)).toEqual(['s1', 's2', 's3']);
    const text = readFileSync(board, 'utf8');
    expect(text.startsWith('# A comment the board keeps when it saves.')).toBe(true);

    const bad = { ...saved.storyboard, shots: [...saved.storyboard.shots, { id: 's3', kind: 'closeup' as const, prompt: 'duplicate', duration: 1, transition: { type: 'spin' as never, duration: 1 } }] };
    await expect(api.saveStoryboard(board, bad)).rejects.toThrow(/shots\[3\]/);
    expect(readFileSync(board, 'utf8')).toBe(text);
    const missingRef = { ...saved.storyboard, shots: saved.storyboard.shots.map((shot) => (shot.id === 's2' ? { ...shot, reference: 'gone.png' } : shot)) };
    await expect(api.saveStoryboard(board, missingRef)).rejects.toThrow(/gone\.png/);
    expect(readFileSync(board, 'utf8')).toBe(text);
    expect(await readdir(dir)).not.toContainEqual(expect.stringMatching(/\.partial$/));
  });

  it('lists the storyboards opened here, newest first', async () => {
    const recent = await api.listStoryboards();
    expect(recent[0]).toMatchObject({ path: board, title: 'Board «api»', shots: 3, exists: true });
    expect(recent.map((entry) => basename(entry.path))).toContain('broken.yaml');
  });
});

describe('settings', () => {
  it('app info: data folder, exports folder, online, the media engine and encoder, the signer', async () => {
    const info = await api.getAppInfo();
    expect(info).toMatchObject({ dataDir: join(dir, 'data'), online: true, signing: { available: true, subject: 'Test Operator' } });
    expect(existsSync(info.exportsDir)).toBe(true);
    expect(info.media?.encoder).toBeTruthy();
    expect(info.media?.encoderReason).toBeTruthy();
    expect(info.media?.scalingReason).toMatch(/FFmpeg's scaler|libplacebo on/);
  });

  it('provider keys: stored in the keychain, reported by where they come from, never by value', async () => {
    const before = await api.listProviderKeys();
    expect(before.keys.find((row) => row.provider === 'runway')).toMatchObject({ source: 'environment', environmentVariables: ['RUNWAYML_API_SECRET'] });
    const after = await api.setProviderKey('luma', { LUMAAI_API_KEY: 'luma-secret-value-0a1b2c' });
    expect(after.keys.find((row) => row.provider === 'luma')).toMatchObject({ source: 'keychain' });
    expect(JSON.stringify(after)).not.toContain('luma-secret-value-0a1b2c');
    expect(JSON.stringify(await api.listEngines())).not.toContain(KEY_VALUE);
    await expect(api.setProviderKey('kling', { KLING_ACCESS_KEY: 'only-one' })).rejects.toThrow(/KLING_SECRET_KEY/);
    await expect(api.setProviderKey('animatic', { X: 'y' })).rejects.toThrow(/takes no API key/);
    const removed = await api.deleteProviderKey('luma');
    expect(removed.keys.find((row) => row.provider === 'luma')?.source).toBeNull();
  });

  it('engine edits: the same fields and checks as `engines set`', async () => {
    const row = await api.updateEngine('runway-gen4.5', { price: '0.2', concurrency: '3', enabled: false });
    expect(row.spec).toMatchObject({ enabled: false, concurrency: 3 });
    expect(row.spec.pricing.every((price) => price.microsPerSecond === 200_000)).toBe(true);
    await expect(api.updateEngine('runway-gen4.5', { concurrency: 'lots' })).rejects.toThrow(/concurrency: must be a whole number/);
    await expect(api.updateEngine('no-such-engine', { enabled: true })).rejects.toThrow(/no-such-engine/);
    const restored = await api.updateEngine('runway-gen4.5', { price: '', concurrency: '', enabled: true });
    expect(restored.spec.enabled).toBe(true);
  });
});

describe('a signed render seen from the board', () => {
  let episodeId: string;

  it('renders, and the provenance panel reads each take and the export back as Trusted', async () => {
    const events: ProgressEvent[] = [];
    const unsubscribe = api.onProgress((event) => events.push(event));
    const outputPath = join(dir, 'data', 'exports', 'board «api».mp4');
    ({ episodeId } = await api.startRender(board, { outputPath }));
    await until(() => events.some((event) => event.type === 'episode' && event.episodeId === episodeId), 120_000);
    unsubscribe();
    expect((await api.openStoryboard({ path: board })).episodeId).toBe(episodeId);

    const take = await api.verifyCredentials({ episodeId, shotId: 's1' });
    expect(take.state).toBe('signed');
    expect(take.report).toMatchObject({ validity: 'trusted', take: { shotId: 's1', takeNo: 1, engineId: 'animatic' } });
    const exported = await api.verifyCredentials({ episodeId });
    expect(exported.report?.validity).toBe('trusted');
    expect(exported.report?.ingredients.map((ingredient) => [ingredient.take?.shotId, ingredient.validity])).toEqual([
      ['s1', 'trusted'],
      ['s2', 'trusted'],
      ['s3', 'trusted'],
    ]);
    await expect(api.verifyCredentials({ episodeId, shotId: 's1', takeNo: 7 })).rejects.toThrow(/no take 7 \(takes: 1\)/);
    await expect(api.verifyCredentials({ episodeId: 'nope' })).rejects.toThrow(/episodeId: no episode nope/);
  }, 180_000);

  it('spend by day adds up to the total; an export at another loudness is kept for the episode', async () => {
    const costs = await api.costSummary();
    expect(costs.byDay.reduce((sum, day) => sum + day.spentMicros, 0)).toBe(costs.totalMicros);
    const events: ProgressEvent[] = [];
    const unsubscribe = api.onProgress((event) => events.push(event));
    await api.restitchEpisode(episodeId, { outputPath: join(dir, 'data', 'exports', 'broadcast.mp4'), loudness: -23, sign: false });
    await until(() => events.some((event) => event.type === 'episode' && event.episodeId === episodeId), 120_000);
    unsubscribe();
    expect(existsSync(join(dir, 'data', 'exports', 'broadcast.mp4'))).toBe(true);
    const summary = (await api.listEpisodes()).find((episode) => episode.episodeId === episodeId)!;
    expect(summary.state).toBe('completed');
    await expect(api.restitchEpisode(episodeId, { outputPath: join(dir, 'x.mp4'), loudness: -60 })).rejects.toThrow(/loudness: must be between -40 and -5 LUFS/);
  }, 180_000);

  it('a transition edited on the board since the render reaches the next export without a render', async () => {
    const document = await api.openStoryboard({ path: board });
    // s1 faded into s2 (0.25 s of overlap); now a cut.
    await api.saveStoryboard(board, { ...document.storyboard, shots: document.storyboard.shots.map((shot) => (shot.id === 's1' ? { ...shot, transition: { type: 'cut', duration: 0 } } : shot)) });
    const events: ProgressEvent[] = [];
    const unsubscribe = api.onProgress((event) => events.push(event));
    const attemptsBefore = (await api.getEpisode(episodeId)).shots.flatMap((shot) => shot.attempts).length;
    await api.restitchEpisode(episodeId, { outputPath: join(dir, 'data', 'exports', 'cut.mp4'), sign: false });
    await until(() => events.some((event) => event.type === 'episode' && event.episodeId === episodeId), 120_000);
    unsubscribe();
    const seconds = (file: string) => Number(execFileSync(bins.ffprobe, ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file], { encoding: 'utf8' }));
    const faded = seconds(join(dir, 'data', 'exports', 'broadcast.mp4'));
    const cut = seconds(join(dir, 'data', 'exports', 'cut.mp4'));
    expect(cut - faded).toBeGreaterThan(0.2);
    expect(cut - faded).toBeLessThan(0.3);
    expect((await api.getEpisode(episodeId)).shots.flatMap((shot) => shot.attempts)).toHaveLength(attemptsBefore);
  }, 180_000);
});

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
