/**
 * The quality gate for one clip: probe it, decode and analyse it in one pass (black,
 * frozen and silent runs, colour statistics), hold it against the shot, optionally ask
 * the AI scorer, and decide what the pipeline does with it. All media work goes through
 * MediaOps (the media workers); everything that judges is pure and lives next door.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { isAbortError } from '../../../shared/errors';
import type { GateCheck, GateStrictness, GateVerdict } from '../../../shared/quality';
import { MediaJobError, NotPlayableError } from '../backend/errors';
import type { GraphJob, MediaOps, MediaProbe, OpOptions } from '../backend/types';
import { chain, filter } from '../filtergraph';
import { colourStats, summariseAudio, summariseVideo, type ClipColourStats } from './analysis';
import { analysisJob } from './analysis-graph';
import { decide } from './decision';
import { notPlayableChecks, skipped, technicalChecks, type AnalysisOutcome, type ClipExpectation } from './evaluate';
import { parseMetadataPrint } from './metadata';
import { thresholdsFor, type GateThresholds } from './thresholds';

export type { ClipColourStats } from './analysis';
export type { ClipExpectation } from './evaluate';
export { DEFAULT_THRESHOLDS, durationBounds, thresholdsFor, type GateThresholds } from './thresholds';

/** Shaped so that media/ai's makeAiScorer (AiScoreRequest) can be passed as is. */
export interface AiScoreInput {
  clipPath: string;
  /** The shot's prompt ('' when the expectation has none). */
  prompt: string;
  shotId?: string;
  expectation: ClipExpectation;
  probe: MediaProbe;
  strictness: GateStrictness;
  /** The gate's lowest accepted score for this strictness (thresholds.minAiScore); the scorer sets the check's outcome. */
  minScore: number;
  signal?: AbortSignal;
}

/** Scores a clip against its prompt; returns the 'ai_score' check (value 0..1). */
export type AiScorer = (input: AiScoreInput) => Promise<GateCheck>;

export interface CheckClipOptions {
  strictness: GateStrictness;
  /** Overrides of the strictness's DEFAULT_THRESHOLDS. */
  thresholds?: Partial<GateThresholds>;
  signal?: AbortSignal;
  log?: (line: string) => void;
  aiScore?: AiScorer;
  /** Handed to the AI scorer (for its ledger entries). */
  shotId?: string;
  /** Why there is no AI score when aiScore is not given ("no Gemini key: AI score skipped"). */
  aiSkippedReason?: string;
  /** Where the analysis writes its temporary files (default: the system temp folder). */
  scratchDir?: string;
}

export interface ClipGateResult {
  verdict: GateVerdict;
  /** Null when the file is not a playable video. */
  probe: MediaProbe | null;
  /** Null when the clip could not be analysed. */
  colour: ClipColourStats | null;
}

const DEFAULT_AI_SKIPPED = 'no AI scorer configured: AI score skipped';

export async function checkClip(media: MediaOps, clipPath: string, expectation: ClipExpectation, options: CheckClipOptions): Promise<ClipGateResult> {
  const limits = thresholdsFor(options.strictness, options.thresholds);
  const ops: OpOptions = { signal: options.signal, log: options.log };
  let probe: MediaProbe;
  try {
    probe = await media.probe(clipPath, ops);
  } catch (error) {
    if (!(error instanceof NotPlayableError)) throw error;
    const checks = [...notPlayableChecks(error.reason), skipped('ai_score', 'not run: the clip failed the technical checks')];
    return { verdict: decide(checks), probe: null, colour: null };
  }
  const { analysis, colour } = await analyse(media, clipPath, probe, ops, options.scratchDir);
  const checks = technicalChecks(probe, analysis, expectation, limits);
  const aiInput: AiScoreInput = {
    clipPath,
    prompt: expectation.prompt ?? '',
    ...(options.shotId !== undefined ? { shotId: options.shotId } : {}),
    expectation,
    probe,
    strictness: options.strictness,
    minScore: limits.minAiScore,
    signal: options.signal,
  };
  checks.push(await aiCheck(checks, aiInput, options));
  return { verdict: decide(checks), probe, colour };
}

async function analyse(media: MediaOps, clip: string, probe: MediaProbe, ops: OpOptions, scratchDir = os.tmpdir()): Promise<{ analysis: AnalysisOutcome; colour: ClipColourStats | null }> {
  const dir = await mkdtemp(path.join(scratchDir, 'shotline-gate-'));
  try {
    const files = { video: path.join(dir, 'video.txt'), audio: probe.hasAudio ? path.join(dir, 'audio.txt') : null };
    let result;
    try {
      result = await media.runGraph(analysisJob(clip, files, probe.durationSeconds), ops);
    } catch (error) {
      // A graph that could not even be set up is our fault (or the backend's), never the clip's.
      if (!(error instanceof MediaJobError) || isGraphSetupError(error)) throw error;
      // The clip, or the analysis? A plain decode tells: if it works, the fault is ours, not the clip's.
      if (await decodesPlainly(media, clip, probe, ops)) throw error;
      return { analysis: { ok: false, error: ffmpegReason(error) }, colour: null };
    }
    const read = (file: string) => readFile(file, 'utf8').catch(() => '');
    const videoFrames = parseMetadataPrint(await read(files.video));
    const audioFrames = files.audio ? parseMetadataPrint(await read(files.audio)) : null;
    return {
      analysis: {
        ok: true,
        decodeErrors: result.decodeErrors,
        firstDecodeError: result.firstDecodeError,
        video: summariseVideo(videoFrames, probe.videoDurationSeconds ?? probe.durationSeconds),
        audio: audioFrames ? summariseAudio(audioFrames, probe.audioDurationSeconds ?? probe.durationSeconds) : null,
      },
      colour: colourStats(videoFrames),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function decodesPlainly(media: MediaOps, clip: string, probe: MediaProbe, ops: OpOptions): Promise<boolean> {
  const graph = [chain(['0:v'], [filter('format', { pix_fmts: 'yuv420p' })], ['plain_v'])];
  if (probe.hasAudio) graph.push(chain(['0:a'], [filter('aformat', { sample_fmts: 'fltp' })], ['plain_a']));
  const job: GraphJob = {
    inputs: [{ path: clip }],
    graph: graph.join(';'),
    discard: probe.hasAudio ? ['plain_v', 'plain_a'] : ['plain_v'],
    output: { path: '', container: 'null' },
    expectedSeconds: probe.durationSeconds,
  };
  try {
    await media.runGraph(job, ops);
    return true;
  } catch (error) {
    if (!(error instanceof MediaJobError)) throw error;
    return false;
  }
}

const GRAPH_SETUP_FAILURE = /could not be configured|matches no streams|unconnected output|Error initializing complex filters|Error configuring (complex )?filters|No such filter|Media type mismatch|Error (opening|binding) filtergraph/i;

/** The filter graph failed before any frame went through it (node-av and CLI wordings). */
export function isGraphSetupError(error: MediaJobError): boolean {
  return GRAPH_SETUP_FAILURE.test(error.message) || GRAPH_SETUP_FAILURE.test(error.detail);
}

/** FFmpeg's own first line about the failure, for the check's detail. */
function ffmpegReason(error: MediaJobError): string {
  const lines = error.detail.split('\n').map((line) => line.trim()).filter(Boolean);
  return (lines.find((line) => /invalid|error|corrupt|could not|failed|no frame/i.test(line)) ?? lines[0] ?? error.message).slice(0, 300);
}

async function aiCheck(technical: GateCheck[], input: AiScoreInput, options: CheckClipOptions): Promise<GateCheck> {
  if (technical.some((c) => c.outcome === 'fail')) return skipped('ai_score', 'not run: the clip failed the technical checks');
  if (!options.aiScore) return skipped('ai_score', options.aiSkippedReason ?? DEFAULT_AI_SKIPPED);
  try {
    return { ...(await options.aiScore(input)), name: 'ai_score' };
  } catch (error) {
    if (isAbortError(error) || options.signal?.aborted) throw error;
    return skipped('ai_score', `AI score failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}
