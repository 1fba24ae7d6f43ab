/**
 * OpenAI (and OpenAI-compatible video endpoints) put a machine code in `error.code` and a
 * family in `error.type`. The one that matters most: a 429 with `insufficient_quota` is an
 * empty account, not a rate, and retrying it only burns time.
 */
import type { ErrorKind } from '../../../shared/errors';

const OPENAI_CODE_KINDS: Readonly<Record<string, ErrorKind>> = {
  insufficient_quota: 'quota_exhausted',
  billing_hard_limit_reached: 'quota_exhausted',
  billing_not_active: 'quota_exhausted',
  // Image API's moderation code; the video API's value is unconfirmed, so the common spellings are listed.
  moderation_blocked: 'content_policy',
  content_policy_violation: 'content_policy',
  content_filter: 'content_policy',
  invalid_api_key: 'auth',
  account_deactivated: 'auth',
  unsupported_country_region_territory: 'auth',
};

/** The kind an OpenAI `code` or `type` names outright; undefined when it leaves the status to decide. */
export function kindForOpenAICode(code: string | undefined): ErrorKind | undefined {
  return code === undefined ? undefined : OPENAI_CODE_KINDS[code];
}
