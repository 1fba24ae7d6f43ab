/**
 * A real studio (shipped registry, router, real adapters, gate, stitcher, SQLite) whose
 * providers are the loopback emulators: for adapter tests that check what the pipeline
 * does with each fault, and for end-to-end renders. Poll intervals are shortened so the
 * emulators' sub-second jobs finish in test time; nothing else in the registry changes.
 */
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { defaultSeedPath, loadSeedFile, type RegistrySeed } from '../../src/main/registry';
import { openStudio, type StudioServices } from '../../src/main/studio';
import type { RenderReport } from '../../src/main/pipeline/render-report';
import type { RenderOptions } from '../../src/shared/api';
import type { StoryboardInput } from '../../src/shared/storyboard';
import { nastyTempDir, removeDir } from '../integration/media-fixtures';

export interface EmulatorStudioOptions {
  /** Keys and base URLs, as a user would export them (RUNWAYML_API_SECRET, RUNWAYML_BASE_URL, ...). */
  env: Record<string, string>;
  /** Poll interval for every engine; default 100 ms. */
  pollIntervalMs?: number;
  /** Named fallback chains added to the shipped ones (a storyboard's `chain:` names one). */
  chains?: Record<string, string[]>;
  log?: (line: string) => void;
}

export class EmulatorStudio {
  services!: StudioServices;
  dir!: string;

  constructor(private readonly options: EmulatorStudioOptions) {}

  async open(): Promise<this> {
    this.dir ??= await nastyTempDir('emulated studio');
    this.services = openStudio({
      dataDir: join(this.dir, 'data'),
      seed: withChains(fastSeed(this.options.pollIntervalMs ?? 100), this.options.chains),
      env: { PATH: process.env.PATH, ...this.options.env },
      log: this.options.log,
    });
    return this;
  }

  /** Closes and opens the studio again: a new process on the same data directory. */
  async reopen(): Promise<void> {
    this.services.close();
    await this.open();
  }

  /**
   * Writes the storyboard to a file. By default one file per distinct storyboard: an
   * episode belongs to its file, so two tests' storyboards never become versions of one
   * episode, and writing the same storyboard again continues its episode.
   */
  async storyboard(board: StoryboardInput, name?: string): Promise<string> {
    const text = stringify(board);
    const file = join(this.dir, name ?? `board "émulé" ${createHash('sha256').update(text).digest('hex').slice(0, 12)}.yaml`);
    await writeFile(file, text);
    return file;
  }

  output(name = 'épisode final.mp4'): string {
    return join(this.dir, 'out', name);
  }

  async render(board: StoryboardInput, options: Partial<RenderOptions> = {}): Promise<RenderReport> {
    const file = await this.storyboard(board);
    return this.services.render.render(file, { outputPath: this.output(), ...options });
  }

  /** The ledger's charges for an episode (or all), in micro-dollars: compare with an emulator's invoice. */
  chargedMicros(episodeId?: string): number {
    const sql = `SELECT COALESCE(SUM(micros), 0) AS n FROM ledger WHERE entry = 'charge'${episodeId ? ' AND episode_id = ?' : ''}`;
    return (this.services.db.prepare(sql).get(...(episodeId ? [episodeId] : [])) as { n: number }).n;
  }

  /** Money still reserved (attempts not settled). */
  heldMicros(): number {
    const row = this.services.db
      .prepare(`SELECT COALESCE(SUM(CASE entry WHEN 'reserve' THEN micros WHEN 'release' THEN -micros END), 0) AS n FROM ledger`)
      .get() as { n: number };
    return row.n;
  }

  async close(): Promise<void> {
    this.services?.close();
    await removeDir(this.dir);
  }
}

/** The shipped registry with short poll intervals: the emulators' jobs take about a second, not minutes. */
export function fastSeed(pollIntervalMs: number): RegistrySeed {
  const shipped = loadSeedFile(defaultSeedPath());
  return { ...shipped, engines: shipped.engines.map((engine) => ({ ...engine, pollIntervalMs })) };
}

function withChains(seed: RegistrySeed, chains: Record<string, string[]> | undefined): RegistrySeed {
  return chains ? { ...seed, chains: { ...seed.chains, ...chains } } : seed;
}
