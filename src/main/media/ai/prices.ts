/**
 * Gemini text-output prices for the AI checks (scoring a clip, comparing a character
 * across shots), in USD per million tokens. These are the Gemini Developer API's LIST
 * PRICES (standard tier, prompts up to 200k tokens) as published on
 * ai.google.dev/gemini-api/docs/pricing and repeated by third parties in 2026: TO BE
 * CONFIRMED against Google's page before a release, and whenever a model is added.
 * Images are billed as input tokens; thinking tokens (`thoughtsTokenCount`) are billed
 * as output tokens.
 *
 * The loopback emulator bills with this same table, so tests prove ledger == invoice
 * to the micro-dollar; they cannot prove the table itself is right.
 */
import { toMicros, type Micros } from '../../../shared/money';

export interface TokenPrice {
  /** USD per 1M input tokens (text and image). */
  inputUsdPerMTok: number;
  /** USD per 1M output tokens (answer and thinking). */
  outputUsdPerMTok: number;
}

export const GEMINI_TOKEN_PRICES: Readonly<Record<string, TokenPrice>> = {
  'gemini-2.5-flash': { inputUsdPerMTok: 0.3, outputUsdPerMTok: 2.5 },
  'gemini-2.5-flash-lite': { inputUsdPerMTok: 0.1, outputUsdPerMTok: 0.4 },
  'gemini-2.5-pro': { inputUsdPerMTok: 1.25, outputUsdPerMTok: 10 },
  'gemini-2.0-flash': { inputUsdPerMTok: 0.1, outputUsdPerMTok: 0.4 },
};

export const DEFAULT_AI_MODEL = 'gemini-2.5-flash';

/** The price of a model, or undefined when the table does not know it (the caller refuses to spend blind). */
export function tokenPriceFor(model: string): TokenPrice | undefined {
  return Object.prototype.hasOwnProperty.call(GEMINI_TOKEN_PRICES, model) ? GEMINI_TOKEN_PRICES[model] : undefined;
}

/** Token counts as Gemini reports them in usageMetadata (missing counts are 0). */
export interface GeminiUsage {
  promptTokenCount: number;
  candidatesTokenCount: number;
  /** Thinking tokens, billed as output. */
  thoughtsTokenCount: number;
}

/**
 * The cost of one call, rounded UP to a whole micro-dollar (per call: Google bills per
 * request, so two calls are two roundings). USD per 1M tokens equals micro-dollars per
 * token, which keeps the arithmetic exact for the table's prices.
 */
export function costMicrosForUsage(price: TokenPrice, usage: GeminiUsage): Micros {
  const output = usage.candidatesTokenCount + usage.thoughtsTokenCount;
  return toMicros(usage.promptTokenCount * price.inputUsdPerMTok + output * price.outputUsdPerMTok, 'Gemini call cost');
}
