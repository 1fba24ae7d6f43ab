/**
 * Running the real CLI against the emulator fleet: a resources folder whose registry is
 * the shipped one with short poll intervals (the emulators' jobs take a second, not
 * minutes), and the environment a user would export, with nothing inherited from the
 * machine running the tests (its own keys, its keychain).
 */
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EmulatorFleet } from '../emulators/fleet';
import { projectRoot } from './cli-process';

const PROVIDER_VARIABLES = [
  'RUNWAYML_API_SECRET',
  'RUNWAYML_BASE_URL',
  'GEMINI_API_KEY',
  'GOOGLE_API_KEY',
  'GOOGLE_GEMINI_BASE_URL',
  'LUMAAI_API_KEY',
  'LUMAAI_BASE_URL',
  'OPENAI_API_KEY',
  'OPENAI_BASE_URL',
  'KLING_ACCESS_KEY',
  'KLING_SECRET_KEY',
  'KLING_BASE_URL',
  'COMFYUI_URL',
];

/** A copy of resources/ (registry and ComfyUI workflows) with every engine polled at `pollIntervalMs`. */
export function fastResources(dir: string, pollIntervalMs = 150): string {
  const resources = join(dir, 'resources');
  mkdirSync(resources, { recursive: true });
  cpSync(join(projectRoot, 'resources', 'comfyui'), join(resources, 'comfyui'), { recursive: true });
  const seed = JSON.parse(readFileSync(join(projectRoot, 'resources', 'engines.json'), 'utf8')) as { engines: { pollIntervalMs: number }[] };
  for (const engine of seed.engines) engine.pollIntervalMs = pollIntervalMs;
  writeFileSync(join(resources, 'engines.json'), JSON.stringify(seed, null, 2));
  return resources;
}

export function fleetCliEnv(fleet: EmulatorFleet, resources: string): NodeJS.ProcessEnv {
  const blank = Object.fromEntries(PROVIDER_VARIABLES.map((name) => [name, '']));
  return { ...blank, ...fleet.env, SHOTLINE_RESOURCES: resources, SHOTLINE_NO_KEYCHAIN: '1' };
}
