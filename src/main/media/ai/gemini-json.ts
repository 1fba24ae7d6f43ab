/**
 * One structured-output call to Gemini through @google/genai 2.x (`models.generateContent`
 * with responseMimeType application/json and a responseSchema), for the AI checks.
 *
 * The checks advise; they never decide a clip's fate on their own. So nothing here throws
 * for a provider problem: every failure (bad key, 429, 5xx, a hang, a network drop, an
 * answer that is not the promised JSON) comes back as `{ ok: false, failure, detail }`
 * for the caller to turn into a 'skipped' check. Only the caller's own cancel throws
 * (CancelledError), because the run is being stopped.
 *
 * Money: a 200 answer is billed by its usageMetadata (the ledger gets exactly what Google
 * charges, rounded up per call); an error answer is not billed (Google charges nothing for
 * failed requests); a call that died with no answer (timeout, dropped connection after the
 * request went out) MAY have been billed: `billing: 'unknown'`, cost 0, and the caller
 * decides (the amounts are fractions of a cent; `maxCostMicros` says how much at most).
 *
 * The key goes to the SDK only (the x-goog-api-key header); every text that comes back
 * is passed through safeMessage with the key as a secret.
 */
import { GoogleGenAI, type GenerateContentResponse, type Part, type Schema } from '@google/genai';
import type { z } from 'zod';
import { CancelledError, EngineError } from '../../../shared/errors';
import { ZERO_MICROS, type Micros } from '../../../shared/money';
import { baseUrlFor } from '../../engines/common/endpoint';
import { engineErrorFromSdkApiError, isSdkApiError } from '../../engines/gemini/api-error';
import { diagnoseNetworkFailure, readProviderError, parseBodyText, safeMessage } from '../../engines/errors';
import { costMicrosForUsage, tokenPriceFor, type GeminiUsage } from './prices';
import { maxCallCostMicros } from './tokens';

export const GEMINI_PUBLIC_BASE_URL = 'https://generativelanguage.googleapis.com';
const API_VERSION = 'v1beta';
export const DEFAULT_AI_TIMEOUT_MS = 60_000;

/** Where and as whom to call. The key comes from the caller (keychain or environment) and is never logged. */
export interface GeminiConnection {
  apiKey: string;
  /** Overrides GOOGLE_GEMINI_BASE_URL (a proxy, an emulator). */
  baseUrl?: string;
  /** Where GOOGLE_GEMINI_BASE_URL is read from; default process.env. */
  env?: NodeJS.ProcessEnv;
}

/** A part of the request: text, or an inline image with its pixel size (for the cost bound). */
export type AiPart = { text: string } | { image: { mimeType: 'image/png' | 'image/jpeg' | 'image/webp'; base64: string; width: number; height: number } };

export interface JsonCallInput<T> {
  connection: GeminiConnection;
  model: string;
  /** What the check is, for messages ("AI score", "character check"). */
  purpose: string;
  systemInstruction: string;
  parts: readonly AiPart[];
  /** The responseSchema sent (OpenAPI subset, as the SDK's Schema type). */
  responseSchema: Schema;
  /** Validates the parsed answer; its output is what `value` is. */
  validate: z.ZodType<T>;
  maxOutputTokens: number;
  signal?: AbortSignal;
  /** Default 60 s. */
  timeoutMs?: number;
}

/** Why a call gave no usable answer. */
export type AiFailure = 'auth' | 'rate_limited' | 'unavailable' | 'timeout' | 'network' | 'rejected' | 'bad_answer' | 'no_price';

export type Billing = 'billed' | 'not_billed' | 'unknown';

interface CallMoney {
  /** What Google charges for this call, rounded up to a whole micro-dollar (0 unless billing is 'billed'). */
  costMicros: Micros;
  billing: Billing;
  usage: GeminiUsage | null;
  /** The reservation bound for this call (what it could have cost at most). */
  maxCostMicros: Micros;
}

export type JsonCallResult<T> = ({ ok: true; value: T } | { ok: false; failure: AiFailure; detail: string }) & CallMoney;

/** The most one such call can cost (reserve it before the call). Throws for a model with no price. */
export function maxCostOfCall(input: Pick<JsonCallInput<unknown>, 'model' | 'systemInstruction' | 'parts' | 'responseSchema' | 'maxOutputTokens'>): Micros {
  const images = input.parts.flatMap((part) => ('image' in part ? [part.image] : []));
  const texts = [input.systemInstruction, JSON.stringify(input.responseSchema), ...input.parts.flatMap((part) => ('text' in part ? [part.text] : []))];
  return maxCallCostMicros({ model: input.model, images, texts, maxOutputTokens: input.maxOutputTokens });
}

export async function callGeminiJson<T>(input: JsonCallInput<T>): Promise<JsonCallResult<T>> {
  const secrets = [input.connection.apiKey];
  const price = tokenPriceFor(input.model);
  if (!price) {
    return { ok: false, failure: 'no_price', detail: `no price is known for Gemini model ${input.model}, so it was not called`, costMicros: ZERO_MICROS, billing: 'not_billed', usage: null, maxCostMicros: ZERO_MICROS };
  }
  const maxCostMicros = maxCostOfCall(input);
  const unbilled = { costMicros: ZERO_MICROS, billing: 'not_billed' as const, usage: null, maxCostMicros };
  if (input.signal?.aborted) throw new CancelledError(`${input.purpose} cancelled`);

  let baseUrl: string;
  try {
    baseUrl = baseUrlFor({ id: input.purpose, provider: 'gemini', baseUrl: input.connection.baseUrl }, input.connection.env ?? process.env, GEMINI_PUBLIC_BASE_URL);
  } catch (error) {
    return { ok: false, failure: 'rejected', detail: safeMessage((error as Error).message, secrets), ...unbilled };
  }
  if (!input.connection.apiKey.trim()) return { ok: false, failure: 'auth', detail: 'no Gemini API key', ...unbilled };

  const timeoutMs = input.timeoutMs ?? DEFAULT_AI_TIMEOUT_MS;
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const forward = () => controller.abort();
  input.signal?.addEventListener('abort', forward, { once: true });

  let response: GenerateContentResponse;
  try {
    // vertexai:false so GOOGLE_GENAI_USE_VERTEXAI in the environment cannot switch the protocol; no retryOptions: one call, one bill.
    const client = new GoogleGenAI({ apiKey: input.connection.apiKey, vertexai: false, apiVersion: API_VERSION, httpOptions: { baseUrl } });
    response = await client.models.generateContent({
      model: input.model,
      contents: [{ role: 'user', parts: input.parts.map(toSdkPart) }],
      config: {
        systemInstruction: input.systemInstruction,
        responseMimeType: 'application/json',
        responseSchema: input.responseSchema,
        maxOutputTokens: input.maxOutputTokens,
        temperature: 0,
        // 2.5 Flash thinks by default and bills it as output; a rating needs none. Pro cannot turn it off.
        ...(/flash/i.test(input.model) && /2\.5/.test(input.model) ? { thinkingConfig: { thinkingBudget: 0 } } : {}),
        abortSignal: controller.signal,
      },
    });
  } catch (error) {
    if (input.signal?.aborted) throw new CancelledError(`${input.purpose} cancelled`);
    if (timedOut) {
      return { ok: false, failure: 'timeout', detail: `Gemini did not answer within ${formatSeconds(timeoutMs)}`, costMicros: ZERO_MICROS, billing: 'unknown', usage: null, maxCostMicros };
    }
    return classifyThrown(error, secrets, maxCostMicros);
  } finally {
    clearTimeout(timer);
    input.signal?.removeEventListener('abort', forward);
  }

  const usage = usageOf(response);
  // A 200 is billed. Without usageMetadata (never seen, but possible) the bound is charged: the ledger may overstate, never understate.
  const billed: CallMoney = usage
    ? { costMicros: costMicrosForUsage(price, usage), billing: 'billed', usage, maxCostMicros }
    : { costMicros: maxCostMicros, billing: 'billed', usage: null, maxCostMicros };
  const answer = answerText(response);
  if (typeof answer !== 'string') return { ok: false, failure: 'bad_answer', detail: safeMessage(answer.problem, secrets), ...billed };
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer);
  } catch {
    return { ok: false, failure: 'bad_answer', detail: `Gemini's answer was not valid JSON (${safeMessage(answer.slice(0, 80), secrets)}${answer.length > 80 ? '…' : ''})`, ...billed };
  }
  const checked = input.validate.safeParse(parsed);
  if (!checked.success) {
    const problem = checked.error.issues.map((issue) => `${issue.path.join('.') || '(answer)'}: ${issue.message}`).join('; ');
    return { ok: false, failure: 'bad_answer', detail: safeMessage(`Gemini's answer did not match the schema: ${problem}`, secrets), ...billed };
  }
  return { ok: true, value: checked.data, ...billed };
}

function toSdkPart(part: AiPart): Part {
  if ('text' in part) return { text: part.text };
  return { inlineData: { mimeType: part.image.mimeType, data: part.image.base64 } };
}

function usageOf(response: GenerateContentResponse): GeminiUsage | null {
  const meta = response.usageMetadata;
  if (!meta || typeof meta.promptTokenCount !== 'number') return null;
  const count = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : 0);
  return { promptTokenCount: count(meta.promptTokenCount), candidatesTokenCount: count(meta.candidatesTokenCount), thoughtsTokenCount: count(meta.thoughtsTokenCount) };
}

/** The first candidate's text, or why there is none (blocked, cut off, empty). */
function answerText(response: GenerateContentResponse): string | { problem: string } {
  const blocked = response.promptFeedback?.blockReason;
  if (blocked) return { problem: `Gemini declined the request (${blocked})` };
  const candidate = response.candidates?.[0];
  if (!candidate) return { problem: 'Gemini answered with no candidate' };
  const finish = candidate.finishReason;
  if (finish && finish !== 'STOP') {
    return { problem: finish === 'MAX_TOKENS' ? 'Gemini ran out of output tokens before finishing its answer' : `Gemini stopped early (${finish})` };
  }
  const text = (candidate.content?.parts ?? []).map((part) => (part.thought ? '' : (part.text ?? ''))).join('');
  if (!text.trim()) return { problem: 'Gemini answered with no text' };
  return text;
}

function classifyThrown(error: unknown, secrets: readonly string[], maxCostMicros: Micros): JsonCallResult<never> {
  if (isSdkApiError(error)) {
    const classified = engineErrorFromSdkApiError(error, 'poll', secrets);
    const said = readProviderError(parseBodyText(error.message)).message;
    const words = said ? `: ${safeMessage(said, secrets)}` : '';
    const money = { costMicros: ZERO_MICROS, billing: 'not_billed' as const, usage: null, maxCostMicros };
    switch (classified.kind) {
      case 'auth':
        return { ok: false, failure: 'auth', detail: `Gemini key refused (HTTP ${error.status})${words}`, ...money };
      case 'rate_limited':
      case 'quota_exhausted': {
        const wait = classified.details.retryAfterMs !== undefined ? `; retry after ${formatSeconds(classified.details.retryAfterMs)}` : '';
        return { ok: false, failure: 'rate_limited', detail: `Gemini rate limit or quota reached (HTTP ${error.status})${wait}`, ...money };
      }
      case 'unavailable':
      case 'timeout':
        return { ok: false, failure: 'unavailable', detail: `Gemini is unavailable (HTTP ${error.status})${words}`, ...money };
      default:
        return { ok: false, failure: 'rejected', detail: `Gemini refused the request (HTTP ${error.status})${words}`, ...money };
    }
  }
  const network = diagnoseNetworkFailure(error);
  if (network) {
    // Never connected: nothing was sent, nothing billed. Otherwise the request may have been answered (and billed) unseen.
    const billing: Billing = network.failure === 'never_connected' ? 'not_billed' : 'unknown';
    return { ok: false, failure: 'network', detail: safeMessage(`could not reach Gemini (${network.evidence})`, secrets), costMicros: ZERO_MICROS, billing, usage: null, maxCostMicros };
  }
  if (error instanceof EngineError) return { ok: false, failure: 'rejected', detail: safeMessage(error.message, secrets), costMicros: ZERO_MICROS, billing: 'not_billed', usage: null, maxCostMicros };
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return { ok: false, failure: 'network', detail: safeMessage(`the Gemini call failed (${message})`, secrets), costMicros: ZERO_MICROS, billing: 'unknown', usage: null, maxCostMicros };
}

function formatSeconds(ms: number): string {
  const seconds = ms / 1000;
  return `${Number.isInteger(seconds) ? seconds : seconds.toFixed(1)} s`;
}
