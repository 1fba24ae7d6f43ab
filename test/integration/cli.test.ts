import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, projectRoot } from '../support/cli-process';

const quick = join(projectRoot, 'resources/examples/quick.yaml');
const pilot = join(projectRoot, 'resources/examples/pilot.yaml');

function probe(file: string): { duration: number; width: number; height: number; audio: boolean } {
  const out = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration:stream=codec_type,width,height', '-of', 'json', file]).toString()) as {
    format: { duration: string };
    streams: { codec_type: string; width?: number; height?: number }[];
  };
  const video = out.streams.find((s) => s.codec_type === 'video')!;
  return { duration: Number(out.format.duration), width: video.width!, height: video.height!, audio: out.streams.some((s) => s.codec_type === 'audio') };
}

describe('shotline CLI', () => {
  let dir: string;
  let dataDir: string;
  let out: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'shotline cli “test” '));
    dataDir = join(dir, 'data');
    out = join(dir, 'épisode one', 'quick look.mp4');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('renders the quick example with no keys: the sum of the shots minus transitions, at the requested size', async () => {
    const result = await runCli(['render', quick, '--out', out, '--data-dir', dataDir, '--json'], { RUNWAYML_API_SECRET: '', GEMINI_API_KEY: '' });
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack traces
    expect(result.code).toBe(0);
    const media = probe(out);
    expect(Math.abs(media.duration - (3 + 3 + 4 - 0.5))).toBeLessThanOrEqual(0.1);
    expect([media.width, media.height]).toEqual([1280, 720]);
    expect(media.audio).toBe(true);

    const report = JSON.parse(result.stdout) as {
      status: string;
      shots: { shotId: string; engineId: string; costMicros: number; clipPath: string; attempts: { engineId: string }[]; plan: { candidates: { reason: string }[]; rejections: { reason: string }[] } }[];
      totals: { spentMicros: number; attempts: number };
    };
    expect(report.status).toBe('completed');
    expect(report.shots.map((s) => s.shotId)).toEqual(['q01', 'q02', 'q03']);
    for (const shot of report.shots) {
      expect(shot.engineId).toBe('animatic');
      expect(existsSync(shot.clipPath)).toBe(true);
      expect(shot.plan.rejections.some((r) => /sora-2: rejected, retired/.test(r.reason))).toBe(true);
    }
    expect(report.totals).toMatchObject({ spentMicros: 0, attempts: 3 });
  }, 120_000);

  it('re-running the same command resumes the same episode and generates nothing again', async () => {
    const result = await runCli(['render', quick, '--out', out, '--data-dir', dataDir, '--json']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { resumed: boolean; totals: { attempts: number }; shots: { status: string; attempts: { thisRun: boolean }[] }[] };
    // No attempt in this run; each shot's take from the first run stands.
    expect(report).toMatchObject({ resumed: true, totals: { attempts: 0 } });
    expect(report.shots.map((s) => [s.status, s.attempts.map((a) => a.thisRun)])).toEqual([
      ['accepted', [false]],
      ['accepted', [false]],
      ['accepted', [false]],
    ]);
  }, 120_000);

  it('reports costs by engine, episode and mode, with the preview saving', async () => {
    const result = await runCli(['costs', '--data-dir', dataDir, '--json']);
    expect(result.code).toBe(0);
    const costs = JSON.parse(result.stdout) as { byEngine: { engineId: string; attempts: number }[]; byMode: { mode: string }[]; previewSaving: { episodes: number; finalEstimateMicros: number; savedMicros: number } };
    expect(costs.byEngine).toEqual([{ engineId: 'animatic', spentMicros: 0, attempts: 3 }]);
    expect(costs.previewSaving.episodes).toBe(1);
    expect(costs.previewSaving.finalEstimateMicros).toBeGreaterThan(0);
    expect(costs.previewSaving.savedMicros).toBe(costs.previewSaving.finalEstimateMicros);
    const text = await runCli(['costs', '--data-dir', dataDir]);
    expect(text.stdout).toMatch(/Preview-then-commit:\n  1 preview render\(s\) cost \$0\.00/);
  });

  it('lists the registry with status, prices and health', async () => {
    const result = await runCli(['engines', '--data-dir', dataDir, '--json']);
    const rows = JSON.parse(result.stdout) as { spec: { id: string; status: string }; health: { successes: number }; keyConfigured: boolean }[];
    const byId = new Map(rows.map((r) => [r.spec.id, r]));
    expect(byId.get('sora-2')!.spec.status).toBe('retired');
    expect(byId.get('animatic')!.health.successes).toBeGreaterThanOrEqual(3);
    const table = await runCli(['engines', '--data-dir', dataDir]);
    expect(table.stdout).toMatch(/^ID\s+PROVIDER\s+STATUS\s+PRICE/);
    expect(table.stdout).toMatch(/sora-2\s+openai\s+retired 2026-09-24/);
  });

  it('exits 2 with the field path for a bad storyboard, and no stack trace', async () => {
    const bad = join(dir, 'bad board.yaml');
    writeFileSync(bad, 'title: Bad\nshots:\n  - { id: s1, kind: action, prompt: x, duration: 99 }\n  - { id: s1, kind: explosion, prompt: y, duration: 2 }\n');
    const result = await runCli(['render', bad, '--out', join(dir, 'x.mp4'), '--data-dir', dataDir]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('shots[0].duration: must be between 1 and 20 seconds');
    expect(result.stderr).toContain('shots[1].kind: must be one of');
    expect(result.stderr).toContain('duplicate shot id "s1"');
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(dir, 'x.mp4'))).toBe(false);
  });

  it('exits 2 on usage errors naming the flag', async () => {
    expect((await runCli(['render', quick, '--out', join(dir, 'y.mp4'), '--mode', 'draft', '--data-dir', dataDir])).stderr).toContain('--mode: must be one of preview, final, got "draft"');
    const unknown = await runCli(['render', quick, '--bogus']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/bogus/);
    const noOut = await runCli(['render', quick, '--data-dir', dataDir]);
    expect(noOut).toMatchObject({ code: 2 });
    expect(noOut.stderr).toContain('--out: required');
    expect((await runCli(['frobnicate'])).code).toBe(2);
  });

  it('final mode with no keys: refused before anything is created (exit 2, every shot named); --allow-partial tries and reports', async () => {
    const noKeys = { RUNWAYML_API_SECRET: '', GEMINI_API_KEY: '', GOOGLE_API_KEY: '', LUMAAI_API_KEY: '', KLING_ACCESS_KEY: '', OPENAI_API_KEY: '' };
    const out = join(dir, 'pilot.mp4');
    const refused = await runCli(['render', pilot, '--out', out, '--data-dir', dataDir], noKeys);
    expect(refused.code).toBe(2);
    expect(refused.stderr).not.toMatch(/\n\s+at /);
    expect(refused.stderr).toMatch(/cannot be made as planned; nothing was spent/);
    expect(refused.stderr).toMatch(/shots\[0\] \(s01\): no engine can make it: .*animatic: rejected, preview-only engine/);
    expect(refused.stderr.match(/no engine can make it/g)).toHaveLength(12);
    const episodes = await runCli(['costs', '--data-dir', dataDir, '--json']);
    expect((JSON.parse(episodes.stdout) as { byEpisode: { title: string }[] }).byEpisode.map((e) => e.title)).not.toContain('Tidewater: Pilot');

    const result = await runCli(['render', pilot, '--out', out, '--data-dir', dataDir, '--json', '--allow-partial'], noKeys);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as { status: string; outputPath: string | null; shots: { status: string; failureReason: string }[] };
    expect(report.status).toBe('failed');
    expect(report.outputPath).toBeNull();
    expect(report.shots).toHaveLength(12);
    expect(report.shots[0]!.failureReason).toMatch(/animatic: rejected, preview-only engine/);
    expect(existsSync(out)).toBe(false);
  });
});
