/**
 * A real studio (registry with the shipped seed, router, preflight, render service,
 * gate and stitcher, SQLite) whose paid engines are scripted providers writing real
 * clips: for tests of what only shows through the whole service (single flight,
 * preflight against the plan, episodes and flags, routing around cooldowns).
 */
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { defaultSeedPath, loadSeedFile, type RegistrySeed } from '../../src/main/registry';
import { openStudio, type StudioServices } from '../../src/main/studio';
import type { GenerationRequest } from '../../src/main/engines/engine';
import type { EngineSpec } from '../../src/shared/domain';
import type { StoryboardInput } from '../../src/shared/storyboard';
import { makeClip, nastyTempDir, removeDir } from '../integration/media-fixtures';
import { ScriptedProvider, type ScriptedBehaviour } from './scripted-engine';

export class ScriptedStudio {
  readonly provider: ScriptedProvider;
  services!: StudioServices;
  dir!: string;
  private readonly clips = new Map<string, Promise<string>>();

  constructor(
    private readonly engines: EngineSpec[],
    behaviours: Record<string, ScriptedBehaviour> = {},
  ) {
    this.provider = new ScriptedProvider(behaviours, Date.now, (request, destination) => this.writeClip(request, destination));
  }

  async open(): Promise<this> {
    this.dir ??= await nastyTempDir('studio');
    const shipped = loadSeedFile(defaultSeedPath());
    const seed: RegistrySeed = { ...shipped, engines: [...shipped.engines, ...this.engines] };
    this.services = openStudio({
      dataDir: join(this.dir, 'data'),
      seed,
      env: { PATH: process.env.PATH },
      adapters: { animatic: (await import('../../src/main/engines')).BUILT_IN_ADAPTERS.animatic, scripted: async (spec) => this.provider.engine(spec) },
    });
    return this;
  }

  /** Closes and opens the studio again: a new process on the same data directory. */
  async reopen(): Promise<void> {
    this.services.close();
    await this.open();
  }

  async storyboard(board: StoryboardInput, name = 'board "one".yaml'): Promise<string> {
    const file = join(this.dir, name);
    await writeFile(file, stringify(board));
    return file;
  }

  output(name = 'épisode.mp4'): string {
    return join(this.dir, 'out', name);
  }

  async close(): Promise<void> {
    this.services?.close();
    await removeDir(this.dir);
  }

  /** One real clip per shape, made once and copied: the gate probes duration, size and audio. */
  private async writeClip(request: GenerationRequest, destination: string): Promise<void> {
    const key = `${request.width}x${request.height}@${request.fps}-${request.durationSeconds}s-${request.audio ? 'a' : 's'}`;
    let clip = this.clips.get(key);
    if (!clip) {
      const file = join(this.dir, 'clips', `${key}.mp4`);
      clip = mkdir(join(this.dir, 'clips'), { recursive: true }).then(() =>
        makeClip(file, { width: request.width, height: request.height, fps: request.fps, seconds: request.durationSeconds, audio: request.audio }),
      );
      this.clips.set(key, clip);
    }
    await copyFile(await clip, destination);
  }
}
