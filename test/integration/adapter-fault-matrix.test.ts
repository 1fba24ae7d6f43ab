/**
 * Every fault knob against every real adapter, through the real pipeline: what the shot
 * ends as, who made it, how many jobs the provider made, and whether the ledger equals the
 * provider's bill. Each provider's engine leads a chain with a scripted backup engine
 * behind it (orchestration only: the adapter under test is real, over HTTP, on its SDK).
 * The adapters' own test files check the error kind of each fault in detail; this file
 * checks what the pipeline then does with it, for all of them in one table.
 */
import { passVerdict } from '../support/verdicts';
import { testMedia } from '../support/test-media';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guardEngine } from '../../src/main/engines/boundary';
import { BUILT_IN_ADAPTERS, type AdapterDeps } from '../../src/main/engines';
import { defaultSeedPath, loadSeedFile } from '../../src/main/registry';
import { EnvironmentKeys } from '../../src/main/secrets/keys';
import type { EngineSpec } from '../../src/shared/domain';
import type { ProviderEmulator } from '../emulators/common/provider-server';
import type { FaultKnobs } from '../emulators/common/faults';
import { EmulatorFleet } from '../emulators/fleet';
import { PipelineHarness, board } from '../support/pipeline-harness';

type Made = 'engine' | 'backup' | 'nobody';

interface FaultCase {
  name: string;
  knobs: Partial<FaultKnobs> | 'expire-every-link' | 'wrong-key';
  /** Who makes the shot; a provider that can look a lost job up differs from one that cannot. */
  made: Made | { canFindJob: Made; cannot: Made };
  /** Jobs the provider makes for the shot. */
  jobs: number;
  /** The error kind on the engine's first attempt (null: no failed attempt). */
  firstKind: string | null | { canFindJob: string | null; cannot: string | null };
  /** Providers this knob does not apply to (a self-hosted ComfyUI has no content filter and no key). */
  notFor?: string[];
}

const CASES: FaultCase[] = [
  // Cooling for Retry-After, the shot routes around the engine to the next one meanwhile; the 429 made no job.
  { name: '429 with Retry-After', knobs: { rateLimitCreates: 1, retryAfterSeconds: 30 }, made: 'backup', jobs: 0, firstKind: 'rate_limited', notFor: ['comfyui'] },
  { name: 'a burst of two 5xx', knobs: { serverErrors: 2 }, made: 'engine', jobs: 1, firstKind: 'unavailable' },
  { name: 'permanently down', knobs: { down: true }, made: 'backup', jobs: 0, firstKind: 'unavailable' },
  { name: 'a hung poll', knobs: { hangs: 1, hangRoutes: ['poll'] }, made: 'engine', jobs: 1, firstKind: null },
  { name: 'a lost create answer (reset)', knobs: { lostCreateAnswers: 1, lostCreateAnswerAs: 'reset' }, made: { canFindJob: 'engine', cannot: 'nobody' }, jobs: 1, firstKind: { canFindJob: null, cannot: 'unavailable' } },
  { name: 'a lost create answer (502)', knobs: { lostCreateAnswers: 1, lostCreateAnswerAs: 'bad_gateway' }, made: { canFindJob: 'engine', cannot: 'nobody' }, jobs: 1, firstKind: { canFindJob: null, cannot: 'unavailable' } },
  { name: 'malformed JSON', knobs: { malformedJson: 1 }, made: { canFindJob: 'engine', cannot: 'nobody' }, jobs: 1, firstKind: { canFindJob: null, cannot: 'unavailable' } },
  { name: 'a content-policy result', knobs: { contentPolicy: 1 }, made: 'backup', jobs: 1, firstKind: 'content_policy', notFor: ['comfyui'] },
  { name: 'a slow download', knobs: { slowDownloadBytesPerSecond: 1_500_000 }, made: 'engine', jobs: 1, firstKind: null },
  { name: 'a truncated download', knobs: { truncatedDownloads: 1 }, made: 'engine', jobs: 1, firstKind: null },
  // Every link dead: fetched again from the job, then one fresh generation, then the next engine. Both jobs ran and are paid.
  { name: 'expired output links', knobs: 'expire-every-link', made: 'backup', jobs: 2, firstKind: 'expired_output' },
  { name: 'a wrong key', knobs: 'wrong-key', made: 'backup', jobs: 0, firstKind: 'auth', notFor: ['comfyui'] },
];

/** One engine per provider, with a shot length it takes at 720p 16:9. */
const ENGINES: { provider: keyof EmulatorFleet & string; engineId: string; seconds: number; canFindJob: boolean }[] = [
  { provider: 'runway', engineId: 'runway-gen4.5', seconds: 2, canFindJob: false },
  { provider: 'gemini', engineId: 'veo-3.1-fast', seconds: 4, canFindJob: false },
  { provider: 'kling', engineId: 'kling-v2.6-std', seconds: 5, canFindJob: true },
  { provider: 'luma', engineId: 'luma-ray-flash-2', seconds: 5, canFindJob: true },
  { provider: 'openai', engineId: 'sora-2', seconds: 4, canFindJob: true },
  { provider: 'comfyui', engineId: 'comfyui-local', seconds: 2, canFindJob: true },
];

describe('every fault knob, every adapter, through the pipeline', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shotline fault matrix '));
  const fleet = new EmulatorFleet({ clipDirectory: join(dir, 'clips'), common: { timing: { minMs: 100, maxMs: 300, queuedShare: 0.2 } } });
  const shipped = new Map(loadSeedFile(defaultSeedPath()).engines.map((spec) => [spec.id, spec]));

  beforeAll(() => fleet.start());
  afterAll(async () => {
    await fleet.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const target of ENGINES) {
    for (const fault of CASES) {
      if (fault.notFor?.includes(target.provider)) continue;
      it(`${target.provider}: ${fault.name}`, async () => {
        const emulator = (fleet as unknown as Record<string, ProviderEmulator<never>>)[target.provider]!;
        emulator.faults.reset();
        const spec: EngineSpec = { ...shipped.get(target.engineId)!, status: 'active', pollIntervalMs: 60 };
        delete spec.statusDate;
        const env: NodeJS.ProcessEnv = { ...fleet.env };
        if (fault.knobs === 'wrong-key') for (const name of Object.keys(env)) if (!/URL$/.test(name)) env[name] = `${env[name]}-revoked`;
        const deps: AdapterDeps = {
          media: testMedia(),
          credentials: (provider) => new EnvironmentKeys(env).credentials(provider),
          workDir: (engineId) => join(dir, 'work', engineId),
          env,
        };
        const real = guardEngine(await BUILT_IN_ADAPTERS[spec.provider]!(spec, deps), { timeoutsMs: { poll: 3_000, submit: 10_000 }, secrets: () => fleet.secrets });
        const h = new PipelineHarness({ engines: [spec, 'backup'], providerLimits: { outputRetentionHours: 24 } });
        try {
          const jobsBefore = emulator.jobs.length;
          if (fault.knobs === 'expire-every-link') emulator.faults.set({ expiredBefore: Number.MAX_SAFE_INTEGER });
          else if (fault.knobs !== 'wrong-key') emulator.faults.set(fault.knobs);

          // A prompt of its own: providers found by listing match a lost job by its prompt.
          const prompt = `${target.provider}: ${fault.name}, a lighthouse in fog (${Date.now()})`;
          const id = h.createEpisode(board(1, { shots: [{ id: 's01', kind: 'action', prompt, duration: target.seconds }] }));
          const scripted = h.deps().engine;
          await h.run(id, { stallTimeoutMs: () => 20_000 }, { engine: (engineId) => (engineId === spec.id ? real : scripted(engineId)), gate: async () => passVerdict() });

          const attempts = h.attempts.forEpisode(id);
          const accepted = attempts.find((a) => a.status === 'accepted');
          const expectedMade = typeof fault.made === 'string' ? fault.made : target.canFindJob ? fault.made.canFindJob : fault.made.cannot;
          const made: Made = !accepted ? 'nobody' : accepted.engineId === spec.id ? 'engine' : 'backup';
          const story = attempts.map((a) => `${a.engineId}:${a.status}:${a.errorKind ?? '-'}`).join(' ');
          expect(made, story).toBe(expectedMade);
          expect(emulator.jobs.length - jobsBefore, story).toBe(fault.jobs);
          const expectedKind = fault.firstKind !== null && typeof fault.firstKind === 'object' ? (target.canFindJob ? fault.firstKind.canFindJob : fault.firstKind.cannot) : fault.firstKind;
          expect(attempts[0]!.errorKind, story).toBe(expectedKind);

          // Money: jobs that ended are on the ledger exactly as billed; a job the client lost sight of stays held, never charged twice.
          await waitFor(() => emulator.jobs.slice(jobsBefore).every((job) => (emulator as unknown as { status(j: unknown): string }).status(job) !== 'running' && (emulator as unknown as { status(j: unknown): string }).status(job) !== 'queued'));
          // This case's jobs only: a job of an earlier case (a lost one) may finish and bill meanwhile.
          const billed = emulator.jobs.slice(jobsBefore).reduce((sum, job) => sum + emulator.invoicedFor(job), 0);
          const engineCharges = attempts.filter((a) => a.engineId === spec.id).reduce((sum, a) => sum + (a.actualMicros ?? 0), 0);
          if (expectedMade === 'nobody') {
            expect(attempts.some((a) => a.status === 'unknown'), story).toBe(true);
            expect(engineCharges).toBe(0);
            expect(h.attempts.ledger.episodeMoney(id).heldMicros).toBeGreaterThan(0);
          } else {
            expect(engineCharges, story).toBe(billed);
            expect(h.ledgerProblems(id)).toEqual([]);
          }
        } finally {
          emulator.faults.reset();
          h.cleanup();
        }
      }, 60_000);
    }
  }
});

async function waitFor(done: () => boolean): Promise<void> {
  const until = Date.now() + 10_000;
  while (!done() && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 25));
}
