/**
 * How many tokens a call will take, before it is sent: what the ledger reserves. An
 * upper bound, never the bill (the bill comes from the answer's usageMetadata).
 *
 * Images (Gemini 2.x): an image with both sides <= 384 px is 258 tokens; a larger one is
 * cut into square crops whose side is the short edge / 1.5, 258 tokens each. Gemini 3
 * counts per image by media resolution instead (up to 1120 tokens at the default); the
 * bound takes the larger of the two so a newer model cannot overrun a reservation.
 * Text: ~4 characters a token in English; the bound assumes 3 (other languages, JSON).
 */
import type { Micros } from '../../../shared/money';
import { costMicrosForUsage, tokenPriceFor } from './prices';

export const TOKENS_PER_IMAGE_TILE = 258;
const SMALL_IMAGE_SIDE = 384;
/** Gemini 3's per-image count at the default (high) media resolution. */
const GEMINI3_IMAGE_TOKENS = 1120;
/** Slack on the input estimate for what the API adds around the parts (roles, schema framing). */
const INPUT_OVERHEAD_TOKENS = 64;

/** Gemini 2.x's image token count (the emulator reports exactly this). */
export function imageTokens(width: number, height: number): number {
  if (width <= SMALL_IMAGE_SIDE && height <= SMALL_IMAGE_SIDE) return TOKENS_PER_IMAGE_TILE;
  const crop = Math.max(1, Math.floor(Math.min(width, height) / 1.5));
  return TOKENS_PER_IMAGE_TILE * Math.ceil(width / crop) * Math.ceil(height / crop);
}

/** A bound on the image's tokens for any model in the price table. */
export function imageTokensAtMost(width: number, height: number): number {
  return Math.max(imageTokens(width, height), GEMINI3_IMAGE_TOKENS);
}

/** A bound on the text's tokens (3 characters a token, rounded up). */
export function textTokensAtMost(text: string): number {
  return Math.ceil(text.length / 3);
}

export interface CallSizeEstimate {
  model: string;
  images: readonly { width: number; height: number }[];
  /** Every text sent: instructions, prompt, and the response schema as JSON. */
  texts: readonly string[];
  /** The request's maxOutputTokens (thinking included on 2.5 models). */
  maxOutputTokens: number;
}

/**
 * The most one call can cost, rounded up to a whole micro-dollar: reserve this before
 * the call, settle with the answer's cost after. Throws for a model with no price.
 */
export function maxCallCostMicros(estimate: CallSizeEstimate): Micros {
  const price = tokenPriceFor(estimate.model);
  if (!price) throw new RangeError(`no price for Gemini model ${JSON.stringify(estimate.model)}; add it to src/main/media/ai/prices.ts`);
  const promptTokenCount =
    INPUT_OVERHEAD_TOKENS +
    estimate.images.reduce((sum, image) => sum + imageTokensAtMost(image.width, image.height), 0) +
    estimate.texts.reduce((sum, text) => sum + textTokensAtMost(text), 0);
  return costMicrosForUsage(price, { promptTokenCount, candidatesTokenCount: estimate.maxOutputTokens, thoughtsTokenCount: 0 });
}
