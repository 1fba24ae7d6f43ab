/**
 * The composition root: builds every service from a config. The Electron shell, the
 * CLI, the loopback bridge and the tests all get their Studio from here.
 */
import { homedir, platform, userInfo } from 'node:os';
import { join } from 'node:path';
import type { EngineRow, ProgressEvent, StudioApi } from '../shared/api';
import { UserError } from '../shared/errors';
import { guardEngine, type GuardedEngine } from './engines/boundary';
import type { OutputCodec, ProviderId } from '../shared/domain';
import { BUILT_IN_ADAPTERS, EngineCatalog, type EngineFactory } from './engines';
import { MediaPool } from './media/worker/pool';
import { chooseStitchVideo, softwareVideo, type StitchOutput, type StitchVideoSettings } from './media/stitch/index';
import { mediaWorkerSettings, type MediaBackendSetting } from './media/worker/settings';
import type { WorkerSpawner } from './media/worker/spawn';
import { emptyHealth, HealthRepository } from './registry/health';
import { Registry } from './registry/registry';
import { loadSeedFile, type RegistrySeed } from './registry/seed-file';
import { defaultSeedPath } from './registry/seed-path';
import { seedRegistry } from './registry/seed';
import { EnvironmentKeys, type KeySource } from './secrets/keys';
import { openDatabase, type Db } from './store/database';
import { AttemptStore } from './store/attempts';
import { EpisodeStore } from './store/episodes';
import { TakeStore } from './store/takes';
import { GateResultStore, observedQualityViews } from './store/gate-results';
import { costSummary, episodeView, heldReservations } from './store/reports';
import { episodeSummaries } from './store/takes-report';
import type { ClipGate, PipelineStep } from './pipeline/attempt/run-attempt';
import type { AttemptRecord } from './store/attempts';
import { RenderService } from './pipeline/render-service';
import { TakesService } from './pipeline/takes-service';
import { createClipGate, type ContactSheets } from './pipeline/clip-gate';
import { QualitySpend } from './store/quality-spend';
import { CredentialStore } from './store/credentials';
import { SETTING, SettingsStore } from './store/settings';
import type { C2paWorkerSpawner } from './provenance/c2pa';
import { ensureIdentity, loadSigningIdentity } from './provenance/identity';
import { OsKeychain } from './secrets/keychain';
import type { RunIdentity, SigningDeps } from './pipeline/sign-step';
import { Connectivity, engineEndpoint } from './pipeline/connectivity';
import { studioApi } from './studio-api';

/** How Shotline names itself in the content credentials it writes. */
export const SHOTLINE_SOFTWARE = { name: 'Shotline', version: '0.1.0' } as const;

export interface StudioConfig {
  dataDir: string;
  env?: NodeJS.ProcessEnv;
  /** The ffmpeg binary chosen in settings, if any (the CLI backend runs it). */
  ffmpegPath?: string;
  /**
   * Which FFmpeg the media worker drives: the bundled one (node-av), the CLI, or auto
   * (bundled when it loads). Default: SHOTLINE_FFMPEG from env, else auto.
   */
  mediaBackend?: MediaBackendSetting;
  /** How the media worker is started: fork under Node, utilityProcess in the app. */
  spawnMediaWorker?: WorkerSpawner;
  /** The registry seed; default: resources/engines.json. */
  seed?: RegistrySeed;
  /**
   * Who signs content credentials; default: the identity in this data folder, its keys in
   * the OS keychain (created on first use). Tests pass a throwaway one.
   */
  identity?: () => Promise<RunIdentity>;
  /** A better-sqlite3 addon for this runtime's ABI (the app under Electron); default: the package's own. */
  databaseBinding?: string;
  /** How the C2PA signing worker is started: fork under Node, utilityProcess in the app. */
  spawnC2paWorker?: C2paWorkerSpawner;
  /** Adapters by provider; default: the built-in ones. Tests add scripted engines here. */
  adapters?: Partial<Record<ProviderId, EngineFactory>>;
  keys?: KeySource;
  clock?: () => number;
  random?: () => number;
  log?: (line: string) => void;
  onStep?: (step: PipelineStep, attempt: AttemptRecord) => void | Promise<void>;
}

export interface Studio {
  api: StudioApi;
  close(): void;
}

/** Everything the services share; built once per data directory. */
export class StudioServices {
  readonly db: Db;
  readonly registry: Registry;
  readonly health: HealthRepository;
  readonly episodes: EpisodeStore;
  readonly attempts: AttemptStore;
  /** Shots' takes, selection and approval. */
  readonly takes: TakeStore;
  /** The gate's verdicts and the observed quality the router learns from them. */
  readonly gateResults: GateResultStore;
  readonly keys: KeySource;
  readonly catalog: EngineCatalog;
  readonly clock: () => number;
  readonly random: () => number;
  readonly mediaDir: string;
  readonly render: RenderService;
  /** Approve, select, regenerate, re-stitch. */
  readonly takesService: TakesService;
  /** Every FFmpeg job runs in these worker processes. */
  readonly media: MediaPool;
  private readonly listeners = new Set<(event: ProgressEvent) => void>();
  /** Whether the providers can be reached; generation waits while they cannot (pipeline/connectivity.ts). */
  readonly connectivity: Connectivity;

  constructor(readonly config: StudioConfig) {
    this.clock = config.clock ?? Date.now;
    this.connectivity = new Connectivity({ onChange: (online) => this.emit({ episodeId: '', type: 'network', online }) });
    this.random = config.random ?? Math.random;
    this.db = openDatabase(join(config.dataDir, 'shotline.db'), undefined, config.databaseBinding ? { nativeBinding: config.databaseBinding } : {});
    seedRegistry(this.db, config.seed ?? loadSeedFile(defaultSeedPath(config.env)), this.clock());
    this.registry = new Registry(this.db, this.clock);
    this.health = new HealthRepository(this.db, this.clock);
    this.episodes = new EpisodeStore(this.db, this.clock);
    this.attempts = new AttemptStore(this.db, this.clock);
    this.takes = new TakeStore(this.db, this.clock);
    this.gateResults = new GateResultStore(this.db, this.clock);
    this.keys = config.keys ?? new EnvironmentKeys(config.env);
    this.mediaDir = join(config.dataDir, 'media');
    this.media = new MediaPool({
      settings: mediaWorkerSettings(config.mediaBackend, config.ffmpegPath, config.env ?? process.env),
      env: config.env ?? process.env,
      spawn: config.spawnMediaWorker,
      log: config.log,
    });
    this.catalog = new EngineCatalog(config.adapters ?? BUILT_IN_ADAPTERS, {
      media: this.media,
      credentials: (provider) => this.keys.credentials(provider),
      workDir: (engineId) => join(config.dataDir, 'engines', engineId),
      env: config.env ?? process.env,
      log: config.log,
    });
    this.sheetsDir = join(config.dataDir, 'gate');
    this.qualitySpend = new QualitySpend(this.db, this.attempts, this.clock);
    const clipGate = createClipGate({
      media: this.media,
      keys: this.keys,
      spend: this.qualitySpend,
      episodes: this.episodes,
      sheetsDir: this.sheetsDir,
      log: config.log,
      env: config.env ?? process.env,
      makesStills: (engineId) => this.registry.get(engineId)?.provider === 'animatic',
    });
    this.gate = clipGate.gate;
    this.contactSheets = clipGate.contactSheets;
    this.credentials = new CredentialStore(this.db, this.clock);
    this.settings = new SettingsStore(this.db);
    this.render = new RenderService(this);
    this.takesService = new TakesService(this, this.render);
  }

  /**
   * One instance of every engine this build can drive, each behind the classification
   * boundary; adapters are cheap to create.
   */
  async instantiateEngines(): Promise<Map<string, GuardedEngine>> {
    const specs = this.registry.list({ includeRemoved: true }).filter((spec) => this.catalog.hasAdapter(spec.provider));
    const engines = await Promise.all(specs.map((spec) => this.catalog.engineFor(spec)));
    return new Map(engines.map((engine) => [engine.spec.id, guardEngine(engine, { secrets: () => this.keys.secretValues() })]));
  }

  /** The stitch input with the encoder this machine does best for its codec, and its scaling (tried once per studio). */
  async withStitchVideo<T extends { output: StitchOutput }>(input: T): Promise<T> {
    return { ...input, output: { ...input.output, video: input.output.video ?? (await this.stitchVideo(input.output.codec)) } };
  }

  /** How stitches make pictures here and why; the software encoder and the CPU scaler when trying the encoders failed. */
  stitchVideo(codec: OutputCodec = 'h264'): Promise<StitchVideoSettings> {
    let settings = this.videoSettings.get(codec);
    if (!settings) {
      settings = chooseStitchVideo(this.media, codec).catch((error: unknown): StitchVideoSettings => {
        const why = error instanceof Error ? error.message : String(error);
        const fallback = softwareVideo(codec);
        this.config.log?.(`encoder choice failed, using ${fallback.encoding.encoder}: ${why}`);
        return { ...fallback, reason: `${fallback.encoding.encoder}: trying the encoders failed (${why})` };
      });
      this.videoSettings.set(codec, settings);
    }
    return settings;
  }
  private readonly videoSettings = new Map<OutputCodec, Promise<StitchVideoSettings>>();


  /** The quality gate (pipeline/clip-gate.ts), and the contact sheets its AI score made, per episode. */
  readonly gate: ClipGate;
  /** What checking clips costs (the AI score, the character comparison), in the ledger. */
  readonly qualitySpend: QualitySpend;
  readonly contactSheets: ContactSheets;
  /** Where contact sheets of gated clips are kept (the character check compares them). */
  readonly sheetsDir: string;

  /** Content credentials of takes and exports. */
  readonly credentials: CredentialStore;
  readonly settings: SettingsStore;

  /** What signing needs for one run (pipeline/sign-step.ts); the identity is asked once per run. */
  signingDeps(): SigningDeps {
    let identity: Promise<RunIdentity> | undefined;
    return {
      identity: () => (identity ??= (this.config.identity ?? (() => this.ownIdentity()))()),
      credentials: this.credentials,
      attempts: this.attempts,
      registry: this.registry,
      software: SHOTLINE_SOFTWARE,
      includePrompt: this.settings.get(SETTING.credentialsIncludePrompt) === 'true',
      ...(this.config.spawnC2paWorker ? { spawn: this.config.spawnC2paWorker } : {}),
      ...(this.config.log ? { log: this.config.log } : {}),
    };
  }

  /**
   * The signing identity of this data folder (provenance/identity): created on first use,
   * its keys in the OS keychain. A failure (no keychain) is the reason the run's takes
   * stay unsigned.
   */
  private async ownIdentity(): Promise<RunIdentity> {
    const env = this.config.env ?? process.env;
    // The process's own setting counts too: the keychain is the process's, whatever env a studio was given.
    if (env.SHOTLINE_NO_KEYCHAIN || process.env.SHOTLINE_NO_KEYCHAIN) {
      throw new UserError('signing needs the OS keychain for its private key, and SHOTLINE_NO_KEYCHAIN is set (use --no-sign, or run where a keychain is available)');
    }
    const context = { dataDir: this.config.dataDir, secrets: new OsKeychain() };
    await ensureIdentity({ ...context, operatorName: operatorName(env) });
    const loaded = await loadSigningIdentity(context);
    return { signer: loaded.signer, rootPem: loaded.rootPem, fingerprint: loaded.leafFingerprint, operator: loaded.operator };
  }

  /** Where an engine's calls go; null for one that needs no network. */
  endpointOf(engineId: string): URL | null {
    const spec = this.registry.get(engineId);
    return spec ? engineEndpoint(spec, this.config.env ?? process.env) : null;
  }

  emit = (event: ProgressEvent): void => {
    for (const listener of this.listeners) listener(event);
  };

  onProgress(listener: (event: ProgressEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  engineRows(): EngineRow[] {
    const health = this.health.allHealth();
    const observed = this.gateResults.observedQualityByEngine();
    return this.registry.list().map((spec) => ({
      spec,
      health: health.get(spec.id) ?? emptyHealth(spec.id),
      keyConfigured: this.keys.hasKey(spec.provider, spec),
      adapterAvailable: this.catalog.hasAdapter(spec.provider),
      observedQuality: observedQualityViews(spec, observed.get(spec.id)),
    }));
  }

  /** Stops renders and the media workers with their FFmpeg (the app quitting, the CLI exiting). */
  close(): void {
    this.render.cancelAll();
    this.media.close();
    this.db.close();
  }
}

export function openStudio(config: StudioConfig): StudioServices {
  return new StudioServices(config);
}

export async function createStudio(config: StudioConfig): Promise<Studio> {
  const services = openStudio(config);
  return { api: studioApi(services), close: () => services.close() };
}

/** The per-user data folder: --data-dir, else SHOTLINE_HOME, else the platform's app-data folder. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SHOTLINE_HOME) return env.SHOTLINE_HOME;
  const home = env.HOME ?? homedir();
  // The same folders Electron's app.getPath('userData') gives for an app named Shotline.
  switch (platform()) {
    case 'darwin':
      return join(home, 'Library', 'Application Support', 'Shotline');
    case 'win32':
      return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'Shotline');
    default:
      return join(env.XDG_CONFIG_HOME ?? join(home, '.config'), 'Shotline');
  }
}

/** Who signs: SHOTLINE_OPERATOR, else the account's name. */
function operatorName(env: NodeJS.ProcessEnv): string {
  if (env.SHOTLINE_OPERATOR?.trim()) return env.SHOTLINE_OPERATOR.trim();
  try {
    return userInfo().username || 'Shotline user';
  } catch {
    return 'Shotline user';
  }
}
