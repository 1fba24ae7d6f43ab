/**
 * The headless face of Shotline (`shotline` bin): the same services as the desktop app,
 * under plain Node. Exit codes: cli/exit-codes.ts. Output goes through SafeOutput
 * wrappers: a closed or full stdout/stderr loses text, never a render or its exit code.
 */
import { join, resolve } from 'node:path';
import { CancelledError } from '../shared/errors';
import { parseCommand, USAGE, type Command } from './cli/args';
import { formatEnginesTable } from './cli/engines-table';
import { runEnginesEdit } from './cli/engines-command';
import { runKeysCommand } from './cli/keys-command';
import { runStudioCommand } from './cli/studio-command';
import { runVerifyCommand } from './cli/verify-command';
import { runIdentityCommand } from './cli/identity-command';
import { openDatabase, type Db } from './store/database';
import { ownRootPem } from './provenance/identity/identity-files';
import type { SecretInput } from './cli/secret-prompt';
import { openProviderKeys } from './secrets/open-keys';
import { ProviderKeys } from './secrets/provider-keys';
import { noteLostOutput, reportError } from './cli/error-report';
import { EXIT, type ExitCode } from './cli/exit-codes';
import { safeOutput, type OutputStream, type SafeOutput } from './cli/output';
import { exitCodeForReport, withProgress } from './cli/run-progress';
import { runTakesCommand } from './cli/takes-commands';
import { formatCosts, formatHeldReservations, formatRenderReport } from './cli/report-text';
import { isMediaCommand, runMediaCommand } from './cli/media-commands';
import type { RenderReport } from './pipeline/render-report';
import { costSummary, heldReservations } from './store/reports';
import { defaultDataDir, openStudio, type StudioConfig, type StudioServices } from './studio';

export { EXIT, EXIT_CODE_TABLE, type ExitCode } from './cli/exit-codes';

export interface CliStreams {
  stdout: OutputStream;
  stderr: OutputStream;
  /** Where `keys set` reads a key when no terminal is attached; default process.stdin. */
  stdin?: SecretInput;
}

interface CliOutput {
  stdout: SafeOutput;
  stderr: SafeOutput;
}

type RunCommand = Exclude<Command, { name: 'help' } | { name: 'keys' }>;

/** How long the end of a run waits to learn whether the report reached stdout. */
const OUTPUT_SETTLE_MS = 250;

/**
 * `studio` adds to the configuration the CLI builds: how an embedding program (a test
 * harness that serves a scripted provider, say) supplies adapters or a registry seed.
 */
export async function main(argv: string[], streams: CliStreams = process, studioConfig: Partial<Omit<StudioConfig, 'dataDir'>> = {}): Promise<ExitCode> {
  const io: CliOutput = { stdout: safeOutput(streams.stdout), stderr: safeOutput(streams.stderr) };
  const debug = Boolean(process.env.SHOTLINE_DEBUG);
  if (isMediaCommand(argv[0], argv.slice(1))) {
    try {
      return (await runMediaCommand(argv[0], argv.slice(1), { stdout: io.stdout, stderr: io.stderr, env: studioConfig.env ?? process.env })) as ExitCode;
    } catch (error) {
      return reportError(error, io.stderr, { cancelled: error instanceof CancelledError, debug });
    } finally {
      await io.stdout.settle(OUTPUT_SETTLE_MS);
    }
  }
  if (argv[0] === 'verify') {
    try {
      return (await runVerifyCommand(argv.slice(1), { stdout: io.stdout, ownRootPem: (dataDir) => ownRootPem(resolve(dataDir ?? defaultDataDir())) })) as ExitCode;
    } catch (error) {
      return reportError(error, io.stderr, { cancelled: false, debug });
    } finally {
      await io.stdout.settle(OUTPUT_SETTLE_MS);
    }
  }
  if (argv[0] === 'studio') {
    const stopped = new Promise<void>((resolveStop) => {
      process.once('SIGINT', () => resolveStop());
      process.once('SIGTERM', () => resolveStop());
    });
    try {
      return (await runStudioCommand(argv.slice(1), studioConfig, { stdout: io.stdout, stderr: io.stderr, stopped })) as ExitCode;
    } catch (error) {
      return reportError(error, io.stderr, { cancelled: false, debug });
    } finally {
      await io.stdout.settle(OUTPUT_SETTLE_MS);
    }
  }
  if (argv[0] === 'identity') {
    let db: Db | undefined;
    try {
      const dataDir = resolve(dataDirFlag(argv) ?? defaultDataDir());
      return (await runIdentityCommand(argv.slice(1), {
        stdout: io.stdout,
        stdin: streams.stdin ?? process.stdin,
        env: studioConfig.env ?? process.env,
        dataDir,
        db: () => (db ??= openDatabase(join(dataDir, 'shotline.db'))),
      })) as ExitCode;
    } catch (error) {
      return reportError(error, io.stderr, { cancelled: false, debug });
    } finally {
      db?.close();
      await io.stdout.settle(OUTPUT_SETTLE_MS);
    }
  }
  let command: Command;
  try {
    command = parseCommand(argv);
  } catch (error) {
    return reportError(error, io.stderr, { cancelled: false, debug });
  }
  if (command.name === 'help') {
    io.stdout.write(`${USAGE}\n`);
    return EXIT.ok;
  }

  if (command.name === 'keys') {
    try {
      const keys = studioConfig.keys instanceof ProviderKeys ? studioConfig.keys : await openProviderKeys(studioConfig.env ?? process.env);
      return await runKeysCommand(command, keys, { stdin: streams.stdin ?? process.stdin, stdout: io.stdout, stderr: io.stderr });
    } catch (error) {
      return reportError(error, io.stderr, { cancelled: false, debug });
    } finally {
      await io.stdout.settle(OUTPUT_SETTLE_MS);
    }
  }

  const cancel = new AbortController();
  // Only for the real process: a test that passes its own streams keeps its runner's handlers.
  const stopCrashHandler = streams === process ? exitOnCrash(io.stderr, debug) : () => {};
  let studio: StudioServices | undefined;
  let code: ExitCode;
  try {
    // Only commands that route or call engines ask the keychain (a D-Bus round trip); `costs` and the takes' bookkeeping read the store alone.
    const keys = studioConfig.keys ?? (readsStoreOnly(command) ? undefined : await openProviderKeys(studioConfig.env ?? process.env));
    const mediaBackend = 'ffmpeg' in command ? command.ffmpeg : undefined;
    studio = openStudio({ ...studioConfig, ...(mediaBackend ? { mediaBackend } : {}), keys, dataDir: resolve(command.dataDir ?? defaultDataDir()), log: debug ? (line) => io.stderr.write(`${line}\n`) : undefined });
    code = await run(command, studio, io, cancel);
  } catch (error) {
    code = reportError(error, io.stderr, { cancelled: cancel.signal.aborted, debug });
  }
  try {
    studio?.close();
  } catch (error) {
    const closeCode = reportError(error, io.stderr, { cancelled: false, debug });
    if (code === EXIT.ok) code = closeCode;
  }
  // A full disk or a closed pipe may be reported only after write() returned.
  await io.stdout.settle(OUTPUT_SETTLE_MS);
  noteLostOutput(io.stdout, io.stderr, debug);
  stopCrashHandler();
  return code;
}

/**
 * A throw nobody catches (a bug in a timer or stream callback) would otherwise print
 * Node's stack trace and exit 1, which reads as "some shots failed". It is reported like
 * any other error instead and ends the process: after an uncaught exception nothing is
 * known to be consistent, and every state of a render is safe to resume from.
 */
function exitOnCrash(stderr: SafeOutput, debug: boolean): () => void {
  const onCrash = (error: unknown) => {
    const code = reportError(error, stderr, { cancelled: false, debug });
    // No FFmpeg runs in this process: the media workers see it go and stop theirs.
    // Not 2 or 3 even for a stray UserError: once work has started, "nothing was spent" cannot be promised.
    process.exit(code === EXIT.cancelled ? code : EXIT.internal);
  };
  process.on('uncaughtException', onCrash);
  return () => process.off('uncaughtException', onCrash);
}

async function run(command: RunCommand, studio: StudioServices, io: CliOutput, cancel: AbortController): Promise<ExitCode> {
  switch (command.name) {
    case 'engines': {
      if (command.action !== 'list') {
        io.stdout.write(`${runEnginesEdit(command, studio.registry)}\n`);
        return EXIT.ok;
      }
      const rows = studio.engineRows();
      io.stdout.write(command.json ? toJson(rows) : `${formatEnginesTable(rows, { color: io.stdout.isTTY })}\n`);
      return EXIT.ok;
    }
    case 'costs': {
      if (command.held) {
        const held = heldReservations(studio.db);
        io.stdout.write(command.json ? toJson(held) : `${formatHeldReservations(held)}\n`);
      } else {
        const summary = costSummary(studio.db);
        io.stdout.write(command.json ? toJson(summary) : `${formatCosts(summary)}\n`);
      }
      return EXIT.ok;
    }
    case 'render':
    case 'resume':
      return renderOrResume(command, studio, io, cancel);
    default:
      return runTakesCommand(command, studio, io, cancel);
  }
}

async function renderOrResume(
  command: Extract<RunCommand, { name: 'render' | 'resume' }>,
  studio: StudioServices,
  io: CliOutput,
  cancel: AbortController,
): Promise<ExitCode> {
  const progress = { onProgress: studio.onProgress.bind(studio), stderr: io.stderr, cancel, what: 'render', dataDir: command.dataDir };
  const money = { allowPartial: command.allowPartial, resubmitUnknown: command.resubmitUnknown, sign: command.sign, allowUnverified: command.allowUnverified };
  const report: RenderReport =
    command.name === 'render'
      ? await withProgress(progress, (signal) =>
          studio.render.render(
            command.storyboard,
            { outputPath: command.out, mode: command.mode, approved: command.approved, budgetUsd: command.budget, concurrency: command.concurrency, strict: command.strict, fresh: command.fresh, ...money },
            signal,
          ),
        )
      : await withProgress({ ...progress, episodeId: command.episodeId }, (signal) =>
          studio.render.resume(command.episodeId && (studio.episodes.resolveId(command.episodeId) ?? command.episodeId), { budgetUsd: command.budget, concurrency: command.concurrency, strict: command.strict, ...money }, signal),
        );
  io.stdout.write(command.json ? toJson(report) : `${formatRenderReport(report)}\n`);
  return exitCodeForReport(report, cancel);
}

/** Commands that neither route nor generate: the keychain is never asked for them. */
const STORE_ONLY: readonly RunCommand['name'][] = ['costs', 'episodes', 'shots', 'approve', 'unapprove', 'select'];

function readsStoreOnly(command: RunCommand): boolean {
  return STORE_ONLY.includes(command.name);
}

function toJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** --data-dir DIR (or --data-dir=DIR) for the commands that parse their own flags. */
function dataDirFlag(argv: string[]): string | undefined {
  const index = argv.indexOf('--data-dir');
  if (index >= 0) return argv[index + 1];
  return argv.find((arg) => arg.startsWith('--data-dir='))?.slice('--data-dir='.length);
}
