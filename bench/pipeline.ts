/**
 * Pipeline benchmark. Prints, in one run:
 *  1. 24 shots on scripted engines (latencies 0.2-1.5 s) at concurrency 6 through the
 *     real episode runner (SQLite store, ledger, slots, polling): our wall time against
 *     the ideal schedule's makespan for the same latencies (target ratio <= 1.05).
 *  2. The time to route 1,000 shots against the shipped registry (target < 50 ms).
 * Run: npm run bench
 */
import { performance } from 'node:perf_hooks';
import { SHOT_KINDS } from '../src/shared/domain';
import { shotSchema } from '../src/shared/storyboard';
import { planEpisode, type RouterContext } from '../src/main/router';
import { loadSeedFile } from '../src/main/registry/seed-file';
import { defaultSeedPath } from '../src/main/registry/seed-path';
import { PipelineHarness, board } from '../test/support/pipeline-harness';
import { scriptedSpec } from '../test/support/scripted-engine';
import { seededRandom } from '../test/support/seeded-random';

const SHOTS = 24;
const CONCURRENCY = 6;
const RUNS = 3;

/** Longest-processing-time-first on `machines` identical slots: a near-optimal schedule. */
function lptMakespan(latencies: number[], machines: number): number {
  const loads = new Array<number>(machines).fill(0);
  for (const latency of [...latencies].sort((a, b) => b - a)) {
    const i = loads.indexOf(Math.min(...loads));
    loads[i]! += latency;
  }
  return Math.max(...loads);
}

async function pipelineRun(seed: number): Promise<{ wallMs: number; idealMs: number; lowerBoundMs: number }> {
  const random = seededRandom(seed);
  // Latency 0.1 s per second of video, durations 2..15 s: jobs of 0.2..1.5 s.
  const spec = scriptedSpec('scripted', { concurrency: CONCURRENCY, pollIntervalMs: 25, speed: { baseSeconds: 0, secondsPerVideoSecond: 0.1 } });
  const durations = Array.from({ length: SHOTS }, () => 2 + Math.floor(random() * 14));
  const h = new PipelineHarness({ engines: [spec], behaviours: { scripted: { latencyMs: (r) => r.durationSeconds * 100, pollIntervalMs: 25 } } });
  try {
    const shots = board(SHOTS).shots!.map((shot, i) => ({ ...shot, duration: durations[i]! }));
    const id = h.createEpisode({ ...board(SHOTS), shots });
    const started = performance.now();
    const result = await h.run(id, { concurrency: CONCURRENCY });
    const wallMs = performance.now() - started;
    if (result.status !== 'completed') throw new Error(`bench run did not complete: ${result.status}`);
    const latencies = durations.map((d) => d * 100);
    const idealMs = lptMakespan(latencies, CONCURRENCY);
    const lowerBoundMs = Math.max(Math.max(...latencies), latencies.reduce((a, b) => a + b, 0) / CONCURRENCY);
    return { wallMs, idealMs, lowerBoundMs };
  } finally {
    h.cleanup();
  }
}

function routeBench(): { medianMs: number; bestMs: number; engines: number } {
  const seed = loadSeedFile(defaultSeedPath());
  const random = seededRandom(7);
  // Storyboards stop at 500 shots; the router itself takes any number.
  const storyboard = {
    shots: Array.from({ length: 1000 }, (_, i) =>
      shotSchema.parse({
        id: `s${i}`,
        kind: SHOT_KINDS[i % SHOT_KINDS.length],
        prompt: `shot ${i}`,
        duration: 2 + Math.floor(random() * 9),
        audio: random() < 0.4,
        ...(random() < 0.2 ? { reference: 'ref.png' } : {}),
      }),
    ),
  };
  const ctx: RouterContext = {
    engines: seed.engines,
    health: new Map(),
    now: Date.now(),
    mode: 'final',
    output: { resolution: '1080p', aspect: '16:9' },
    remainingBudgetMicros: 500_000_000,
    hasKey: () => true,
    hasAdapter: () => true,
    chains: seed.chains,
  };
  for (let i = 0; i < 5; i++) planEpisode(storyboard, ctx); // warm up the JIT
  const times: number[] = [];
  for (let i = 0; i < 21; i++) {
    const started = performance.now();
    const plan = planEpisode(storyboard, ctx);
    times.push(performance.now() - started);
    if (plan.shots.length !== 1000) throw new Error('planned the wrong number of shots');
  }
  times.sort((a, b) => a - b);
  return { medianMs: times[10]!, bestMs: times[0]!, engines: seed.engines.length };
}

const rows: string[] = [];
for (let run = 1; run <= RUNS; run++) {
  const r = await pipelineRun(run);
  rows.push(
    `  run ${run}: ours ${(r.wallMs / 1000).toFixed(3)} s | ideal (LPT) ${(r.idealMs / 1000).toFixed(3)} s | lower bound ${(r.lowerBoundMs / 1000).toFixed(3)} s | ratio ${(r.wallMs / r.idealMs).toFixed(3)} (target <= 1.05)`,
  );
}
const route = routeBench();
console.log(`Pipeline: ${SHOTS} shots, scripted latencies 0.2-1.5 s, concurrency ${CONCURRENCY}, real SQLite store and ledger`);
console.log(rows.join('\n'));
console.log(`Router: 1,000 shots x ${route.engines} engines: median ${route.medianMs.toFixed(2)} ms, best ${route.bestMs.toFixed(2)} ms (target < 50 ms)`);
