/**
 * The gate's `aiScore` callback, built once per run: it holds the media service, where
 * the key comes from, the model, and where each call's cost goes (the ledger). The gate
 * only sees GateChecks; money flows through `onCost`, after `reserve` said yes.
 */
import { ZERO_MICROS, type Micros } from '../../../shared/money';
import type { GateCheck, GateStrictness } from '../../../shared/quality';
import type { MediaOps, MediaProbe } from '../backend/types';
import type { ContactSheet, ContactSheetLayout } from './contact-sheet';
import type { Billing, GeminiConnection } from './gemini-json';
import { DEFAULT_AI_MODEL, type GeminiUsage } from './prices';
import { aiScoreThreshold, estimateAiScoreMaxCostMicros, formatScore, scoreClip, type AiScoreThresholds } from './score';

/** What the gate hands the callback for one clip. */
export interface AiScoreRequest {
  clipPath: string;
  prompt: string;
  strictness: GateStrictness;
  shotId?: string;
  /** The gate's probe, when it has one. */
  probe?: MediaProbe;
  signal?: AbortSignal;
}

/** One scoring call's money, for the ledger. */
export interface AiCallCost {
  shotId: string | undefined;
  model: string;
  costMicros: Micros;
  billing: Billing;
  usage: GeminiUsage | null;
  /** The call's own bound (0 when no call was made). */
  maxCostMicros: Micros;
  /** What `reserve` was asked to hold for this clip (null without a reserve option): settle it with costMicros. */
  reservedMicros: Micros | null;
}

export interface AiScorerOptions {
  media: Pick<MediaOps, 'probe' | 'runGraph'>;
  /** Read per clip: the user may add or change the key while a run goes. Undefined: no key, the check is skipped. */
  connection: () => GeminiConnection | undefined;
  model?: string;
  thresholds?: Partial<AiScoreThresholds>;
  timeoutMs?: number;
  layout?: ContactSheetLayout;
  /** Keep contact sheets here (for the character check); default: temporary, deleted. */
  workDir?: string;
  /**
   * Asked before each call with its most possible cost; false skips the check ("budget").
   * The ledger reserves here and settles in onCost.
   */
  reserve?: (maxCostMicros: Micros, request: AiScoreRequest) => boolean | Promise<boolean>;
  /** Called once per call that was made (billed, unbilled or unknown), never for a skip before calling. */
  onCost?: (cost: AiCallCost, request: AiScoreRequest) => void | Promise<void>;
  /** Called with each kept contact sheet (only with workDir). */
  onSheet?: (sheet: ContactSheet, request: AiScoreRequest) => void;
}

export function makeAiScorer(options: AiScorerOptions): (request: AiScoreRequest) => Promise<GateCheck> {
  const model = options.model ?? DEFAULT_AI_MODEL;
  return async (request) => {
    const threshold = aiScoreThreshold(request.strictness, options.thresholds);
    const skipped = (detail: string): GateCheck => ({ name: 'ai_score', value: null, measured: 'not scored', limit: `at least ${formatScore(threshold)} (${request.strictness})`, outcome: 'skipped', detail });
    const connection = options.connection();
    if (!connection || !connection.apiKey.trim()) return skipped('AI score skipped: no Gemini API key (set GEMINI_API_KEY or add it to the keychain)');
    let bound: Micros | undefined;
    let probe = request.probe;
    if (options.reserve) {
      // The sheet's size (so the bound) follows from the clip's; a clip that cannot be probed is skipped by scoreClip without a call.
      probe ??= await options.media.probe(request.clipPath, { signal: request.signal }).catch((error: unknown) => {
        if (request.signal?.aborted) throw error;
        return undefined;
      });
      try {
        bound = estimateAiScoreMaxCostMicros({ prompt: request.prompt, model, clip: probe ?? { width: 1920, height: 1080 }, layout: options.layout });
      } catch (error) {
        return skipped(`AI score skipped: ${(error as Error).message}`);
      }
      if (!(await options.reserve(bound, request))) return skipped('AI score skipped: the budget has no room for the scoring call');
    }
    let result: Awaited<ReturnType<typeof scoreClip>>;
    try {
      result = await scoreClip({
        media: options.media,
        clipPath: request.clipPath,
        prompt: request.prompt,
        strictness: request.strictness,
        connection,
        model,
        thresholds: options.thresholds,
        timeoutMs: options.timeoutMs,
        layout: options.layout,
        workDir: options.workDir,
        probe,
        signal: request.signal,
      });
    } catch (error) {
      // Cancelled (possibly mid-call): settle the reservation as unknown before the cancel goes on.
      if (bound !== undefined) {
        await options.onCost?.({ shotId: request.shotId, model, costMicros: ZERO_MICROS, billing: 'unknown', usage: null, maxCostMicros: bound, reservedMicros: bound }, request);
      }
      throw error;
    }
    // A call was made unless the skip happened before it (sampling, no price): those settle the reservation at 0 too.
    await options.onCost?.({ shotId: request.shotId, model, costMicros: result.costMicros, billing: result.billing, usage: result.usage, maxCostMicros: result.maxCostMicros, reservedMicros: bound ?? null }, request);
    if (result.sheet) options.onSheet?.(result.sheet, request);
    return result.check;
  };
}
