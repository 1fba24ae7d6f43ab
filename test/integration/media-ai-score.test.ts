/**
 * The gate's AI score end to end: real clips (ffmpeg) sampled into a contact sheet by the
 * media worker (CLI backend), sent by the real @google/genai SDK to the loopback
 * generateContent emulator. Covers pass/fail per strictness, every fault the scorer must
 * survive as a 'skipped' check, the key never leaking, and ledger == invoice.
 */
import { suiteMediaSettings } from '../support/test-media';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isAbortError } from '../../src/shared/errors';
import type { GateCheck } from '../../src/shared/quality';
import { contactSheetGeometry, contactSheetJob, pngSize } from '../../src/main/media/ai/contact-sheet';
import { AI_SCORE_MAX_OUTPUT_TOKENS, estimateAiScoreMaxCostMicros, scoreClip, scoreContactSheet, type AiScoreResult } from '../../src/main/media/ai/score';
import { makeAiScorer, type AiCallCost } from '../../src/main/media/ai/scorer';
import { costMicrosForUsage, GEMINI_TOKEN_PRICES } from '../../src/main/media/ai/prices';
import { MediaPool } from '../../src/main/media/worker/pool';
import { GeminiVisionEmulator } from '../emulators/gemini-vision/server';
import { makeClip, nastyTempDir, removeDir } from './media-fixtures';

const KEY = 'AIzaSyVisionEmulator-0123456789abcdefXYZ';
const WRONG_KEY = 'AIzaSyWrongKeyForTheTest-9876543210zyxwv';

let dir: string;
let clip: string;
let sheetPath: string;
let emulator: GeminiVisionEmulator;
let pool: MediaPool;
/** What the ledger would hold: every result's cost, summed. */
let ledger = 0;
/** Every text a user or log could see, to prove the key never shows. */
const visible: string[] = [];

function connection(apiKey = KEY) {
  // The base URL comes from the environment, as it would for the Veo adapter.
  return { apiKey, env: { GOOGLE_GEMINI_BASE_URL: emulator.url } };
}

function record(result: AiScoreResult): AiScoreResult {
  ledger += result.costMicros;
  visible.push(JSON.stringify(result.check));
  return result;
}

function sheetScore(prompt: string, options: Partial<Parameters<typeof scoreContactSheet>[0]> = {}) {
  return scoreContactSheet({ sheetPath, prompt, strictness: 'final', connection: connection(), ...options }).then(record);
}

beforeAll(async () => {
  dir = await nastyTempDir('ai score');
  emulator = new GeminiVisionEmulator({ apiKey: KEY });
  await emulator.start();
  pool = new MediaPool({ settings: suiteMediaSettings(), size: 2 });
  clip = await makeClip(join(dir, 'shot 01.mp4'), { width: 320, height: 180, fps: 24, seconds: 2, audio: false });
  // The sheet for the fault tests, made once through the real path.
  emulator.when('a red fox', { promptAdherence: 0.9, artifacts: 0.8, score: 0.82, reason: 'A red fox crosses the snow, crisp and clean.' });
  const first = record(await scoreClip({ media: pool, clipPath: clip, prompt: 'a red fox crossing a snowy field', strictness: 'final', connection: connection(), workDir: dir }));
  if (!first.sheet) throw new Error(`no sheet kept: ${first.check.detail}`);
  sheetPath = first.sheet.path;
});

afterAll(async () => {
  pool?.close();
  await emulator?.close();
  await removeDir(dir);
});

beforeEach(() => emulator.reset());

describe('contact sheet', () => {
  it('samples 4 frames evenly into one 2x2 PNG through the media worker', async () => {
    const bytes = await readFile(sheetPath);
    expect(pngSize(bytes)).toEqual({ width: 640, height: 360 });
    const job = contactSheetJob({ clipPath: clip, durationSeconds: 2, geometry: contactSheetGeometry({ width: 320, height: 180 }), outputPath: 'x.png' });
    expect(job.output.container).toBe('png');
    // Frame i is the first at or after (i + 0.5) * 2 s / 4; the comma is escaped for the graph parser.
    expect(job.graph).toBe('[0:v]select=expr=gte(t\\,(selected_n+0.5)*0.5),scale=w=320:h=180:flags=bicubic,setsar=r=1,tile=layout=2x2:nb_frames=4:color=black,format=pix_fmts=rgb24[sheet]');
    expect(contactSheetGeometry({ width: 1920, height: 1080 })).toMatchObject({ frameWidth: 682, frameHeight: 384, width: 1364, height: 768 });
    expect(contactSheetGeometry({ width: 1080, height: 1920 }, { frames: 4, columns: 4 })).toMatchObject({ rows: 1, width: 864, height: 384 });
  });
});

describe('AI score', () => {
  it('passes a clip the model rates above the threshold, with what was sent on the wire', () => {
    const request = emulator.requests[0]!;
    expect(request.apiKey).toBe(KEY);
    expect(request.model).toBe('gemini-2.5-flash');
    expect(request.images).toEqual([{ mimeType: 'image/png', width: 640, height: 360, bytes: expect.any(Number) }]);
    expect(request.text).toContain('a red fox crossing a snowy field');
    expect(request.generationConfig).toMatchObject({ responseMimeType: 'application/json', maxOutputTokens: AI_SCORE_MAX_OUTPUT_TOKENS, temperature: 0, thinkingConfig: { thinkingBudget: 0 } });
    expect(Object.keys((request.generationConfig.responseSchema as { properties: object }).properties)).toEqual(['promptAdherence', 'artifacts', 'score', 'reason']);
  });

  it('reports the score, the measured line, the limit and the reason', async () => {
    emulator.when('a red fox', { promptAdherence: 0.9, artifacts: 0.8, score: 0.82, reason: 'A red fox crosses the snow, crisp and clean.' });
    const result = await sheetScore('a red fox crossing a snowy field');
    expect(result.check).toEqual<GateCheck>({
      name: 'ai_score',
      value: 0.82,
      measured: '0.82 (adherence 0.9, artifacts 0.8)',
      limit: 'at least 0.6 (final)',
      outcome: 'pass',
      detail: 'A red fox crosses the snow, crisp and clean.',
    });
    expect(result.billing).toBe('billed');
    expect(result.skippedBecause).toBeNull();
  });

  it('fails a clip below the threshold, leniently for previews', async () => {
    emulator.when('underwater castle', { promptAdherence: 0.1, artifacts: 0.7, score: 0.2, reason: 'Shows a forest, not an underwater castle.' });
    emulator.when('borderline', { promptAdherence: 0.5, artifacts: 0.5, score: 0.45, reason: 'Partly matches.' });
    const off = await sheetScore('an underwater castle at dusk');
    expect(off.check.outcome).toBe('fail');
    expect(off.check.value).toBe(0.2);
    expect(off.check.detail).toBe('Shows a forest, not an underwater castle.');
    const offPreview = await sheetScore('an underwater castle at dusk', { strictness: 'preview' });
    expect(offPreview.check).toMatchObject({ outcome: 'fail', limit: 'at least 0.3 (preview)' });
    const middling = await sheetScore('a borderline shot', { strictness: 'preview' });
    expect(middling.check.outcome).toBe('pass');
    expect((await sheetScore('a borderline shot', { strictness: 'final' })).check.outcome).toBe('fail');
    expect((await sheetScore('a borderline shot', { thresholds: { final: 0.4 } })).check.outcome).toBe('pass');
  });

  it('clamps numbers outside 0..1', async () => {
    emulator.when('overexcited', { promptAdherence: 1.4, artifacts: -0.3, score: 7, reason: 'Great.' });
    const result = await sheetScore('an overexcited scorer');
    expect(result.check).toMatchObject({ value: 1, measured: '1 (adherence 1, artifacts 0)', outcome: 'pass' });
  });

  it('skips (never fails) on 429, naming the wait, and bills nothing', async () => {
    emulator.setFaults({ rateLimits: 1, retryAfterSeconds: 7 });
    const before = emulator.invoiceMicros;
    const result = await sheetScore('a rate limited shot');
    expect(result.check).toMatchObject({ name: 'ai_score', value: null, outcome: 'skipped', measured: 'not scored' });
    expect(result.check.detail).toBe('AI score skipped: Gemini rate limit or quota reached (HTTP 429); retry after 7 s');
    expect(result.skippedBecause).toBe('rate_limited');
    expect(result.costMicros).toBe(0);
    expect(emulator.invoiceMicros).toBe(before);
  });

  it('skips on 503 and on 500', async () => {
    emulator.setFaults({ serverErrors: 1 });
    const down = await sheetScore('a shot while Gemini is overloaded');
    expect(down.check.outcome).toBe('skipped');
    expect(down.check.detail).toMatch(/^AI score skipped: Gemini is unavailable \(HTTP 503\): The model is overloaded/);
    emulator.setFaults({ serverErrors: 1, serverErrorStatus: 500 });
    const internal = await sheetScore('a shot on an internal error');
    expect(internal.check.detail).toMatch(/HTTP 500/);
    expect(internal.skippedBecause).toBe('unavailable');
  });

  it('skips a hung call after its timeout, without waiting for the default minute', async () => {
    emulator.setFaults({ hangs: 1 });
    const started = Date.now();
    const result = await sheetScore('a shot that hangs', { timeoutMs: 400 });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(result.check.outcome).toBe('skipped');
    expect(result.check.detail).toBe('AI score skipped: Gemini did not answer within 0.4 s');
    expect(result.billing).toBe('unknown');
    expect(result.costMicros).toBe(0);
    expect(result.maxCostMicros).toBeGreaterThan(0);
  });

  it('throws on the caller\'s cancel instead of skipping', async () => {
    emulator.setFaults({ hangs: 1 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const error = await sheetScore('a shot being cancelled', { signal: controller.signal }).catch((thrown: unknown) => thrown);
    expect(isAbortError(error)).toBe(true);
    visible.push(String(error), (error as Error).stack ?? '');
  });

  it('skips with "Gemini key refused" for a wrong key and never shows it', async () => {
    const result = await scoreContactSheet({ sheetPath, prompt: 'a shot with a wrong key', strictness: 'final', connection: connection(WRONG_KEY) }).then(record);
    expect(emulator.requests.at(-1)?.status).toBe(400);
    expect(result.check.outcome).toBe('skipped');
    expect(result.check.detail).toMatch(/^AI score skipped: Gemini key refused \(HTTP 400\): API key not valid/);
    expect(result.skippedBecause).toBe('auth');
    expect(JSON.stringify(result)).not.toContain(WRONG_KEY);
    const empty = await scoreContactSheet({ sheetPath, prompt: 'no key', strictness: 'final', connection: connection('  ') });
    expect(empty.check).toMatchObject({ outcome: 'skipped', detail: 'AI score skipped: no Gemini API key' });
  });

  it('skips a malformed JSON answer, and still books what Google billed for it', async () => {
    emulator.setFaults({ malformedAnswers: 1 });
    const before = emulator.invoiceMicros;
    const result = await sheetScore('a shot whose answer is cut off');
    expect(result.check.outcome).toBe('skipped');
    expect(result.check.detail).toMatch(/^AI score skipped: Gemini's answer was not valid JSON/);
    expect(result.skippedBecause).toBe('bad_answer');
    expect(result.costMicros).toBeGreaterThan(0);
    expect(result.costMicros).toBe(emulator.invoiceMicros - before);
  });

  it('skips an answer that breaks the schema, and one cut off at maxOutputTokens', async () => {
    emulator.when('schema breaker', { score: 'high', reason: 42 });
    const wrong = await sheetScore('a schema breaker');
    expect(wrong.check.detail).toMatch(/did not match the schema: .*score/);
    emulator.when('long winded', { reason: 'very '.repeat(400) });
    const cut = await sheetScore('a long winded answer', { maxOutputTokens: 40 });
    expect(cut.check.detail).toBe('AI score skipped: Gemini ran out of output tokens before finishing its answer');
    expect(cut.billing).toBe('billed');
  });

  it('skips when Gemini cannot be reached or the model has no price', async () => {
    const closed = createServer();
    const port = await new Promise<number>((resolve) => closed.listen(0, '127.0.0.1', () => resolve((closed.address() as AddressInfo).port)));
    await new Promise((resolve) => closed.close(resolve));
    const unreachable = await scoreContactSheet({ sheetPath, prompt: 'offline', strictness: 'final', connection: { apiKey: KEY, baseUrl: `http://127.0.0.1:${port}` } });
    expect(unreachable.check.outcome).toBe('skipped');
    expect(unreachable.check.detail).toMatch(/^AI score skipped: could not reach Gemini \(ECONNREFUSED\)/);
    expect(unreachable.billing).toBe('not_billed');
    const calls = emulator.requests.length;
    const unpriced = await sheetScore('unpriced', { model: 'gemini-9-ultra' });
    expect(unpriced.check.detail).toMatch(/no price is known for Gemini model gemini-9-ultra/);
    expect(emulator.requests.length).toBe(calls);
  });

  it('skips a clip that cannot be sampled, without calling Gemini', async () => {
    const broken = join(dir, 'broken.mp4');
    await writeFile(broken, Buffer.from('this is not a video at all'));
    const calls = emulator.requests.length;
    const result = record(await scoreClip({ media: pool, clipPath: broken, prompt: 'anything', strictness: 'final', connection: connection() }));
    expect(result.check.outcome).toBe('skipped');
    expect(result.check.detail).toMatch(/^AI score skipped: could not sample frames from the clip/);
    expect(result.skippedBecause).toBe('sampling');
    expect(emulator.requests.length).toBe(calls);
  });

  it('never lets the key into a check, even when the answer echoes it', async () => {
    emulator.when('echo', { score: 0.9, reason: `your key ${KEY} looks fine` });
    const result = await sheetScore('an echo test');
    expect(result.check.detail).toBe('your key [redacted] looks fine');
  });

  it('bills thinking tokens as output when thinking is on (Pro), and the reservation covers the call', async () => {
    emulator.setFaults({ thoughtsTokenCount: 150 });
    const before = emulator.invoiceMicros;
    const result = await sheetScore('a shot scored by pro', { model: 'gemini-2.5-pro' });
    expect(result.check.outcome).not.toBe('skipped');
    expect(emulator.requests.at(-1)?.generationConfig.thinkingConfig).toBeUndefined();
    expect(result.usage?.thoughtsTokenCount).toBe(150);
    expect(result.costMicros).toBe(costMicrosForUsage(GEMINI_TOKEN_PRICES['gemini-2.5-pro']!, result.usage!));
    expect(result.costMicros).toBe(emulator.invoiceMicros - before);
    // With thinking the output bound is maxOutputTokens, which the call stayed under.
    const bound = estimateAiScoreMaxCostMicros({ prompt: 'a shot scored by pro', model: 'gemini-2.5-pro', sheet: { width: 640, height: 360 } });
    expect(bound).toBe(result.maxCostMicros);
    expect(result.costMicros).toBeLessThanOrEqual(bound);
    // The estimate from the clip's size alone (before the sheet exists) is the same.
    expect(estimateAiScoreMaxCostMicros({ prompt: 'a shot scored by pro', model: 'gemini-2.5-pro', clip: { width: 320, height: 180 } })).toBe(bound);
  });
});

describe('gate wiring', () => {
  it('reserves, scores and books the cost through makeAiScorer', async () => {
    const reserved: number[] = [];
    const costs: AiCallCost[] = [];
    emulator.when('lighthouse', { score: 0.25, reason: 'No lighthouse in frame.' });
    const aiScore = makeAiScorer({
      media: pool,
      connection: () => connection(),
      reserve: (bound) => {
        reserved.push(bound);
        return true;
      },
      onCost: (cost) => {
        costs.push(cost);
      },
    });
    const before = emulator.invoiceMicros;
    const check = await aiScore({ clipPath: clip, prompt: 'a lighthouse in a storm', strictness: 'final', shotId: 's07' });
    expect(check).toMatchObject({ name: 'ai_score', outcome: 'fail', value: 0.25, detail: 'No lighthouse in frame.' });
    expect(costs).toHaveLength(1);
    expect(costs[0]).toMatchObject({ shotId: 's07', model: 'gemini-2.5-flash', billing: 'billed' });
    expect(costs[0]!.costMicros).toBe(emulator.invoiceMicros - before);
    expect(reserved).toHaveLength(1);
    // The bound comes from the probed clip's size (320x180, so a 640x360 sheet), and is what the cost settles against.
    expect(reserved[0]).toBe(estimateAiScoreMaxCostMicros({ prompt: 'a lighthouse in a storm', clip: { width: 320, height: 180 } }));
    expect(costs[0]!.reservedMicros).toBe(reserved[0]);
    expect(costs[0]!.costMicros).toBeLessThanOrEqual(reserved[0]!);
    ledger += costs[0]!.costMicros;
    visible.push(JSON.stringify(check));

    const noKey = makeAiScorer({ media: pool, connection: () => undefined });
    const calls = emulator.requests.length;
    expect(await noKey({ clipPath: clip, prompt: 'x', strictness: 'preview' })).toMatchObject({ outcome: 'skipped', detail: expect.stringContaining('no Gemini API key') });
    const noBudget = makeAiScorer({ media: pool, connection: () => connection(), reserve: () => false });
    expect(await noBudget({ clipPath: clip, prompt: 'x', strictness: 'preview' })).toMatchObject({ outcome: 'skipped', detail: expect.stringContaining('budget') });
    expect(emulator.requests.length).toBe(calls);
  });

  it('settles the reservation as unknown when the run is cancelled mid-call, then lets the cancel through', async () => {
    emulator.setFaults({ hangs: 1 });
    const costs: AiCallCost[] = [];
    const aiScore = makeAiScorer({ media: pool, connection: () => connection(), reserve: () => true, onCost: (cost) => void costs.push(cost) });
    const controller = new AbortController();
    const pending = aiScore({ clipPath: clip, prompt: 'a cancelled shot', strictness: 'final', signal: controller.signal });
    const hungBefore = emulator.requests.length;
    while (emulator.requests.length === hungBefore) await new Promise((resolve) => setTimeout(resolve, 20));
    controller.abort();
    const error = await pending.catch((thrown: unknown) => thrown);
    expect(isAbortError(error)).toBe(true);
    expect(costs).toHaveLength(1);
    expect(costs[0]).toMatchObject({ billing: 'unknown', costMicros: 0 });
    expect(costs[0]!.reservedMicros).toBeGreaterThan(0);
  });
});

describe('money and secrets over the whole file', () => {
  it('the ledger equals the emulator\'s invoice to the micro-dollar', () => {
    expect(emulator.invoice.length).toBeGreaterThan(5);
    expect(ledger).toBe(emulator.invoiceMicros);
  });

  it('the API key appears in no check text and no thrown error', () => {
    expect(visible.length).toBeGreaterThan(10);
    for (const text of visible) {
      expect(text).not.toContain(KEY);
      expect(text).not.toContain(WRONG_KEY);
    }
  });
});
