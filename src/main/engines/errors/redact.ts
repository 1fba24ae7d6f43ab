/**
 * Error messages end up in the ledger, the UI, logs and bug reports, and provider bodies
 * like to echo what they were sent (OpenAI quotes the key it rejected, signed download
 * URLs carry their signature). Everything that becomes an EngineError message passes here.
 */

export const MAX_MESSAGE_LENGTH = 500;

const REDACTED = '[redacted]';

/** Credential shapes worth catching even when nobody passed them in as secrets. */
const CREDENTIAL_PATTERNS: readonly [RegExp, string][] = [
  // Authorization headers echoed back (Bearer for OpenAI/Runway/Luma/Kling, Key for fal).
  [/\b(Bearer)\s+[A-Za-z0-9._~+/=:-]{8,}/gi, `$1 ${REDACTED}`],
  // "Key"/"Basic" are also plain words, so only a value with a digit in it counts as a credential.
  [/\b(Key|Basic)\s+(?=[A-Za-z._~+/=:-]*\d)[A-Za-z0-9._~+/=:-]{8,}/g, `$1 ${REDACTED}`],
  // Google's header, quoted in logs or bodies as `x-goog-api-key: ...` or in JSON.
  [/(x-goog-api-key["']?\s*[:=]\s*["']?)[^\s"',;&]+/gi, `$1${REDACTED}`],
  // Query-string credentials and URL signatures (Gemini `?key=`, S3/GCS presigned URLs).
  [
    /([?&;](?:api[_-]?key|key|token|access_token|auth|sig|signature|x-amz-signature|x-amz-credential|x-amz-security-token|x-goog-signature|x-goog-credential)=)[^&\s"'#]+/gi,
    `$1${REDACTED}`,
  ],
  // JWTs (Kling signs one per request with the account's secret key).
  [/\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}/g, REDACTED],
  // Provider key formats: OpenAI sk-..., Runway key_..., Google AIza...
  [/\bsk-[A-Za-z0-9_-]{12,}/g, REDACTED],
  [/\bkey_[A-Za-z0-9]{16,}/g, REDACTED],
  [/\bAIza[0-9A-Za-z_-]{20,}/g, REDACTED],
];

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Replaces every given secret (longest first, so a key's prefix cannot hide part of it) and every credential-looking string. */
export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  let result = text;
  const distinct = [...new Set(secrets.filter((secret) => typeof secret === 'string' && secret.length > 0))];
  distinct.sort((a, b) => b.length - a.length);
  for (const secret of distinct) {
    result = result.replace(new RegExp(escapeRegExp(secret), 'g'), REDACTED);
    // Bodies and URLs may carry the key encoded.
    const encoded = encodeURIComponent(secret);
    if (encoded !== secret) result = result.replace(new RegExp(escapeRegExp(encoded), 'g'), REDACTED);
  }
  for (const [pattern, replacement] of CREDENTIAL_PATTERNS) result = result.replace(pattern, replacement);
  return result;
}

/**
 * A message fit for an EngineError: secrets removed first (so truncation can never leave
 * half a key behind), whitespace folded to one line, then cut to about 500 characters.
 */
export function safeMessage(text: string, secrets: readonly string[] = []): string {
  const oneLine = redactSecrets(text, secrets).replace(/\s+/g, ' ').trim();
  if (oneLine.length <= MAX_MESSAGE_LENGTH) return oneLine;
  return `${oneLine.slice(0, MAX_MESSAGE_LENGTH - 1)}…`;
}
