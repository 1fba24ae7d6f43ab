/**
 * The AI score inside a real render: the studio gates every clip with Gemini (the real
 * @google/genai SDK against the generateContent emulator), an off-prompt clip is sent to
 * the next engine, the scores feed the engines' observed quality, and what Google billed
 * is in the ledger to the micro-dollar, inside the budget.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStudio, type StudioServices } from '../../src/main/studio';
import { EnvironmentKeys } from '../../src/main/secrets/keys';
import { costSummary } from '../../src/main/store/reports';
import { GeminiVisionEmulator } from '../emulators/gemini-vision/server';

const KEY = 'AIzaSyStudioGateEmulator-0123456789abcdXYZ';
let emulator: GeminiVisionEmulator;
let dir: string;
let studio: StudioServices;

beforeAll(async () => {
  emulator = new GeminiVisionEmulator({ apiKey: KEY });
  await emulator.start();
  dir = mkdtempSync(join(tmpdir(), 'shotline ai gate '));
  const env = { ...process.env, GEMINI_API_KEY: KEY, GOOGLE_GEMINI_BASE_URL: emulator.url };
  studio = openStudio({ dataDir: join(dir, 'data'), env, keys: new EnvironmentKeys(env) });
});

afterAll(async () => {
  studio?.close();
  await emulator?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the AI score in a render', () => {
  it('escalates an off-prompt clip, learns from the scores, and books what Gemini billed', async () => {
    // The animatic's card for this prompt is judged off-prompt; everything else scores well.
    emulator.when('a violin on fire', { promptAdherence: 0.1, artifacts: 0.9, score: 0.15, reason: 'no violin, no fire: a text card' });
    const storyboard = join(dir, 'scored.yaml');
    writeFileSync(
      storyboard,
      [
        'title: Scored',
        'mode: preview',
        'budget: { limit: 1 }',
        'output: { resolution: 480p, aspect: "16:9", fps: 24 }',
        'shots:',
        '  - { id: s1, kind: insert, prompt: "a quiet harbour at dawn", duration: 2, engine: animatic }',
        '  - { id: s2, kind: insert, prompt: "a violin on fire", duration: 2, engine: animatic }',
      ].join('\n'),
    );
    const report = await studio.render.render(storyboard, { outputPath: join(dir, 'scored.mp4'), allowPartial: true });
    expect(report.shots.find((s) => s.shotId === 's1')).toMatchObject({ status: 'accepted' });
    const s2 = report.shots.find((s) => s.shotId === 's2')!;
    // Escalated: the pinned engine is not asked again, and nothing else may make the shot.
    expect(s2.status).toBe('failed');
    expect(s2.attempts).toHaveLength(1);
    const gated = s2.attempts.filter((a) => a.gate);
    expect(gated[0]!.gate).toMatchObject({ decision: 'escalate' });
    expect(gated[0]!.gate!.checks.find((c) => c.name === 'ai_score')).toMatchObject({ outcome: 'fail', value: 0.15 });

    const quality = studio.db.prepare(`SELECT COALESCE(SUM(micros), 0) AS charged FROM ledger WHERE purpose = 'quality_check' AND entry = 'charge'`).get() as { charged: number };
    const held = studio.db.prepare(`SELECT COALESCE(SUM(CASE entry WHEN 'reserve' THEN micros WHEN 'release' THEN -micros ELSE 0 END), 0) AS held FROM ledger WHERE purpose = 'quality_check'`).get() as { held: number };
    expect(emulator.invoiceMicros).toBeGreaterThan(0);
    expect(quality.charged).toBe(emulator.invoiceMicros);
    expect(held.held).toBe(0);
    // `shotline costs` shows it under the model that did the checking.
    expect(costSummary(studio.db).byEngine).toContainEqual(expect.objectContaining({ engineId: 'gemini-vision:gemini-2.5-flash', spentMicros: emulator.invoiceMicros }));
    expect(studio.gateResults.observedQuality('animatic', 'insert')!.samples).toBeGreaterThanOrEqual(2);
  }, 120_000);
});
