/**
 * The Studio API over the studio's services: what the app's IPC, the loopback bridge and
 * the tests call. Each method is a thin call into a service; arguments were already
 * checked by src/main/bridge/api-arguments.ts when they came over a transport.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AppInfo, EngineEdit, EngineRow, ProviderKeysView, StudioApi } from '../shared/api';
import { UserError } from '../shared/errors';
import { reasonLead } from './media/encoders';
import { credentialsView } from './provenance/credentials-view';
import { showIdentity } from './provenance/identity';
import { ownRootPem } from './provenance/identity/identity-files';
import { engineOverridesFromFields } from './registry/engine-edits';
import { PROVIDER_ACCESS } from './registry/providers';
import { MemorySecretStore } from './secrets/keychain';
import { isKeyedProvider, KEYCHAIN_FIELDS, KEYED_PROVIDERS, ProviderKeys } from './secrets/provider-keys';
import { StoryboardDocuments } from './storyboard/documents';
import { costSummary, episodeView, heldReservations } from './store/reports';
import { episodeSummaries } from './store/takes-report';
import { SHOTLINE_SOFTWARE, type StudioServices } from './studio';

export function studioApi(services: StudioServices): StudioApi {
  const dataDir = services.config.dataDir;
  const storyboardsDir = join(dataDir, 'storyboards');
  const exportsDir = join(dataDir, 'exports');
  const documents = new StoryboardDocuments({
    storyboardsDir,
    settings: services.settings,
    episodeIdFor: (runKey) => services.episodes.latestByRunKey(runKey)?.id ?? null,
    clock: services.clock,
  });
  const background = (started: { episodeId: string; done: Promise<unknown> }) => {
    services.render.reportInBackground(started.episodeId, started.done as never);
    return { episodeId: started.episodeId };
  };
  const view = (episodeId: string) => {
    if (!services.episodes.find(episodeId)) throw new UserError(`no episode ${episodeId} in this data directory`);
    return episodeView(services.episodes, services.attempts, episodeId);
  };

  return {
    listEngines: async () => services.engineRows(),
    planEpisode: (path, options) => services.render.plan(path, options ?? {}),
    startRender: (path, options) => services.render.start(path, options),
    resumeRender: (episodeId, options) => services.render.startResume(episodeId, options ?? {}),
    cancelRender: async (episodeId) => services.render.cancel(episodeId),
    getEpisode: async (episodeId) => view(episodeId),
    listEpisodes: async () => episodeSummaries(services.db, services.episodes, services.clock()),
    approveShots: async (episodeId, shots) => services.takesService.approve(episodeId, shots),
    unapproveShots: async (episodeId, shots) => services.takesService.unapprove(episodeId, shots),
    selectTake: async (episodeId, shotId, takeNo) => {
      services.takesService.select(episodeId, shotId, takeNo);
      return view(episodeId).shots.find((s) => s.shotId === shotId)!.takes.find((t) => t.takeNo === takeNo)!;
    },
    regenerateShots: async (episodeId, options) => background(await services.takesService.startRegenerate(episodeId, options)),
    restitchEpisode: async (episodeId, options) => background(await services.takesService.startRestitch(episodeId, options)),
    costSummary: async () => costSummary(services.db),
    heldReservations: async () => heldReservations(services.db),
    openStoryboard: (source) => documents.open(source),
    saveStoryboard: (path, storyboard) => documents.save(path, storyboard),
    listStoryboards: () => documents.recent(),
    verifyCredentials: (target) =>
      credentialsView(
        {
          episodes: services.episodes,
          takes: services.takes,
          credentials: services.credentials,
          trustAnchors: () => trustAnchors(services),
          ...(services.config.spawnC2paWorker ? { spawn: services.config.spawnC2paWorker } : {}),
        },
        target,
      ),
    getAppInfo: async () => {
      mkdirSync(exportsDir, { recursive: true });
      return { version: SHOTLINE_SOFTWARE.version, dataDir, storyboardsDir, exportsDir, online: services.connectivity.online, media: await mediaInfo(services), signing: await signingInfo(services) };
    },
    listProviderKeys: async () => keysView(services),
    setProviderKey: async (provider, values) => {
      await writableKeys(services, provider).set(keyedProvider(provider), values);
      return keysView(services);
    },
    deleteProviderKey: async (provider) => {
      await writableKeys(services, provider).delete(keyedProvider(provider));
      return keysView(services);
    },
    updateEngine: async (engineId, edit) => {
      const spec = services.registry.require(engineId);
      services.registry.setOverride(engineId, engineOverridesFromFields(editFields(edit), spec));
      return services.engineRows().find((row) => row.spec.id === engineId) ?? engineRowMissing(engineId);
    },
    onProgress: (listener) => services.onProgress(listener),
  };
}

/** The settings screen's names to `engines set`'s fields. */
function editFields(edit: EngineEdit): Record<string, string> {
  const fields: Record<string, string> = {};
  if (edit.enabled !== undefined) fields.enabled = String(edit.enabled);
  if (edit.price !== undefined) fields.price = edit.price;
  if (edit.baseUrl !== undefined) fields['base-url'] = edit.baseUrl;
  if (edit.concurrency !== undefined) fields.concurrency = edit.concurrency;
  if (edit.model !== undefined) fields.model = edit.model;
  if (edit.workflow !== undefined) fields.workflow = edit.workflow;
  return fields;
}

function engineRowMissing(engineId: string): EngineRow {
  throw new UserError(`engine "${engineId}" is not listed any more (retired or removed)`);
}

function keyedProvider(provider: string) {
  if (!isKeyedProvider(provider)) throw new UserError(`provider: "${provider}" takes no API key; one of ${KEYED_PROVIDERS.join(', ')}`);
  return provider;
}

function writableKeys(services: StudioServices, provider: string): ProviderKeys {
  keyedProvider(provider);
  if (!(services.keys instanceof ProviderKeys)) throw new UserError('keys cannot be changed here: this studio reads them from environment variables only');
  return services.keys;
}

function keysView(services: StudioServices): ProviderKeysView {
  const keys = services.keys;
  if (keys instanceof ProviderKeys) {
    return { keys: keys.list().map((row) => ({ ...row, fields: KEYCHAIN_FIELDS[row.provider] })), keychainProblem: keys.keychainStatus };
  }
  return {
    keys: KEYED_PROVIDERS.map((provider) => ({
      provider,
      fields: KEYCHAIN_FIELDS[provider],
      source: keys.hasKey(provider) ? 'environment' : null,
      shadowedKeychainKey: false,
      environmentVariables: PROVIDER_ACCESS[provider].envVars,
    })),
    keychainProblem: 'this studio reads keys from environment variables only',
  };
}

async function trustAnchors(services: StudioServices): Promise<string[]> {
  const own = await ownRootPem(services.config.dataDir);
  const given = services.config.identity ? (await services.config.identity()).rootPem : null;
  return [own, given].filter((pem): pem is string => pem !== null);
}

async function mediaInfo(services: StudioServices): Promise<AppInfo['media']> {
  try {
    const [backend, video] = await Promise.all([services.media.backend(), services.stitchVideo()]);
    return { backend: backend.backend, encoder: video.encoding.encoder, encoderReason: reasonLead(video.reason).lead, scalingReason: video.scalingReason };
  } catch {
    return null;
  }
}

async function signingInfo(services: StudioServices): Promise<AppInfo['signing']> {
  if (services.config.identity) {
    const identity = await services.config.identity();
    return { available: true, subject: identity.operator, expiresAt: null, reason: null };
  }
  const env = services.config.env ?? process.env;
  const noKeychain = Boolean(env.SHOTLINE_NO_KEYCHAIN || process.env.SHOTLINE_NO_KEYCHAIN);
  const report = await showIdentity({ dataDir: services.config.dataDir, secrets: new MemorySecretStore() }).catch(() => null);
  const reason = noKeychain ? 'signing needs the OS keychain for its private key, and SHOTLINE_NO_KEYCHAIN is set' : report ? null : 'an identity is created on the first signed render';
  return { available: !noKeychain, subject: report?.leaf.subject ?? null, expiresAt: report?.signaturesValidUntil ?? null, reason };
}
