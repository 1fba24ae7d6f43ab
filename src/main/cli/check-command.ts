/**
 * `shotline check <clip>`: the quality gate on one file, as the pipeline would run it.
 * What the shot asked for comes from the flags; what is not given is taken from the
 * clip itself (its size, its length), so a bare `shotline check clip.mp4` asks "does it
 * decode, is it black, frozen or silent?".
 */
import { parseArgs } from 'node:util';
import { RESOLUTIONS, frameSize, type Resolution } from '../../shared/domain';
import type { GateCheck, GateStrictness } from '../../shared/quality';
import { NotPlayableError } from '../media/backend/errors';
import type { MediaOps, MediaProbe } from '../media/backend/types';
import { displayAspect } from '../media/gate/evaluate';
import { checkClip, type AiScorer, type ClipColourStats, type ClipExpectation, type ClipGateResult } from '../media/gate/index';
import { EXIT } from './exit-codes';

export const CHECK_USAGE = `Usage:
  shotline check <clip> [--prompt TEXT] [--duration S] [--width W --height H | --resolution 720p --aspect 16:9]
                 [--audio] [--strictness preview|final] [--json]

  Runs the quality gate on one clip. What is not given is taken from the clip: its size, its length.
  --prompt TEXT          the shot's prompt (for the AI score)
  --duration S           the shot's length in seconds
  --width W --height H   the shot's frame
  --resolution R         ${RESOLUTIONS.join(', ')} or NNNp (the short side); with --aspect W:H
  --audio                the shot asks for sound: the clip must have an audible track
  --strictness MODE      preview (lenient) or final (strict, the default)
  --json                 print the verdict as JSON
Exit codes: 0 the clip passes, 1 it fails, 2 usage error.`;

export interface CheckIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  env: NodeJS.ProcessEnv;
  media: MediaOps;
  /** The AI scorer, once wired; without it the ai_score check is skipped with the reason. */
  aiScore?: AiScorer;
  signal?: AbortSignal;
}

export interface CheckRequest {
  clip: string;
  prompt?: string;
  durationSeconds?: number;
  size?: { width: number; height: number };
  /** Short side in pixels and/or aspect W:H, the rest from the clip. */
  resolution?: number;
  aspect?: { width: number; height: number };
  audio: boolean;
  strictness: GateStrictness;
  json: boolean;
}

export class CheckUsageError extends Error {
  override name = 'CheckUsageError';
}

/** `args` are the words after `check`. Returns the exit code. */
export async function runCheckCommand(args: string[], io: CheckIo): Promise<number> {
  let request: CheckRequest | 'help';
  try {
    request = parseCheckArgs(args);
  } catch (error) {
    if (!(error instanceof CheckUsageError)) throw error;
    io.stderr(`shotline check: ${error.message}\n\n${CHECK_USAGE}\n`);
    return EXIT.usage;
  }
  if (request === 'help') {
    io.stdout(`${CHECK_USAGE}\n`);
    return EXIT.ok;
  }
  const probe = await io.media.probe(request.clip, { signal: io.signal }).catch((error: unknown) => {
    if (error instanceof NotPlayableError) return null;
    throw error;
  });
  const expectation = expectationFor(request, probe);
  const result = await checkClip(io.media, request.clip, expectation, {
    strictness: request.strictness,
    signal: io.signal,
    aiScore: io.aiScore,
    aiSkippedReason: io.env.GEMINI_API_KEY || io.env.GOOGLE_API_KEY ? 'AI score not available in shotline check' : 'no Gemini key (GEMINI_API_KEY): AI score skipped',
  });
  if (request.json) io.stdout(`${JSON.stringify({ clip: request.clip, strictness: request.strictness, expectation, ...result.verdict, colour: result.colour }, null, 2)}\n`);
  else io.stdout(`${formatCheckReport(request.clip, request.strictness, result)}\n`);
  return result.verdict.decision === 'pass' ? EXIT.ok : 1;
}

const DECIMAL = /^(\d+(\.\d*)?|\.\d+)$/;

export function parseCheckArgs(args: string[]): CheckRequest | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        prompt: { type: 'string' },
        duration: { type: 'string' },
        width: { type: 'string' },
        height: { type: 'string' },
        resolution: { type: 'string' },
        aspect: { type: 'string' },
        audio: { type: 'boolean', default: false },
        strictness: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    throw new CheckUsageError((error as Error).message.replace(/\. To specify a positional.*$/s, ''));
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  if (positionals.length !== 1) throw new CheckUsageError(positionals.length === 0 ? 'expected the clip to check' : `expected one clip, got ${positionals.length}: ${positionals.join(', ')}`);
  const request: CheckRequest = { clip: positionals[0]!, prompt: values.prompt, audio: values.audio, json: values.json, strictness: parseStrictness(values.strictness) };
  if (values.duration !== undefined) {
    const n = Number(values.duration.trim());
    if (!DECIMAL.test(values.duration.trim()) || !(n > 0) || n > 3600) throw new CheckUsageError(`--duration: must be a number of seconds above 0 and at most 3600, got "${values.duration}"`);
    request.durationSeconds = n;
  }
  if (values.width !== undefined || values.height !== undefined) {
    const other = values.resolution !== undefined ? 'resolution' : values.aspect !== undefined ? 'aspect' : null;
    if (other) throw new CheckUsageError(`--${values.width !== undefined ? 'width' : 'height'}: cannot be combined with --${other} (give --width and --height, or --resolution and --aspect)`);
    if (values.width === undefined) throw new CheckUsageError('--width: required with --height');
    if (values.height === undefined) throw new CheckUsageError('--height: required with --width');
    request.size = { width: pixels('width', values.width), height: pixels('height', values.height) };
  }
  if (values.resolution !== undefined) request.resolution = parseResolution(values.resolution);
  if (values.aspect !== undefined) request.aspect = parseAspect(values.aspect);
  return request;
}

function parseStrictness(value: string | undefined): GateStrictness {
  if (value === undefined) return 'final';
  if (value !== 'preview' && value !== 'final') throw new CheckUsageError(`--strictness: must be preview or final, got "${value}"`);
  return value;
}

function pixels(flag: string, value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < 2 || n > 16384) throw new CheckUsageError(`--${flag}: must be a whole number of pixels from 2 to 16384, got "${value}"`);
  return n;
}

function parseResolution(value: string): number {
  const label = value.trim().toLowerCase();
  if ((RESOLUTIONS as readonly string[]).includes(label)) return frameSize(label as Resolution, '16:9').height;
  const match = /^(\d+)p$/.exec(label);
  const n = match ? Number(match[1]) : NaN;
  if (!(n >= 2 && n <= 8640)) throw new CheckUsageError(`--resolution: must be one of ${RESOLUTIONS.join(', ')} or a short side such as 1440p, got "${value}"`);
  return n;
}

function parseAspect(value: string): { width: number; height: number } {
  const match = /^(\d+(?:\.\d+)?):(\d+(?:\.\d+)?)$/.exec(value.trim());
  const width = match ? Number(match[1]) : NaN;
  const height = match ? Number(match[2]) : NaN;
  if (!(width > 0 && height > 0)) throw new CheckUsageError(`--aspect: must be W:H such as 16:9 or 9:16, got "${value}"`);
  return { width, height };
}

/** What the shot asked for: the flags, and the clip itself for what they leave out. */
export function expectationFor(request: CheckRequest, probe: MediaProbe | null): ClipExpectation {
  const even = (n: number) => Math.max(2, Math.round(n / 2) * 2);
  let size = request.size;
  if (!size && (request.resolution !== undefined || request.aspect !== undefined)) {
    const ratio = request.aspect ? request.aspect.width / request.aspect.height : probe ? displayAspect(probe) : 16 / 9;
    const short = request.resolution ?? (probe ? Math.min(probe.width, probe.height) : 720);
    // The pipeline's own rounding (shared/domain frameSize): the short side, the long side even.
    size = ratio >= 1 ? { width: even(short * ratio), height: short } : { width: short, height: even(short / ratio) };
  }
  size ??= probe ? { width: probe.width, height: probe.height } : { width: 0, height: 0 };
  return {
    durationSeconds: request.durationSeconds ?? probe?.durationSeconds ?? 0,
    width: size.width,
    height: size.height,
    audio: request.audio,
    ...(request.prompt !== undefined ? { prompt: request.prompt } : {}),
  };
}

const OUTCOME: Record<GateCheck['outcome'], string> = { pass: 'PASS', fail: 'FAIL', skipped: 'SKIP' };

const DECISION_LINES = {
  pass: 'PASS: the clip is usable',
  retry_same_engine: 'FAIL: retry the same engine (a new seed often fixes this)',
  escalate: 'FAIL: try another engine (this one made the wrong thing)',
} as const;

/** One line per check, "PASS  duration    4.96 s  (expected 5.00 s, 4.75 s to 6.50 s)", then the colour and the verdict. */
export function formatCheckReport(clip: string, strictness: GateStrictness, result: ClipGateResult): string {
  const { verdict } = result;
  const width = Math.max(...verdict.checks.map((c) => c.name.length));
  const lines = [`${clip} (${strictness} strictness)`];
  for (const c of verdict.checks) {
    const head = `${OUTCOME[c.outcome]}  ${c.name.padEnd(width)}  `;
    lines.push(c.outcome === 'skipped' ? `${head}${c.detail}` : `${head}${c.measured}  (${c.limit})${c.detail ? `  ${c.detail}` : ''}`);
  }
  if (result.colour) lines.push(`colour  ${formatColour(result.colour)}`);
  lines.push(`${DECISION_LINES[verdict.decision]} (quality ${verdict.qualityScore.toFixed(2)})`);
  return lines.join('\n');
}

export function formatColour(c: ClipColourStats): string {
  const one = (n: number) => n.toFixed(1);
  return `luma ${one(c.lumaMean)} (${one(c.lumaLow)}–${one(c.lumaHigh)}), U ${one(c.uMean)} V ${one(c.vMean)}, saturation ${one(c.saturationMean)}, hue ${Math.round(c.hueMeanDegrees)}°`;
}
