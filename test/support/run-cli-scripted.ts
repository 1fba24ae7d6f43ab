// Runs the CLI from source (under tsx) in a child process, like run-cli.ts, with one paid
// engine more: "scripted-paid", served over HTTP by the scripted provider emulator that
// the test runs in its own process (SHOTLINE_TEST_PROVIDER_URL / _KEY). The real
// registry seed is kept, so routing and preflight see what a user's studio sees.
import { main } from '../../src/main/cli';
import { BUILT_IN_ADAPTERS } from '../../src/main/engines';
import { loadSeedFile, parseSeed, type RegistrySeed } from '../../src/main/registry/seed-file';
import { defaultSeedPath } from '../../src/main/registry/seed-path';
import { EnvironmentKeys, type KeySource } from '../../src/main/secrets/keys';
import type { ProviderId } from '../../src/shared/domain';
import { httpScriptedEngineFactory, SCRIPTED_PROVIDER_KEY_ENV, SCRIPTED_PROVIDER_URL_ENV } from './http-scripted-adapter';

/** The paid engine, in the seed file's own format (USD), so it passes the same validation as the shipped ones. */
const SCRIPTED_PAID_SEED = {
  version: 1,
  providers: {
    scripted: { concurrency: 3, outputRetentionHours: 1, notes: 'Loopback test provider: outputs are kept for an hour.' },
  },
  engines: [
    {
      id: 'scripted-paid',
      provider: 'scripted',
      model: 'scripted-v1',
      displayName: 'Scripted paid engine (test)',
      modes: ['text'],
      audio: 'optional',
      durations: { kind: 'range', min: 1, max: 20 },
      capabilities: { seed: false, negativePrompt: false, maxPromptChars: 2000 },
      resolutions: ['720p'],
      aspects: ['16:9', '9:16', '1:1', '4:3', '3:4', '21:9'],
      // Not a round figure: a ledger that rounded per second or per dollar would not match the invoice.
      pricing: [
        { resolution: '720p', audio: false, usdPerSecond: 0.123457 },
        { resolution: '720p', audio: true, usdPerSecond: 0.123457 },
      ],
      speed: { baseSeconds: 1, secondsPerVideoSecond: 0.2 },
      quality: { establishing: 0.8, dialogue: 0.8, action: 0.8, closeup: 0.8, stylized: 0.8, insert: 0.8 },
      concurrency: 3,
      status: 'active',
      priceSource: 'published',
      pollIntervalMs: 100,
      previewOnly: false,
      enabled: true,
      notes: 'Served by test/emulators/scripted-provider over loopback HTTP.',
    },
  ],
  chains: {},
};

function seedWithScriptedPaid(): RegistrySeed {
  const shipped = loadSeedFile(defaultSeedPath());
  const extra = parseSeed(SCRIPTED_PAID_SEED, 'the scripted-paid test engine');
  return {
    ...shipped,
    providers: { ...shipped.providers, ...extra.providers },
    engines: [...shipped.engines, ...extra.engines],
  };
}

/**
 * The environment's keys plus the emulator's, so that the key reaches the adapter through
 * AdapterDeps.credentials like any provider's, and the boundary scrubs it from messages.
 */
function keysWithScripted(env: NodeJS.ProcessEnv): KeySource {
  const base = new EnvironmentKeys(env);
  const key = env[SCRIPTED_PROVIDER_KEY_ENV];
  const isScripted = (provider: ProviderId) => provider === 'scripted';
  return {
    hasKey: (provider) => (isScripted(provider) ? Boolean(key) : base.hasKey(provider)),
    credentials: (provider) => (isScripted(provider) ? (key ? { [SCRIPTED_PROVIDER_KEY_ENV]: key } : undefined) : base.credentials(provider)),
    secretValues: () => [...base.secretValues(), ...(key ? [key] : [])],
  };
}

const baseUrl = process.env[SCRIPTED_PROVIDER_URL_ENV];
if (!baseUrl) {
  process.stderr.write(`run-cli-scripted: set ${SCRIPTED_PROVIDER_URL_ENV} to the scripted provider emulator's URL\n`);
  process.exitCode = 70;
} else {
  process.exitCode = await main(process.argv.slice(2), process, {
    adapters: { ...BUILT_IN_ADAPTERS, scripted: httpScriptedEngineFactory({ baseUrl }) },
    seed: seedWithScriptedPaid(),
    keys: keysWithScripted(process.env),
  });
}
