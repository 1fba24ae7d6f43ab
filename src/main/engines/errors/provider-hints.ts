/**
 * What a provider's body says beyond its HTTP status. Provider code tables are exact and
 * win; word matches are the fallback for providers that only send sentences (Runway,
 * Luma, OpenAI-compatible servers) and only ever refine a status, never overturn it.
 */
import type { ErrorKind } from '../../../shared/errors';
import { isGoogleInvalidKey, kindForGoogleRpcStatus } from './google-codes';
import { kindForKlingCode } from './kling-codes';
import { kindForOpenAICode } from './openai-codes';
import type { ProviderErrorInfo } from './provider-body';
import { kindForRunwayFailureCode } from './runway-codes';

export interface KindHints {
  /** A provider code table named the kind outright: it wins over the HTTP status. */
  providerKind?: ErrorKind;
  /** The account is out of money or credits (a 429 saying so is not a rate). */
  quotaExhausted?: boolean;
  /** The provider refused the content (a 400 saying so is not a malformed request). */
  contentPolicy?: boolean;
  /** The credentials are wrong although the status says "bad request" (Google's 400 API_KEY_INVALID). */
  invalidCredentials?: boolean;
}

const CONTENT_POLICY_WORDS =
  /moderation|content[ _-]?(policy|filter|security|risk)|safety[ _-]?(system|filter|check|policy|guideline)|\bSAFETY\.|responsible ai|\brai\b|risk control|prohibited content|inappropriate content|usage polic/i;

const QUOTA_WORDS =
  /(?:not|n't) (?:have )?enough credits?|(?:insufficient|out of|no remaining|no more) credits?|insufficient (balance|funds)|exceeded your current quota|billing (hard )?limit|payment required|in arrears|resource pack/i;

/** For a sentence from any provider (a job's failure reason, a body's message): does it say the content was refused? */
export function looksLikeContentPolicy(text: string | undefined): boolean {
  return text !== undefined && CONTENT_POLICY_WORDS.test(text);
}

/** Does the sentence say the account has run out of money or credits (not merely a rate)? */
export function looksLikeQuotaExhausted(text: string | undefined): boolean {
  return text !== undefined && QUOTA_WORDS.test(text);
}

/** The provider's own verdict, when one of the code tables knows the code. */
export function kindFromProviderCodes(info: ProviderErrorInfo): ErrorKind | undefined {
  return (
    kindForKlingCode(info.envelopeCode) ??
    // Only RESOURCE_EXHAUSTED overrides: its message ("You exceeded your current quota...")
    // reads like an empty account, yet Google means a rate. Other RPC names agree with their status.
    (info.rpcStatus === 'RESOURCE_EXHAUSTED' ? kindForGoogleRpcStatus(info.rpcStatus) : undefined) ??
    kindForOpenAICode(info.code) ??
    kindForOpenAICode(info.type) ??
    kindForRunwayFailureCode(info.failureCode)
  );
}

export function hintsFromProviderError(info: ProviderErrorInfo): KindHints {
  const providerKind = kindFromProviderCodes(info);
  if (providerKind) return { providerKind };
  const words = [info.message, info.code, info.type, info.failureCode].filter(Boolean).join(' ');
  const hints: KindHints = {};
  if (looksLikeQuotaExhausted(words)) hints.quotaExhausted = true;
  if (looksLikeContentPolicy(words)) hints.contentPolicy = true;
  if (isGoogleInvalidKey(info.reasons, info.message)) hints.invalidCredentials = true;
  return hints;
}
