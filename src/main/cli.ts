/**
 * The headless face of Shotline (`shotline` bin): the same services as the desktop app,
 * under plain Node. Exit codes: 0 done, 1 some shots failed, 2 usage or validation error.
 */
import { resolve } from 'node:path';
import { CancelledError, ShotlineError, UserError } from '../shared/errors';
import { parseCommand, USAGE, type Command } from './cli/args';
import { formatEnginesTable } from './cli/engines-table';
import { createProgressView } from './cli/progress';
import { formatCosts, formatRenderReport } from './cli/report-text';
import type { RenderReport } from './pipeline/render-report';
import { costSummary } from './store/reports';
import { defaultDataDir, openStudio, type StudioServices } from './studio';

export const EXIT = { ok: 0, shotsFailed: 1, usage: 2, cancelled: 130 } as const;

export async function main(argv: string[], io: { stdout: NodeJS.WriteStream; stderr: NodeJS.WriteStream } = process): Promise<number> {
  let studio: StudioServices | undefined;
  const controller = new AbortController();
  const onSignal = () => {
    io.stderr.write('\nCancelling... (the render can be resumed with `shotline resume`)\n');
    controller.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const command = parseCommand(argv);
    if (command.name === 'help') {
      io.stdout.write(`${USAGE}\n`);
      return EXIT.ok;
    }
    studio = openStudio({ dataDir: resolve(command.dataDir ?? defaultDataDir()), log: process.env.SHOTLINE_DEBUG ? (l) => io.stderr.write(`${l}\n`) : undefined });
    return await run(command, studio, io, controller.signal);
  } catch (error) {
    if (error instanceof UserError) {
      io.stderr.write(`shotline: ${error.message}\n`);
      return EXIT.usage;
    }
    if (error instanceof CancelledError) return EXIT.cancelled;
    const message = error instanceof ShotlineError || process.env.SHOTLINE_DEBUG ? ((error as Error).stack ?? String(error)) : (error as Error).message;
    io.stderr.write(`shotline: ${message}\n`);
    return EXIT.shotsFailed;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    studio?.close();
  }
}

async function run(command: Exclude<Command, { name: 'help' }>, studio: StudioServices, io: { stdout: NodeJS.WriteStream; stderr: NodeJS.WriteStream }, signal: AbortSignal): Promise<number> {
  switch (command.name) {
    case 'engines': {
      const rows = studio.engineRows();
      io.stdout.write(command.json ? `${JSON.stringify(rows, null, 2)}\n` : `${formatEnginesTable(rows, { color: !!io.stdout.isTTY })}\n`);
      return EXIT.ok;
    }
    case 'costs': {
      const summary = costSummary(studio.db);
      io.stdout.write(command.json ? `${JSON.stringify(summary, null, 2)}\n` : `${formatCosts(summary)}\n`);
      return EXIT.ok;
    }
    case 'render':
    case 'resume': {
      const view = createProgressView(io.stderr);
      const unsubscribe = studio.onProgress((event) => view.update(event));
      let report: RenderReport;
      try {
        report =
          command.name === 'render'
            ? await studio.render.render(
                command.storyboard,
                { outputPath: command.out, mode: command.mode, budgetUsd: command.budget, concurrency: command.concurrency, strict: command.strict, fresh: command.fresh },
                signal,
              )
            : await studio.render.resume(command.episodeId, { concurrency: command.concurrency, strict: command.strict }, signal);
      } finally {
        unsubscribe();
        view.finish();
      }
      io.stdout.write(command.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatRenderReport(report)}\n`);
      return report.status === 'completed' ? EXIT.ok : EXIT.shotsFailed;
    }
  }
}
