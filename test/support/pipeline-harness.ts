/**
 * Builds a real pipeline (real SQLite file, real store, ledger and runners) around the
 * scripted provider, with a fixed-order planner so tests control each shot's chain.
 */
import { failVerdict, passVerdict } from './verdicts';
import { GateResultStore } from '../../src/main/store/gate-results';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EngineSpec } from '../../src/shared/domain';
import { frameSize } from '../../src/shared/domain';
import { costForSeconds, toMicros } from '../../src/shared/money';
import { guardEngine } from '../../src/main/engines/boundary';
import { storyboardSchema, type Storyboard, type StoryboardInput } from '../../src/shared/storyboard';
import type { ProgressEvent } from '../../src/shared/api';
import { openDatabase, type Db } from '../../src/main/store/database';
import { AttemptStore } from '../../src/main/store/attempts';
import { TakeStore } from '../../src/main/store/takes';
import { EpisodeStore } from '../../src/main/store/episodes';
import { HealthRepository } from '../../src/main/registry/health';
import { runEpisode, type EpisodeRunnerDeps, type RunOptions } from '../../src/main/pipeline/episode-runner';
import type { ChainCandidate } from '../../src/main/pipeline/shot-runner';
import { ScriptedProvider, scriptedSpec, type ScriptedBehaviour } from './scripted-engine';

export interface HarnessOptions {
  engines: (EngineSpec | string)[];
  behaviours?: Record<string, ScriptedBehaviour>;
  /** Chain per shot id; default: every engine in the given order. */
  chains?: Record<string, string[]>;
  /** The scripted provider account's limits. */
  providerLimits?: { concurrency?: number; outputRetentionHours?: number };
  clock?: () => number;
}

export class PipelineHarness {
  readonly dir = mkdtempSync(join(tmpdir(), 'shotline pipeline ‘test’ '));
  readonly dbPath = join(this.dir, 'shotline.db');
  readonly specs: Map<string, EngineSpec>;
  readonly provider: ScriptedProvider;
  readonly events: ProgressEvent[] = [];
  db: Db;
  episodes: EpisodeStore;
  attempts: AttemptStore;
  takes: TakeStore;
  health: HealthRepository;
  stitchCalls = 0;

  constructor(private readonly options: HarnessOptions) {
    this.specs = new Map(options.engines.map((e) => (typeof e === 'string' ? scriptedSpec(e) : e)).map((s) => [s.id, s]));
    this.provider = new ScriptedProvider(options.behaviours ?? {}, options.clock);
    this.db = openDatabase(this.dbPath);
    this.episodes = new EpisodeStore(this.db);
    this.attempts = new AttemptStore(this.db);
    this.takes = new TakeStore(this.db);
    this.health = new HealthRepository(this.db);
  }

  /** Closes the database and opens it again: what a new process after a crash sees. */
  reopen(): void {
    this.db.close();
    this.db = openDatabase(this.dbPath);
    this.episodes = new EpisodeStore(this.db);
    this.attempts = new AttemptStore(this.db);
    this.takes = new TakeStore(this.db);
    this.health = new HealthRepository(this.db);
  }

  createEpisode(board: StoryboardInput, budgetUsd?: number): string {
    const storyboard = storyboardSchema.parse(board);
    return this.episodes.create({
      runKey: `key-${Math.random()}`,
      storyboardPath: join(this.dir, 'board.yaml'),
      storyboard,
      outputPath: join(this.dir, 'out.mp4'),
      mode: storyboard.mode,
      budgetMicros: budgetUsd === undefined ? null : toMicros(budgetUsd * 1e6),
      options: {},
    }).id;
  }

  deps(overrides: Partial<EpisodeRunnerDeps> = {}): EpisodeRunnerDeps {
    const engines = new Map([...this.specs.values()].map((spec) => [spec.id, guardEngine(this.provider.engine(spec))]));
    return {
      episodes: this.episodes,
      attempts: this.attempts,
      takes: this.takes,
      health: this.health,
      engine: (id) => engines.get(id)!,
      spec: (id) => this.specs.get(id)!,
      provider: (id) => ({ id: this.specs.get(id)!.provider, concurrency: 64, outputRetentionHours: 24, ...this.options.providerLimits }),
      plan: (_episode, shots) =>
        new Map(
          shots.map((shot) => {
            const ids = this.options.chains?.[shot.id] ?? [...this.specs.keys()];
            const chain: ChainCandidate[] = ids.map((id) => candidateFor(this.specs.get(id)!, shot.duration));
            return [shot.id, { chain, view: { shotId: shot.id, candidates: [], rejections: [] } }];
          }),
        ),
      buildRequest: (episode, shot, candidate) => ({
        shotId: shot.id,
        kind: shot.kind,
        prompt: shot.prompt,
        durationSeconds: candidate.durationSeconds,
        resolution: candidate.resolution,
        aspect: episode.storyboard.output.aspect,
        ...frameSize(candidate.resolution, episode.storyboard.output.aspect),
        fps: episode.storyboard.output.fps,
        audio: shot.audio,
        characters: [],
      }),
      gate: async (clip) => {
        const body = JSON.parse(readFileSync(clip.path, 'utf8')) as { bad: boolean };
        return body.bad ? failVerdict('scripted bad clip') : passVerdict();
      },
      recordGate: (attemptId, verdict) => {
        new GateResultStore(this.db).recordGateVerdict(attemptId, verdict);
      },
      stitch: async (episode, clips) => {
        this.stitchCalls++;
        writeFileSync(episode.outputPath, clips.map((c) => c.attempt.clipPath).join('\n'));
        return { durationSeconds: clips.reduce((sum, c) => sum + c.shot.duration, 0) };
      },
      mediaDir: join(this.dir, 'media'),
      clock: Date.now,
      random: Math.random,
      emit: (event) => this.events.push(event),
      ...overrides,
    };
  }

  run(episodeId: string, options: Partial<RunOptions> = {}, deps: Partial<EpisodeRunnerDeps> = {}) {
    return runEpisode(episodeId, this.deps(deps), {
      concurrency: 4,
      strict: false,
      signal: new AbortController().signal,
      backoff: { baseMs: 5, capMs: 20 },
      ...options,
    });
  }

  /** Per-attempt check that every finished attempt released exactly what it reserved. */
  ledgerProblems(episodeId: string): string[] {
    const rows = this.db
      .prepare(
        `SELECT a.id, a.status, a.actual_micros AS actual,
                COALESCE(SUM(CASE l.entry WHEN 'reserve' THEN l.micros END), 0) AS reserved,
                COALESCE(SUM(CASE l.entry WHEN 'release' THEN l.micros END), 0) AS released,
                COALESCE(SUM(CASE l.entry WHEN 'charge' THEN l.micros END), 0) AS charged,
                COUNT(CASE l.entry WHEN 'charge' THEN 1 END) AS charges
         FROM attempts a LEFT JOIN ledger l ON l.attempt_id = a.id WHERE a.episode_id = ? GROUP BY a.id`,
      )
      .all(episodeId) as { id: string; status: string; actual: number | null; reserved: number; released: number; charged: number; charges: number }[];
    const problems: string[] = [];
    for (const row of rows) {
      // Still holding money, legitimately: nothing settled yet.
      const open = ['reserved', 'submitting', 'submitted', 'timed_out', 'unknown'].includes(row.status);
      if (!open && row.reserved !== row.released) problems.push(`${row.id} (${row.status}): reserved ${row.reserved}, released ${row.released}`);
      if (row.charges > 1) problems.push(`${row.id}: charged ${row.charges} times`);
      if (!open && (row.actual ?? 0) !== row.charged) problems.push(`${row.id}: actual ${row.actual}, charged ${row.charged}`);
    }
    return problems;
  }

  /** The ledger's charges for the episode against the provider's invoice: they must be equal to the micro-dollar. */
  chargedMicros(episodeId: string): number {
    return (this.db.prepare(`SELECT COALESCE(SUM(micros), 0) AS n FROM ledger WHERE episode_id = ? AND entry = 'charge'`).get(episodeId) as { n: number }).n;
  }

  cleanup(): void {
    this.db.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export function candidateFor(spec: EngineSpec, duration: number): ChainCandidate {
  // The 720p silent rate, as the router would price this candidate; else the first listed.
  const rate = spec.pricing.find((row) => row.resolution === '720p' && !row.audio) ?? spec.pricing.find((row) => row.resolution === '720p') ?? spec.pricing[0];
  const price = costForSeconds(rate?.microsPerSecond ?? toMicros(0), duration);
  return {
    engineId: spec.id,
    durationSeconds: duration,
    resolution: '720p',
    priceMicros: price,
    estimatedMicros: price,
    expectedLatencyMs: (spec.speed.baseSeconds + spec.speed.secondsPerVideoSecond * duration) * 1000,
  };
}

export function board(shots: number, extra: Partial<StoryboardInput> = {}, duration = 2): StoryboardInput {
  return {
    title: 'Test episode',
    mode: 'final',
    output: { resolution: '720p', aspect: '16:9', fps: 24 },
    shots: Array.from({ length: shots }, (_, i) => ({ id: `s${String(i + 1).padStart(2, '0')}`, kind: 'action' as const, prompt: `shot ${i + 1}`, duration })),
    ...extra,
  };
}

export type { Storyboard };
