import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AttemptGateView, EngineRow } from '../../src/shared/api';
import { toMicros } from '../../src/shared/money';
import { storyboardSchema } from '../../src/shared/storyboard';
import { formatEnginesTable, observedLabel } from '../../src/main/cli/engines-table';
import { formatRenderReport, gateLines, stitchLines } from '../../src/main/cli/report-text';
import type { RenderReport } from '../../src/main/pipeline/render-report';
import { defaultSeedPath, emptyHealth, loadSeedFile } from '../../src/main/registry';
import { openStudio, type StudioServices } from '../../src/main/studio';
import { board } from '../support/pipeline-harness';

const SEED = loadSeedFile(defaultSeedPath());
const NOW = Date.UTC(2026, 10, 21, 12);
const stripAnsi = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, '');

function rows(): EngineRow[] {
  return SEED.engines.map((spec) => ({ spec, health: emptyHealth(spec.id), keyConfigured: true, adapterAvailable: true }));
}

describe('shotline engines: observed quality', () => {
  it('adds no column while nothing has been gated', () => {
    const text = formatEnginesTable(rows(), { color: false, now: NOW });
    expect(text).not.toContain('OBSERVED');
    expect(formatEnginesTable(rows().map((r) => ({ ...r, observedQuality: {} })), { color: false, now: NOW })).toBe(text);
  });

  it('shows observed quality beside the prior for the kinds with history, in an aligned last column', () => {
    const data = rows();
    const veo = data.find((r) => r.spec.id === 'veo-3.1')!;
    veo.observedQuality = {
      action: { mean: 0.912, samples: 2, prior: 0.83, updatedAt: NOW },
      dialogue: { mean: 0.5, samples: 5, prior: 0.91, updatedAt: NOW },
    };
    const text = formatEnginesTable(data, { color: false, now: NOW });
    const lines = text.split('\n');
    const header = lines[0]!;
    expect(header).toMatch(/HEALTH\s+OBSERVED QUALITY$/);
    const line = (id: string) => lines.find((l) => l.startsWith(`${id} `))!;
    // Storyboard kind order (dialogue before action), each with its sample count and prior.
    expect(line('veo-3.1')).toMatch(/\s-\s+dialogue 0\.50 \(n=5, prior 0\.91\), action 0\.91 \(n=2, prior 0\.83\)$/);
    expect(line('veo-3.1').indexOf('dialogue 0.50')).toBe(header.indexOf('OBSERVED QUALITY'));
    expect(line('luma-ray-2')).toMatch(/\s-\s+-$/);
    expect(observedLabel({})).toBe('');

    // A mean well under the prior is tinted; the tint never moves a column.
    const coloured = formatEnginesTable(data, { color: true, now: NOW });
    expect(coloured).toContain('\x1b[33mdialogue 0.50');
    expect(stripAnsi(coloured).split('\n').map((l) => l.trimEnd())).toEqual(lines);
  });

  describe('rows from the studio', () => {
    let dir: string;
    let studio: StudioServices;
    afterEach(() => {
      studio?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it("carry the gate's history per kind, against the registry's prior (what --json prints)", () => {
      dir = mkdtempSync(join(tmpdir(), 'shotline-engine-rows-'));
      studio = openStudio({ dataDir: dir, seed: SEED, env: { PATH: process.env.PATH } });
      const storyboard = storyboardSchema.parse(board(1));
      const episodeId = studio.episodes.create({ runKey: 'k', storyboardPath: join(dir, 'b.yaml'), storyboard, outputPath: join(dir, 'o.mp4'), mode: 'final', budgetMicros: null, options: {} }).id;
      const reserved = studio.attempts.reserve({ episodeId, shotId: 's01', engineId: 'luma-ray-2', mode: 'final', request: { prompt: 'x' } as never, priceMicros: toMicros(1), estimatedMicros: toMicros(1), budgetMicros: null });
      if (!reserved.ok) throw new Error('reserve failed');
      const recorded = studio.gateResults.recordGateVerdict(reserved.attempt.id, { decision: 'escalate', checks: [], qualityScore: 0, problems: ['too dark'] });

      const engineRows = studio.engineRows();
      const luma = engineRows.find((r) => r.spec.id === 'luma-ray-2')!;
      const prior = luma.spec.quality.action;
      expect(luma.observedQuality).toEqual({ action: { mean: recorded.observed.mean, samples: 1, prior, updatedAt: recorded.observed.updatedAt } });
      expect(luma.observedQuality!.action!.mean).toBeLessThan(prior);
      expect(engineRows.find((r) => r.spec.id === 'veo-3.1')!.observedQuality).toEqual({});
      expect(JSON.parse(JSON.stringify(engineRows)).find((r: EngineRow) => r.spec.id === 'luma-ray-2').observedQuality.action.samples).toBe(1);
      expect(formatEnginesTable(engineRows, { color: false })).toMatch(new RegExp(`luma-ray-2 .*action ${recorded.observed.mean.toFixed(2)} \\(n=1, prior ${prior.toFixed(2)}\\)$`, 'm'));
    });
  });
});

const REJECTED: AttemptGateView = {
  decision: 'escalate',
  qualityScore: 0,
  problems: ['resolution 640x360: smaller than asked'],
  checks: [
    { name: 'decodes', value: null, measured: 'h264', limit: 'decodes to the end', outcome: 'pass', detail: '' },
    { name: 'resolution', value: 640, measured: '640x360', limit: '1280x720 or scalable to it', outcome: 'fail', detail: 'smaller than asked' },
    { name: 'ai_score', value: null, measured: '', limit: 'at least 0.5', outcome: 'skipped', detail: 'no Gemini key' },
  ],
};
const ACCEPTED: AttemptGateView = {
  decision: 'pass',
  qualityScore: 0.86,
  problems: [],
  checks: [
    { name: 'decodes', value: null, measured: 'h264', limit: 'decodes to the end', outcome: 'pass', detail: '' },
    { name: 'resolution', value: 1280, measured: '1280x720', limit: '1280x720 or scalable to it', outcome: 'pass', detail: '' },
  ],
};

describe('render report: gate checks', () => {
  it('prints the decision, each failed check with its measurement and limit, then what passed and what was not measured', () => {
    expect(gateLines('luma-ray-2', REJECTED)).toEqual([
      '    gate on luma-ray-2: escalate, quality 0.00',
      '      FAIL resolution 640x360 (limit 1280x720 or scalable to it): smaller than asked',
      '      passed: decodes; not measured: ai_score',
    ]);
    expect(gateLines('veo-3.1', { ...REJECTED, decision: 'retry_same_engine' })[0]).toBe('    gate on veo-3.1: retry same engine, quality 0.00');
  });

  it("shows each gated attempt under its shot; a report without gate fields reads as before", () => {
    const attempt = (engineId: string, status: string, gate?: AttemptGateView | null) => ({
      engineId,
      thisRun: true,
      status,
      errorKind: status === 'rejected' ? 'quality_rejected' : null,
      reason: null,
      costMicros: 100_000,
      providerJobId: 'job',
      ...(gate === undefined ? {} : { gate }),
    });
    const report = (withGates: boolean): RenderReport => ({
      episodeId: 'ep_1',
      title: 'Pilot',
      mode: 'final',
      status: 'completed',
      resumed: false,
      outputPath: '/tmp/o.mp4',
      durationSeconds: 4,
      shots: [
        {
          shotId: 's01',
          status: 'accepted',
          engineId: 'veo-3.1',
          costMicros: 200_000,
          runCostMicros: 200_000,
          clipPath: '/tmp/c.mp4',
          failureReason: null,
          attempts: [attempt('luma-ray-2', 'rejected', withGates ? REJECTED : undefined), attempt('veo-3.1', 'accepted', withGates ? ACCEPTED : undefined)],
          plan: null,
        },
        { shotId: 's02', status: 'accepted', engineId: 'veo-3.1', costMicros: 100_000, runCostMicros: 100_000, clipPath: '/tmp/d.mp4', failureReason: null, attempts: [attempt('veo-3.1', 'accepted', withGates ? null : undefined)], plan: null },
      ],
      totals: { spentMicros: 300_000, heldMicros: 0, budgetMicros: null, overBudgetMicros: 0, attempts: 3, failedShots: 0 },
      moneyNotes: [],
    });
    const plain = formatRenderReport(report(false));
    expect(plain).not.toContain('gate on');
    const text = formatRenderReport(report(true)).split('\n');
    const s01 = text.indexOf('  s01: veo-3.1, $0.20, 2 attempts');
    expect(s01).toBeGreaterThan(0);
    expect(text.slice(s01 + 1, s01 + 5)).toEqual([
      '    gate on luma-ray-2: escalate, quality 0.00',
      '      FAIL resolution 640x360 (limit 1280x720 or scalable to it): smaller than asked',
      '      passed: decodes; not measured: ai_score',
      '    gate on veo-3.1: pass, quality 0.86 (2 checks passed)',
    ]);
    expect(text[s01 + 5]).toBe('  s02: veo-3.1, $0.10');
  });
});

describe('the stitch in the render report', () => {
  it('names the encoder, the scaler and the loudness pass, leaving the list of failed encoders to doctor', () => {
    const lines = stitchLines({
      method: 'pieces',
      notCopiedBecause: 'the episode has transitions',
      encoder: 'libx264',
      encoderReason: 'libx264: no hardware h264 encoder works here; not used: h264_vulkan: could not open h264_vulkan: Function not implemented',
      scaling: 'libplacebo',
      scalingReason: 'libplacebo on NVIDIA H100 80GB HBM3 (discrete): scaling and conversion to BT.709',
      loudness: { target: -16, measured: -19.25, gainDb: 3.25 },
    });
    expect(lines).toEqual([
      '  video: libx264: no hardware h264 encoder works here (`shotline doctor` says why the others were not used); not copied because the episode has transitions',
      '  scaling: libplacebo on NVIDIA H100 80GB HBM3 (discrete): scaling and conversion to BT.709',
      '  loudness: -19.3 LUFS measured, +3.3 dB to -16 LUFS',
    ]);
    const copied = stitchLines({ method: 'stream-copy', notCopiedBecause: null, encoder: 'h264 (copied)', encoderReason: 'every clip already matches', scaling: null, scalingReason: null, loudness: null });
    expect(copied).toEqual(['  video: copied, not re-encoded (every clip already matched the output)', '  loudness: left as it is (loudness off)']);
  });
});
