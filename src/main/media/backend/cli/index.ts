/**
 * Backend A: the FFmpeg command-line tools the locate chain found (setting, FFMPEG_PATH,
 * ffmpeg-static, system). Each job is one ffmpeg run through media/ffmpeg.ts, which
 * registers the child for cancellation and logs the command so it can be pasted into a
 * terminal. Graphs and concat lists go through files in a private temp folder.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { isAbortError } from '../../../../shared/errors';
import { FfmpegError, runFfmpeg, runFfmpegText } from '../../ffmpeg';
import type { FfmpegLocation } from '../../locate';
import { selectedDevice } from '../device-log';
import { MediaJobError } from '../errors';
import type { BackendInfo, ConcatCopyJob, EncoderTrial, EncoderTrialResult, GraphJob, GraphRunResult, MediaBackend, MuxJob, RunContext } from '../types';
import { graphFileText, concatCopyArgs, concatList, encoderTrialArgs, graphJobArgs, muxArgs, type CliFlavour } from './args';
import { probeWithFfprobe } from './probe';
import { parseCapabilities, parseVersion } from './capabilities';
import { DecodeErrorCounter } from './decode-errors';

/** Folder for graph and list files of this process; `media/temp-sweep.ts` removes those of dead processes. */
export const CLI_SCRATCH_PREFIX = 'shotline-media-';

export function createCliBackend(location: FfmpegLocation): MediaBackend {
  let flavour: Promise<{ info: BackendInfo; flavour: CliFlavour }> | undefined;
  const scratch = path.join(os.tmpdir(), `${CLI_SCRATCH_PREFIX}${process.pid}`);

  const describe = (context?: RunContext) =>
    (flavour ??= (async () => {
      const [version, encoders, filters, hwaccels] = await Promise.all(
        [['-version'], ['-encoders'], ['-filters'], ['-hwaccels']].map((args) => runFfmpegText(location.ffmpeg, args, { log: context?.log })),
      );
      const parsedVersion = parseVersion(version ?? '');
      const capabilities = parseCapabilities(encoders ?? '', filters ?? '', hwaccels ?? '');
      return {
        info: { name: 'cli', version: parsedVersion.text, origin: `${location.source}: ${location.ffmpeg}`, ...capabilities },
        flavour: { major: parsedVersion.major },
      };
    })());

  async function withFile<T>(name: string, text: string, use: (file: string) => Promise<T>, context?: RunContext): Promise<T> {
    await mkdir(scratch, { recursive: true });
    const file = path.join(scratch, `${name}-${randomBytes(6).toString('hex')}.txt`);
    await writeFile(file, text, 'utf8');
    // The command names this file, which is deleted afterwards: its text goes to the log too, so the command can be replayed.
    context?.log?.(`# ${file}:\n${text}`);
    try {
      return await use(file);
    } finally {
      await rm(file, { force: true });
    }
  }

  async function run(args: string[], context: RunContext, expectedSeconds: number, what: string, onStderrLine?: (line: string) => void) {
    let pid: number | undefined;
    try {
      await runFfmpeg(location.ffmpeg, args, {
        signal: context.signal,
        log: context.log,
        expectedDurationSeconds: expectedSeconds,
        onProgress: (p) => context.onProgress?.({ seconds: p.outTimeSeconds, fraction: p.fraction ?? 0 }),
        onStart: (started) => {
          pid = started;
          context.onChild?.(started, true);
        },
        onStderrLine,
      });
    } catch (error) {
      if (isAbortError(error) || !(error instanceof FfmpegError)) throw error;
      throw new MediaJobError(`${what} failed (${error.exitCode === null ? 'ffmpeg was killed' : `ffmpeg exit code ${error.exitCode}`})`, error.stderrTail, error.command);
    } finally {
      if (pid !== undefined) context.onChild?.(pid, false);
    }
  }

  return {
    info: async () => (await describe()).info,
    probe: (file, context) => probeWithFfprobe(location.ffprobe, file, context),

    async runGraph(job: GraphJob, context: RunContext): Promise<GraphRunResult> {
      const { flavour: cli } = await describe(context);
      const counter = new DecodeErrorCounter();
      let device: string | null = null;
      const see = (line: string) => {
        counter.see(line);
        if (job.hardware) device ??= selectedDevice(line);
      };
      await withFile('graph', graphFileText(job), (graphFile) => run(graphJobArgs(job, graphFile, cli), context, job.expectedSeconds, `the media job writing ${job.output.container === 'null' ? 'nothing' : job.output.path}`, see), context);
      return { ...counter.result(), device };
    },

    async concatCopy(job: ConcatCopyJob, context: RunContext): Promise<void> {
      await withFile('concat', concatList(job.parts.map((part) => path.resolve(part)), job.partSeconds), (listFile) =>
        run(concatCopyArgs(job, listFile), context, job.expectedSeconds, `joining ${job.parts.length} pieces into ${job.output.path}`),
        context,
      );
    },

    async mux(job: MuxJob, context: RunContext): Promise<void> {
      await run(muxArgs(job), context, job.expectedSeconds, `muxing ${job.output.path}`);
    },

    async tryEncoder(trial: EncoderTrial, context: RunContext): Promise<EncoderTrialResult> {
      try {
        await run(encoderTrialArgs(trial), context, 0.2, `trying ${trial.encoder}`);
        return { encoder: trial.encoder, works: true, reason: null };
      } catch (error) {
        if (!(error instanceof MediaJobError)) throw error;
        return { encoder: trial.encoder, works: false, reason: firstMeaningfulLine(error.detail) };
      }
    },
  };
}

function firstMeaningfulLine(stderr: string): string {
  const lines = stderr.split('\n').map((line) => line.trim()).filter(Boolean);
  return lines.find((line) => /error|fail|cannot|not|unsupported|no device/i.test(line)) ?? lines[0] ?? 'the encoder could not be opened';
}
