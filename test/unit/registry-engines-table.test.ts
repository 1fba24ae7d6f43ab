import { describe, expect, it } from 'vitest';
import type { EngineRow } from '../../src/shared/api';
import { formatEnginesTable, priceLabel } from '../../src/main/cli/engines-table';
import { defaultSeedPath, emptyHealth, loadSeedFile } from '../../src/main/registry';
import { formatClockTime } from '../../src/main/router';
import { toMicros } from '../../src/shared/money';

const SEED = loadSeedFile(defaultSeedPath());
const NOW = Date.UTC(2026, 10, 21, 12);

function rows(): EngineRow[] {
  return SEED.engines.map((spec) => ({
    spec,
    health: emptyHealth(spec.id),
    keyConfigured: spec.provider === 'runway',
    adapterAvailable: spec.provider !== 'kling',
  }));
}

const stripAnsi = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, '');

describe('formatEnginesTable', () => {
  it('shows prices, status, durations, keys and health in aligned columns', () => {
    const data = rows();
    const veo = data.find((r) => r.spec.id === 'veo-3.1')!;
    veo.health = { ...veo.health, successes: 9, failures: 3, meanLatencyMs: 64_200, coolingUntil: NOW + 90_000, lastErrorKind: 'rate_limited' };
    const luma = data.find((r) => r.spec.id === 'luma-ray-2')!;
    luma.spec = { ...luma.spec, enabled: false };

    const text = formatEnginesTable(data, { color: false, now: NOW });
    const lines = text.split('\n');
    expect(lines).toHaveLength(data.length + 1);
    const line = (id: string) => lines.find((l) => l.startsWith(`${id} `))!;

    expect(line('runway-gen4.5')).toMatch(/runway-gen4\.5\s+runway\s+active\s+\$0\.12\/s\s+2–10 s\s+720p\s+none\s+yes\s+-$/);
    expect(line('runway-veo3.1')).toContain('$0.20–0.40/s');
    expect(line('animatic')).toMatch(/free\s+1–20 s\s+480p,540p,720p,1080p,4k\s+optional\s+n\.a\./);
    expect(line('luma-ray-flash-2')).toContain('~$0.02–0.12/s est.');
    expect(line('luma-ray-2')).toContain('active, off');
    expect(line('kling-v2.6-pro')).toContain('active, no adapter');
    expect(line('sora-2')).toMatch(/retired 2026-09-24\s+\$0\.10\/s\s+4,8,12 s/);
    expect(line('comfyui-local')).toMatch(/\sno url\s/);
    expect(line('veo-3.1-lite')).toMatch(/\sno\s+-$/);
    expect(line('veo-3.1')).toContain(`75% of 12, ~64 s, cooling until ${formatClockTime(NOW + 90_000)}`);

    // Every column starts at the same offset on every line.
    const header = lines[0]!;
    for (const title of ['PROVIDER', 'STATUS', 'PRICE', 'DURATIONS', 'KEY', 'HEALTH']) {
      const column = header.indexOf(title);
      for (const l of lines.slice(1)) expect(l[column - 1], `${title} in "${l}"`).toBe(' ');
    }
    expect(line('runway-gen4.5').indexOf('$0.12/s')).toBe(header.indexOf('PRICE'));
  });

  it('colours cells without disturbing the alignment', () => {
    const plain = formatEnginesTable(rows(), { color: false, now: NOW });
    const coloured = formatEnginesTable(rows(), { color: true, now: NOW });
    expect(coloured).toContain('\x1b[31mretired 2026-09-24');
    expect(plain).not.toContain('\x1b[');
    expect(stripAnsi(coloured).split('\n').map((l) => l.trimEnd())).toEqual(plain.split('\n'));
  });

  it('labels prices: single, range, estimate, free, sub-cent', () => {
    const row = (microsPerSecond: number) => ({ resolution: '720p' as const, audio: false, microsPerSecond: toMicros(microsPerSecond) });
    expect(priceLabel({ priceSource: 'published', pricing: [row(120_000)] })).toBe('$0.12/s');
    expect(priceLabel({ priceSource: 'estimate', pricing: [row(80_000)] })).toBe('~$0.08/s est.');
    expect(priceLabel({ priceSource: 'free', pricing: [] })).toBe('free');
    expect(priceLabel({ priceSource: 'published', pricing: [row(0)] })).toBe('free');
    expect(priceLabel({ priceSource: 'published', pricing: [row(4_500), row(150_000)] })).toBe('$0.0045–0.15/s');
  });
});
