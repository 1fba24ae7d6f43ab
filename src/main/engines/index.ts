/**
 * The adapters this build ships, by provider, and one cached instance per engine.
 * Provider adapters (Runway, Veo, Kling, Luma, ComfyUI, OpenAI-compatible) arrive with
 * their own issues; until then the router rejects their engines with "no adapter".
 */
import type { EngineSpec, ProviderId } from '../../shared/domain';
import { createAnimaticEngine } from './animatic';
import { createComfyUIEngine } from './comfyui/adapter';
import { createGeminiEngine } from './gemini/adapter';
import { createKlingEngine } from './kling/adapter';
import { createRunwayEngine } from './runway/adapter';
import { createOpenAIVideoEngine } from './openai/adapter';
import { createLumaEngine } from './luma/adapter';
import type { ProviderCredentials } from '../secrets/keys';
import type { Engine } from './engine';
import type { MediaOps } from '../media/backend/types';

export interface AdapterDeps {
  /** The media workers: every FFmpeg job an adapter needs (a reference image resized) runs there. */
  media: MediaOps;
  /** The provider's credentials, read when a call needs them (keys may change while the app runs); never from the registry. */
  credentials: (provider: ProviderId) => ProviderCredentials | undefined;
  /** A folder of the data directory that belongs to this engine. */
  workDir: (engineId: string) => string;
  /** Where base-URL overrides are read (RUNWAYML_BASE_URL, ...; see common/endpoint.ts). */
  env: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}

export type EngineFactory = (spec: EngineSpec, deps: AdapterDeps) => Promise<Engine>;

export const BUILT_IN_ADAPTERS: Partial<Record<ProviderId, EngineFactory>> = {
  luma: createLumaEngine,
  gemini: createGeminiEngine,
  comfyui: createComfyUIEngine,
  animatic: async (spec, deps) => createAnimaticEngine(spec, { media: deps.media, workDir: deps.workDir(spec.id), log: deps.log }),
  kling: (spec, deps) => createKlingEngine(spec, deps),
  runway: createRunwayEngine,
  openai: createOpenAIVideoEngine,
};

export class EngineCatalog {
  private readonly instances = new Map<string, Promise<Engine>>();

  constructor(
    private readonly adapters: Partial<Record<ProviderId, EngineFactory>>,
    private readonly deps: AdapterDeps,
  ) {}

  hasAdapter(provider: ProviderId): boolean {
    return this.adapters[provider] !== undefined;
  }

  /** The engine for a registry entry; the same instance for the life of the studio. */
  engineFor(spec: EngineSpec): Promise<Engine> {
    let engine = this.instances.get(spec.id);
    if (!engine) {
      const factory = this.adapters[spec.provider];
      if (!factory) throw new Error(`no adapter for provider ${spec.provider} (engine ${spec.id})`);
      engine = factory(spec, this.deps);
      this.instances.set(spec.id, engine);
      engine.catch(() => this.instances.delete(spec.id));
    }
    return engine;
  }
}
