/**
 * Every provider emulator at once, with test keys: what `npm run emulators` serves and
 * what the end-to-end tests render against. `env` is what a user would export to point
 * Shotline (and each SDK) at the fleet: keys and base URLs, nothing else.
 */
import { ComfyUIEmulator, comfyuiEnv } from './comfyui/server';
import type { EmulatorOptions, ProviderEmulator } from './common/provider-server';
import { GeminiEmulator, geminiEnv } from './gemini/server';
import { KlingEmulator, klingEnv } from './kling/server';
import { LumaEmulator, lumaEnv } from './luma/server';
import { OpenAIVideoEmulator, openaiEnv } from './openai/server';
import { RunwayEmulator, runwayEnv } from './runway/server';

/** Keys the emulators accept. Test values, but treated as secrets all the same (they must never reach the ledger or a report). */
export const FLEET_KEYS = {
  runway: 'key_runway_emulated_5e1f0c9a7b3d',
  gemini: 'AIzaEmulatedGeminiKey_6a2c91d0e4',
  lumaai: 'luma-emulated-8c04f1b2a9e7',
  openai: 'sk-emulated-openai-3b7e0d5c1a9f',
  klingAccess: 'AK_emulated_kling_71d0',
  klingSecret: 'SK_emulated_kling_secret_e93b5a',
} as const;

export interface FleetOptions {
  clipDirectory: string;
  /** First port of six consecutive ones (npm run emulators); default ephemeral ports. */
  basePort?: number;
  /** Applied to every emulator (job timing, seed, ...). */
  common?: Partial<EmulatorOptions>;
}

export class EmulatorFleet {
  readonly runway: RunwayEmulator;
  readonly gemini: GeminiEmulator;
  readonly kling: KlingEmulator;
  readonly luma: LumaEmulator;
  readonly openai: OpenAIVideoEmulator;
  readonly comfyui: ComfyUIEmulator;

  constructor(options: FleetOptions) {
    const at = (offset: number): EmulatorOptions => ({
      clipDirectory: options.clipDirectory,
      ...options.common,
      ...(options.basePort !== undefined ? { port: options.basePort + offset } : {}),
    });
    this.runway = new RunwayEmulator({ ...at(0), apiKey: FLEET_KEYS.runway });
    this.gemini = new GeminiEmulator({ ...at(1), apiKey: FLEET_KEYS.gemini });
    this.kling = new KlingEmulator({ ...at(2), accessKey: FLEET_KEYS.klingAccess, secretKey: FLEET_KEYS.klingSecret });
    this.luma = new LumaEmulator({ ...at(3), apiKey: FLEET_KEYS.lumaai });
    this.openai = new OpenAIVideoEmulator({ ...at(4), apiKey: FLEET_KEYS.openai });
    this.comfyui = new ComfyUIEmulator({ ...at(5) });
  }

  get all(): { name: string; emulator: ProviderEmulator<never> }[] {
    return [
      { name: 'runway', emulator: this.runway },
      { name: 'gemini', emulator: this.gemini },
      { name: 'kling', emulator: this.kling },
      { name: 'luma', emulator: this.luma },
      { name: 'openai', emulator: this.openai },
      { name: 'comfyui', emulator: this.comfyui },
    ] as unknown as { name: string; emulator: ProviderEmulator<never> }[];
  }

  async start(): Promise<this> {
    await Promise.all(this.all.map(({ emulator }) => emulator.start()));
    return this;
  }

  async close(): Promise<void> {
    await Promise.all(this.all.map(({ emulator }) => emulator.close()));
  }

  /** Keys and base URLs for every provider, as environment variables. */
  get env(): Record<string, string> {
    return {
      ...runwayEnv(this.runway, FLEET_KEYS.runway),
      ...geminiEnv(this.gemini, FLEET_KEYS.gemini),
      ...klingEnv(this.kling, FLEET_KEYS.klingAccess, FLEET_KEYS.klingSecret),
      ...lumaEnv(this.luma, FLEET_KEYS.lumaai),
      ...openaiEnv(this.openai, FLEET_KEYS.openai),
      ...comfyuiEnv(this.comfyui),
    };
  }

  /** Every key value in play: what a leak scan looks for. */
  get secrets(): string[] {
    return Object.values(FLEET_KEYS);
  }

  /** What all providers together billed, in whole micro-dollars. */
  get invoiceMicros(): number {
    return this.all.reduce((sum, { emulator }) => sum + emulator.invoiceMicros, 0);
  }

  /** Create calls per provider. */
  creates(): Record<string, number> {
    return Object.fromEntries(this.all.map(({ name, emulator }) => [name, emulator.counts.creates]));
  }
}
